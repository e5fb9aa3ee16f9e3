import Foundation

/// `qrcode/create` and the scans that attribute a follow to a scene.
extension OfficialAccountWorld {
    static let maxTemporarySeconds = 2_592_000
    static let maxPermanentSceneID = 100_000

    func createQRCode(_ appID: String, _ body: QRCodeRequest) throws(SandboxError) -> QRCodeAnswer {
        let actionName = body.actionName ?? ""
        let permanent: Bool
        switch actionName {
        case "QR_SCENE", "QR_STR_SCENE": permanent = false
        case "QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE": permanent = true
        default: throw SandboxError(40052, "invalid action name")
        }
        let scene = body.actionInfo?.scene
        var code = ParametricQRCode(ticket: "", actionName: actionName, sceneID: nil, sceneStr: nil, expiresAt: nil, url: "")
        if actionName.hasSuffix("STR_SCENE") {
            guard let text = scene?.sceneStr, (1...64).contains(text.count) else { throw .invalidActionInfo }
            code.sceneStr = text
        } else {
            let range = permanent ? 1...Self.maxPermanentSceneID : 1...Int(UInt32.max)
            guard let id = scene?.sceneID?.value, range.contains(id) else { throw .invalidActionInfo }
            code.sceneID = id
        }
        var expireSeconds: Int?
        if !permanent {
            let asked = body.expireSeconds?.value ?? 0
            expireSeconds = asked > 0 ? min(asked, Self.maxTemporarySeconds) : temporaryQRCodeDefaultSeconds
            code.expiresAt = now + expireSeconds!
        }
        guard accounts[appID] != nil else { throw .invalidAppID }
        code.ticket = "gQ" + ids.text("", length: 94)
        code.url = "http://weixin.qq.com/q/02" + ids.text("", length: 20)
        accounts[appID]!.qrCodes[code.ticket] = code
        return QRCodeAnswer(ticket: code.ticket, expireSeconds: expireSeconds, url: code.url)
    }

    /// The code a ticket names, across accounts, while it is valid (for `showqrcode`).
    func qrCode(ticket: String) -> ParametricQRCode? {
        for account in accounts.values {
            if let code = account.qrCodes[ticket], code.expiresAt.map({ $0 > now }) ?? true { return code }
        }
        return nil
    }

    /// What a person scanned: the ticket's code, or the newest valid code with that scene.
    func scannedCode(_ appID: String, ticket: String?, scene: String?) throws(SandboxError) -> ParametricQRCode {
        try read(appID) { account throws(SandboxError) in
            let valid = { (code: ParametricQRCode) in code.expiresAt.map { $0 > self.now } ?? true }
            if let ticket, !ticket.isEmpty {
                guard let code = account.qrCodes[ticket] else { throw SandboxError(40035, "invalid args, hint: [sandbox] no such ticket") }
                guard valid(code) else { throw SandboxError(40035, "invalid args, hint: [sandbox] the QR code has expired; WeChat shows 二维码已过期") }
                return code
            }
            let matching = account.qrCodes.values.filter { $0.scene == scene && valid($0) }
            guard let code = matching.max(by: { ($0.expiresAt ?? .max, $0.ticket) < ($1.expiresAt ?? .max, $1.ticket) }) else {
                throw SandboxError(40035, "invalid args, hint: [sandbox] no valid QR code with scene \(scene ?? "")")
            }
            return code
        }
    }
}

extension SandboxError {
    static let invalidActionInfo = SandboxError(40053, "invalid action info")
}

/// `qrcode/create`'s body.
struct QRCodeRequest: Decodable, Sendable {
    struct ActionInfo: Decodable, Sendable { var scene: Scene? }
    struct Scene: Decodable, Sendable {
        var sceneID: LenientInt?
        var sceneStr: String?
        enum CodingKeys: String, CodingKey { case sceneID = "scene_id", sceneStr = "scene_str" }
    }
    var expireSeconds: LenientInt?
    var actionName: String?
    var actionInfo: ActionInfo?
    enum CodingKeys: String, CodingKey { case expireSeconds = "expire_seconds", actionName = "action_name", actionInfo = "action_info" }
}

/// `{ticket, expire_seconds (temporary codes only), url}`.
struct QRCodeAnswer: Encodable, Sendable {
    var ticket: String
    var expireSeconds: Int?
    var url: String
    enum CodingKeys: String, CodingKey { case ticket, expireSeconds = "expire_seconds", url }
}
