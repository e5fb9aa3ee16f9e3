import Foundation
import WeCom

/// The in-memory world behind the sandbox: enterprises, members, customers, tags, contact ways,
/// groups, mass messages, moments, transfers and archived messages.
///
/// Every id comes from one seeded generator and every time from ``SandboxClock``, so a seeded
/// world with a pinned clock replays exactly.
public actor SandboxWorld {
    var corps: [String: CorpState] = [:]
    var ids: IDGenerator
    /// Injected failures: API path → (errcode, remaining count).
    var faults: [String: (errcode: Int, remaining: Int)] = [:]
    /// How many access tokens `gettoken` issued, per corp.
    public private(set) var tokensIssued: [String: Int] = [:]
    public nonisolated let clock: SandboxClock
    /// The platform's mass-message cap in force.
    public var massMessageRule: MassMessageRule
    /// A welcome code is valid this long after the add event.
    public let welcomeWindow: Int = 20
    /// An in-service transfer takes effect this long after it is requested.
    public let takeoverDelay: Int = 24 * 3600
    /// Where the sandbox's own HTTP server answers (e.g. `http://127.0.0.1:8090`), for URLs it hands
    /// out that must resolve offline, such as a contact way's QR code image. Set when it starts serving.
    public private(set) var publicBaseURL: String?

    public init(seed: UInt64 = 1, clock: SandboxClock = SandboxClock(), massMessageRule: MassMessageRule = .daysInMonth) {
        self.ids = IDGenerator(seed: seed)
        self.clock = clock
        self.massMessageRule = massMessageRule
    }

    public func setPublicBaseURL(_ url: String) {
        publicBaseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
    }

    public func setMassMessageRule(_ rule: MassMessageRule) {
        massMessageRule = rule
    }

    /// Adds or replaces an enterprise's configuration, keeping its world.
    public func configure(_ config: SandboxCorpConfig) {
        if corps[config.corpID] == nil {
            corps[config.corpID] = CorpState(config: config)
        } else {
            corps[config.corpID]!.config = config
        }
    }

    public func config(of corpID: String) -> SandboxCorpConfig? {
        corps[corpID]?.config
    }

    // MARK: Access tokens

    /// `gettoken`: a fresh token for a known corp and secret, valid 7200 s.
    func issueToken(corpID: String, secret: String) throws(SandboxError) -> AccessTokenResponse {
        guard let corp = corps[corpID] else { throw .invalidCorpID }
        guard corp.config.secret == secret else { throw .invalidCredential }
        let token = ids.text("", length: 64)
        corps[corpID]!.tokens[token] = clock.unixNow + 7200
        tokensIssued[corpID, default: 0] += 1
        return AccessTokenResponse(accessToken: token, expiresIn: 7200)
    }

    /// The corp a token belongs to; 41001, 40014 or 42001 otherwise.
    func corpID(forToken token: String?) throws(SandboxError) -> String {
        guard let token, !token.isEmpty else { throw .missingToken }
        for (corpID, corp) in corps {
            if let expiry = corp.tokens[token] {
                guard expiry > clock.unixNow else { throw .expiredToken }
                return corpID
            }
        }
        throw .invalidToken
    }

    /// Ends a token early (the platform may; tests use it to exercise refresh).
    public func revokeTokens(corpID: String) {
        corps[corpID]?.tokens.removeAll()
    }

    /// Makes the next `count` calls of `path` (e.g. `externalcontact/get`) answer `errcode`,
    /// to exercise a client's handling of busy (-1), throttled (45009) or concurrent-limit (45033) answers.
    public func injectFault(path: String, errcode: Int, count: Int) {
        faults[path] = (errcode, count)
    }

    /// Authenticated platform API calls answered so far (a progress measure for tests and the demo).
    public private(set) var callsServed = 0

    /// Throws the injected fault for `path`, if one is pending. Every authenticated API call passes here.
    func checkFault(_ path: String) throws(SandboxError) {
        callsServed += 1
        guard let fault = faults[path], fault.remaining > 0 else { return }
        faults[path] = (fault.errcode, fault.remaining - 1)
        throw SandboxError(fault.errcode, fault.errcode == -1 ? "system busy" : "injected by the sandbox")
    }

    /// Runs `body` on one corp's state, after settling transfers that are due.
    func mutate<T>(_ corpID: String, _ body: (inout CorpState) throws(SandboxError) -> T) throws(SandboxError) -> T {
        guard corps[corpID] != nil else { throw .invalidCorpID }
        settleTransfers(corpID)
        return try body(&corps[corpID]!)
    }

    func read<T>(_ corpID: String, _ body: (CorpState) throws(SandboxError) -> T) throws(SandboxError) -> T {
        guard corps[corpID] != nil else { throw .invalidCorpID }
        settleTransfers(corpID)
        return try body(corps[corpID]!)
    }

    // MARK: Members and departments

    func departments(_ corpID: String) throws(SandboxError) -> DepartmentListResponse {
        try read(corpID) { DepartmentListResponse(department: $0.departments) }
    }

    func members(_ corpID: String, departmentID: Int) throws(SandboxError) -> MemberListResponse {
        try read(corpID) { corp in
            MemberListResponse(userList: corp.memberOrder.compactMap { corp.members[$0] }.filter {
                departmentID == 1 || $0.department.contains(departmentID)
            })
        }
    }

    public func addDepartment(corpID: String, name: String, parentID: Int = 1) throws(SandboxError) -> Department {
        try mutate(corpID) { corp in
            let department = Department(id: (corp.departments.map(\.id).max() ?? 1) + 1, name: name, parentID: parentID, order: corp.departments.count + 1)
            corp.departments.append(department)
            return department
        }
    }

    public func addMember(corpID: String, userID: String, name: String, departments: [Int] = [1], position: String? = nil) throws(SandboxError) -> Member {
        try mutate(corpID) { corp in
            let member = Member(userID: userID, name: name, department: departments, position: position, status: 1)
            if corp.members[userID] == nil { corp.memberOrder.append(userID) }
            corp.members[userID] = member
            return member
        }
    }

    // MARK: Customers

    func followUsers(_ corpID: String) throws(SandboxError) -> FollowUserListResponse {
        try read(corpID) { FollowUserListResponse(followUser: $0.memberOrder) }
    }

    func externalContacts(_ corpID: String, of userID: String) throws(SandboxError) -> ExternalContactListResponse {
        try read(corpID) { corp throws(SandboxError) in
            guard corp.members[userID] != nil else { throw .invalidUser }
            return ExternalContactListResponse(externalUserID: corp.customerOrder.filter { corp.relation($0, userID) != nil })
        }
    }

    func externalContact(_ corpID: String, _ externalUserID: String, cursor: String?, pageSize: Int = 500) throws(SandboxError) -> ExternalContactDetail {
        try read(corpID) { corp throws(SandboxError) in
            guard let contact = corp.customers[externalUserID] else { throw .invalidExternalUser }
            let relations = corp.relations[externalUserID] ?? []
            guard !relations.isEmpty else { throw .noRelation }
            let start = Int(cursor ?? "") ?? 0
            let page = relations.dropFirst(start).prefix(pageSize)
            let next = start + page.count < relations.count ? String(start + page.count) : nil
            return ExternalContactDetail(
                externalContact: contact,
                followUser: page.map { Self.followUser($0, tagGroups: corp.tagGroups) },
                nextCursor: next
            )
        }
    }

    func batchExternalContacts(_ corpID: String, _ request: BatchGetByUserRequest) throws(SandboxError) -> BatchGetByUserResponse {
        guard !request.userIDList.isEmpty, request.userIDList.count <= 100 else {
            throw .invalidParameter("userid_list must hold 1 to 100 members")
        }
        let limit = min(max(request.limit ?? 50, 1), 100)
        return try read(corpID) { corp throws(SandboxError) in
            for userID in request.userIDList where corp.members[userID] == nil { throw .invalidUser }
            // The cursor is "<member index>:<customer index>" where the next page starts, so a walk
            // over many pages reads each (member, customer) pair once.
            let parts = (request.cursor ?? "").split(separator: ":").compactMap { Int($0) }
            var userIndex = parts.count == 2 ? parts[0] : 0
            var customerIndex = parts.count == 2 ? parts[1] : 0
            var page: [BatchExternalContact] = []
            while userIndex < request.userIDList.count {
                let userID = request.userIDList[userIndex]
                while customerIndex < corp.customerOrder.count {
                    let externalUserID = corp.customerOrder[customerIndex]
                    if let relation = corp.relation(externalUserID, userID), let contact = corp.customers[externalUserID] {
                        if page.count == limit { return BatchGetByUserResponse(externalContactList: page, nextCursor: "\(userIndex):\(customerIndex)") }
                        page.append(BatchExternalContact(externalContact: contact, followInfo: FollowInfo(
                            userID: relation.userID, remark: relation.remark, description: relation.description,
                            createTime: relation.createTime, tagID: relation.tagIDs, operUserID: relation.operUserID,
                            addWay: relation.addWay, state: relation.state
                        )))
                    }
                    customerIndex += 1
                }
                userIndex += 1
                customerIndex = 0
            }
            return BatchGetByUserResponse(externalContactList: page, nextCursor: "")
        }
    }

    func remark(_ corpID: String, _ request: RemarkRequest) throws(SandboxError) {
        try mutate(corpID) { corp throws(SandboxError) in
            guard corp.customers[request.externalUserID] != nil else { throw .invalidExternalUser }
            guard let index = corp.relations[request.externalUserID]?.firstIndex(where: { $0.userID == request.userID }) else { throw .noRelation }
            if let remark = request.remark { corp.relations[request.externalUserID]![index].remark = remark }
            if let description = request.description { corp.relations[request.externalUserID]![index].description = description }
        }
    }

    static func followUser(_ relation: Relation, tagGroups: [CorpTagGroup]) -> FollowUser {
        let tags: [FollowUserTag] = relation.tagIDs.compactMap { id in
            for group in tagGroups {
                if let tag = group.tag.first(where: { $0.id == id }) {
                    return FollowUserTag(groupName: group.groupName, tagName: tag.name, tagID: tag.id, type: 1)
                }
            }
            return nil
        }
        return FollowUser(
            userID: relation.userID, remark: relation.remark, description: relation.description, createTime: relation.createTime,
            tags: tags, remarkCorpName: "", remarkMobiles: [], operUserID: relation.operUserID, addWay: relation.addWay, state: relation.state
        )
    }
}
