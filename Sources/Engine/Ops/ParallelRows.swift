import Foundation
import Synchronization

/// Work split by rows between the engine's threads (by default `BLAS.threadCount`, the same count
/// OpenBLAS uses): 0..<count in contiguous ranges, one per thread, run at once; the call returns when all
/// are done. Each row is computed by exactly one thread with the same code whatever the split, so
/// results never depend on the thread count.
enum ParallelRows {
    static func forEach(count: Int, minimumPerThread: Int, threads: Int = BLAS.threadCount, _ body: (Range<Int>) -> Void) {
        let workers = max(1, min(threads, count / max(1, minimumPerThread)))
        if workers == 1 { return body(0..<count) }
        withoutActuallyEscaping(body) { body in
            let split = { (worker: Int) in body((count * worker / workers)..<(count * (worker + 1) / workers)) }
            // One caller at a time uses the pool; a caller that finds it busy (concurrent requests)
            // runs its rows itself, with the same results.
            if !WorkerPool.shared.run(workers: workers, split) {
                for worker in 0..<workers { split(worker) }
            }
        }
    }
}

/// Threads that stay up between products. A generated token runs ~130 products of a few tens of
/// microseconds each; waking a thread through the OS (Dispatch) cost about as much as a product, so
/// parallelism did not pay. Workers here spin on an atomic generation counter for a short while
/// after each job, and only then sleep on a condition; the caller runs share 0 itself.
final class WorkerPool: @unchecked Sendable {
    static let shared = WorkerPool()

    /// Spins (each a load and a pause-like yield) before a worker sleeps: ~100 µs.
    private static let spinLimit = 20_000

    private let busy = Mutex<Bool>(false)
    private let generation = Atomic<Int>(0)
    private let pending = Atomic<Int>(0)
    private let condition = NSCondition()
    private var sleepers = 0           // guarded by condition
    private var job: ((Int) -> Void)?  // written before generation is bumped, read after it is seen
    private var jobWorkers = 0
    private var threads = 0            // worker threads started (share k runs on thread k − 1)

    /// Runs `job(0..<workers)`, share 0 on the calling thread; false (running nothing) if another
    /// caller holds the pool.
    func run(workers: Int, _ job: @escaping (Int) -> Void) -> Bool {
        guard busy.withLock({ inUse in
            if inUse { return false }
            inUse = true
            return true
        }) else { return false }
        defer { busy.withLock { $0 = false } }
        while threads < workers - 1 { start(index: threads + 1) }
        self.job = job
        jobWorkers = workers
        // Every started thread reports back, those beyond `workers` with nothing to do, so no thread
        // can lag a job behind and read the next one's fields.
        pending.store(threads, ordering: .releasing)
        condition.lock()
        generation.add(1, ordering: .releasing)
        if sleepers > 0 { condition.broadcast() }
        condition.unlock()
        job(0)
        while pending.load(ordering: .acquiring) > 0 { sched_yield() }
        self.job = nil
        return true
    }

    private func start(index: Int) {
        threads += 1
        let seen = generation.load(ordering: .acquiring)
        let thread = Thread { [unowned self] in self.work(index: index, seen: seen) }
        thread.name = "evalkit-engine-\(index)"
        thread.start()
    }

    private func work(index: Int, seen start: Int) {
        var seen = start
        while true {
            var spins = 0
            while generation.load(ordering: .acquiring) == seen {
                spins += 1
                if spins < Self.spinLimit { continue }
                condition.lock()
                sleepers += 1
                while generation.load(ordering: .acquiring) == seen { condition.wait() }
                sleepers -= 1
                condition.unlock()
            }
            seen = generation.load(ordering: .acquiring)
            if index < jobWorkers, let job { job(index) }
            pending.subtract(1, ordering: .releasing)
        }
    }
}
