import TestSupport
import XCTest

final class HelpTests: XCTestCase {
    func testHelpListsTheToolAndExitsZero() throws {
        let result = try DSPrepBinary.run(["--help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stdout.contains("USAGE: dsprep"), result.stdout)
    }

    func testUnknownSubcommandFailsWithNonZeroExit() throws {
        let result = try DSPrepBinary.run(["no-such-command"])
        XCTAssertNotEqual(result.status, 0)
    }
}
