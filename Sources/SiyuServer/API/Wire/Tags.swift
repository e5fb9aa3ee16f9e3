extension Wire {
    /// The body of `POST /api/v1/tag_groups`.
    struct TagGroupCreate: Decodable { var name: String; var tags: [String]; var order: Int? }
    /// The body of `POST /api/v1/tag_groups/{group_id}/tags`.
    struct TagCreate: Decodable { var name: String; var order: Int? }
    /// The body of `PATCH /api/v1/tag_groups/{group_id}` and `PATCH /api/v1/tags/{tag_id}`.
    struct TagRename: Decodable { var name: String?; var order: Int? }
}
