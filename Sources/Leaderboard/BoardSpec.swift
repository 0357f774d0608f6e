import Foundation

/// A leaderboard definition: the `leaderboards/<name>.yaml` file (see docs/leaderboards.md).
public struct BoardSpec: Sendable, Equatable {
    /// One task column.
    public struct TaskColumn: Sendable, Equatable {
        /// The task name as in results.json.
        public var name: String
        /// The primary metric (default: the task's first metric in results).
        public var metric: String?
        /// The filter of the primary metric (default: the first filter that has `metric`).
        public var filter: String?
        /// The column heading (default: the task name).
        public var display: String?
        /// Weight in the weighted average (default: the task's group weight in results, else 1).
        public var weight: Double?
        /// Random-chance score for the progression analysis, used when samples give no choice counts.
        public var chance: Double?

        public init(name: String, metric: String? = nil, filter: String? = nil, display: String? = nil,
                    weight: Double? = nil, chance: Double? = nil) {
            self.name = name
            self.metric = metric
            self.filter = filter
            self.display = display
            self.weight = weight
            self.chance = chance
        }
    }

    /// A checkpoint-progression section: models named `<run>@<step>`.
    public struct Progression: Sendable, Equatable {
        /// The run name: models named `<run>@<step>` are its checkpoints.
        public var run: String
        /// How many final checkpoints the signal-to-noise ratio and distance above chance use.
        public var lastK: Int

        public init(run: String, lastK: Int = 3) {
            self.run = run
            self.lastK = lastK
        }
    }

    /// What the rows are sorted and ranked by.
    public enum SortKey: Sendable, Equatable {
        case average
        case weightedAverage
        /// A task column, by task name.
        case task(String)
    }

    public var title: String
    /// Folders read when the command line names none.
    public var results: [String]
    /// The task columns; empty means every task found, by name, with its first metric.
    public var tasks: [TaskColumn]
    /// Model name → display name.
    public var aliases: [String: String]
    /// Task names in display order (default: the order of `tasks`).
    public var columns: [String]
    public var sort: SortKey
    public var progression: Progression?
    /// Ratings tables to show on the board: `standings.md` files written by head-to-head runs (a chess
    /// task's `<output>/<task>-chess/standings.md`), relative to the current folder.
    public var ratings: [String] = []
    /// Free Markdown printed under the table.
    public var notes: String?

    public init(title: String = "Leaderboard", results: [String] = [], tasks: [TaskColumn] = [],
                aliases: [String: String] = [:], columns: [String] = [], sort: SortKey = .average,
                progression: Progression? = nil, notes: String? = nil) {
        self.title = title
        self.results = results
        self.tasks = tasks
        self.aliases = aliases
        self.columns = columns
        self.sort = sort
        self.progression = progression
        self.notes = notes
    }

    /// The name shown for a model.
    public func displayName(model: String) -> String { aliases[model] ?? model }
}
