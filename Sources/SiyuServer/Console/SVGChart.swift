import Foundation

/// Small charts drawn on the server as SVG text: a line chart over days and a horizontal bar
/// chart. No script, no library; colours are presentation attributes, so the page's strict
/// Content-Security-Policy holds.
enum SVGChart {
    /// One line of a line chart.
    struct Series {
        var name: String
        var values: [Int]
    }

    static let palette = ["#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c"]

    /// A line per series over `labels` (one point per label); the y axis starts at zero, or below it for negative values.
    static func line(title: String, labels: [String], series: [Series], width: Int = 640, height: Int = 240) -> String {
        let left = 48.0, right = 12.0, top = 28.0, bottom = 28.0
        let plotWidth = Double(width) - left - right
        let plotHeight = Double(height) - top - bottom
        let all = series.flatMap(\.values)
        let high = Double(max(1, all.max() ?? 1))
        let low = Double(min(0, all.min() ?? 0))
        let span = high - low
        let count = max(labels.count, 1)
        func x(_ index: Int) -> Double { left + (count == 1 ? plotWidth / 2 : plotWidth * Double(index) / Double(count - 1)) }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - (value - low) / span) }

        var svg = open(title: title, width: width, height: height)
        for tick in Set([low, 0, (high + low) / 2, high].map { $0.rounded() }).sorted() {
            let at = y(tick)
            svg += ##"<line x1="\##(left)" y1="\##(fmt(at))" x2="\##(Double(width) - right)" y2="\##(fmt(at))" stroke="#e5e7eb"/>"##
            svg += ##"<text x="\##(left - 6)" y="\##(fmt(at + 4))" text-anchor="end" font-size="11" fill="#6b7280">\##(Int(tick))</text>"##
        }
        for index in Set([0, count / 2, count - 1]).sorted() where index < labels.count {
            // The first and last labels keep inside the picture.
            let anchor = index == 0 ? "start" : index == count - 1 ? "end" : "middle"
            svg += ##"<text x="\##(fmt(x(index)))" y="\##(height - 8)" text-anchor="\##(anchor)" font-size="11" fill="#6b7280">\##(escape(labels[index]))</text>"##
        }
        for (number, line) in series.enumerated() {
            let color = palette[number % palette.count]
            let points = line.values.enumerated().map { "\(fmt(x($0.offset))),\(fmt(y(Double($0.element))))" }.joined(separator: " ")
            svg += ##"<polyline fill="none" stroke="\##(color)" stroke-width="2" points="\##(points)"><title>\##(escape(line.name))</title></polyline>"##
            let legendX = left + Double(number) * 110
            svg += ##"<rect x="\##(fmt(legendX))" y="8" width="10" height="10" fill="\##(color)"/>"##
            svg += ##"<text x="\##(fmt(legendX + 14))" y="17" font-size="12" fill="#374151">\##(escape(line.name))</text>"##
        }
        return svg + "</svg>"
    }

    /// One horizontal bar per item, longest first as given, with its value at the end.
    static func bars(title: String, items: [(label: String, value: Int)], width: Int = 640) -> String {
        let row = 26.0, labelWidth = 150.0, valueWidth = 56.0
        let height = Int(row * Double(max(items.count, 1)) + 8)
        let high = Double(max(1, items.map(\.value).max() ?? 1))
        let barSpace = Double(width) - labelWidth - valueWidth
        var svg = open(title: title, width: width, height: height)
        for (index, item) in items.enumerated() {
            let top = 4 + Double(index) * row
            let length = max(1, barSpace * Double(item.value) / high)
            let label = item.label.count > 14 ? String(item.label.prefix(13)) + "…" : item.label
            svg += ##"<text x="\##(labelWidth - 8)" y="\##(fmt(top + 16))" text-anchor="end" font-size="12" fill="#374151">\##(escape(label))<title>\##(escape(item.label))</title></text>"##
            svg += ##"<rect x="\##(labelWidth)" y="\##(fmt(top + 4))" width="\##(fmt(length))" height="\##(fmt(row - 10))" rx="2" fill="\##(palette[0])"/>"##
            svg += ##"<text x="\##(fmt(labelWidth + length + 6))" y="\##(fmt(top + 16))" font-size="12" fill="#111827">\##(item.value)</text>"##
        }
        return svg + "</svg>"
    }

    private static func open(title: String, width: Int, height: Int) -> String {
        ##"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 \##(width) \##(height)" role="img" aria-label="\##(escape(title))"><title>\##(escape(title))</title>"##
    }

    private static func fmt(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(character)
            }
        }
        return out
    }
}
