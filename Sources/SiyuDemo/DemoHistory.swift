import Foundation
import SiyuCore
import WeComSandbox

/// The demo brand's past, drawn from a seeded generator: when customers came and through which
/// channel, their tags, who left, what they ordered, which groups they joined. Pure: it only plans.
struct DemoHistory {
    let scale: DemoScale
    let now: Date
    let channels: [Channel]
    let tagsByGroup: [[String]]
    let calendar = DemoBrand.calendar

    var nowSeconds: Int { Int(now.timeIntervalSince1970) }

    /// Customers over `scale.days` days, more of them lately and at weekends, in coffee hours.
    func customers(_ random: inout SeededGenerator) -> [HistoricalCustomer] {
        let today = Int(calendar.startOfDay(now).timeIntervalSince1970)
        let days = max(1, scale.days)
        // Day 0 is today (only the part already past), day days-1 the oldest.
        let elapsedToday = Double(nowSeconds - today) / 86400
        let weights: [Double] = (0..<days).map { back in
            let growth = 1.0 + 1.5 * Double(days - back) / Double(days)
            let date = Date(timeIntervalSince1970: TimeInterval(today - back * 86400))
            let weekend = calendar.weekday(date) >= 6 ? 1.35 : 1.0
            let noise = 0.85 + 0.3 * Double.random(in: 0..<1, using: &random)
            return growth * weekend * noise * (back == 0 ? max(0.05, elapsedToday) : 1)
        }
        let total = weights.reduce(0, +)
        var perDay = weights.map { Int((Double(scale.customers) * $0 / total).rounded(.down)) }
        var shortfall = scale.customers - perDay.reduce(0, +)
        var index = days - 1
        while shortfall > 0 { perDay[index] += 1; shortfall -= 1; index = index == 0 ? days - 1 : index - 1 }

        let channelWeights = DemoBrand.channels.map(\.weight) + [DemoBrand.directWeight]
        var result: [HistoricalCustomer] = []
        result.reserveCapacity(scale.customers)
        for back in stride(from: days - 1, through: 0, by: -1) {
            let dayStart = today - back * 86400
            for _ in 0..<perDay[back] {
                var at = dayStart + Self.coffeeSecondOfDay(&random)
                if at >= nowSeconds { at = nowSeconds - Int.random(in: 60...7200, using: &random) }
                let choice = Self.weightedIndex(channelWeights, &random)
                let state: String?
                let userID: String
                if choice < channels.count {
                    state = channels[choice].state
                    userID = channels[choice].settings.members.randomElement(using: &random)!
                } else {
                    state = nil
                    userID = DemoBrand.members.randomElement(using: &random)!.userID
                }
                var relations = [HistoricalCustomer.Relation(userID: userID, createTime: at, state: state, tagIDs: tags(&random))]
                if Int.random(in: 0..<100, using: &random) < 7 {
                    let other = DemoBrand.members.randomElement(using: &random)!.userID
                    let later = min(nowSeconds - 30, at + Int.random(in: 3600...(10 * 86400), using: &random))
                    if other != userID, later > at { relations.append(.init(userID: other, createTime: later)) }
                }
                result.append(HistoricalCustomer(name: DemoBrand.customerName(&random), gender: Int.random(in: 0...2, using: &random), relations: relations))
            }
        }
        return result
    }

    /// A membership level (most are ordinary), one or two tastes, a visit frequency.
    func tags(_ random: inout SeededGenerator) -> [String] {
        guard tagsByGroup.count == 3 else { return [] }
        var picked = [tagsByGroup[0][Self.weightedIndex([55, 25, 15, 5], &random)]]
        picked += Array(tagsByGroup[1].shuffled(using: &random).prefix(Int.random(in: 1...2, using: &random)))
        if Int.random(in: 0..<10, using: &random) < 8 { picked.append(tagsByGroup[2][Self.weightedIndex([10, 40, 30, 20], &random)]) }
        return picked
    }

