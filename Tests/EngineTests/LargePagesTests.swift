@testable import Engine
import Testing

/// The memory behind the regrouped weight rows: huge-page-sized blocks aligned to 2 MB, small arrays
/// packed into shared regions without overlap, everything writable and 64-byte aligned.
struct LargePagesTests {
    @Test func largeBlocksAreAlignedToHugePagesAndWritable() {
        let size = LargePages.hugePageBytes
        let block = LargePages(byteCount: size + 12_345)
        #expect(UInt(bitPattern: block.pointer) % UInt(size) == 0)
        block.pointer.initializeMemory(as: UInt8.self, repeating: 7, count: size + 12_345)
        #expect(block.pointer.load(fromByteOffset: size + 12_344, as: UInt8.self) == 7)
        let small = LargePages(byteCount: 100)
        #expect(UInt(bitPattern: small.pointer) % 64 == 0)
    }

    @Test func arenaArraysDoNotOverlap() {
        let arena = LargePageArena()
        let sizes = [100, 5_000, 1, 3 << 20, 64, LargePageArena.regionBytes / 4 + 1, 700_000, 700_000]
        let arrays = sizes.map { (pointer: arena.allocate(byteCount: $0), count: $0) }
        for (index, array) in arrays.enumerated() {
            #expect(UInt(bitPattern: array.pointer) % 64 == 0)
            array.pointer.initializeMemory(as: UInt8.self, repeating: UInt8(index), count: array.count)
        }
        for (index, array) in arrays.enumerated() {
            #expect(array.pointer.load(fromByteOffset: 0, as: UInt8.self) == UInt8(index))
            #expect(array.pointer.load(fromByteOffset: array.count - 1, as: UInt8.self) == UInt8(index))
        }
    }
}
