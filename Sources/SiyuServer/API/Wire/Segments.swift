import Hummingbird
import SiyuStore

extension Wire {
    /// The body of `POST /api/v1/segments/count`.
    struct SegmentCountRequest: Decodable { var expression: String }
    /// The body of `POST /api/v1/segments`.
    struct SegmentSave: Decodable { var name: String; var expression: String }
    /// The body of `PATCH /api/v1/segments/{segment_id}`.
    struct SegmentUpdate: Decodable { var name: String?; var expression: String? }

    /// `POST /api/v1/segments/count`.
    struct SegmentCount: ResponseEncodable {
        var count: Int
        /// The expression in canonical form.
        var expression: String
        /// Up to 20 matching customers, for a glance.
        var sample: [String]
    }

    /// `#/components/schemas/Segment`: a saved segment with its count now.
    struct Segment: ResponseEncodable {
        var segment: SegmentStore.Saved
        var count: Int
        func encode(to encoder: any Encoder) throws {
            try segment.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(count, forKey: .count)
        }
        enum Keys: String, CodingKey { case count }
    }
}
