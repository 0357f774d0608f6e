import Foundation

extension LeaderboardTable {
    /// z for a two-sided 95% normal interval.
    public static let z95 = 1.959963984540054

    /// Whether two estimates' 95% intervals (value ± 1.96·stderr) overlap.
    public static func intervalsOverlap(_ a: Double, _ aStderr: Double, _ b: Double, _ bStderr: Double) -> Bool {
        abs(a - b) <= z95 * (aStderr + bStderr)
    }

    /// Sorts rows best first by the sort key and assigns ranks.
    ///
    /// Ranks are competition ranks (1, 2, 2, 4). A row whose 95% interval overlaps the interval of
    /// the row just above it shares that row's rank, and every row of such a chain is labelled
    /// "k=" (so "1=, 1=, 3" means the first two cannot be told apart). When sorting by an average,
    /// rows with results for every task come before rows missing some (their averages cover
    /// fewer tasks), and ties never chain across that boundary. Rows with no value for the sort
    /// key come last, labelled "–".
    /// - Returns: the sort key as shown in the table.
    static func rankRows(_ rows: inout [Row], columns: [Column], sort: BoardSpec.SortKey) -> String {
        let keyName: String
        let higherIsBetter: Bool
        let key: (Row) -> (Double, Double)?
        switch sort {
        case .average, .weightedAverage:
            let weighted = sort == .weightedAverage
            keyName = weighted ? "Weighted average" : "Average"
            // An average of lower-is-better metrics only (e.g. perplexities) is itself lower-is-better.
            higherIsBetter = columns.isEmpty || columns.contains { $0.higherIsBetter }
            key = { row in
                let value = weighted ? row.weightedAverage : row.average
                let stderr = weighted ? row.weightedAverageStderr : row.averageStderr
                guard let value, !value.isNaN else { return nil }
                return (value, stderr ?? 0)
            }
        case .task(let name):
            let index = columns.firstIndex { $0.task == name }
            keyName = index.map { columns[$0].display } ?? name
            higherIsBetter = index.map { columns[$0].higherIsBetter } ?? true
            key = { row in
                guard let index, let cell = row.cells[index], !cell.value.isNaN else { return nil }
                return (cell.value, cell.stderr)
            }
        }
        // Averages over fewer tasks are not comparable with full ones: complete rows rank first.
        let byAverage = sort == .average || sort == .weightedAverage
        func complete(_ row: Row) -> Bool { !byAverage || row.tasksCovered == columns.count }
        rows.sort { a, b in
            if complete(a) != complete(b) { return complete(a) }
            switch (key(a), key(b)) {
            case let (x?, y?) where x.0 != y.0: return higherIsBetter ? x.0 > y.0 : x.0 < y.0
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a.display < b.display
            }
        }
        var groupStart = 0
        for index in rows.indices {
            guard let current = key(rows[index]) else {
                rows[index].rank = index + 1
                rows[index].rankLabel = "–"
                continue
            }
            if index > 0, let previous = key(rows[index - 1]), complete(rows[index - 1]) == complete(rows[index]),
               intervalsOverlap(current.0, current.1, previous.0, previous.1) {
                rows[index].rank = rows[groupStart].rank
            } else {
                groupStart = index
                rows[index].rank = index + 1
            }
        }
        var sharing: [Int: Int] = [:]
        for row in rows where row.rankLabel != "–" { sharing[row.rank, default: 0] += 1 }
        for index in rows.indices where rows[index].rankLabel != "–" {
            rows[index].rankLabel = (sharing[rows[index].rank] ?? 0) > 1 ? "\(rows[index].rank)=" : "\(rows[index].rank)"
        }
        return keyName
    }
}
