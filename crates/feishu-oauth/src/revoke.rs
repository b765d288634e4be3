//! Revoking tokens at sign-out, so a signed-out session is over at Feishu too, not only forgotten
//! here.
//!
//! Feishu's public pages do not document revocation. This request is the one the official Lark
//! CLI sends (larksuite/cli, `internal/auth/revoke.go`), in the shape of RFC 7009: `POST
//! {accounts host}/oauth/v1/revoke`, a form body with `client_id`, `client_secret`, `token` and
//! `token_type_hint`; any 2xx means revoked (the body may be empty), anything else is "not
//! confirmed". Should Feishu's answer differ, this file is the one place to change.

use std::time::Duration;

use crate::{
    client::{invalid, redacted, FeishuClient},
    error::{Error, Result},
};

/// The path under the accounts host.
pub(crate) const PATH: &str = "oauth/v1/revoke";

/// A sign-out waits no longer than this for each revocation: it happens whatever the answer.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Which kind of token is revoked (`token_type_hint`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A `refresh_token`.
    Refresh,
    /// An `access_token`.
    Access,
}

impl TokenKind {
    fn hint(self) -> &'static str {
        match self {
            TokenKind::Refresh => "refresh_token",
            TokenKind::Access => "access_token",
        }
    }
}

/// What Feishu said about revoking a session's tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revocation {
    /// Every token the session held was revoked.
    Revoked,
    /// Feishu did not confirm it (why, without any token in it); the session is gone here anyway.
    NotConfirmed(String),
    /// There was nothing of this app's to revoke (no session, or another app's).
    NothingToRevoke,
}

impl FeishuClient {
    /// Revokes `token`; `Ok` when Feishu answered 2xx.
    pub async fn revoke(&self, token: &str, kind: TokenKind) -> Result<()> {
        let url = &self.endpoints().revoke;
        let form = [
            ("client_id", self.app.app_id.as_str()),
            ("client_secret", self.app.app_secret.expose()),
            ("token", token),
            ("token_type_hint", kind.hint()),
        ];
        let response = self
            .http
            .post(url.clone())
            .form(&form)
            .timeout(TIMEOUT)
            .send()
            .await
            .map_err(|e| Error::Http {
                url: redacted(url),
                source: e.without_url(),
            })?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        // RFC 7009 §2.2.1 / RFC 6749 §5.2: `{"error": "…"}`. Only a short code-like `error` is
        // kept: nothing the server echoes can carry a token into a message.
        let body = response.bytes().await.unwrap_or_default();
        let code = serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|json| json.get("error")?.as_str().map(str::to_owned))
            .filter(|e| e.len() <= 40 && e.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        let reason = match code {
            Some(code) => format!("the revocation was refused ({code})"),
            None => "the revocation was refused".to_owned(),
        };
        Err(invalid(url, status.as_u16(), &reason))
    }
}
