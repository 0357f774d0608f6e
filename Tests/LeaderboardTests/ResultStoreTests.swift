import EvalCore
import Foundation
import Leaderboard
import Testing

@Suite struct ResultStoreTests {
    @Test func scansRecursivelyAndSkipsBadFilesWithWarnings() throws {
        let scan = ResultStore.scan([try FixturePaths.path("results")])
        // alpha-old, alpha-new, beta, nested/gamma, tiny-100...400.
        #expect(scan.runs.count == 8)
        #expect(Set(scan.runs.map(\.results.model.name)) == ["alpha", "beta", "gamma", "tiny@100", "tiny@200", "tiny@300", "tiny@400"])
        #expect(scan.runs.contains { $0.resultsPath.hasSuffix("nested/gamma/results.json") })
        #expect(scan.warnings.count == 3)
        let reasons = Dictionary(uniqueKeysWithValues: scan.warnings.map {
            (URL(fileURLWithPath: $0.path).deletingLastPathComponent().lastPathComponent, $0.reason)
        })
        #expect(reasons["corrupt"]?.hasPrefix("not a JSON object (malformed JSON") == true)
        #expect(reasons["future"]?.contains("schema_version 99 is newer") == true)
        #expect(reasons["partial"] == "schema_version 1: missing key 'tasks'")
    }

    @Test func missingFolderIsAWarningNotACrash() {
        let scan = ResultStore.scan(["/nonexistent/evalkit-results"])
        #expect(scan.runs.isEmpty)
        #expect(scan.warnings == [StoreWarning(path: "/nonexistent/evalkit-results", reason: "no such file or folder")])
    }

    @Test func decodesNonFiniteNumbersAsWritten() throws {
        let path = try FixturePaths.path("results/beta/results.json")
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: "\"stderr\": 0.02", with: "\"stderr\": \"nan\"")
        let results = try ResultStore.decode(Data(text.utf8), path: "beta")
        #expect(results.tasks.first?.metrics.first?.stderr.isNaN == true)
        #expect(ResultStore.readableSchemaVersions == [1])
    }

    @Test func readsSamplesAndChanceLevel() throws {
        let read = try SampleStore.read(runFolder: try FixturePaths.path("compare/runA"))
        #expect(read.samples.count == 40)
        #expect(read.warnings.isEmpty)
        #expect(read.samples[3].value(metric: "acc", filter: "none") == 1)
        #expect(SampleStore.chanceLevel(task: "arc_easy", samples: read.samples) == 0.25)
        #expect(SampleStore.chanceLevel(task: "boolq", samples: read.samples) == nil)
    }

    @Test func skipsHiddenTemporaryFoldersAndKeepsTheCallersPathSpelling() throws {
        let folder = NSTemporaryDirectory() + "leaderboard-scan-\(UUID().uuidString)"
        let manager = FileManager.default
        let beta = try FixturePaths.path("results/beta/results.json")
        for sub in ["runs/visible", "runs/.tmp-half-written"] {
            try manager.createDirectory(atPath: "\(folder)/\(sub)", withIntermediateDirectories: true)
            try manager.copyItem(atPath: beta, toPath: "\(folder)/\(sub)/results.json")
        }
        defer { try? manager.removeItem(atPath: folder) }
        let scan = ResultStore.scan([folder + "/runs/"])
        #expect(scan.runs.map(\.resultsPath) == [folder + "/runs/visible/results.json"])
        #expect(scan.runs.first?.folder == folder + "/runs/visible")
        #expect(scan.warnings.isEmpty)
    }

    /// What EvalCore's writer produces (including "nan" for a non-finite stderr) reads back unchanged.
    @Test func readsWhatResultsWriterEncodes() throws {
        var results = try ResultStore.read(path: try FixturePaths.path("results/alpha-new/results.json")).results
        results.tasks[0].metrics[0].stderr = .nan
        let data = try ResultsWriter.encoder().encode(results)
        #expect(String(decoding: data, as: UTF8.self).contains("\"stderr\" : \"nan\""))
        let decoded = try ResultStore.decode(data, path: "written")
        #expect(decoded.tasks[0].metrics[0].stderr.isNaN)
        #expect(decoded.tasks.map(\.name) == ["arc_easy", "hellaswag", "gsm8k"])
        #expect(decoded.groups.first?.weights == [1, 2, 1])
        #expect(decoded.model == ModelIdentity(name: "alpha", backend: "test-double", contentHash: "m-alpha"))
    }
}
