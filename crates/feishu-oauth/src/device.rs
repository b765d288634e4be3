//! The device authorization grant (RFC 8628): the person approves on another device (the Feishu
//! app on their phone scanning a QR code, or any browser) while this one polls for the tokens.
//!
//! Feishu's public pages do not document it. The requests are the ones the official Lark CLI
//! sends (larksuite/cli, `internal/auth/device_flow.go`), which many Feishu clients share:
//! - `POST {accounts host}/oauth/v1/device_authorization`, a form body with `client_id` and
//!   `scope`, the client authenticated with HTTP Basic `app_id:app_secret`; the answer's fields
//!   are RFC 8628 §3.2's, `expires_in` about 240 s and `interval` 5 s when absent;
//! - polling the token endpoint (`/open-apis/authen/v2/oauth/token`, the JSON body of the code
//!   exchange) with `grant_type=urn:ietf:params:oauth:grant-type:device_code`, whose pending and
//!   terminal states come as RFC 8628 §3.5's `error` values.
//!
//! Should Feishu's answers differ, this file is the one place to change.

use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;
use tracing::info;
use url::Url;

use crate::{
    client::{invalid, parse_token_answer, read_response, FeishuClient, TokenGrant},
    error::{Error, FeishuError, Result},
    scope::Scopes,
    secret::DeviceCode,
};

/// The device authorization endpoint's path under the accounts host.
pub(crate) const PATH: &str = "oauth/v1/device_authorization";
/// The token request's `grant_type` (RFC 8628 §3.4).
pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// When the answer names no lifetime (the official CLI's default).
const DEFAULT_EXPIRES_IN: u64 = 240;
/// When the answer names no polling interval (RFC 8628 §3.2).
const DEFAULT_INTERVAL: u64 = 5;
/// The most a code may be said to live, or an interval to last: anything past is not Feishu.
const MAX_SECONDS: u64 = 3600;
/// How much a `slow_down` adds to the interval (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// Each request waits no longer than this.
const TIMEOUT: Duration = Duration::from_secs(15);

/// A device code the person is to approve, and how to reach the page that approves it.
#[derive(Debug, Clone)]
pub struct DeviceAuthorization {
    /// The secret the tokens are collected with.
    pub device_code: DeviceCode,
    /// What the person types on the verification page (or finds filled in).
    pub user_code: String,
    /// The verification page.
    pub verification_uri: Url,
    /// The verification page with the user code in it: what the QR code holds.
    pub verification_uri_complete: Url,
    /// When the device code expires.
    pub expires_at: OffsetDateTime,
    /// How long to wait between polls, at first.
    pub interval: Duration,
}

/// One poll's answer.
#[derive(Debug)]
pub enum DevicePoll {
    /// The person has not decided yet: poll again after the interval.
    Pending,
    /// Polled too often: add [`SLOW_DOWN_STEP`] to the interval.
    SlowDown,
    /// Approved: the tokens.
    Granted(Box<TokenGrant>),
}

/// The token request of a poll (the code exchange's JSON body, another grant).
#[derive(Serialize)]
struct PollRequest<'a> {
    grant_type: &'static str,
    device_code: &'a str,
    client_id: &'a str,
    client_secret: &'a str,
}

impl FeishuClient {
    /// Asks for a device code for `scopes`. An endpoint that refuses (the app has no device flow,
    /// or the host has no such endpoint) is [`Error::DeviceFlowUnavailable`]: another way in
    /// may still work.
    pub async fn device_authorization(&self, scopes: &Scopes) -> Result<DeviceAuthorization> {
        let url = &self.endpoints().device_authorization;
        let scope = scopes.to_string();
        let requested_at = OffsetDateTime::now_utc();
        let (status, json) = device_call(url, || {
            self.http
                .post(url.clone())
                .basic_auth(&self.app.app_id, Some(self.app.app_secret.expose()))
                .form(&[("client_id", self.app.app_id.as_str()), ("scope", &scope)])
                .timeout(TIMEOUT)
                .send()
        })
        .await?;
        if !(200..300).contains(&status) {
            let said = rfc_error(&json)
                .map(|(error, description)| match description {
                    Some(d) => format!(", `{error}`: {d}"),
                    None => format!(", `{error}`"),
                })
                .unwrap_or_default();
            return Err(Error::DeviceFlowUnavailable {
                reason: format!("the device authorization endpoint answered HTTP {status}{said}"),
            });
        }
        let answer = parse_authorization(&json, requested_at)
            .map_err(|reason| invalid(url, status, &reason))?;
        info!(
            expires_in = (answer.expires_at - requested_at).whole_seconds(),
            "device code issued"
        );
        Ok(answer)
    }

