/// The OpenAPI 3.1 description of the REST API, served at `/api/v1/openapi.json`.
///
/// A test compares it with the router: a route missing here fails the build's tests.
enum OpenAPIDocument {
    static let json = #"""
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
              "code": {"type": "string", "examples": ["unauthorized", "forbidden", "not_found", "duplicate", "invalid", "bad_request", "too_large"]},
              "message": {"type": "string"},
              "field": {"type": "string", "description": "the request field at fault, for validation errors"}
            }}}
          },
          "Corp": {
            "type": "object", "required": ["corp_id", "name", "settings", "created_at", "updated_at"],
            "properties": {
              "corp_id": {"type": "string"}, "name": {"type": "string"},
              "settings": {"type": "object", "additionalProperties": {"type": "string"}},
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
          "CorpUpdate": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "settings": {"type": "object", "additionalProperties": {"type": "string"}, "description": "merged into the current settings"}}
          },
          "APIKey": {
            "type": "object", "required": ["key_id", "corp_id", "label", "created_at"],
            "properties": {
              "key_id": {"type": "string"}, "corp_id": {"type": "string"}, "label": {"type": "string"},
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
              "detail": {"type": "object", "additionalProperties": {"type": "string"}}
            }
          },
          "WebhookEventType": {"type": "string", "enum": ["customer.added", "customer.updated", "customer.lost", "customer.deleted", "customer.tagged", "customer.untagged", "customer.welcomed", "channel.created", "channel.updated", "channel.deleted", "tag.created", "tag.updated", "tag.deleted"], "description": "customer.lost: the customer deleted the member; customer.deleted: the member deleted the customer"},
          "Webhook": {
            "type": "object", "required": ["webhook_id", "url", "event_types", "active", "created_at", "updated_at"],
            "description": "An outbound webhook. Siyu POSTs each subscribed event as JSON {\"id\", \"type\", \"corp_id\", \"created_at\", \"data\"} with the headers Content-Type: application/json, X-Siyu-Event (the event type), X-Siyu-Delivery (the delivery id, the same on every retry), X-Siyu-Timestamp (Unix seconds of this attempt) and X-Siyu-Signature: sha256=<lowercase hex of HMAC-SHA256(key: secret, message: \"<X-Siyu-Timestamp>.<raw body>\")>. Verify the signature over the raw body with a constant-time comparison and refuse timestamps older than 5 minutes. Any 2xx within 10 s delivers; anything else is retried with exponential backoff (10 s doubling, at most 1 h apart, 8 attempts), then the delivery is recorded as failed.",
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
              "url": {"type": "string", "format": "uri", "maxLength": 2048, "description": "http or https URL with a host"},
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
              "last_error": {"type": "string"},
              "created_at": {"type": "string", "format": "date-time"}, "delivered_at": {"type": "string", "format": "date-time"}
            }
          },
          "Status": {
            "type": "object", "required": ["status"],
            "properties": {"status": {"type": "string"}, "schema_version": {"type": "integer"}, "database": {"type": "string"}, "reason": {"type": "string"}}
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
          "patch": {"summary": "Rename a corp or merge settings (admin, or a key of this corp)", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CorpUpdate"}}}},
            "responses": {"200": {"description": "the updated corp", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Corp"}}}}, "404": {"$ref": "#/components/responses/Error"}, "422": {"$ref": "#/components/responses/Error"}}}
        },
        "/api/v1/corps/{corp_id}/keys": {
          "parameters": [{"$ref": "#/components/parameters/corp_id"}],
          "post": {"summary": "Create an API key for a corp (admin); the key is shown once", "requestBody": {"required": false, "content": {"application/json": {"schema": {"type": "object", "properties": {"label": {"type": "string", "maxLength": 100}}}}}},
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
