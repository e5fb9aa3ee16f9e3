import Foundation

/// Who sends a mass message to a customer: of the members the customer is still a friend of,
/// the one who last interacted with them (added, welcomed, tagged them, or chatted), by the
/// timeline; a relation's own start counts as an interaction. The first of equals wins.
///
/// The one rule for it: the store applies it to rows it reads, the segment index to the facts it
/// keeps, so a preview and the campaign it previews choose the same members.
public enum SenderChoice {
    /// One active relation: its member, when it began, and the member's last interaction, if any.
    public struct Relation: Sendable, Equatable {
        public var userID: String
        public var addedAt: Int64
        public var lastInteraction: Int64?

        public init(userID: String, addedAt: Int64, lastInteraction: Int64?) {
            self.userID = userID
            self.addedAt = addedAt
            self.lastInteraction = lastInteraction
        }
    }

    /// The sender among a customer's active relations; nil when there are none.
    public static func sender(among relations: [Relation]) -> String? {
        var best: (userID: String, last: Int64)?
        for relation in relations {
            let last = max(relation.addedAt, relation.lastInteraction ?? relation.addedAt)
            if best.map({ $0.last < last }) ?? true { best = (relation.userID, last) }
        }
        return best?.userID
    }
}