    /// Polls once for the tokens of `device_code`. The person's refusal is
    /// [`Error::AccessDenied`]; an expired code, or one spent or unknown, ends the sign-in
    /// (`expired_token`, `invalid_grant`).
    pub async fn poll_device(&self, device_code: &DeviceCode) -> Result<DevicePoll> {
        let url = &self.endpoints().token;
        let now = OffsetDateTime::now_utc();
        let issued_at = now.replace_nanosecond(0).unwrap_or(now);
        let body = PollRequest {
            grant_type: GRANT_TYPE,
            device_code: device_code.expose(),
            client_id: &self.app.app_id,
            client_secret: self.app.app_secret.expose(),
        };
        let (status, json) = device_call(url, || {
            self.http
                .post(url.clone())
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(serde_json::to_vec(&body).unwrap_or_default())
                .timeout(TIMEOUT)
                .send()
        })
        .await?;
        if let Some((error, description)) = rfc_error(&json) {
            return match error.as_str() {
                "authorization_pending" => Ok(DevicePoll::Pending),
                "slow_down" => Ok(DevicePoll::SlowDown),
                "access_denied" => Err(Error::AccessDenied),
                _ => Err(Error::AuthorizationFailed { error, description }),
            };
        }
        match json.get("code").and_then(serde_json::Value::as_i64) {
            None | Some(0) => parse_token_answer(&json, issued_at)
                .map(|grant| DevicePoll::Granted(Box::new(grant)))
                .map_err(|reason| invalid(url, status, &reason)),
            Some(code) => Err(Error::Feishu(FeishuError {
                code: u32::try_from(code).unwrap_or(u32::MAX),
                http_status: status,
                error: None,
                description: json
                    .get("msg")
                    .and_then(serde_json::Value::as_str)
                    .map(|s| s.chars().take(300).collect()),
            })),
        }
    }
}

/// Sends, and reads at most [`MAX_BODY_BYTES`] of a JSON answer whatever its status (RFC
/// 8628's errors come with 400).
async fn device_call<F, Fut>(url: &Url, send: F) -> Result<(u16, serde_json::Value)>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = reqwest::Result<reqwest::Response>>,
{
    let (status, body) = read_response(&send, url).await?;
    if body.is_empty() && !(200..300).contains(&status) {
        return Ok((status, serde_json::Value::Null));
    }
    let json =
        serde_json::from_slice(&body).map_err(|_| invalid(url, status, "the body is not JSON"))?;
    Ok((status, json))
}

/// RFC 6749 §5.2's `error` (and `error_description`), when the answer carries one.
fn rfc_error(json: &serde_json::Value) -> Option<(String, Option<String>)> {
    let error = json.get("error")?.as_str()?.chars().take(60).collect();
    let description = json
        .get("error_description")
        .and_then(serde_json::Value::as_str)
        .map(|s| s.chars().take(300).collect());
    Some((error, description))
}

