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

    /// A line per series over `labels` (one point per label); the y axis starts at zero, or below
    /// it for negative values, with ticks at round numbers. Every point names its day and value
    /// on hover. When `partialLast` is given the last day is still running: its stretch of line
    /// is dashed and its label says so.
    /// The width a phone's copy of a chart is drawn at: a 390 px screen shows its 12-unit text at
    /// about 12 px (a 640-wide chart scaled down would show it at 7).
    static let narrowWidth = 360

    /// A chart drawn twice, for wide screens and for phones; the stylesheet shows one.
    static func both(_ draw: (Int) -> String) -> String {
        #"<div class="chart-wide">"# + draw(640) + #"</div><div class="chart-narrow">"# + draw(narrowWidth) + "</div>"
    }

    static func line(title: String, labels: [String], series: [Series], partialLast: String? = nil, width: Int = 640, height: Int = 240) -> String {
        let left = 48.0, right = 12.0, top = 28.0, bottom = 28.0
        let plotWidth = Double(width) - left - right
        let plotHeight = Double(height) - top - bottom
        let all = series.flatMap(\.values)
        let ticks = Self.ticks(low: min(0, all.min() ?? 0), high: max(1, all.max() ?? 1))
        let low = Double(ticks.first ?? 0), high = Double(ticks.last ?? 1)
        let span = max(1, high - low)
        let count = max(labels.count, 1)
        func x(_ index: Int) -> Double { left + (count == 1 ? plotWidth / 2 : plotWidth * Double(index) / Double(count - 1)) }
        func y(_ value: Double) -> Double { top + plotHeight * (1 - (value - low) / span) }

        var svg = open(title: title, width: width, height: height)
        for tick in ticks {
            let at = y(Double(tick))
            svg += ##"<line x1="\##(left)" y1="\##(fmt(at))" x2="\##(Double(width) - right)" y2="\##(fmt(at))" stroke="#e5e7eb"/>"##
            svg += ##"<text x="\##(left - 6)" y="\##(fmt(at + 4))" text-anchor="end" font-size="12" fill="#4b5563">\##(tick)</text>"##
        }
        // A label about every week, the first and the last always.
        let stride = max(1, count / (width < 500 ? 3 : 5))
        var labelled = Set(Swift.stride(from: 0, to: count, by: stride))
        labelled.insert(count - 1)
        if count - 1 - (labelled.subtracting([count - 1]).max() ?? 0) < stride / 2 { labelled.remove(labelled.subtracting([count - 1]).max() ?? -1) }
        for index in labelled.sorted() where index < labels.count {
            // The first and last labels keep inside the picture.
            let anchor = index == 0 ? "start" : index == count - 1 ? "end" : "middle"
            let text = index == count - 1 && partialLast != nil ? labels[index] + "*" : labels[index]
            svg += ##"<text x="\##(fmt(x(index)))" y="\##(height - 8)" text-anchor="\##(anchor)" font-size="12" fill="#4b5563">\##(escape(text))</text>"##
        }
        let partial = partialLast != nil && count > 1
        for (number, line) in series.enumerated() {
            let color = palette[number % palette.count]
            let points = line.values.enumerated().map { "\(fmt(x($0.offset))),\(fmt(y(Double($0.element))))" }
            let solid = partial ? Array(points.dropLast()) : points
            svg += ##"<polyline fill="none" stroke="\##(color)" stroke-width="2" points="\##(solid.joined(separator: " "))"><title>\##(escape(line.name))</title></polyline>"##
            if partial, points.count >= 2 {
                svg += ##"<polyline fill="none" stroke="\##(color)" stroke-width="2" stroke-dasharray="4 3" points="\##(points.suffix(2).joined(separator: " "))"/>"##
            }
            for (index, value) in line.values.enumerated() where index < labels.count {
                let note = index == count - 1 ? (partialLast.map { " (\($0))" } ?? "") : ""
                svg += ##"<circle cx="\##(fmt(x(index)))" cy="\##(fmt(y(Double(value))))" r="3" fill="\##(color)"><title>\##(escape("\(labels[index])\(note) \(line.name): \(value)"))</title></circle>"##
            }
            let legendX = left + Double(number) * (width < 500 ? 70 : 110)
            svg += ##"<rect x="\##(fmt(legendX))" y="8" width="10" height="10" fill="\##(color)"/>"##
            svg += ##"<text x="\##(fmt(legendX + 14))" y="17" font-size="12" fill="#374151">\##(escape(line.name))</text>"##
        }
        if let partialLast, count > 1 {
            svg += ##"<text x="\##(Double(width) - right)" y="17" text-anchor="end" font-size="12" fill="#6b7280">* \##(escape(partialLast))</text>"##
        }
        return svg + "</svg>"
    }

    /// Round tick values from `low` to at least `high`: steps of 1, 2 or 5 times a power of ten, at most five of them.
    static func ticks(low: Int, high: Int) -> [Int] {
        let span = max(1, high - low)
        var power = 1
        var step = 1
        search: while true {
            for factor in [1, 2, 5] where span <= factor * power * 5 {
                step = factor * power
                break search
            }
            power *= 10
        }
        let first = Int((Double(low) / Double(step)).rounded(.down)) * step
        let last = Int((Double(high) / Double(step)).rounded(.up)) * step
        return Array(Swift.stride(from: first, through: max(last, first + step), by: step))
    }

    /// The same figures as a table (for reading exact values, and for screen readers).
    static func table(caption: String, dayHeading: String, labels: [String], series: [Series], partialLast: String? = nil) -> String {
        var html = "<details class=\"chart-table\"><summary>\(escape(caption))</summary><div class=\"table-wrap\"><table><thead><tr><th>\(escape(dayHeading))</th>"
        for line in series { html += "<th class=\"num\">\(escape(line.name))</th>" }
        html += "</tr></thead><tbody>"
        for (index, label) in labels.enumerated().reversed() {
            let note = index == labels.count - 1 ? (partialLast.map { " <small class=\"muted\">\(escape($0))</small>" } ?? "") : ""
            html += "<tr><td>\(escape(label))\(note)</td>"
            for line in series { html += "<td class=\"num\">\(index < line.values.count ? line.values[index] : 0)</td>" }
            html += "</tr>"
        }
        return html + "</tbody></table></div></details>"
    }

    /// One horizontal bar per item, longest first as given, with its value at the end.
    static func bars(title: String, items: [(label: String, value: Int)], width: Int = 640) -> String {
        let row = 26.0, labelWidth = width < 500 ? 96.0 : 150.0, valueWidth = 56.0
        let height = Int(row * Double(max(items.count, 1)) + 8)
        let high = Double(max(1, items.map(\.value).max() ?? 1))
        let barSpace = Double(width) - labelWidth - valueWidth
        var svg = open(title: title, width: width, height: height)
        for (index, item) in items.enumerated() {
            let top = 4 + Double(index) * row
            let length = max(1, barSpace * Double(item.value) / high)
            let room = width < 500 ? 7 : 14
            let label = item.label.count > room ? String(item.label.prefix(room - 1)) + "…" : item.label
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
