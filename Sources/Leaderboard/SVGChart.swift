import Foundation

/// One point of a line chart: x (e.g. training step), y (score) and the score's standard error.
public struct ChartPoint: Sendable, Codable, Equatable {
    public var x: Double
    public var y: Double
    /// Drawn as a band y ± stderr; nil or 0 draws no band.
    public var stderr: Double?
    public init(x: Double, y: Double, stderr: Double? = nil) {
        self.x = x
        self.y = y
        self.stderr = stderr
    }
}

/// One line of a line chart (a task, or a model).
public struct ChartSeries: Sendable, Codable, Equatable {
    public var name: String
    public var points: [ChartPoint]
    public init(name: String, points: [ChartPoint]) {
        self.name = name
        self.points = points
    }
}

/// One bar of a bar chart, with a ±stderr error bar.
public struct ChartBar: Sendable, Codable, Equatable {
    public var label: String
    public var value: Double
    public var stderr: Double?
    public init(label: String, value: Double, stderr: Double? = nil) {
        self.label = label
        self.value = value
        self.stderr = stderr
    }
}

/// Hand-written SVG charts, no dependencies. Each series is one `<g class="series">` element, so
/// tools (and tests) can find them. Sizes are in SVG user units (pixels at 100%).
public enum SVGChart {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"]

    /// The plot area inside the whole picture.
    struct Frame {
        var width = 760.0, height = 440.0
        var left = 72.0, right = 190.0, top = 48.0, bottom = 64.0
        var plotWidth: Double { width - left - right }
        var plotHeight: Double { height - top - bottom }
    }

    /// A line chart: one line per series with a ±stderr band, axes with ticks and labels, a legend.
    /// Points are drawn in x order; NaN values are skipped.
    public static func line(series: [ChartSeries], title: String, xLabel: String, yLabel: String) -> String {
        let frame = Frame()
        let cleaned = series.map { item in
            ChartSeries(name: item.name, points: item.points.filter { $0.x.isFinite && $0.y.isFinite }.sorted { $0.x < $1.x })
        }
        let points = cleaned.flatMap(\.points)
        var yValues = points.map(\.y)
        for point in points { if let e = point.stderr, e.isFinite { yValues += [point.y - e, point.y + e] } }
        let xScale = Scale(values: points.map(\.x), start: frame.left, end: frame.left + frame.plotWidth)
        let yScale = Scale(values: yValues, start: frame.top + frame.plotHeight, end: frame.top)

        var svg = header(frame: frame, title: title)
        svg += axes(frame: frame, x: xScale, y: yScale, xLabel: xLabel, yLabel: yLabel)
        for (index, item) in cleaned.enumerated() {
            let color = palette[index % palette.count]
            svg += "<g class=\"series\" data-name=\"\(escape(item.name))\">\n"
            let banded = item.points.filter { ($0.stderr ?? 0) > 0 && ($0.stderr ?? 0).isFinite }
            if banded.count == item.points.count, item.points.count >= 2 {
                let upper = item.points.map { "\(f(xScale.map($0.x))),\(f(yScale.map($0.y + ($0.stderr ?? 0))))" }
                let lower = item.points.reversed().map { "\(f(xScale.map($0.x))),\(f(yScale.map($0.y - ($0.stderr ?? 0))))" }
                svg += "<polygon points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
            }
            let path = item.points.map { "\(f(xScale.map($0.x))),\(f(yScale.map($0.y)))" }.joined(separator: " ")
            if item.points.count >= 2 {
                svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            }
            for point in item.points {
                svg += "<circle cx=\"\(f(xScale.map(point.x)))\" cy=\"\(f(yScale.map(point.y)))\" r=\"3\" fill=\"\(color)\"/>\n"
            }
            svg += "</g>\n"
        }
        svg += legend(frame: frame, names: cleaned.map(\.name))
        if points.isEmpty { svg += noData(frame: frame) }
        return svg + "</svg>\n"
    }

    /// A bar chart with ±stderr error bars, bars in the given order, the value axis from 0 (or below, for negatives).
    public static func bar(bars: [ChartBar], title: String, yLabel: String) -> String {
        var frame = Frame()
        frame.right = 24
        let rotate = bars.count > 6
        if rotate { frame.bottom = 110 }
        let valid = bars.filter { $0.value.isFinite }
        var yValues = [0.0]
        for bar in valid {
            let e = (bar.stderr ?? 0).isFinite ? (bar.stderr ?? 0) : 0
            yValues += [bar.value - e, bar.value + e]
        }
        let yScale = Scale(values: yValues, start: frame.top + frame.plotHeight, end: frame.top)
        var svg = header(frame: frame, title: title)
        svg += yAxis(frame: frame, y: yScale, label: yLabel)
        svg += "<line x1=\"\(f(frame.left))\" y1=\"\(f(yScale.map(0)))\" x2=\"\(f(frame.left + frame.plotWidth))\" y2=\"\(f(yScale.map(0)))\" stroke=\"#333\"/>\n"
        let slot = frame.plotWidth / Double(max(bars.count, 1))
        for (index, bar) in bars.enumerated() {
            let center = frame.left + slot * (Double(index) + 0.5)
            let color = palette[index % palette.count]
            svg += "<g class=\"series\" data-name=\"\(escape(bar.label))\">\n"
            if bar.value.isFinite {
                let top = yScale.map(max(bar.value, 0)), bottom = yScale.map(min(bar.value, 0))
                svg += "<rect x=\"\(f(center - slot * 0.35))\" y=\"\(f(top))\" width=\"\(f(slot * 0.7))\" height=\"\(f(max(bottom - top, 0.5)))\" fill=\"\(color)\" fill-opacity=\"0.8\"/>\n"
                if let e = bar.stderr, e > 0, e.isFinite {
                    let high = yScale.map(bar.value + e), low = yScale.map(bar.value - e), cap = min(8, slot * 0.15)
                    svg += "<path d=\"M\(f(center)),\(f(high)) V\(f(low)) M\(f(center - cap)),\(f(high)) H\(f(center + cap)) M\(f(center - cap)),\(f(low)) H\(f(center + cap))\" stroke=\"#222\" stroke-width=\"1.5\" fill=\"none\"/>\n"
                }
            }
            let labelY = frame.top + frame.plotHeight + 18
            if rotate {
                svg += "<text x=\"\(f(center))\" y=\"\(f(labelY))\" transform=\"rotate(-35 \(f(center)) \(f(labelY)))\" text-anchor=\"end\" font-size=\"12\">\(escape(bar.label))</text>\n"
            } else {
                svg += "<text x=\"\(f(center))\" y=\"\(f(labelY))\" text-anchor=\"middle\" font-size=\"12\">\(escape(bar.label))</text>\n"
            }
            svg += "</g>\n"
        }
        if valid.isEmpty { svg += noData(frame: frame) }
        return svg + "</svg>\n"
    }
}