/// Checks a device authorization answer and makes its expiry absolute.
fn parse_authorization(
    json: &serde_json::Value,
    requested_at: OffsetDateTime,
) -> std::result::Result<DeviceAuthorization, String> {
    let string = |key: &str| {
        json.get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let seconds = |key: &str, default: u64| -> std::result::Result<u64, String> {
        match json.get(key) {
            None | Some(serde_json::Value::Null) => Ok(default),
            Some(v) => match v.as_u64() {
                Some(s) if (1..=MAX_SECONDS).contains(&s) => Ok(s),
                _ => Err(format!(
                    "`{key}` is not a number of seconds between 1 and {MAX_SECONDS}"
                )),
            },
        }
    };
    let url = |key: &str| -> std::result::Result<Url, String> {
        let value = string(key).ok_or_else(|| format!("`{key}` is missing"))?;
        let url = Url::parse(value).map_err(|_| format!("`{key}` is not a URL"))?;
        match url.scheme() {
            "https" | "http" => Ok(url),
            _ => Err(format!("`{key}` is not a web address")),
        }
    };
    let device_code = string("device_code").ok_or("`device_code` is missing")?;
    let user_code = string("user_code").ok_or("`user_code` is missing")?;
    if user_code.len() > 64 || user_code.chars().any(char::is_control) {
        return Err("`user_code` is not a code a person can type".into());
    }
    let verification_uri = url("verification_uri")?;
    let verification_uri_complete = match string("verification_uri_complete") {
        Some(_) => url("verification_uri_complete")?,
        None => verification_uri.clone(),
    };
    let expires_in = seconds("expires_in", DEFAULT_EXPIRES_IN)?;
    let interval = seconds("interval", DEFAULT_INTERVAL)?;
    Ok(DeviceAuthorization {
        device_code: DeviceCode::new(device_code),
        user_code: user_code.to_owned(),
        verification_uri,
        verification_uri_complete,
        expires_at: requested_at + Duration::from_secs(expires_in),
        interval: Duration::from_secs(interval),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
    }

    #[test]
    fn an_answer_with_every_field_and_one_with_the_defaults() {
        let full = serde_json::json!({
            "device_code": "dc-secret", "user_code": "ABCD-EFGH",
            "verification_uri": "https://accounts.feishu.cn/oauth/v1/device/verify",
            "verification_uri_complete": "https://accounts.feishu.cn/oauth/v1/device/verify?user_code=ABCD-EFGH",
            "expires_in": 600, "interval": 7
        });
        let a = parse_authorization(&full, at()).unwrap();
        assert_eq!(a.user_code, "ABCD-EFGH");
        assert_eq!(a.interval, Duration::from_secs(7));
        assert_eq!(a.expires_at, at() + Duration::from_secs(600));
        assert!(a
            .verification_uri_complete
            .as_str()
            .ends_with("user_code=ABCD-EFGH"));
        assert!(
            !format!("{a:?}").contains("dc-secret"),
            "the device code is redacted"
        );
        let bare = serde_json::json!({
            "device_code": "dc", "user_code": "WXYZ",
            "verification_uri": "https://accounts.feishu.cn/verify"
        });
        let a = parse_authorization(&bare, at()).unwrap();
        assert_eq!(a.interval, Duration::from_secs(DEFAULT_INTERVAL));
        assert_eq!(a.expires_at, at() + Duration::from_secs(DEFAULT_EXPIRES_IN));
        assert_eq!(a.verification_uri_complete, a.verification_uri);
    }

    #[test]
    fn a_broken_answer_is_an_error_naming_the_field_not_a_panic() {
        for (json, field) in [
            (serde_json::json!({}), "device_code"),
            (serde_json::json!({"device_code": "d"}), "user_code"),
            (
                serde_json::json!({"device_code": "d", "user_code": "u"}),
                "verification_uri",
            ),
            (
                serde_json::json!({"device_code": "d", "user_code": "u", "verification_uri": "javascript:alert(1)"}),
                "verification_uri",
            ),
            (
                serde_json::json!({"device_code": "d", "user_code": "u", "verification_uri": "https://x/", "interval": -1}),
                "interval",
            ),
            (
                serde_json::json!({"device_code": "d", "user_code": "u", "verification_uri": "https://x/", "expires_in": 1e30}),
                "expires_in",
            ),
            (
                serde_json::json!({"device_code": "d", "user_code": "a\u{7}b", "verification_uri": "https://x/"}),
                "user_code",
            ),
        ] {
            let err = parse_authorization(&json, at()).unwrap_err();
            assert!(err.contains(field), "{err}");
        }
    }
}
