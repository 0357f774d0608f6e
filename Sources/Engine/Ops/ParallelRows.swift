import Dispatch

/// Work split by rows between the engine's threads (by default `BLAS.threadCount`, the same count
/// OpenBLAS uses): 0..<count in contiguous ranges, one per thread, run at once; the call returns when all
/// are done. Each row is computed by exactly one thread with the same code whatever the split, so
/// results never depend on the thread count.
enum ParallelRows {
    static func forEach(count: Int, minimumPerThread: Int, threads: Int = BLAS.threadCount, _ body: (Range<Int>) -> Void) {
        let workers = max(1, min(threads, count / max(1, minimumPerThread)))
        if workers == 1 { return body(0..<count) }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                shared.value((count * worker / workers)..<(count * (worker + 1) / workers))
            }
        }
    }
}

/// Hands a value to threads that only read it (pointers into buffers whose rows they split).
private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
