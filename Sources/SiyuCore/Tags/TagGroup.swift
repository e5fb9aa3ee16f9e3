import Foundation

/// An enterprise tag (企业标签), mirrored from WeCom.
public struct Tag: Codable, Sendable, Equatable {
    public var tagID: String
    public var name: String
    public var order: Int

    enum CodingKeys: String, CodingKey { case tagID = "tag_id", name, order }

    public init(tagID: String, name: String, order: Int = 0) {
        self.tagID = tagID
        self.name = name
        self.order = order
    }
}

/// A group of enterprise tags.
public struct TagGroup: Codable, Sendable, Equatable {
    public var groupID: String
    public var name: String
    public var order: Int
    public var tags: [Tag]

    enum CodingKeys: String, CodingKey { case groupID = "group_id", name, order, tags }

    public init(groupID: String, name: String, order: Int = 0, tags: [Tag]) {
        self.groupID = groupID
        self.name = name
        self.order = order
        self.tags = tags
    }

    public static func validateName(_ name: String, field: String) throws(ValidationError) {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty, trimmed.count <= 30 else {
            throw ValidationError(field: field, message: "tag and group names are 1 to 30 characters")
        }
    }
}

/// A member of the enterprise (成员), mirrored from WeCom.
public struct MemberRecord: Codable, Sendable, Equatable {
    public var userID: String
    public var name: String
    public var departments: [Int]

    enum CodingKeys: String, CodingKey { case userID = "userid", name, departments }

    public init(userID: String, name: String, departments: [Int]) {
        self.userID = userID
        self.name = name
        self.departments = departments
    }
}

/// A department, mirrored from WeCom.
public struct DepartmentRecord: Codable, Sendable, Equatable {
    public var departmentID: Int
    public var name: String
    public var parentID: Int

    enum CodingKeys: String, CodingKey { case departmentID = "department_id", name, parentID = "parent_id" }

    public init(departmentID: Int, name: String, parentID: Int) {
        self.departmentID = departmentID
        self.name = name
        self.parentID = parentID
    }
}
