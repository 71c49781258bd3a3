import Foundation

extension InputError {
    /// The error a user sees for `error`: an `InputError` as it is; a Foundation file error (which
    /// prints as an `NSCocoaErrorDomain` dump) as the file it names and the system's reason; any
    /// other error unchanged. The command line's last line of defence, so no dump reaches a user.
    public static func userFacing(_ error: Error) -> Error {
        guard !(error is InputError) else { return error }
        let nsError = error as NSError
        guard nsError.domain == NSCocoaErrorDomain || nsError.domain == NSPOSIXErrorDomain else { return error }
        let path = (nsError.userInfo[NSFilePathErrorKey] as? String)
            ?? (nsError.userInfo[NSURLErrorKey] as? URL)?.path
        let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError
        let posixCode = nsError.domain == NSPOSIXErrorDomain ? nsError.code : (underlying?.domain == NSPOSIXErrorDomain ? underlying?.code : nil)
        let reason = posixCode.map { String(cString: strerror(Int32($0))) }
            ?? cocoaReasons[nsError.code].map { String(cString: strerror($0)) }
            ?? nsError.localizedDescription.replacingOccurrences(of: "The operation could not be completed. ", with: "")
        return InputError(reason, at: path.map { SourceLocation(path: $0) })
    }

    /// Foundation's file error codes by the system error they stand for.
    private static let cocoaReasons: [Int: Int32] = [
        CocoaError.fileNoSuchFile.rawValue: ENOENT, CocoaError.fileReadNoSuchFile.rawValue: ENOENT,
        CocoaError.fileReadNoPermission.rawValue: EACCES, CocoaError.fileWriteNoPermission.rawValue: EACCES,
        CocoaError.fileWriteOutOfSpace.rawValue: ENOSPC, CocoaError.fileWriteVolumeReadOnly.rawValue: EROFS,
        CocoaError.fileWriteFileExists.rawValue: EEXIST, CocoaError.fileReadTooLarge.rawValue: EFBIG,
    ]
}
