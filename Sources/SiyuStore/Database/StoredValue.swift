import SQLKit

extension SQLRow {
    /// A column holding an enum's raw value. A value no case knows is a migration bug: it throws
    /// `corrupt_row` naming the column and the value, and never decodes to a default.
    func decodeStored<Value: RawRepresentable>(column: String, as type: Value.Type) throws -> Value where Value.RawValue == String {
        let raw = try decode(column: column, as: String.self)
        guard let value = Value(rawValue: raw) else {
            throw StoreError(.corruptRow, "\(column) holds \"\(raw)\", which this build's \(Value.self) does not know")
        }
        return value
    }
}
