//! Feishu's error codes, with the HTTP status and the English description each one is answered with.
//!
//! The token endpoint's codes and descriptions are copied from the error table of
//! `get-user-access-token.md`. The refresh-only codes (20026, 20037, 20064, 20073, 20074) are listed on
//! the refresh page without an English description in our spec, so theirs are written in the table's
//! style. The `error` strings other than `server_error` are not documented either: they are the
//! RFC 6749 names that fit, and clients must key on `code` anyway. 20029 is the authorize page's
//! "redirect_uri not registered"; the 9999xxxx codes are the gateway's answers for user tokens.

use axum::http::StatusCode;
use serde_json::{json, Value};

/// A Feishu error code (`code` in the response body).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ErrorCode(pub(crate) u32);

/// One row of the table.
struct Entry {
    code: u32,
    status: u16,
    error: &'static str,
    description: &'static str,
}

const TABLE: &[Entry] = &[
    entry(20001, 400, "invalid_request", "The request is missing a required parameter."),
    entry(20002, 400, "invalid_client", "The client secret is invalid."),
    entry(
        20003,
        400,
        "invalid_grant",
        "The authorization code is not found. Please note that an authorization code can only be used once.",
    ),
    entry(20004, 400, "invalid_grant", "The authorization code has expired."),
    entry(20008, 400, "invalid_grant", "The user does not exist."),
    entry(20009, 400, "unauthorized_client", "The specified app is not installed."),
    entry(
        20010,
        400,
        "unauthorized_client",
        "The user does not have permission to use this app.",
    ),
    entry(
        20024,
        400,
        "invalid_grant",
        "The provided authorization code or refresh token does not match the provided client ID.",
    ),
    entry(
        20026,
        400,
        "invalid_grant",
        "The refresh token is invalid. Please note that only refresh tokens issued by the v2 token endpoint are accepted.",
    ),
    entry(
        20029,
        400,
        "invalid_request",
        "The redirect URI is not registered for this app.",
    ),
    entry(20036, 400, "unsupported_grant_type", "The specified grant_type is not supported."),
    entry(20037, 400, "invalid_grant", "The refresh token has expired."),
    entry(20048, 400, "invalid_client", "The specified app does not exist."),
    entry(20049, 400, "invalid_grant", "PKCE code challenge failed."),
    entry(
        20050,
        500,
        "server_error",
        "An unexpected server error occurred. Please retry your request.",
    ),
    entry(20063, 400, "invalid_request", "The request is malformed. Please check your request."),
    entry(20064, 400, "invalid_grant", "The refresh token has been revoked."),
    entry(
        20065,
        400,
        "invalid_grant",
        "The authorization code has been used. Please note that an authorization code can only be used once.",
    ),
    entry(20066, 400, "invalid_grant", "The user status is invalid."),
    entry(
        20067,
        400,
        "invalid_scope",
        "The provided scope list contains duplicate scopes. Please ensure all scopes are unique.",
    ),
    entry(
        20068,
        400,
        "invalid_scope",
        "The provided scope list contains scopes that are not permitted. Please ensure all scopes are allowed.",
    ),
    entry(20069, 400, "unauthorized_client", "The specified app is not enabled."),
    entry(
        20070,
        400,
        "invalid_client",
        "Multiple authentication methods were provided. Please only use one to proceed.",
    ),
    entry(
        20071,
        400,
        "invalid_grant",
        "The provided redirect URI does not match the one used during authorization.",
    ),
    entry(
        20072,
        503,
        "temporarily_unavailable",
        "The server is temporarily unavailable. Please retry your request.",
    ),
    entry(
        20073,
        400,
        "invalid_grant",
        "The refresh token has been used. Please note that a refresh token can only be used once.",
    ),
    entry(
        20074,
        400,
        "unauthorized_client",
        "Refreshing user access tokens is disabled in the app's security settings.",
    ),
    entry(
        99_991_668,
        401,
        "invalid_token",
        "Invalid access token for authorization. Please make a request with token attached.",
    ),
    entry(99_991_677, 401, "invalid_token", "Authentication token expired."),
    entry(
        99_991_679,
        403,
        "insufficient_scope",
        "Unauthorized. You do not have permission to perform the requested operation on the resource. Please request user re-authorization and try again.",
    ),
];

const fn entry(code: u32, status: u16, error: &'static str, description: &'static str) -> Entry {
    Entry {
        code,
        status,
        error,
        description,
    }
}

