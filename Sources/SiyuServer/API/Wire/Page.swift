import Hummingbird
import SiyuCore
import SiyuStore

extension Wire {
    /// A type that lists under one name: `{"<listName>": [...], "next_cursor": "…"}`.
    protocol Listed: Encodable, Sendable {
        static var listName: String { get }
    }

    /// One page of a list (or the whole of a short one): the items under their list's name, and
    /// `next_cursor` when there may be more (absent on the last page).
    struct Page<Item: Listed>: ResponseEncodable {
        var items: [Item]
        var nextCursor: String?

        init(_ items: [Item], nextCursor: String? = nil) {
            self.items = items
            self.nextCursor = nextCursor
        }

        struct Key: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(_ stringValue: String) { self.stringValue = stringValue }
            init?(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(items, forKey: Key(Item.listName))
            try container.encodeIfPresent(nextCursor, forKey: Key("next_cursor"))
        }
    }
}

extension AuditLog.Entry: Wire.Listed { static var listName: String { "entries" } }
extension CustomerSummary: Wire.Listed { static var listName: String { "customers" } }
extension LostRelation: Wire.Listed { static var listName: String { "lost" } }
extension GroupStore.Group: Wire.Listed { static var listName: String { "items" } }
extension MemberRecord: Wire.Listed { static var listName: String { "members" } }
extension Channel: Wire.Listed { static var listName: String { "channels" } }
extension SegmentStore.Saved: Wire.Listed { static var listName: String { "segments" } }
extension TagGroup: Wire.Listed { static var listName: String { "tag_groups" } }

/// `?limit=` on every list: absent is the list's default; anything but a whole number from 1 to
/// the list's maximum is a 400 naming the maximum (never clamped), as the document says.
enum Pagination {
    static func limit(_ request: Request, default value: Int, maximum: Int = 1000) throws -> Int {
        guard let text = request.uri.queryParameters.get("limit") else { return value }
        guard let limit = Int(text), (1...maximum).contains(limit) else {
            throw APIError(.badRequest, code: "bad_request", "limit must be a whole number from 1 to \(maximum)", field: "limit")
        }
        return limit
    }
}
