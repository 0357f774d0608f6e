import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Memory for a large read-mostly array (weights in a product's own layout), asked for in
/// transparent huge pages where the kernel offers them (`madvise(MADV_HUGEPAGE)`, 2 MB on x86-64);
/// freed with the object.
///
/// Generation reads every weight once per token; in 4 KB pages that is one page translation per
/// 4 KB, and in a virtual machine a TLB miss walks two page tables. Measured on this project's VM
/// (2 vCPUs): reading 178 MB with 2 threads took 6.7–8.7 ms in 4 KB pages, 3.5–4.3 ms in 2 MB pages.
/// Below 2 MB, or where the mapping or the advice is refused, this is ordinary memory.
///
/// The cost is at load: where free memory is fragmented (a long-running machine with a full page
/// cache) the kernel compacts memory to find 2 MB pages, measured at up to ~1.8 s for Gemma 3 270M's
/// 300 MB; on a fresh machine ~30 ms. `EVALKIT_HUGE_PAGES=0` in the environment asks for none (the
/// values computed are the same either way).
final class LargePages: @unchecked Sendable {
    static let hugePageBytes = 2 << 20
    /// False when the environment sets EVALKIT_HUGE_PAGES=0 (read once).
    static let wanted = ProcessInfo.processInfo.environment["EVALKIT_HUGE_PAGES"] != "0"

    /// 64-byte aligned (2 MB aligned from 2 MB on), not initialised.
    let pointer: UnsafeMutableRawPointer
    private let mappedBytes: Int  // 0: from the allocator

    init(byteCount: Int) {
        let size = Self.hugePageBytes
        let rounded = (byteCount + size - 1) / size * size
        if byteCount >= size, let mapped = mmap(nil, rounded + size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
           mapped != MAP_FAILED {
            // Align to 2 MB and give back the slack on either side.
            let aligned = UnsafeMutableRawPointer(bitPattern: (UInt(bitPattern: mapped) + UInt(size) - 1) / UInt(size) * UInt(size))!
            let before = aligned - mapped
            if before > 0 { munmap(mapped, before) }
            munmap(aligned + rounded, size - before)  // before < size
            if Self.wanted { _ = madvise(aligned, rounded, MADV_HUGEPAGE) }  // advice: ordinary pages when refused
            pointer = aligned
            mappedBytes = rounded
        } else {
            pointer = .allocate(byteCount: max(1, byteCount), alignment: 64)
            mappedBytes = 0
        }
    }

    deinit {
        if mappedBytes > 0 { munmap(pointer, mappedBytes) } else { pointer.deallocate() }
    }
}

/// Many arrays in shared `LargePages` regions (each array 64-byte aligned), so that arrays of less
/// than 2 MB — a small model's weight matrices — still sit in huge pages. Regions live as long as the
/// arena; an array larger than a region gets its own.
final class LargePageArena: @unchecked Sendable {
    static let regionBytes = 32 << 20

    private struct State {
        var regions: [LargePages] = []
        var next: UnsafeMutableRawPointer?
        var remaining = 0
    }
    private let state = Mutex(State())

    /// `byteCount` bytes, not initialised, valid while the arena lives.
    func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let needed = max(64, (byteCount + 63) / 64 * 64)
        return state.withLock { state in
            if needed > Self.regionBytes / 4 {
                let own = LargePages(byteCount: needed)
                state.regions.append(own)
                return own.pointer
            }
            if needed > state.remaining || state.next == nil {
                let region = LargePages(byteCount: Self.regionBytes)
                state.regions.append(region)
                (state.next, state.remaining) = (region.pointer, Self.regionBytes)
            }
            let pointer = state.next!
            state.next = pointer + needed
            state.remaining -= needed
            return pointer
        }
    }
}
