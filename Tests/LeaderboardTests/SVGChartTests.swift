import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Leaderboard
import Testing

/// Counts `<g class="series">` elements while checking the SVG is well-formed XML.
final class SeriesCounter: NSObject, XMLParserDelegate {
    var series = 0
    var root: String?
    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        if root == nil { root = name }
        if name == "g", attributes["class"] == "series" { series += 1 }
    }

    static func parse(_ svg: String) -> (ok: Bool, series: Int, root: String?) {
        let parser = XMLParser(data: Data(svg.utf8))
        let counter = SeriesCounter()
        parser.delegate = counter
        let ok = parser.parse()
        return (ok, counter.series, counter.root)
    }
}

@Suite struct SVGChartTests {
    @Test func lineChartIsWellFormedWithOneGroupPerSeries() {
        let series = [
            ChartSeries(name: "arc <easy> & co", points: [ChartPoint(x: 100, y: 0.3, stderr: 0.02), ChartPoint(x: 200, y: 0.4, stderr: 0.02)]),
            ChartSeries(name: "hellaswag", points: [ChartPoint(x: 100, y: 0.25), ChartPoint(x: 200, y: 0.28), ChartPoint(x: 300, y: .nan)]),
            ChartSeries(name: "empty", points: []),
        ]
        let svg = SVGChart.line(series: series, title: "Progress", xLabel: "step", yLabel: "accuracy")
        let parsed = SeriesCounter.parse(svg)
        #expect(parsed.ok)
        #expect(parsed.root == "svg")
        #expect(parsed.series == 3)
        #expect(svg.contains("arc &lt;easy&gt; &amp; co"))
        #expect(svg.contains("<polygon"))
    }

    @Test func barChartIsWellFormed() {
        let bars = (0..<8).map { ChartBar(label: "model \($0)", value: Double($0) / 10 - 0.2, stderr: 0.03) }
        let parsed = SeriesCounter.parse(SVGChart.bar(bars: bars, title: "Average", yLabel: "score"))
        #expect(parsed.ok)
        #expect(parsed.series == 8)
    }

    @Test func emptyChartsStillParse() {
        #expect(SeriesCounter.parse(SVGChart.line(series: [], title: "t", xLabel: "x", yLabel: "y")).ok)
        #expect(SeriesCounter.parse(SVGChart.bar(bars: [], title: "t", yLabel: "y")).ok)
    }

    @Test func boardChartsHaveOneSeriesPerModelAndTask() throws {
        let spec = try BoardSpec.load(path: try FixturePaths.path("boards/main.yaml"))
        let report = LeaderboardReport.make(directories: [try FixturePaths.path("results")], spec: spec)
        let averages = SeriesCounter.parse(report.board.averageChart())
        #expect(averages.ok && averages.series == 4)
        let progression = SeriesCounter.parse(try #require(report.progression).chart())
        #expect(progression.ok && progression.series == 2)
    }
}
