import Foundation
import SiyuCore

extension SVGChart {
    /// A line chart over a report period's days, drawn for wide screens and phones, with its
    /// figures as a table under it; the period's last day is marked partial while it runs.
    static func period(_ title: String, _ period: ReportPeriod, series: [Series], t: [String: String]) -> String {
        let labels = period.shortLabels
        let partial = period.lastDayIsPartial ? t["chart_partial_day"] : nil
        return both { line(title: title, labels: labels, series: series, partialLast: partial, width: $0) }
            + table(caption: t["chart_as_table"] ?? "", dayHeading: t["col_day"] ?? "", labels: labels, series: series, partialLast: partial)
    }
}
