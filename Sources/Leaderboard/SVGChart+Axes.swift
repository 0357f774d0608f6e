import Foundation

extension SVGChart {
    /// A linear map from data values to SVG coordinates over a "nice" domain (tick-aligned ends).
    struct Scale {
        var low: Double
        var high: Double
        var ticks: [Double]
        var start: Double
        var end: Double

        init(values: [Double], start: Double, end: Double, tickCount: Int = 6) {
            let finite = values.filter(\.isFinite)
            var low = finite.min() ?? 0, high = finite.max() ?? 1
            if low == high {
                let pad = low == 0 ? 1 : abs(low) * 0.1
                low -= pad
                high += pad
            }
            let step = SVGChart.niceStep((high - low) / Double(tickCount - 1))
            self.low = (low / step).rounded(.down) * step
            self.high = (high / step).rounded(.up) * step
            var ticks: [Double] = []
            var tick = self.low
            while tick <= self.high + step * 1e-9, ticks.count < 50 {
                ticks.append(abs(tick) < step * 1e-9 ? 0 : tick)
                tick += step
            }
            self.ticks = ticks
            self.start = start
            self.end = end
        }

        func map(_ value: Double) -> Double {
            start + (value - low) / (high - low) * (end - start)
        }
    }

    /// The smallest of 1, 2, 2.5, 5 × 10ᵏ that is ≥ `raw`.
    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        for factor in [1.0, 2, 2.5, 5, 10] where factor * magnitude >= raw * (1 - 1e-12) { return factor * magnitude }
        return 10 * magnitude
    }

    /// A tick label: up to 4 significant decimals, no trailing zeros ("0.25", "1000", "1e+06").
    static func tickLabel(_ value: Double) -> String {
        if value == 0 { return "0" }
        if abs(value) >= 1e6 || abs(value) < 1e-4 { return String(format: "%.2g", value) }
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// A coordinate with two decimals (keeps files small and byte-stable).
    static func f(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let text = String(format: "%.2f", value)
        return text == "-0.00" ? "0.00" : text
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }

    static func header(frame: Frame, title: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(frame.width))" height="\(Int(frame.height))" viewBox="0 0 \(Int(frame.width)) \(Int(frame.height))" font-family="Helvetica, Arial, sans-serif">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(frame.left + frame.plotWidth / 2))" y="28" text-anchor="middle" font-size="16" font-weight="bold">\(escape(title))</text>

        """
    }

    static func yAxis(frame: Frame, y: Scale, label: String) -> String {
        var svg = "<g class=\"axis y\" font-size=\"11\">\n"
        for tick in y.ticks {
            let position = f(y.map(tick))
            svg += "<line x1=\"\(f(frame.left))\" y1=\"\(position)\" x2=\"\(f(frame.left + frame.plotWidth))\" y2=\"\(position)\" stroke=\"#e5e5e5\"/>\n"
            svg += "<line x1=\"\(f(frame.left - 5))\" y1=\"\(position)\" x2=\"\(f(frame.left))\" y2=\"\(position)\" stroke=\"#333\"/>\n"
            svg += "<text x=\"\(f(frame.left - 8))\" y=\"\(position)\" text-anchor=\"end\" dy=\"0.35em\">\(tickLabel(tick))</text>\n"
        }
        svg += "<line x1=\"\(f(frame.left))\" y1=\"\(f(frame.top))\" x2=\"\(f(frame.left))\" y2=\"\(f(frame.top + frame.plotHeight))\" stroke=\"#333\"/>\n"
        let middle = frame.top + frame.plotHeight / 2
        svg += "<text x=\"18\" y=\"\(f(middle))\" transform=\"rotate(-90 18 \(f(middle)))\" text-anchor=\"middle\" font-size=\"13\">\(escape(label))</text>\n"
        return svg + "</g>\n"
    }

    static func axes(frame: Frame, x: Scale, y: Scale, xLabel: String, yLabel: String) -> String {
        var svg = yAxis(frame: frame, y: y, label: yLabel)
        let baseline = frame.top + frame.plotHeight
        svg += "<g class=\"axis x\" font-size=\"11\">\n"
        svg += "<line x1=\"\(f(frame.left))\" y1=\"\(f(baseline))\" x2=\"\(f(frame.left + frame.plotWidth))\" y2=\"\(f(baseline))\" stroke=\"#333\"/>\n"
        for tick in x.ticks {
            let position = f(x.map(tick))
            svg += "<line x1=\"\(position)\" y1=\"\(f(baseline))\" x2=\"\(position)\" y2=\"\(f(baseline + 5))\" stroke=\"#333\"/>\n"
            svg += "<text x=\"\(position)\" y=\"\(f(baseline + 18))\" text-anchor=\"middle\">\(tickLabel(tick))</text>\n"
        }
        svg += "<text x=\"\(f(frame.left + frame.plotWidth / 2))\" y=\"\(f(frame.height - 16))\" text-anchor=\"middle\" font-size=\"13\">\(escape(xLabel))</text>\n"
        return svg + "</g>\n"
    }

    static func legend(frame: Frame, names: [String]) -> String {
        guard !names.isEmpty else { return "" }
        var svg = "<g class=\"legend\" font-size=\"12\">\n"
        let x = frame.left + frame.plotWidth + 16
        for (index, name) in names.enumerated() {
            let y = frame.top + 8 + Double(index) * 20
            let shown = name.count > 22 ? String(name.prefix(21)) + "…" : name
            svg += "<line x1=\"\(f(x))\" y1=\"\(f(y))\" x2=\"\(f(x + 18))\" y2=\"\(f(y))\" stroke=\"\(palette[index % palette.count])\" stroke-width=\"3\"/>\n"
            svg += "<text x=\"\(f(x + 24))\" y=\"\(f(y))\" dy=\"0.35em\">\(escape(shown))</text>\n"
        }
        return svg + "</g>\n"
    }

    static func noData(frame: Frame) -> String {
        "<text x=\"\(f(frame.left + frame.plotWidth / 2))\" y=\"\(f(frame.top + frame.plotHeight / 2))\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n"
    }
}
