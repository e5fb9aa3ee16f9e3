/// A customer's custom fields (生日, 城市, …): the one rule for their names and values, used by
/// the API, the CSV import and the console.
public enum CustomFields {
    public static let nameLength = 1...40
    public static let maxValueLength = 500

    public static func validate(_ fields: [String: String]) throws(ValidationError) {
        for (name, value) in fields {
            guard nameLength.contains(name.count) else {
                throw ValidationError(field: "custom_fields", message: "field names are \(nameLength.lowerBound) to \(nameLength.upperBound) characters")
            }
            guard value.count <= maxValueLength else {
                throw ValidationError(field: "custom_fields", message: "\(name) is longer than \(maxValueLength) characters")
            }
        }
    }
}
