import Foundation
import SiyuCore
import Testing

@Suite("Money and orders")
struct MoneyTests {
    @Test("yuan parse exactly to fen, without floating point")
    func parse() throws {
        #expect(try Money.parseYuan("199") == 19900)
        #expect(try Money.parseYuan("199.5") == 19950)
        #expect(try Money.parseYuan("199.05") == 19905)
        #expect(try Money.parseYuan(" 0.01 ") == 1)
        #expect(try Money.parseYuan("12345678.99") == 1_234_567_899)
        for bad in ["", "-1", "1.234", "1,5", "abc", "1.", ".5", "+3", "1e3"] {
            #expect(throws: ValidationError.self, "\(bad)") { try Money.parseYuan(bad) }
        }
        #expect(Money.formatYuan(19905) == "199.05")
        #expect(Money.formatYuan(7) == "0.07")
    }

    @Test("orders validate their fields")
    func validate() throws {
        let good = Order(orderID: "SO1", externalUserID: "wm1", amountFen: 100, orderedAt: Date())
        try good.validate()
        var bad = good
        bad.currency = "rmb"
        #expect(throws: ValidationError.self) { try bad.validate() }
        bad = good
        bad.orderID = ""
        #expect(throws: ValidationError.self) { try bad.validate() }
    }

    @Test("hex encodes every byte value")
    func hex() {
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.encode((0...255).map { UInt8($0) }) == (0...255).map { String(format: "%02x", $0) }.joined())
        #expect(Hex.random(bytes: 16).count == 32)
    }

    @Test("constant-time comparison is equality")
    func constantTime() {
        #expect(ConstantTime.equal([1, 2, 3] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(!ConstantTime.equal([1, 2, 3] as [UInt8], [1, 2, 4] as [UInt8]))
        #expect(!ConstantTime.equal([1, 2] as [UInt8], [1, 2, 3] as [UInt8]))
        #expect(ConstantTime.equal([UInt8](), [UInt8]()))
    }
}
