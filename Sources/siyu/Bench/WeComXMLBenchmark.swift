import Foundation
import SiyuCore
import WeCom

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Measures ``WeComXML`` against Foundation's `XMLParser` on typical callback events.
///
/// Both sides do the same work: parse one decrypted event and collect its top-level fields
/// and list items. Called by `siyu bench wecom`; build in release mode for meaningful numbers.
enum WeComXMLBenchmark {
    /// The events measured, by name: the `add_external_contact` and `change_external_chat`
    /// samples of the protocol reference.
    static let events: [(name: String, xml: [UInt8])] = [
        ("contact_add", Array(WeComCallbackSamples.externalContactAdd.utf8)),
        ("external_chat", Array(WeComCallbackSamples.externalChatUpdate.utf8)),
    ]

    /// Parses each sample event `iterations` times with each parser and returns events per
    /// second.
    ///
    /// Keys: `wecom_xml.<event>` and `foundation_xml.<event>` (events/s, parse and collect
    /// fields), `wecom_callback.<event>` (events/s, parse and decode into ``WeComCallback``),
    /// and `speedup.<event>` (ours divided by Foundation's), for `<event>` in `contact_add`
    /// and `external_chat`.
    static func run(iterations: Int) -> [String: Double] {
        let iterations = max(1, iterations)
        var results: [String: Double] = [:]
        for (name, xml) in events {
            let ours = eventsPerSecond(iterations) { blackHole(try? WeComXML.parse(xml).fields) }
            let data = Data(xml)
            let foundation = eventsPerSecond(iterations) { blackHole(foundationFields(data)) }
            let decoded = eventsPerSecond(iterations) { blackHole(try? WeComCallback.decode(xml)) }
            results["wecom_xml.\(name)"] = ours
            results["foundation_xml.\(name)"] = foundation
            results["wecom_callback.\(name)"] = decoded
            results["speedup.\(name)"] = foundation > 0 ? ours / foundation : 0
        }
        return results
    }

    /// Runs `body` a few times to warm up, then `iterations` times, and returns runs per second.
    static func eventsPerSecond(_ iterations: Int, _ body: () -> Void) -> Double {
        for _ in 0..<min(iterations, 100) { body() }
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<iterations { body() }
        }
        let seconds = elapsed.timeInterval
        return seconds > 0 ? Double(iterations) / seconds : 0
    }

    /// Parses with Foundation's `XMLParser`, collecting what ``WeComXMLElement/fields`` gives.
    private static func foundationFields(_ xml: Data) -> [String: String] {
        let collector = FieldCollector()
        let parser = XMLParser(data: xml)
        parser.delegate = collector
        return parser.parse() ? collector.fields : [:]
    }
}

/// Keeps the optimiser from dropping a computed value.
@inline(never)
private func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}

/// An `XMLParserDelegate` that collects the text of the root's children and of list items.
private final class FieldCollector: NSObject, XMLParserDelegate {
    var fields: [String: String] = [:]
    var items: [String] = []
    private var depth = 0
    private var text = ""

    func parser(
        _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
        qualifiedName: String?, attributes: [String: String] = [:]
    ) {
        depth += 1
        text = ""
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(
        _ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
        qualifiedName: String?
    ) {
        if depth == 2, fields[elementName] == nil {
            fields[elementName] = text
        } else if depth == 3, elementName == "Item" {
            items.append(text)
        }
        depth -= 1
        text = ""
    }
}
