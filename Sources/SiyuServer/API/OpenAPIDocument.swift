import Foundation

/// The OpenAPI 3.1 description of the REST API, served at `/api/v1/openapi.json`.
///
/// A test compares it with the router: a route missing here fails the build's tests.
enum OpenAPIDocument {
    /// The document as served: ``source`` with the answers every authenticated operation can give.
    static let json: String = withCommonResponses(source)

    /// Every operation that needs a credential can answer 401 (none, or not valid); every one that
    /// changes something can answer 403 (a key of scope `read`). Added here once, not per operation.
    static func withCommonResponses(_ source: String) -> String {
        guard var document = (try? JSONSerialization.jsonObject(with: Data(source.utf8))) as? [String: Any],
              var paths = document["paths"] as? [String: Any]
        else { return source }
        let error: [String: Any] = ["$ref": "#/components/responses/Error"]
        for (path, value) in paths {
            guard var item = value as? [String: Any] else { continue }
            for method in ["get", "put", "post", "patch", "delete"] {
                guard var operation = item[method] as? [String: Any] else { continue }
                if let security = operation["security"] as? [Any], security.isEmpty { continue }
                var responses = operation["responses"] as? [String: Any] ?? [:]
                if responses["401"] == nil { responses["401"] = error }
                if method != "get", responses["403"] == nil { responses["403"] = error }
                operation["responses"] = responses
                item[method] = operation
            }
            paths[path] = item
        }
        document["paths"] = paths
        guard let data = try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .withoutEscapingSlashes]) else { return source }
        return String(decoding: data, as: UTF8.self)
    }

    static let source = #"""
    {
      "openapi": "3.1.0",
      "info": {
        "title": "Siyu API",
        "version": "1.0.0",
        "description": "Siyu (私域) REST API. Snake_case JSON, cursor pagination (?cursor=&limit=), errors as {\"error\":{\"code\",\"message\"}}. Authenticate with 'Authorization: Bearer <token>': the admin token, or an API key that acts for exactly one corp."
      },
      "servers": [{"url": "/"}],
      "security": [{"bearer": []}],
      "components": {
        "securitySchemes": {
          "bearer": {"type": "http", "scheme": "bearer", "description": "The admin token (SIYU_ADMIN_TOKEN) or a corp API key (sk.<corp_id>.<key_id>.<secret>)"}
        },
        "parameters": {
          "corp_id": {"name": "corp_id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "WeCom corp id (企业ID)"},
          "key_id": {"name": "key_id", "in": "path", "required": true, "schema": {"type": "string"}},
          "channel_id": {"name": "channel_id", "in": "path", "required": true, "schema": {"type": "string"}},
          "group_id": {"name": "group_id", "in": "path", "required": true, "schema": {"type": "string"}},
          "tag_id": {"name": "tag_id", "in": "path", "required": true, "schema": {"type": "string"}},
          "external_userid": {"name": "external_userid", "in": "path", "required": true, "schema": {"type": "string"}},
          "webhook_id": {"name": "webhook_id", "in": "path", "required": true, "schema": {"type": "string"}},
          "cursor": {"name": "cursor", "in": "query", "required": false, "schema": {"type": "string"}, "description": "next_cursor of the previous page"},
          "limit": {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 1000}}
        },
        "responses": {
          "Error": {"description": "An error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        },
        "schemas": {
          "Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
              "code": {"type": "string", "examples": ["unauthorized", "forbidden", "insufficient_scope", "not_found", "duplicate", "invalid", "rejected_by_wecom", "bad_request", "too_large"]},
              "message": {"type": "string"},
              "field": {"type": "string", "description": "the request field at fault, for validation errors"}
            }}}
          },
          "Corp": {
            "type": "object", "required": ["corp_id", "name", "settings", "created_at", "updated_at"],
            "properties": {
              "corp_id": {"type": "string"}, "name": {"type": "string"},
              "settings": {"$ref": "#/components/schemas/CorpSettings"},
              "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}
            }
          },
          "CorpRegistration": {
            "type": "object", "required": ["corp_id", "name", "secret", "token", "aes_key"],
            "properties": {
              "corp_id": {"type": "string", "pattern": "^[A-Za-z0-9]{2,64}$"},
              "name": {"type": "string", "maxLength": 128},
              "secret": {"type": "string", "description": "app secret for gettoken; stored encrypted, never returned"},
              "token": {"type": "string", "pattern": "^[A-Za-z0-9]{1,32}$", "description": "callback token; stored encrypted"},
              "aes_key": {"type": "string", "minLength": 43, "maxLength": 43, "description": "EncodingAESKey; stored encrypted"}
            }
          },
          "CorpSettings": {
            "type": "object", "additionalProperties": false,
            "properties": {
              "wecom_api_base_url": {"type": "string", "format": "uri", "description": "the WeCom API the corp's secret is sent to (http or https; a sandbox's address offline); admin only"}
            }
          },
          "CorpUpdate": {
            "type": "object",
            "description": "Credentials (secret, token, aes_key) and credential settings (wecom_api_base_url) change only with the admin token; a corp key gets 403.",
            "properties": {
              "name": {"type": "string", "maxLength": 128},
              "settings": {"type": "object", "additionalProperties": false, "description": "JSON merge patch: a value sets a setting, null removes it; unknown names are refused (422)",
                "properties": {"wecom_api_base_url": {"type": ["string", "null"]}}},
              "secret": {"type": "string", "description": "a new app secret (admin only); stored encrypted, never returned"},
              "token": {"type": "string", "pattern": "^[A-Za-z0-9]{1,32}$", "description": "a new callback token (admin only)"},
              "aes_key": {"type": "string", "minLength": 43, "maxLength": 43, "description": "a new EncodingAESKey (admin only)"}
            }
          },
          "APIKey": {
            "type": "object", "required": ["key_id", "corp_id", "label", "scope", "created_at"],
            "properties": {
              "key_id": {"type": "string"}, "corp_id": {"type": "string"}, "label": {"type": "string"},
              "scope": {"type": "string", "enum": ["read", "write"], "description": "read: GET routes plus segment counts and campaign previews; write: everything of the corp's own data. No scope changes credentials."},
              "created_at": {"type": "string", "format": "date-time"},
              "revoked_at": {"type": "string", "format": "date-time"},
              "key": {"type": "string", "description": "the full key; present only in the response that creates it"}
            }
          },
          "AuditEntry": {
            "type": "object", "required": ["entry_id", "at", "actor", "action", "target", "detail"],
            "properties": {
              "entry_id": {"type": "string"}, "at": {"type": "string", "format": "date-time"},
              "actor": {"type": "string"}, "action": {"type": "string"}, "target": {"type": "string"},
              "detail": {"type": "object", "additionalProperties": {"type": "string"}},
              "corp_id": {"type": "string", "description": "empty for installation-wide actions"},
              "address": {"type": ["string", "null"], "description": "the client's address; absent for jobs and commands"}
            }
          },
          "WebhookEventType": {"type": "string", "enum": ["customer.added", "customer.updated", "customer.lost", "customer.deleted", "customer.tagged", "customer.untagged", "customer.welcomed", "channel.created", "channel.updated", "channel.deleted", "tag.created", "tag.updated", "tag.deleted"], "description": "customer.lost: the customer deleted the member; customer.deleted: the member deleted the customer"},
          "Webhook": {
            "type": "object", "required": ["webhook_id", "url", "event_types", "active", "created_at", "updated_at"],
            "description": "An outbound webhook. Siyu POSTs each subscribed event as JSON {\"id\", \"type\", \"corp_id\", \"created_at\", \"data\"} with the headers Content-Type: application/json, X-Siyu-Event (the event type), X-Siyu-Delivery (the delivery id, the same on every retry), X-Siyu-Timestamp (Unix seconds of this attempt) and X-Siyu-Signature: sha256=<lowercase hex of HMAC-SHA256(key: secret, message: \"<X-Siyu-Timestamp>.<raw body>\")>. Verify the signature over the raw body with a constant-time comparison and refuse timestamps older than 5 minutes. Any 2xx within 10 s delivers; anything else, a redirect included (redirects are not followed), is retried with exponential backoff (10 s doubling, at most 1 h apart, 8 attempts), then the delivery is recorded as failed. Only public addresses are reached, checked after DNS at every attempt, unless the installation allows a range (SIYU_OUTBOUND_ALLOW).",
            "properties": {
              "webhook_id": {"type": "string"}, "url": {"type": "string", "format": "uri"},
              "event_types": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookEventType"}},
              "active": {"type": "boolean"},
              "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
              "secret": {"type": "string", "description": "the signing secret (whsec_…); present only in the response that registers the webhook"}
            }
          },
          "WebhookRegistration": {
            "type": "object", "required": ["url", "event_types"],
            "properties": {
              "url": {"type": "string", "format": "uri", "maxLength": 2048, "description": "http or https URL with a host; a host that is, or resolves only to, a non-public address (loopback, private, link-local, metadata …) is refused with 422 address_not_allowed unless the installation allows its range"},
              "event_types": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/WebhookEventType"}}
            }
          },
          "WebhookDelivery": {
            "type": "object", "required": ["delivery_id", "webhook_id", "event_type", "state", "attempts", "created_at"],
            "properties": {
              "delivery_id": {"type": "string"}, "webhook_id": {"type": "string"}, "event_type": {"type": "string"},
              "state": {"type": "string", "enum": ["pending", "delivered", "failed"]},
              "attempts": {"type": "integer"},
              "last_status": {"type": "integer", "description": "HTTP status of the last attempt; absent when the receiver could not be reached"},
              "last_error": {"type": "string", "description": "why the last attempt failed, in Siyu's words (never the receiver's answer)"},
              "created_at": {"type": "string", "format": "date-time"}, "delivered_at": {"type": "string", "format": "date-time"}
            }
          },
          "Status": {
            "type": "object", "required": ["status"],
            "properties": {"status": {"type": "string"}, "schema_version": {"type": "integer"}, "database": {"type": "string"}, "reason": {"type": "string"}}
          },
          "Channel": {
            "type": "object", "required": ["channel_id", "name", "state", "settings", "active_members", "created_at", "updated_at"],
            "properties": {
              "channel_id": {"type": "string"}, "name": {"type": "string", "maxLength": 30},
              "state": {"type": "string", "description": "the contact way's state; the add callback carries it back for attribution"},
              "config_id": {"type": "string"}, "qr_code": {"type": "string", "format": "uri"},
              "settings": {"$ref": "#/components/schemas/ChannelSettings"},
              "active_members": {"type": "array", "items": {"type": "string"}, "description": "members on the contact way now, after rotation, caps and schedule"},
              "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}
            }
          },
          "ChannelSettings": {
            "type": "object",
            "properties": {
              "members": {"type": "array", "items": {"type": "string"}, "minItems": 1},
              "backup_members": {"type": "array", "items": {"type": "string"}, "description": "take over when every member reached daily_cap"},
              "strategy": {"type": "string", "enum": ["round_robin", "least_loaded", "schedule"]},
              "daily_cap": {"type": "integer", "minimum": 1, "description": "new customers per member per day"},
              "schedule": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}, "description": "ISO weekday 1-7 -> members on duty"},
              "auto_tag_ids": {"type": "array", "items": {"type": "string"}},
              "skip_verify": {"type": "boolean"},
              "welcome": {"$ref": "#/components/schemas/WelcomeMessage"}
            }
          },
          "WelcomeMessage": {
            "type": "object", "required": ["text"],
            "properties": {
              "text": {"type": "string", "description": "variables: {nickname} / {客户昵称}, {member} / {成员姓名}"},
              "attachments": {"type": "array", "maxItems": 9, "items": {"type": "object", "required": ["type"], "properties": {
                "type": {"type": "string", "enum": ["link", "image", "miniprogram"]}, "title": {"type": "string"}, "url": {"type": "string"},
                "pic_url": {"type": "string"}, "desc": {"type": "string"}, "media_id": {"type": "string"}, "appid": {"type": "string"}, "page": {"type": "string"}}}}
            }
          },
          "ChannelStats": {
            "type": "object",
            "properties": {
              "days": {"type": "array", "items": {"type": "object", "properties": {"day": {"type": "string", "format": "date"}, "adds": {"type": "integer"}, "losses": {"type": "integer"}, "net": {"type": "integer"}}}},
              "member_adds": {"type": "object", "additionalProperties": {"type": "integer"}},
              "total_adds": {"type": "integer"}, "total_losses": {"type": "integer"}
            }
          },
          "TagGroups": {
            "type": "object",
            "properties": {"tag_groups": {"type": "array", "items": {"type": "object", "properties": {
              "group_id": {"type": "string"}, "name": {"type": "string"}, "order": {"type": "integer"},
              "tags": {"type": "array", "items": {"type": "object", "properties": {"tag_id": {"type": "string"}, "name": {"type": "string"}, "order": {"type": "integer"}}}}}}}}
          },
          "CampaignCounts": {
            "type": "object",
            "properties": {
              "recipients": {"type": "integer"}, "reached": {"type": "integer", "description": "delivered by the platform"},
              "pending": {"type": "integer", "description": "planned, or in a member's task not yet sent"},
              "held": {"type": "integer", "description": "waiting for the end of quiet hours"},
              "failed": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "by reason: not_friend, platform_limit, rejected_by_platform, not_selected_by_sender, sender_did_not_send, api_error"},
              "skipped": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "by reason: opted_out, platform_cap, brand_cap, duplicate_recipient, no_member"},
              "cancelled": {"type": "integer"}
            }
          },
          "Campaign": {
            "type": "object",
            "properties": {
              "campaign_id": {"type": "string"}, "name": {"type": "string"},
              "kind": {"type": "string", "enum": ["message", "group_message", "moment"]},
              "audience": {"type": "object", "properties": {
                "segment": {"type": "string"}, "chat_ids": {"type": "array", "items": {"type": "string"}},
                "members": {"type": "array", "items": {"type": "string"}}, "tag_ids": {"type": "array", "items": {"type": "string"}}}},
              "content": {"type": "object", "properties": {"text": {"type": "string"}, "attachments": {"type": "array", "items": {"type": "object"}}}},
              "state": {"type": "string", "enum": ["scheduled", "sending", "finished", "cancelled"]},
              "send_at": {"type": "string", "format": "date-time"}, "deadline_at": {"type": "string", "format": "date-time"},
              "created_by": {"type": "string"}, "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"},
              "finished_at": {"type": "string", "format": "date-time"}, "moment_job_id": {"type": "string"}, "moment_id": {"type": "string"}, "last_error": {"type": "string"},
              "results": {"type": "object", "properties": {
                "totals": {"$ref": "#/components/schemas/CampaignCounts"}, "final": {"type": "boolean"},
                "senders": {"type": "array", "items": {"type": "object", "properties": {"userid": {"type": "string"}, "counts": {"$ref": "#/components/schemas/CampaignCounts"}}}}}},
              "tasks": {"type": "array", "items": {"type": "object", "properties": {
                "msgid": {"type": "string"}, "sender": {"type": "string"}, "recipients": {"type": "integer"},
                "state": {"type": "string", "enum": ["pending", "sent", "cancelled", "expired"]},
                "reminders": {"type": "array", "items": {"type": "string", "format": "date-time"}}}}}
            }
          },
          "ContactPolicy": {
            "type": "object",
            "properties": {
              "platform_rule": {"type": "string", "enum": ["days_in_month", "7_per_week", "1_per_day", "4_per_month"]},
              "utc_offset_seconds": {"type": "integer", "default": 28800},
              "brand_cap": {"type": "object", "properties": {"max_touches": {"type": "integer"}, "days": {"type": "integer", "minimum": 1, "maximum": 90}}},
              "quiet_hours": {"type": "object", "properties": {"start_minute": {"type": "integer"}, "end_minute": {"type": "integer"}}},
              "opt_out_tag_ids": {"type": "array", "items": {"type": "string"}}
            }
          },
          "Segment": {
            "type": "object",
            "properties": {"segment_id": {"type": "string"}, "name": {"type": "string"}, "expression": {"type": "string"}, "count": {"type": "integer"},
              "created_at": {"type": "string", "format": "date-time"}, "updated_at": {"type": "string", "format": "date-time"}}
          },
          "OrderReport": {
            "type": "object",
            "properties": {"inserted": {"type": "integer"}, "updated": {"type": "integer"}, "rejected": {"type": "array", "items": {"type": "object", "properties": {
              "index": {"type": "integer", "description": "position in the request, or the CSV line"}, "order_id": {"type": "string"}, "field": {"type": "string"}, "error": {"type": "string"}}}}}
          },
          "CustomerSummary": {
            "type": "object",
            "properties": {
              "external_userid": {"type": "string"}, "name": {"type": "string"}, "avatar": {"type": "string"}, "gender": {"type": "integer"},
              "first_added_at": {"type": "string", "format": "date-time"}, "status": {"type": "string", "enum": ["active", "lost", "deleted"]},
              "members": {"type": "array", "items": {"type": "string"}}, "channel_ids": {"type": "array", "items": {"type": "string"}},
              "tag_ids": {"type": "array", "items": {"type": "string"}},
              "custom_fields": {"type": "object", "additionalProperties": {"type": "string"}}
            }
          },
          "CustomerProfile": {
            "type": "object",
            "properties": {
              "external_userid": {"type": "string"}, "name": {"type": "string"}, "avatar": {"type": "string"}, "type": {"type": "integer"},
              "gender": {"type": "integer"}, "unionid": {"type": "string"}, "corp_name": {"type": "string"},
              "first_added_at": {"type": "string", "format": "date-time"},
              "custom_fields": {"type": "object", "additionalProperties": {"type": "string"}},
              "relations": {"type": "array", "items": {"type": "object", "properties": {
                "userid": {"type": "string"}, "remark": {"type": "string"}, "state": {"type": "string"}, "channel_id": {"type": "string"},
                "add_way": {"type": "integer"}, "status": {"type": "string", "enum": ["active", "lost", "deleted"]},
                "added_at": {"type": "string", "format": "date-time"}, "ended_at": {"type": "string", "format": "date-time"},
                "tag_ids": {"type": "array", "items": {"type": "string"}}}}},
              "timeline": {"type": "array", "items": {"type": "object", "properties": {
                "at": {"type": "string", "format": "date-time"}, "kind": {"type": "string", "examples": ["added", "tagged", "untagged", "welcomed", "welcome_failed", "lost", "deleted", "transfer_failed"]},
                "userid": {"type": "string"}, "detail": {"type": "object", "additionalProperties": {"type": "string"}}}}}
            }
          }
        }
      },
      "paths": {
        "/healthz": {"get": {"summary": "Process is up", "security": [], "responses": {"200": {"description": "up", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}}}},
        "/readyz": {"get": {"summary": "Database reachable and migrated", "security": [], "responses": {
          "200": {"description": "ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}},
          "503": {"description": "not ready, with the reason", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}}}}},
        "/metrics": {"get": {"summary": "Prometheus metrics", "security": [], "responses": {"200": {"description": "text exposition format", "content": {"text/plain": {"schema": {"type": "string"}}}}}}},
        "/api/v1/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {"200": {"description": "OpenAPI 3.1"}}}},
        "/api/v1/corps": {
          "post": {"summary": "Register a corp (admin)", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CorpRegistration"}}}},
            "responses": {"201": {"description": "registered", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Corp"}}}},
              "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}},
          "get": {"summary": "List corps (admin)", "parameters": [{"$ref": "#/components/parameters/cursor"}, {"$ref": "#/components/parameters/limit"}],
            "responses": {"200": {"description": "a page of corps", "content": {"application/json": {"schema": {"type": "object", "required": ["corps"], "properties": {
              "corps": {"type": "array", "items": {"$ref": "#/components/schemas/Corp"}}, "next_cursor": {"type": "string"}}}}}},
              "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/corps/{corp_id}": {
          "parameters": [{"$ref": "#/components/parameters/corp_id"}],
          "get": {"summary": "One corp (admin, or a key of this corp)", "responses": {"200": {"description": "the corp", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Corp"}}}}, "404": {"$ref": "#/components/responses/Error"}}},
          "patch": {"summary": "Rename a corp (admin, or a write key of this corp); change its settings or credentials (admin only)", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CorpUpdate"}}}},
            "responses": {"200": {"description": "the updated corp", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Corp"}}}}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/corps/{corp_id}/keys": {
          "parameters": [{"$ref": "#/components/parameters/corp_id"}],
          "post": {"summary": "Create an API key for a corp (admin); the key is shown once", "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"label": {"type": "string", "maxLength": 100}, "scope": {"type": "string", "enum": ["read", "write"], "default": "write"}}}}}},
            "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/APIKey"}}}}, "404": {"$ref": "#/components/responses/Error"}}},
          "get": {"summary": "List a corp's keys without secrets (admin, or a key of this corp)", "responses": {"200": {"description": "keys", "content": {"application/json": {"schema": {"type": "object", "required": ["keys"], "properties": {"keys": {"type": "array", "items": {"$ref": "#/components/schemas/APIKey"}}}}}}}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/corps/{corp_id}/keys/{key_id}": {
          "parameters": [{"$ref": "#/components/parameters/corp_id"}, {"$ref": "#/components/parameters/key_id"}],
          "delete": {"summary": "Revoke a key (admin)", "responses": {"204": {"description": "revoked"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/corps/{corp_id}/audit": {
          "parameters": [{"$ref": "#/components/parameters/corp_id"}, {"$ref": "#/components/parameters/limit"}],
          "get": {"summary": "Newest audit entries of a corp (admin, or a key of this corp)", "responses": {"200": {"description": "entries", "content": {"application/json": {"schema": {"type": "object", "required": ["entries"], "properties": {"entries": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}}}}}}}}}
        },
        "/api/v1/audit": {
          "get": {"summary": "The installation's audit log, newest first (admin token only; corp keys get 403)",
            "parameters": [{"$ref": "#/components/parameters/cursor"}, {"$ref": "#/components/parameters/limit"},
              {"name": "corp_id", "in": "query", "required": false, "schema": {"type": "string"}},
              {"name": "actor", "in": "query", "required": false, "schema": {"type": "string"}, "description": "admin, key:<corp_id>/<key_id>, console:<username>, cli, system"},
              {"name": "action", "in": "query", "required": false, "schema": {"type": "string"}, "description": "e.g. corp.register, or http POST /api/v1/corps/{corp_id}/keys"},
              {"name": "since", "in": "query", "required": false, "schema": {"type": "string", "format": "date-time"}, "description": "inclusive"},
              {"name": "until", "in": "query", "required": false, "schema": {"type": "string", "format": "date-time"}, "description": "exclusive"}],
            "responses": {"200": {"description": "a page of entries", "content": {"application/json": {"schema": {"type": "object", "required": ["entries"], "properties": {
                "entries": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntry"}}, "next_cursor": {"type": "string"}}}}}},
              "400": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}
        },
        "/callback/wecom/{corp_id}": {
          "parameters": [{"$ref": "#/components/parameters/corp_id"},
            {"name": "msg_signature", "in": "query", "required": true, "schema": {"type": "string"}},
            {"name": "timestamp", "in": "query", "required": true, "schema": {"type": "string"}},
            {"name": "nonce", "in": "query", "required": true, "schema": {"type": "string"}}],
          "get": {"summary": "WeCom URL verification: answers the decrypted echostr", "security": [],
            "parameters": [{"name": "echostr", "in": "query", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "the plaintext echostr", "content": {"text/plain": {"schema": {"type": "string"}}}}, "403": {"$ref": "#/components/responses/Error"}}},
          "post": {"summary": "WeCom event delivery: verified, decrypted, stored durably, then 200 with an empty body", "security": [],
            "requestBody": {"required": true, "content": {"text/xml": {"schema": {"type": "string"}}, "application/json": {"schema": {"type": "object"}}}},
            "responses": {"200": {"description": "stored (or a duplicate, absorbed)"}, "400": {"$ref": "#/components/responses/Error"},
              "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}, "413": {"$ref": "#/components/responses/Error"},
              "503": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/channels": {
          "post": {"summary": "Create a channel code (creates the WeCom contact way)", "requestBody": {"required": true, "content": {"application/json": {"schema": {
              "allOf": [{"$ref": "#/components/schemas/ChannelSettings"}, {"type": "object", "required": ["name", "members"], "properties": {"name": {"type": "string"}}}]}}}},
            "responses": {"201": {"description": "created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Channel"}}}}, "422": {"$ref": "#/components/responses/Error"}, "502": {"$ref": "#/components/responses/Error"}}},
          "get": {"summary": "Channel codes of the key's corp", "responses": {"200": {"description": "channels", "content": {"application/json": {"schema": {"type": "object", "properties": {"channels": {"type": "array", "items": {"$ref": "#/components/schemas/Channel"}}}}}}}}}
        },
        "/api/v1/channels/{channel_id}": {
          "parameters": [{"$ref": "#/components/parameters/channel_id"}],
          "get": {"summary": "One channel code", "responses": {"200": {"description": "the channel", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Channel"}}}}, "404": {"$ref": "#/components/responses/Error"}}},
          "patch": {"summary": "Edit a channel code (updates the contact way); clear_daily_cap and clear_welcome remove those settings",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"allOf": [{"$ref": "#/components/schemas/ChannelSettings"},
              {"type": "object", "properties": {"name": {"type": "string"}, "clear_daily_cap": {"type": "boolean"}, "clear_welcome": {"type": "boolean"}}}]}}}},
            "responses": {"200": {"description": "the channel", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Channel"}}}}, "404": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}},
          "delete": {"summary": "Delete a channel code (deletes the contact way; history stays attributed)", "responses": {"204": {"description": "deleted"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/channels/{channel_id}/stats": {
          "parameters": [{"$ref": "#/components/parameters/channel_id"},
            {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}}, {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}}],
          "get": {"summary": "Adds, losses and net growth per day (China time), and each member's share", "responses": {"200": {"description": "statistics", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChannelStats"}}}}}}
        },
        "/api/v1/tag_groups": {
          "get": {"summary": "Enterprise tags, mirrored from WeCom", "responses": {"200": {"description": "tag groups", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TagGroups"}}}}}},
          "post": {"summary": "Create a tag group with tags on WeCom, then mirror", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name", "tags"], "properties": {
              "name": {"type": "string", "maxLength": 30}, "tags": {"type": "array", "items": {"type": "string"}}, "order": {"type": "integer"}}}}}},
            "responses": {"201": {"description": "all tag groups", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TagGroups"}}}}, "422": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/tag_groups/{group_id}": {
          "parameters": [{"$ref": "#/components/parameters/group_id"}],
          "patch": {"summary": "Rename or reorder a group", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"name": {"type": "string"}, "order": {"type": "integer"}}}}}},
            "responses": {"200": {"description": "all tag groups", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TagGroups"}}}}, "404": {"$ref": "#/components/responses/Error"}}},
          "delete": {"summary": "Delete a group and its tags (on customers too)", "responses": {"204": {"description": "deleted"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/tag_groups/{group_id}/tags": {
          "parameters": [{"$ref": "#/components/parameters/group_id"}],
          "post": {"summary": "Add a tag to a group", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "order": {"type": "integer"}}}}}},
            "responses": {"201": {"description": "all tag groups", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TagGroups"}}}}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/tags/{tag_id}": {
          "parameters": [{"$ref": "#/components/parameters/tag_id"}],
          "patch": {"summary": "Rename or reorder a tag", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"name": {"type": "string"}, "order": {"type": "integer"}}}}}},
            "responses": {"200": {"description": "all tag groups", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TagGroups"}}}}, "404": {"$ref": "#/components/responses/Error"}}},
          "delete": {"summary": "Delete a tag (and remove it from customers)", "responses": {"204": {"description": "deleted"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/customers": {
          "get": {"summary": "Customers, filtered and searched, by cursor",
            "parameters": [{"$ref": "#/components/parameters/cursor"}, {"$ref": "#/components/parameters/limit"},
              {"name": "tag", "in": "query", "schema": {"type": "string"}, "description": "tag ids, comma-separated (any)"},
              {"name": "channel", "in": "query", "schema": {"type": "string"}}, {"name": "member", "in": "query", "schema": {"type": "string"}},
              {"name": "department", "in": "query", "schema": {"type": "integer"}},
              {"name": "added_after", "in": "query", "schema": {"type": "string"}}, {"name": "added_before", "in": "query", "schema": {"type": "string"}},
              {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["active", "lost", "deleted"]}},
              {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "keyword in name or remark"}],
            "responses": {"200": {"description": "a page", "content": {"application/json": {"schema": {"type": "object", "properties": {
              "customers": {"type": "array", "items": {"$ref": "#/components/schemas/CustomerSummary"}}, "next_cursor": {"type": "string"}}}}}}, "400": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/customers/{external_userid}": {
          "parameters": [{"$ref": "#/components/parameters/external_userid"}],
          "get": {"summary": "One customer: relations, tags, custom fields, timeline", "responses": {"200": {"description": "the profile", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerProfile"}}}}, "404": {"$ref": "#/components/responses/Error"}}},
          "patch": {"summary": "Set custom fields (merged; an empty value removes a field)", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["custom_fields"], "properties": {"custom_fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}}},
            "responses": {"200": {"description": "the profile", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerProfile"}}}}, "404": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/customer_tags": {
          "post": {"summary": "Tag and untag customers in bulk (mark_tag on every active relation)", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["external_userids"], "properties": {
              "external_userids": {"type": "array", "items": {"type": "string"}, "maxItems": 1000}, "add": {"type": "array", "items": {"type": "string"}}, "remove": {"type": "array", "items": {"type": "string"}}}}}}},
            "responses": {"200": {"description": "per-customer outcome", "content": {"application/json": {"schema": {"type": "object", "properties": {"results": {"type": "array", "items": {"type": "object", "properties": {
              "external_userid": {"type": "string"}, "ok": {"type": "boolean"}, "relations": {"type": "integer"}, "error": {"type": "string"}}}}}}}}}, "422": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/lost_customers": {
          "get": {"summary": "Customers who deleted a member, newest first", "parameters": [{"name": "since", "in": "query", "schema": {"type": "string"}}, {"$ref": "#/components/parameters/limit"}],
            "responses": {"200": {"description": "lost relations", "content": {"application/json": {"schema": {"type": "object", "properties": {"lost": {"type": "array", "items": {"type": "object", "properties": {
              "external_userid": {"type": "string"}, "name": {"type": "string"}, "userid": {"type": "string"}, "channel_id": {"type": "string"},
              "added_at": {"type": "string", "format": "date-time"}, "lost_at": {"type": "string", "format": "date-time"}}}}}}}}}}}
        },
        "/api/v1/orders": {
          "post": {"summary": "Add or update up to 1,000 orders (an order_id seen again is updated); invalid ones are reported by index",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["orders"], "properties": {"orders": {"type": "array", "maxItems": 1000, "items": {
              "type": "object", "required": ["order_id", "external_userid", "amount", "ordered_at"], "properties": {
                "order_id": {"type": "string"}, "external_userid": {"type": "string"},
                "amount": {"type": ["string", "number"], "description": "yuan with at most two decimals, e.g. \"199.00\""},
                "currency": {"type": "string", "default": "CNY"}, "status": {"type": "string", "enum": ["pending", "paid", "refunded", "cancelled"], "default": "paid"},
                "ordered_at": {"type": "string", "format": "date-time"}}}}}}}}},
            "responses": {"200": {"description": "what was stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderReport"}}}}, "422": {"$ref": "#/components/responses/Error"}}},
          "get": {"summary": "The newest orders, optionally of one customer", "parameters": [{"name": "customer", "in": "query", "schema": {"type": "string"}}, {"$ref": "#/components/parameters/limit"}],
            "responses": {"200": {"description": "orders", "content": {"application/json": {"schema": {"type": "object", "properties": {"orders": {"type": "array", "items": {"type": "object", "properties": {
              "order_id": {"type": "string"}, "external_userid": {"type": "string"}, "amount": {"type": "string"}, "amount_fen": {"type": "integer"},
              "currency": {"type": "string"}, "status": {"type": "string"}, "ordered_at": {"type": "string", "format": "date-time"}}}}}}}}}}}
        },
        "/api/v1/imports/orders": {
          "post": {"summary": "Orders as CSV: order_id, external_userid, amount (yuan), currency, status, ordered_at (ISO 8601)",
            "requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string"}}}},
            "responses": {"200": {"description": "what was stored, and each rejected row with its reason", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrderReport"}}}}, "400": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/segments/count": {
          "post": {"summary": "Count an audience exactly, e.g. `tag \"VIP\" and (channel in (\"门店\") or orders count >= 2) and not tag \"已退订\" and added within 30 days`",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["expression"], "properties": {"expression": {"type": "string", "maxLength": 10000}}}}}},
            "responses": {"200": {"description": "the count", "content": {"application/json": {"schema": {"type": "object", "properties": {
              "count": {"type": "integer"}, "expression": {"type": "string", "description": "canonical form"}, "sample": {"type": "array", "items": {"type": "string"}}}}}}},
              "422": {"description": "the expression is invalid; error.position gives offset, line and column", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}}}
        },
        "/api/v1/segments": {
          "get": {"summary": "Saved segments", "responses": {"200": {"description": "segments", "content": {"application/json": {"schema": {"type": "object", "properties": {"segments": {"type": "array", "items": {"$ref": "#/components/schemas/Segment"}}}}}}}}},
          "post": {"summary": "Save a named segment (validated; stored in canonical form)", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name", "expression"], "properties": {"name": {"type": "string", "maxLength": 60}, "expression": {"type": "string"}}}}}},
            "responses": {"201": {"description": "saved, with its count now", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Segment"}}}}, "409": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/segments/{segment_id}": {
          "parameters": [{"name": "segment_id", "in": "path", "required": true, "schema": {"type": "string"}}],
          "get": {"summary": "A saved segment with its count now", "responses": {"200": {"description": "the segment", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Segment"}}}}, "404": {"$ref": "#/components/responses/Error"}}},
          "patch": {"summary": "Rename or change a saved segment", "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "properties": {"name": {"type": "string"}, "expression": {"type": "string"}}}}}},
            "responses": {"200": {"description": "the segment", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Segment"}}}}, "404": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}},
          "delete": {"summary": "Delete a saved segment", "responses": {"204": {"description": "deleted"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/contact_policy": {
          "get": {"summary": "The corp's contact budget policy (defaults until set)", "responses": {"200": {"description": "the policy", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ContactPolicy"}}}}}},
          "put": {"summary": "Set the contact budget policy", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ContactPolicy"}}}},
            "responses": {"200": {"description": "the policy", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ContactPolicy"}}}}, "422": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/campaigns/preview": {
          "post": {"summary": "Preview a campaign: the audience, who would be sent, held (quiet hours) or skipped and why, and the senders; nothing is reserved",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["audience"], "properties": {
              "audience": {"type": "string", "description": "a segment expression"},
              "channel": {"type": "string", "enum": ["mass_message", "group_mass_message", "moment", "sop", "broadcast"], "default": "mass_message"},
              "send_at": {"type": "string", "format": "date-time"}}}}}},
            "responses": {"200": {"description": "the preview", "content": {"application/json": {"schema": {"type": "object", "properties": {
              "audience": {"type": "integer"}, "send": {"type": "integer"},
              "hold": {"type": "object", "additionalProperties": {"type": "integer"}}, "skip": {"type": "object", "additionalProperties": {"type": "integer"}, "description": "opted_out, platform_cap, brand_cap, duplicate_recipient, no_member"},
              "senders": {"type": "object", "additionalProperties": {"type": "integer"}}, "calls": {"type": "integer"},
              "send_at": {"type": "string", "format": "date-time"}, "expression": {"type": "string"}}}}}},
              "422": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/campaigns": {
          "post": {"summary": "Create a campaign: a mass message to a segment's customers (kind message), to customer groups (group_message: audience.chat_ids or the groups of audience.members) or a moment (moment: audience.members post it, audience.tag_ids see it). Message and group recipients are planned against the contact budget at once and reserved; the platform tasks are created at send_at.",
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object", "required": ["name"], "properties": {
              "name": {"type": "string", "maxLength": 80}, "kind": {"type": "string", "enum": ["message", "group_message", "moment"], "default": "message"},
              "audience": {"type": "object", "properties": {"segment": {"type": "string"}, "chat_ids": {"type": "array", "items": {"type": "string"}},
                "members": {"type": "array", "items": {"type": "string"}}, "tag_ids": {"type": "array", "items": {"type": "string"}}}},
              "segment_id": {"type": "string", "description": "a saved segment instead of audience.segment"},
              "text": {"type": "string", "description": "at most 4,000 bytes"},
              "attachments": {"type": "array", "maxItems": 9, "items": {"type": "object", "description": "WeCom's attachment: msgtype plus an object under that name (image, link, miniprogram, video, file)"}},
              "send_at": {"type": "string", "format": "date-time", "description": "default now"},
              "deadline_hours": {"type": "integer", "minimum": 1, "maximum": 720, "default": 72, "description": "tasks a member has not sent by then are cancelled and fail with sender_did_not_send"}}}}}},
            "responses": {"201": {"description": "the campaign and its plan", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Campaign"}}}},
              "400": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}},
          "get": {"summary": "Campaigns, newest first, with their results", "parameters": [
              {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}}, {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "a page", "content": {"application/json": {"schema": {"type": "object", "properties": {
              "items": {"type": "array", "items": {"$ref": "#/components/schemas/Campaign"}}, "next_cursor": {"type": "string"}}}}}}}}
        },
        "/api/v1/campaigns/{id}": {
          "get": {"summary": "One campaign: results (reached, failed and skipped by reason, held, per sender) and its platform tasks",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "the campaign", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Campaign"}}}}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/campaigns/{id}/recipients": {
          "get": {"summary": "Every recipient with its state and reason, in pages",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
              {"name": "state", "in": "query", "schema": {"type": "string", "enum": ["planned", "held", "submitted", "delivered", "failed", "skipped", "cancelled"]}},
              {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 1000}}, {"name": "cursor", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "a page", "content": {"application/json": {"schema": {"type": "object", "properties": {
              "items": {"type": "array", "items": {"type": "object", "properties": {"recipient": {"type": "string"}, "sender": {"type": "string"},
                "state": {"type": "string"}, "reason": {"type": "string"}, "msgid": {"type": "string"}, "send_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"}}}},
              "next_cursor": {"type": "string"}}}}}}, "400": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/campaigns/{id}/cancel": {
          "post": {"summary": "Cancel what has not gone out: planned and held recipients, and members' unsent tasks (cancel_groupmsg_send); what was delivered stays",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "cancelled", "content": {"application/json": {"schema": {"type": "object", "properties": {"campaign_id": {"type": "string"}, "cancelled": {"type": "boolean"}}}}}},
              "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/campaigns/{id}/remind": {
          "post": {"summary": "Remind members with unsent tasks (remind_groupmsg_send), at most 3 times per task in 24 hours",
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "per member: reminded, limit_reached or refused", "content": {"application/json": {"schema": {"type": "object", "properties": {
              "campaign_id": {"type": "string"}, "reminders": {"type": "object", "additionalProperties": {"type": "string"}}}}}}},
              "404": {"$ref": "#/components/responses/Error"}, "409": {"$ref": "#/components/responses/Error"}, "429": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/groups": {
          "get": {"summary": "Customer groups (客户群) as last synced or reported by callbacks, with member and customer counts",
            "parameters": [{"name": "owner", "in": "query", "schema": {"type": "string"}}],
            "responses": {"200": {"description": "groups", "content": {"application/json": {"schema": {"type": "object", "properties": {"items": {"type": "array", "items": {"type": "object", "properties": {
              "chat_id": {"type": "string"}, "name": {"type": "string"}, "owner": {"type": "string"}, "notice": {"type": "string"},
              "members": {"type": "integer"}, "customers": {"type": "integer"}, "created_at": {"type": "string", "format": "date-time"},
              "updated_at": {"type": "string", "format": "date-time"}}}}}}}}}}}
        },
        "/api/v1/sync": {
          "post": {"summary": "Queue a sync with WeCom now: members, departments, tags and every customer; repairs what callbacks missed (also runs daily)",
            "responses": {"202": {"description": "queued", "content": {"application/json": {"schema": {"type": "object", "properties": {"job_id": {"type": "string"}}}}}}}}
        },
        "/api/v1/customer_counts": {
          "get": {"summary": "Customers and relations by status", "responses": {"200": {"description": "counts", "content": {"application/json": {"schema": {"type": "object", "properties": {"counts": {"type": "object", "additionalProperties": {"type": "integer"}}}}}}}}}
        },
        "/api/v1/exports/customers.csv": {
          "get": {"summary": "Customers as CSV (UTF-8 with BOM), with the list's filters", "responses": {"200": {"description": "CSV", "content": {"text/csv": {"schema": {"type": "string"}}}}}}
        },
        "/api/v1/imports/customers": {
          "post": {"summary": "Tags (by name, ';'-separated, column 'tags') and custom fields (columns 'field:<name>') for existing customers (column 'external_userid')",
            "requestBody": {"required": true, "content": {"text/csv": {"schema": {"type": "string"}}}},
            "responses": {"200": {"description": "a report per row", "content": {"application/json": {"schema": {"type": "object", "properties": {
              "imported": {"type": "integer"}, "failed": {"type": "integer"}, "rows": {"type": "array", "items": {"type": "object", "properties": {
                "row": {"type": "integer"}, "external_userid": {"type": "string"}, "ok": {"type": "boolean"}, "error": {"type": "string"}}}}}}}}}, "400": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/webhooks": {
          "post": {"summary": "Register a webhook for the key's corp (corp key only); the secret is shown once", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/WebhookRegistration"}}}},
            "responses": {"201": {"description": "registered, with its secret", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Webhook"}}}},
              "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}},
          "get": {"summary": "The key's corp's webhooks, without secrets (corp key only)", "responses": {"200": {"description": "webhooks", "content": {"application/json": {"schema": {"type": "object", "required": ["webhooks"], "properties": {"webhooks": {"type": "array", "items": {"$ref": "#/components/schemas/Webhook"}}}}}}},
            "401": {"$ref": "#/components/responses/Error"}, "403": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/webhooks/{webhook_id}": {
          "parameters": [{"$ref": "#/components/parameters/webhook_id"}],
          "delete": {"summary": "Delete a webhook and its delivery log (corp key only)", "responses": {"204": {"description": "deleted"}, "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/webhooks/{webhook_id}/deliveries": {
          "parameters": [{"$ref": "#/components/parameters/webhook_id"}, {"$ref": "#/components/parameters/limit"}],
          "get": {"summary": "Newest deliveries of a webhook, newest first (corp key only)", "responses": {"200": {"description": "deliveries", "content": {"application/json": {"schema": {"type": "object", "required": ["deliveries"], "properties": {"deliveries": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookDelivery"}}}}}}},
            "403": {"$ref": "#/components/responses/Error"}, "404": {"$ref": "#/components/responses/Error"}}}
        }
      }
    }
    """#
}
