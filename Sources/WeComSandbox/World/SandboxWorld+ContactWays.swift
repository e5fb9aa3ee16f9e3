import WeCom

extension SandboxWorld {
    /// The platform's ceilings for contact ways.
    static let maxContactWays = 500_000
    static let maxUsersPerWay = 100

    func addContactWay(_ corpID: String, _ way: ContactWay) throws(SandboxError) -> AddContactWayResponse {
        try Self.validate(way)
        let configID = ids.configID()
        return try mutate(corpID) { corp throws(SandboxError) in
            guard corp.contactWays.count < Self.maxContactWays else { throw SandboxError(41054, "contact way count exceeds the limit") }
            for user in way.user ?? [] where corp.members[user] == nil { throw .invalidUser }
            var stored = way
            stored.configID = configID
            stored.skipVerify = way.skipVerify ?? true
            stored.qrCode = way.scene == 2 ? qrCodeURL(corpID: corpID, configID: configID) : nil
            corp.contactWays[configID] = stored
            corp.contactWayOrder.append(configID)
            return AddContactWayResponse(configID: configID, qrCode: stored.qrCode)
        }
    }

    /// The image URL of a contact way's QR code: on the sandbox's own server once it serves
    /// (`GET /sandbox/corps/{corp}/contact_ways/{config_id}/qr.svg`), else the platform's shape.
    func qrCodeURL(corpID: String, configID: String) -> String {
        guard let base = publicBaseURL else { return "https://wework.qpic.cn/wwpic/sandbox/\(configID)/0" }
        return "\(base)/sandbox/corps/\(corpID)/contact_ways/\(configID)/qr.svg"
    }

    /// A customer's avatar: on the sandbox's own server once it serves, else the platform's shape.
    func avatarURL(corpID: String, externalUserID: String) -> String {
        guard let base = publicBaseURL else { return "https://wework.qpic.cn/sandbox/avatar/\(externalUserID)/0" }
        return "\(base)/sandbox/corps/\(corpID)/customers/\(externalUserID)/avatar.svg"
    }

    /// A customer's name, for drawing their avatar.
    public func customerName(corpID: String, externalUserID: String) -> String? {
        corps[corpID]?.customers[externalUserID]?.name
    }

    /// What scanning a contact way's code opens (the platform's `work.weixin.qq.com/ca/…` link).
    public static func contactLink(configID: String) -> String {
        "https://work.weixin.qq.com/ca/\(configID)"
    }

    /// Whether a corp has this contact way (for serving its QR code).
    public func hasContactWay(corpID: String, configID: String) -> Bool {
        corps[corpID]?.contactWays[configID] != nil
    }

    func contactWay(_ corpID: String, _ configID: String) throws(SandboxError) -> GetContactWayResponse {
        try read(corpID) { corp throws(SandboxError) in
            guard let way = corp.contactWays[configID] else { throw SandboxError(41044, "invalid config_id") }
            return GetContactWayResponse(contactWay: way)
        }
    }

    func updateContactWay(_ corpID: String, _ update: ContactWay) throws(SandboxError) {
        guard let configID = update.configID else { throw .invalidParameter("config_id is required") }
        try mutate(corpID) { corp throws(SandboxError) in
            guard var way = corp.contactWays[configID] else { throw SandboxError(41044, "invalid config_id") }
            for user in update.user ?? [] where corp.members[user] == nil { throw .invalidUser }
            if let remark = update.remark { way.remark = remark }
            if let skip = update.skipVerify { way.skipVerify = skip }
            if let style = update.style { way.style = style }
            if let state = update.state { way.state = state }
            if let users = update.user { way.user = users }
            if let party = update.party { way.party = party }
            if let conclusions = update.conclusions { way.conclusions = conclusions }
            try Self.validate(way)
            corp.contactWays[configID] = way
        }
    }

    func deleteContactWay(_ corpID: String, _ configID: String) throws(SandboxError) {
        try mutate(corpID) { corp throws(SandboxError) in
            guard corp.contactWays.removeValue(forKey: configID) != nil else { throw SandboxError(41044, "invalid config_id") }
            corp.contactWayOrder.removeAll { $0 == configID }
        }
    }

    static func validate(_ way: ContactWay) throws(SandboxError) {
        guard [1, 2].contains(way.type) else { throw .invalidParameter("type must be 1 (single) or 2 (multi)") }
        guard [1, 2].contains(way.scene) else { throw .invalidParameter("scene must be 1 (mini program) or 2 (QR code)") }
        let users = way.user ?? []
        let parties = way.party ?? []
        guard !users.isEmpty || !parties.isEmpty else { throw .invalidParameter("user or party is required") }
        guard users.count <= maxUsersPerWay else { throw .invalidParameter("at most \(maxUsersPerWay) users") }
        if way.type == 1, users.count != 1 || !parties.isEmpty { throw .invalidParameter("a single contact way has exactly one user") }
        if let remark = way.remark, remark.count > 30 { throw .invalidParameter("remark is at most 30 characters") }
        if let state = way.state, state.count > 30 { throw .invalidParameter("state is at most 30 characters") }
    }
}
