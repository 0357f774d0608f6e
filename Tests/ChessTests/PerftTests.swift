import Chess
import Foundation
import Testing

/// Perft node counts against the published numbers in Fixtures/reference-perft.json (its `source`
/// field says where they come from). Depth comes from `EVALKIT_PERFT_DEPTH` (default 4);
/// scripts/check-perft runs this suite in release with depth 5.
@Suite struct PerftTests {
    struct ReferencePosition: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var fen: String
        var nodes: [UInt64]
        var testDescription: String { name }
    }

    struct ReferenceFile: Decodable {
        var source: String
        var positions: [ReferencePosition]
    }

    static func loadReference() throws -> ReferenceFile {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let data = try Data(contentsOf: directory.appendingPathComponent("reference-perft.json"))
        return try JSONDecoder().decode(ReferenceFile.self, from: data)
    }

    static let positions: [ReferencePosition] = (try? loadReference().positions) ?? []

    static var requestedDepth: Int {
        let environment = ProcessInfo.processInfo.environment["EVALKIT_PERFT_DEPTH"]
        return environment.flatMap { Int($0) }.map { max(1, $0) } ?? 4
    }

    @Test func fixtureLoadsAndNamesItsSource() throws {
        let reference = try Self.loadReference()
        #expect(reference.positions.count == 6)
        #expect(reference.source.contains("Chess Programming Wiki"))
    }

    @Test(arguments: positions)
    func perftMatchesReference(_ reference: ReferencePosition) throws {
        let position = try Position(fen: reference.fen)
        let depth = min(Self.requestedDepth, reference.nodes.count)
        for ply in 1...depth {
            let clock = ContinuousClock()
            var nodes: UInt64 = 0
            let elapsed = clock.measure { nodes = position.perft(ply) }
            #expect(nodes == reference.nodes[ply - 1], "\(reference.name) depth \(ply)")
            if ply == depth {
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                let rate = seconds > 0 ? Double(nodes) / seconds : 0
                print("perft \(reference.name) depth \(ply): \(nodes) nodes in \(String(format: "%.3f", seconds)) s (\(String(format: "%.0f", rate)) nodes/s)")
            }
        }
    }

    @Test func divideSumsToPerft() throws {
        let position = try Position(fen: "r3k2r/p1ppqpb1/bn2pnp1/3PN3/1p2P3/2N2Q1p/PPPBBPPP/R3K2R w KQkq - 0 1")
        let split = position.divide(2)
        #expect(split.count == 48)
        #expect(split.reduce(0) { $0 + $1.nodes } == 2039)
        #expect(split.first(where: { $0.move == "e1g1" })?.nodes == 43)
    }
}