impl ErrorCode {
    pub(crate) const MISSING_PARAMETER: Self = Self(20001);
    pub(crate) const INVALID_CLIENT_SECRET: Self = Self(20002);
    pub(crate) const CODE_NOT_FOUND: Self = Self(20003);
    pub(crate) const CODE_EXPIRED: Self = Self(20004);
    pub(crate) const CLIENT_MISMATCH: Self = Self(20024);
    pub(crate) const REFRESH_TOKEN_INVALID: Self = Self(20026);
    pub(crate) const REDIRECT_URI_NOT_REGISTERED: Self = Self(20029);
    pub(crate) const UNSUPPORTED_GRANT_TYPE: Self = Self(20036);
    pub(crate) const REFRESH_TOKEN_EXPIRED: Self = Self(20037);
    pub(crate) const APP_NOT_FOUND: Self = Self(20048);
    pub(crate) const PKCE_FAILED: Self = Self(20049);
    pub(crate) const SERVER_ERROR: Self = Self(20050);
    pub(crate) const MALFORMED_REQUEST: Self = Self(20063);
    pub(crate) const REFRESH_TOKEN_REVOKED: Self = Self(20064);
    pub(crate) const CODE_USED: Self = Self(20065);
    pub(crate) const DUPLICATE_SCOPES: Self = Self(20067);
    pub(crate) const SCOPE_NOT_PERMITTED: Self = Self(20068);
    pub(crate) const MULTIPLE_AUTH_METHODS: Self = Self(20070);
    pub(crate) const REDIRECT_URI_MISMATCH: Self = Self(20071);
    pub(crate) const REFRESH_TOKEN_USED: Self = Self(20073);
    pub(crate) const INVALID_ACCESS_TOKEN: Self = Self(99_991_668);
    pub(crate) const ACCESS_TOKEN_EXPIRED: Self = Self(99_991_677);

    fn entry(self) -> Option<&'static Entry> {
        TABLE.iter().find(|entry| entry.code == self.0)
    }

    /// The HTTP status the code is answered with; 400 for a code the table does not know.
    pub(crate) fn status(self) -> StatusCode {
        self.entry()
            .and_then(|entry| StatusCode::from_u16(entry.status).ok())
            .unwrap_or(StatusCode::BAD_REQUEST)
    }

    /// The OAuth `error` string.
    pub(crate) fn error(self) -> &'static str {
        self.entry().map_or("invalid_request", |entry| entry.error)
    }

    /// The English description (`error_description`, or `msg` on the gateway's answers).
    pub(crate) fn description(self) -> &'static str {
        self.entry()
            .map_or("The request failed.", |entry| entry.description)
    }

    /// The token endpoint's error body: `{"code", "error", "error_description"}`.
    pub(crate) fn oauth_body(self) -> Value {
        json!({
            "code": self.0,
            "error": self.error(),
            "error_description": self.description(),
        })
    }

    /// The open-platform gateway's error body, as `user_info` answers: `{"code", "msg"}`.
    pub(crate) fn gateway_body(self) -> Value {
        json!({ "code": self.0, "msg": self.description() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row of the spec's table, with its HTTP status.
    const SPEC_TABLE: &[(u32, u16)] = &[
        (20001, 400),
        (20002, 400),
        (20003, 400),
        (20004, 400),
        (20008, 400),
        (20009, 400),
        (20010, 400),
        (20024, 400),
        (20036, 400),
        (20048, 400),
        (20049, 400),
        (20050, 500),
        (20063, 400),
        (20065, 400),
        (20066, 400),
        (20067, 400),
        (20068, 400),
        (20069, 400),
        (20070, 400),
        (20071, 400),
        (20072, 503),
    ];

    #[test]
    fn every_code_of_the_spec_table_is_known_with_its_status() {
        for &(code, status) in SPEC_TABLE {
            let code = ErrorCode(code);
            assert!(code.entry().is_some(), "{code:?} missing");
            assert_eq!(code.status().as_u16(), status, "{code:?}");
        }
    }

    #[test]
    fn server_error_body_matches_the_spec_example() {
        assert_eq!(
            ErrorCode::SERVER_ERROR.oauth_body(),
            json!({
                "code": 20050,
                "error": "server_error",
                "error_description": "An unexpected server error occurred. Please retry your request."
            })
        );
    }

    #[test]
    fn unknown_codes_answer_400() {
        assert_eq!(ErrorCode(12345).status(), StatusCode::BAD_REQUEST);
        assert_eq!(ErrorCode(12345).oauth_body()["code"], 12345);
    }

    #[test]
    fn codes_are_unique() {
        for (position, entry) in TABLE.iter().enumerate() {
            assert!(TABLE[position + 1..]
                .iter()
                .all(|other| other.code != entry.code));
        }
    }
}