    /// Customers with one member who deleted that member some time after adding, mostly soon after.
    func losses(customers: [HistoricalCustomer], ids: [String], _ random: inout SeededGenerator) -> [(externalUserID: String, userID: String, at: Int)] {
        let wanted = scale.customers * scale.lostPercent / 100
        var result: [(externalUserID: String, userID: String, at: Int)] = []
        for index in Array(customers.indices).shuffled(using: &random) where result.count < wanted {
            let customer = customers[index]
            guard customer.relations.count == 1, let relation = customer.relations.first else { continue }
            let room = nowSeconds - 120 - relation.createTime
            guard room > 3600 else { continue }
            let delay = Int(Double(room) * pow(Double.random(in: 0..<1, using: &random), 3)) + 600
            result.append((ids[index], relation.userID, min(relation.createTime + delay, nowSeconds - 60)))
        }
        return result.sorted { $0.at < $1.at }
    }

    /// Orders of the buying customers after they came, in fen: mostly a drink, sometimes beans or a card.
    func orders(customers: [HistoricalCustomer], ids: [String], _ random: inout SeededGenerator) -> [(externalUserID: String, amountFen: Int, at: Int)] {
        let prices = [1800, 2200, 2500, 2800, 3200, 3600, 4200, 5600, 6800, 12800, 19800, 29800]
        let priceWeights = [8, 14, 16, 18, 14, 10, 7, 5, 3, 2, 2, 1]
        var result: [(externalUserID: String, amountFen: Int, at: Int)] = []
        for (index, customer) in customers.enumerated() where Int.random(in: 0..<100, using: &random) < scale.buyerPercent {
            let start = customer.relations.map(\.createTime).min() ?? nowSeconds
            let count = 1 + Self.weightedIndex([40, 25, 15, 10, 6, 4], &random)
            for _ in 0..<count {
                let at = start + Int(Double(max(60, nowSeconds - 60 - start)) * Double.random(in: 0..<1, using: &random))
                result.append((ids[index], prices[Self.weightedIndex(priceWeights, &random)], at))
            }
        }
        return result.sorted { $0.at < $1.at }
    }

    /// Groups owned by members, created early in the history, each with customers who came before joining.
    func groups(customers: [HistoricalCustomer], ids: [String], _ random: inout SeededGenerator) -> [(owner: String, name: String, createTime: Int, joined: [(externalUserID: String, at: Int)])] {
        let start = nowSeconds - max(1, scale.days) * 86400
        return DemoBrand.groupNames.prefix(scale.groups).map { name in
            let owner = DemoBrand.members.randomElement(using: &random)!.userID
            let created = start + Int.random(in: 0...max(1, scale.days / 3) * 86400, using: &random)
            let size = min(customers.count, Int.random(in: 12...180, using: &random))
            var joined: [(externalUserID: String, at: Int)] = []
            var seen = Set<Int>()
            for _ in 0..<size where !customers.isEmpty {
                let index = Int.random(in: 0..<customers.count, using: &random)
                guard seen.insert(index).inserted else { continue }
                let came = max(created, customers[index].relations.map(\.createTime).min() ?? created)
                joined.append((ids[index], min(nowSeconds - 30, came + Int.random(in: 60...(3 * 86400), using: &random))))
            }
            return (owner, name, created, joined)
        }
    }

    /// Seconds after midnight: a morning rush, lunch, an afternoon lull and an evening.
    static func coffeeSecondOfDay(_ random: inout SeededGenerator) -> Int {
        let hours = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]
        let weights = [4, 12, 14, 9, 7, 11, 10, 6, 6, 6, 7, 8, 7, 5, 3, 1]
        return hours[weightedIndex(weights, &random)] * 3600 + Int.random(in: 0..<3600, using: &random)
    }

    static func weightedIndex(_ weights: [Int], _ random: inout SeededGenerator) -> Int {
        var roll = Int.random(in: 0..<weights.reduce(0, +), using: &random)
        for (index, weight) in weights.enumerated() {
            if roll < weight { return index }
            roll -= weight
        }
        return weights.count - 1
    }
}
