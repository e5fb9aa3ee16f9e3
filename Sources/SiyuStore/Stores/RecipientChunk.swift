import Foundation
import SQLKit
import SiyuCore

/// A campaign's recipients as stored: in chunks of one platform task's worth — one sender's
/// recipients planned together, at most the kind's per-task limit, in recipient order — with
/// each recipient's state and reason packed in two bytes. A chunk carries what its recipients
/// share (sender, send time, the task's `msgid`), so a recipient's own result is a byte
/// rewritten in place, and a million recipients are about a hundred rows.
struct RecipientChunk: Sendable {
    var number: Int
    var sender: String?
    /// The platform task the chunk went out as; nil until it is submitted.
    var msgID: String?
    /// When it goes out (planned) or when its hold ends (held); nil for skips.
    var sendAt: Date?
    /// Ascending, distinct.
    var recipients: [String]
    /// The ledger ordinal of each recipient (0 when it has none: nothing was reserved).
    var ordinals: [Int64]
    var states: [RecipientState]
    var reasons: [RecipientReason]
    var updatedAt: Date

    /// Recipients still on their way (planned, held or submitted).
    var open: Int { states.reduce(0) { $0 + ($1.isFinal ? 0 : 1) } }
    var delivered: Int { states.reduce(0) { $0 + ($1 == .delivered ? 1 : 0) } }

    /// What a due dispatch does with the chunk: `planned` goes out now, `held` at `sendAt`.
    var dueState: RecipientState? {
        if states.contains(.planned) { return .planned }
        if states.contains(.held) { return .held }
        return nil
    }

    func recipient(at index: Int) -> CampaignRecipient {
        CampaignRecipient(
            recipient: recipients[index], sender: sender, state: states[index], reason: reasons[index],
            msgID: states[index] == .skipped ? nil : msgID, sendAt: sendAt, updatedAt: updatedAt
        )
    }

    /// Indexes of `ids` in the chunk.
    func indexes(of ids: Set<String>) -> [Int] {
        recipients.indices.filter { ids.contains(recipients[$0]) }
    }

    /// The chunks a plan's rows make: per sender and state, in recipient order, `perChunk` at most.
    static func chunks(of plan: CampaignPlan, perChunk: Int, now: Date) -> [RecipientChunk] {
        struct Key: Hashable { var sender: String?; var state: RecipientState }
        var groups: [Key: [CampaignPlan.Row]] = [:]
        for row in plan.rows { groups[Key(sender: row.sender, state: row.state), default: []].append(row) }
        var chunks: [RecipientChunk] = []
        for key in groups.keys.sorted(by: { ($0.sender ?? "", $0.state.code) < ($1.sender ?? "", $1.state.code) }) {
            let rows = groups[key]!  // the plan's rows are in recipient order already
            for start in stride(from: 0, to: rows.count, by: max(1, perChunk)) {
                let part = rows[start..<min(start + max(1, perChunk), rows.count)]
                chunks.append(RecipientChunk(
                    number: chunks.count, sender: key.sender, msgID: nil, sendAt: part.first?.sendAt, recipients: part.map(\.recipient),
                    ordinals: part.map { $0.ordinal ?? 0 }, states: part.map(\.state), reasons: part.map(\.reason), updatedAt: now
                ))
            }
        }
        return chunks
    }

    // MARK: Storage

    func write(on sql: any SQLDatabase, corpID: String, campaignID: String) async throws {
        var packedStates = Data(capacity: states.count * 2)
        for (state, reason) in zip(states, reasons) {
            packedStates.append(state.code)
            packedStates.append(reason.code)
        }
        var packedOrdinals = Data(capacity: ordinals.count * 3)
        for ordinal in ordinals {
            var value = UInt64(max(0, ordinal))
            while value >= 0x80 {
                packedOrdinals.append(UInt8(value & 0x7F) | 0x80)
                value >>= 7
            }
            packedOrdinals.append(UInt8(value))
        }
        try await sql.raw("""
            INSERT INTO campaign_chunks (corp_id, campaign_id, chunk, sender, msgid, send_at, due_state, recipients, ordinals, states,
                                         size, open, delivered, first_recipient, last_recipient, updated_at)
            VALUES (\(bind: corpID), \(bind: campaignID), \(bind: Int64(number)), \(bind: sender), \(bind: msgID), \(bind: sendAt.map(StoredTime.millis)),
                    \(bind: dueState?.rawValue), \(bind: recipients.joined(separator: "\n")), \(bind: packedOrdinals), \(bind: packedStates),
                    \(bind: Int64(recipients.count)), \(bind: Int64(open)), \(bind: Int64(delivered)), \(bind: recipients.first ?? ""),
                    \(bind: recipients.last ?? ""), \(bind: StoredTime.millis(updatedAt)))
            ON CONFLICT (corp_id, campaign_id, chunk) DO UPDATE SET
              msgid = excluded.msgid, due_state = excluded.due_state, states = excluded.states, open = excluded.open,
              delivered = excluded.delivered, updated_at = excluded.updated_at
            """).run()
    }

    init(
        number: Int, sender: String?, msgID: String?, sendAt: Date?, recipients: [String], ordinals: [Int64], states: [RecipientState],
        reasons: [RecipientReason], updatedAt: Date
    ) {
        self.number = number
        self.sender = sender
        self.msgID = msgID
        self.sendAt = sendAt
        self.recipients = recipients
        self.ordinals = ordinals
        self.states = states
        self.reasons = reasons
        self.updatedAt = updatedAt
    }

    /// A stored chunk; bytes this build cannot read fail as `corrupt_row` naming the column.
    init(row: any SQLRow) throws {
        number = Int(try row.decode(column: "chunk", as: Int64.self))
        sender = try row.decode(column: "sender", as: String?.self)
        msgID = try row.decode(column: "msgid", as: String?.self)
        sendAt = try row.decode(column: "send_at", as: Int64?.self).map(StoredTime.date)
        updatedAt = StoredTime.date(try row.decode(column: "updated_at", as: Int64.self))
        let text = try row.decode(column: "recipients", as: String.self)
        recipients = text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let packed = [UInt8](try row.decode(column: "states", as: Data.self))
        guard packed.count == recipients.count * 2 else {
            throw StoreError(.corruptRow, "states holds \(packed.count) bytes for \(recipients.count) recipients")
        }
        var states: [RecipientState] = []
        var reasons: [RecipientReason] = []
        states.reserveCapacity(recipients.count)
        reasons.reserveCapacity(recipients.count)
        for index in stride(from: 0, to: packed.count, by: 2) {
            guard let state = RecipientState(code: packed[index]) else {
                throw StoreError(.corruptRow, "state holds code \(packed[index]), which this build's RecipientState does not know")
            }
            guard let reason = RecipientReason(code: packed[index + 1]) else {
                throw StoreError(.corruptRow, "reason holds code \(packed[index + 1]), which this build's RecipientReason does not know")
            }
            states.append(state)
            reasons.append(reason)
        }
        self.states = states
        self.reasons = reasons
        var ordinals: [Int64] = []
        ordinals.reserveCapacity(recipients.count)
        var value: UInt64 = 0, shift: UInt64 = 0
        for byte in try row.decode(column: "ordinals", as: Data.self) {
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                ordinals.append(Int64(value))
                value = 0
                shift = 0
            } else {
                shift += 7
            }
        }
        guard ordinals.count == recipients.count else {
            throw StoreError(.corruptRow, "ordinals holds \(ordinals.count) values for \(recipients.count) recipients")
        }
        self.ordinals = ordinals
    }
}
