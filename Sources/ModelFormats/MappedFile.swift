import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory mapping of a whole file, unmapped when the last reference goes away.
///
/// Immutable after `init`, so it is shared freely between threads. The mapping is private and
/// read-only; files written by `SafetensorsWriter` are replaced by rename, so a reader keeps
/// seeing the old contents. (Truncating a mapped file in place from outside is the one thing
/// that can still fault; that is the nature of mmap.)
final class MappedFile: @unchecked Sendable {
    let path: String
    private let base: UnsafeMutableRawPointer?
    let count: Int

    init(url: URL) throws {
        path = url.path
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            throw ModelFormatError(file: url.path, what: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw ModelFormatError(file: url.path, what: "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw ModelFormatError(file: url.path, what: "not a regular file")
        }
        let size = Int(status.st_size)
        count = size
        if size == 0 {
            base = nil
            return
        }
        let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let mapped, mapped != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw ModelFormatError(file: url.path, what: "cannot memory-map \(size) bytes: \(String(cString: strerror(errno)))")
        }
        base = mapped
    }

    deinit {
        if let base { munmap(base, count) }
    }

    /// The whole file. Valid while `self` is alive.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// A sub-range of the file; the caller has checked `range` lies within `0..<count`.
    func bytes(in range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[range])
    }
}
