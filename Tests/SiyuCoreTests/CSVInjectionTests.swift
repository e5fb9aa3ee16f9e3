import Foundation
import SiyuCore
import Testing

@Suite("CSV: spreadsheet formula injection")
struct CSVInjectionTests {
    @Test("a nickname that is a formula is written with a leading quote, inside quotes")
    func hyperlink() throws {
        let text = CSV.encode([["wm001", #"=HYPERLINK("http://x","y")"#]])
        #expect(text == #"wm001,"'=HYPERLINK(""http://x"",""y"")""# + "\r\n")
        #expect(try CSV.decode(text) == [["wm001", #"'=HYPERLINK("http://x","y")"#]])
    }

    @Test("every formula start is neutralised: = + - @ tab, carriage return (also as part of CRLF)", arguments: [
        "=1+1", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)", "\t=1+1", "\r=1+1", "\r\n=1+1",
        "-", "-1-1", "-12.50.3", "-1e5", "- 12", "-.5", "-5.",
    ])
    func formulaStarts(cell: String) throws {
        let text = CSV.encode([[cell, "x"]])
        let doubled = cell.replacingOccurrences(of: "\"", with: "\"\"")
        #expect(text == "\"'\(doubled)\",x\r\n")
        #expect(try CSV.decode(text) == [["'" + cell, "x"]])
    }

    @Test("plain negative numbers stay numbers; other cells are left as they were", arguments: [
        "-12.50", "-3", "-0.5", "张三", "a=b", "1+1", " =1+1", "'=already", "", "wm001", "100",
    ])
    func leftAlone(cell: String) throws {
        #expect(CSV.encode([[cell]]) == cell + "\r\n")
    }

    @Test("reading a CSV is unaffected: an imported cell keeps its leading = or -")
    func decodeUnaffected() throws {
        #expect(try CSV.decode("external_userid,name,field:余额\r\nwm001,=1+1,-12.50\r\n")
            == [["external_userid", "name", "field:余额"], ["wm001", "=1+1", "-12.50"]])
    }

    @Test("what neutralising adds comes off again on import, and nothing else does")
    func restoredOnImport() throws {
        for value in ["+8613800138000", "-VIP", "=1+1", "@handle", "\tx"] {
            let exported = try #require(CSV.neutralised(value))
            #expect(CSV.restored(exported) == value, "\(value)")
            let file = try CSV.decode(CSV.encode([[value]]))
            #expect(file.first?.first.map(CSV.restored) == value, "round trip of \(value)")
        }
        for kept in ["'quoted by the user", "'", "''=x", "plain", "-12.50", "'-12.50"] {
            #expect(CSV.restored(kept) == kept, "\(kept)")
        }
    }
}
