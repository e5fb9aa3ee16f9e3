import Foundation
import SQLKit
import SiyuCore

/// One day of a corp's customer base.
public struct GrowthDay: Sendable, Equatable {
    /// `YYYY-MM-DD` in the corp's time zone.
    public var day: String
    /// Customers first added that day.
    public var new: Int
    /// Customers whose last relation ended that day (no member has them any more).
    public var lost: Int
    /// Customers some member has at the end of the day.
    public var total: Int
    public var net: Int { new - lost }
}

/// The figures of the console's dashboard over a window of days.
public struct GrowthReport: Sendable {
    public var days: [GrowthDay]
    /// New relations per member over the window, most first.
    public var addsByMember: [(userID: String, adds: Int)]
}

extension CustomerStore {
    /// New, lost, net and total customers per day from `from` to `to` (inclusive days in the
    /// calendar's zone) and the members with the most adds over those days.
    ///
    /// Each figure is one `GROUP BY` query. The totals are counted back from today's active
    /// customers, so they agree with the customer list.
    public func growth(corpID: String, from: Date, to: Date, topMembers: Int = 10, calendar: BusinessCalendar) async throws -> GrowthReport {
        let start = StoredTime.millis(calendar.startOfDay(from))
        let end = StoredTime.millis(calendar.startOfDay(to).addingTimeInterval(86400))
        let offset = Int64(calendar.utcOffsetSeconds) * 1000
        return try await database.read { sql in
            var new: [Int: Int] = [:]
            for row in try await sql.raw("""
                SELECT (first_added_at + \(bind: offset)) / 86400000 AS day, COUNT(*) AS n FROM customers
                WHERE corp_id = \(bind: corpID) AND first_added_at >= \(bind: start) AND first_added_at < \(bind: end)
                GROUP BY day
                """).all() {
                new[try row.decode(column: "day", as: Int.self)] = try row.decode(column: "n", as: Int.self)
            }
            // A customer is lost on the day its last relation ended, once no relation is active.
            var lost: [Int: Int] = [:]
            var lostAfterEnd = 0
            // Only relations that ended in the window are read (`follow_relations_ended`), and only
            // for customers no member still has.
            for row in try await sql.raw("""
                SELECT (ended + \(bind: offset)) / 86400000 AS day, COUNT(*) AS n FROM (
                    SELECT MAX(COALESCE(r.ended_at, r.updated_at)) AS ended FROM follow_relations r
                    WHERE r.corp_id = \(bind: corpID) AND r.status IN ('lost', 'deleted')
                      AND (r.ended_at >= \(bind: start) OR (r.ended_at IS NULL AND r.updated_at >= \(bind: start)))
                      AND NOT EXISTS (SELECT 1 FROM follow_relations a WHERE a.corp_id = r.corp_id AND a.external_userid = r.external_userid AND a.status = 'active')
                    GROUP BY r.external_userid
                ) gone
                GROUP BY day
                """).all() {
                let day = try row.decode(column: "day", as: Int.self)
                let n = try row.decode(column: "n", as: Int.self)
                if day >= calendar.dayNumber(StoredTime.date(end)) { lostAfterEnd += n } else { lost[day] = n }
            }
            let active = try await sql.raw("""
                SELECT COUNT(DISTINCT external_userid) AS n FROM follow_relations WHERE corp_id = \(bind: corpID) AND status = 'active'
                """).first()?.decode(column: "n", as: Int.self) ?? 0
            let newAfterEnd = try await sql.raw("""
                SELECT COUNT(*) AS n FROM customers WHERE corp_id = \(bind: corpID) AND first_added_at >= \(bind: end)
                """).first()?.decode(column: "n", as: Int.self) ?? 0

            let dayNumbers = Array(calendar.dayNumber(StoredTime.date(start))...calendar.dayNumber(StoredTime.date(end - 1)))
            var total = active - newAfterEnd + lostAfterEnd
            var days: [GrowthDay] = []
            for day in dayNumbers.reversed() {
                let entry = GrowthDay(day: BusinessCalendar.label(dayNumber: day), new: new[day, default: 0], lost: lost[day, default: 0], total: max(0, total))
                days.append(entry)
                total -= entry.net
            }

            let members = try await sql.raw("""
                SELECT userid, COUNT(*) AS n FROM follow_relations
                WHERE corp_id = \(bind: corpID) AND added_at >= \(bind: start) AND added_at < \(bind: end)
                GROUP BY userid ORDER BY n DESC, userid LIMIT \(literal: max(1, min(topMembers, 100)))
                """).all().map { (userID: try $0.decode(column: "userid", as: String.self), adds: try $0.decode(column: "n", as: Int.self)) }
            return GrowthReport(days: days.reversed(), addsByMember: members)
        }
    }
}
