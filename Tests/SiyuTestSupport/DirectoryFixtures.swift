import Foundation
import SiyuCore
import SiyuStore

extension SiyuStore {
    /// Mirrors members as the first directory sync would (name `成员<userid>`, department 1), for
    /// tests whose platform has these members: Siyu refuses to name a member it has not mirrored.
    public func mirrorMembers(corpID: String, _ userIDs: [String]) async throws {
        let members = userIDs.map { MemberRecord(userID: $0, name: "成员" + $0, departments: [1]) }
        _ = try await directory.replaceMembers(
            corpID: corpID, departments: [DepartmentRecord(departmentID: 1, name: "总部", parentID: 0)], members: members, now: Date()
        )
    }
}
