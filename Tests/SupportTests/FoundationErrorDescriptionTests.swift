import DSPrepSupport
import Foundation
import XCTest

final class FoundationErrorDescriptionTests: XCTestCase {
    func testAFoundationFileErrorNamesTheFileAndTheReason() {
        XCTAssertThrowsError(try String(contentsOfFile: "/nonexistent/dsprep-config.yaml", encoding: .utf8)) { error in
            let shown = "\(InputError.userFacing(error))"
            XCTAssertEqual(shown, "/nonexistent/dsprep-config.yaml: No such file or directory")
        }
        let wrapped = CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: "/out/x.csv",
                                                                    NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EACCES))])
        XCTAssertEqual("\(InputError.userFacing(wrapped))", "/out/x.csv: Permission denied")
    }

    func testOtherErrorsPassThrough() {
        struct Other: Error, Equatable {}
        XCTAssertTrue(InputError.userFacing(Other()) is Other)
        let input = InputError("bad", at: SourceLocation(path: "f.tsv", line: 3))
        XCTAssertEqual("\(InputError.userFacing(input))", "\(input)")
    }
}
