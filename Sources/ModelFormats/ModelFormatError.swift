import Foundation

/// An error reading or writing a model file: which file, what is wrong, and where in the file
/// (a tensor name, a metadata key, a byte offset). Every reader in this module reports bad input
/// through this type instead of crashing.
public struct ModelFormatError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The file involved (its path as given to the reader or writer).
    public let file: String
    /// What is wrong, phrased so a user can act on it (what was found and what would be accepted).
    public let what: String
    /// Where in the file: e.g. `tensor 'blk.0.attn_q.weight'`, `key 'general.alignment'`,
    /// `header byte 132`; `nil` when the problem concerns the whole file.
    public let location: String?

    public init(file: String, what: String, location: String? = nil) {
        self.file = file
        self.what = what
        self.location = location
    }

    public var description: String {
        if let location {
            return "\(file): \(location): \(what)"
        }
        return "\(file): \(what)"
    }
}

extension ModelFormatError: LocalizedError {
    public var errorDescription: String? { description }
}

/// The system's reason for a failed read or write ("No space left on device", "File too large"),
/// with the file when Foundation names it, instead of "The operation could not be completed".
public enum FileErrorText {
    public static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        var reason: String?
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            reason = String(cString: strerror(Int32(underlying.code)))
        } else if nsError.domain == NSPOSIXErrorDomain {
            reason = String(cString: strerror(Int32(nsError.code)))
        }
        guard let reason else {
            return "\(error)"
        }
        if let path = nsError.userInfo[NSFilePathErrorKey] as? String { return "\(path): \(reason)" }
        return reason
    }
}
