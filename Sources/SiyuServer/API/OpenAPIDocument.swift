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
        }
      }
    }
    """#
}
