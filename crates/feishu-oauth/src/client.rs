//! The HTTP calls to Feishu: the code exchange and refresh (`POST /open-apis/authen/v2/oauth/token`,
//! a JSON body with the client credentials in it, never an HTTP Basic header) and user info.
//!
//! Every call has connect and overall timeouts, follows no redirects, reads at most
//! [`MAX_BODY_BYTES`], and turns Feishu's error body into [`FeishuError`]. Only 20050 and 20072 are
//! retried, with backoff.

use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;
use tracing::{debug, warn};
use url::Url;

use crate::{
    codes::Remedy,
    config::{AppCredentials, Endpoints},
    error::{Error, FeishuError, Result},
    profile::Profile,
    redirect::RedirectUri,
    scope::Scopes,
    secret::{AccessToken, AuthorizationCode, PkceVerifier, RefreshToken},
    session::{Issuer, Session},
};

impl TokenGrant {
    /// The session a first grant (a code exchange, a device grant) makes for `profile`: the
    /// person authorized now, so Feishu's 365 days count from the grant.
    pub fn into_first_session(self, issuer: Issuer, profile: Profile) -> Session {
        Session {
            issuer,
            access_token: self.access_token,
            access_token_issued_at: self.issued_at,
            access_token_expires_at: self.access_token_expires_at,
            refresh_token: self.refresh_token,
            refresh_token_expires_at: self.refresh_token_expires_at,
            authorized_at: self.issued_at,
            scopes: self.scopes,
            profile,
        }
    }

    /// `session` with a refresh's tokens: the same user and authorization; the answer's scopes,
    /// or the session's when it names none.
    pub fn refreshing(self, session: Session) -> Session {
        Session {
            access_token: self.access_token,
            access_token_issued_at: self.issued_at,
            access_token_expires_at: self.access_token_expires_at,
            refresh_token: self.refresh_token,
            refresh_token_expires_at: self.refresh_token_expires_at,
            scopes: if self.scopes.is_empty() {
                session.scopes.clone()
            } else {
                self.scopes
            },
            ..session
        }
    }
}

/// The largest response body read; tokens are up to 4 KB each, so anything near this is wrong.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// The longest `expires_in` accepted (a little over the 365-day authorization).
const MAX_EXPIRES_IN: i64 = 400 * 24 * 3600;

/// How transient faults (20050, 20072) are retried.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// The wait before the second attempt; doubled for each further one.
    pub first_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 3,
            first_backoff: Duration::from_millis(300),
        }
    }
}

/// A successful token answer (exchange or refresh), with absolute expiry instants.
#[derive(Debug, Clone)]
pub struct TokenGrant {
    /// `access_token`.
    pub access_token: AccessToken,
    /// When the request that got it started: the conservative issue time.
    pub issued_at: OffsetDateTime,
    /// `issued_at + expires_in`.
    pub access_token_expires_at: OffsetDateTime,
    /// `refresh_token`, when `offline_access` was granted.
    pub refresh_token: Option<RefreshToken>,
    /// `issued_at + refresh_token_expires_in`.
    pub refresh_token_expires_at: Option<OffsetDateTime>,
    /// `scope`: what the access token carries.
    pub scopes: Scopes,
}

/// The token endpoint's JSON body.
#[derive(Serialize)]
struct TokenRequest<'a> {
    grant_type: &'static str,
    client_id: &'a str,
    client_secret: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    redirect_uri: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_verifier: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
}

/// A client for one app's endpoints.
#[derive(Debug, Clone)]
pub struct FeishuClient {
    pub(crate) http: reqwest::Client,
    endpoints: Endpoints,
    pub(crate) app: AppCredentials,
    retry: RetryPolicy,
}

impl FeishuClient {
    /// A client with the default timeouts (connect 10 s, overall 30 s) and retry policy.
    ///
    /// `HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` are honoured, except for endpoints on loopback
    /// (the sandbox, a local emulator), which are never proxied. Certificates are checked against
    /// the system's CA store (OpenSSL), so a TLS-inspecting corporate proxy whose CA the machine
    /// trusts works.
    pub fn new(endpoints: Endpoints, app: AppCredentials) -> Result<Self> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("feishu-signin/", env!("CARGO_PKG_VERSION")));
        if is_loopback(&endpoints.token) && is_loopback(&endpoints.user_info) {
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(|e| Error::Http {
            url: endpoints.token.to_string(),
            source: e.without_url(),
        })?;
        Ok(Self {
            http,
            endpoints,
            app,
            retry: RetryPolicy::default(),
        })
    }

    /// Replaces the retry policy (tests use short backoffs).
    #[must_use]
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The endpoints.
    pub fn endpoints(&self) -> &Endpoints {
        &self.endpoints
    }

    /// The App ID.
    pub fn app_id(&self) -> &str {
        &self.app.app_id
    }

    /// Exchanges an authorization code (`grant_type=authorization_code`) with the same
    /// `redirect_uri` and the PKCE `code_verifier`; `scope` optionally narrows the token.
    pub async fn exchange_code(
        &self,
        code: &AuthorizationCode,
        redirect_uri: &RedirectUri,
        verifier: &PkceVerifier,
        scope: Option<&Scopes>,
    ) -> Result<TokenGrant> {
        let body = TokenRequest {
            grant_type: "authorization_code",
            client_id: &self.app.app_id,
            client_secret: self.app.app_secret.expose(),
            code: Some(code.expose()),
            redirect_uri: Some(redirect_uri.as_str()),
            code_verifier: Some(verifier.expose()),
            refresh_token: None,
            scope: scope.map(ToString::to_string),
        };
        self.token_call(&body).await
    }

    /// Refreshes (`grant_type=refresh_token`). The answer's refresh token replaces this one, which
    /// is dead from now on.
    pub async fn refresh(
        &self,
        refresh_token: &RefreshToken,
        scope: Option<&Scopes>,
    ) -> Result<TokenGrant> {
        let body = TokenRequest {
            grant_type: "refresh_token",
            client_id: &self.app.app_id,
            client_secret: self.app.app_secret.expose(),
            code: None,
            redirect_uri: None,
            code_verifier: None,
            refresh_token: Some(refresh_token.expose()),
            scope: scope.map(ToString::to_string),
        };
        self.token_call(&body).await
    }

    /// Fetches the user's profile with the access token.
    pub async fn user_info(&self, access_token: &AccessToken) -> Result<Profile> {
        let url = &self.endpoints.user_info;
        let (status, body) = self
            .send_with_retry(
                || {
                    self.http
                        .get(url.clone())
                        .bearer_auth(access_token.expose())
                        .send()
                },
                url,
            )
            .await?;
        let data = body
            .get("data")
            .and_then(serde_json::Value::as_object)
            .ok_or_else(|| invalid(url, status, "the body has no `data` object"))?;
        Profile::from_user_info(data).map_err(|reason| invalid(url, status, &reason))
    }

    async fn token_call(&self, body: &TokenRequest<'_>) -> Result<TokenGrant> {
        let url = &self.endpoints.token;
        // Counted from before the request, in whole seconds, so the token is never thought to
        // live longer than it does.
        let now = OffsetDateTime::now_utc();
        let issued_at = now.replace_nanosecond(0).unwrap_or(now);
        let (status, json) = self
            .send_with_retry(
                || {
                    self.http
                        .post(url.clone())
                        .header(
                            reqwest::header::CONTENT_TYPE,
                            "application/json; charset=utf-8",
                        )
                        .body(serde_json::to_vec(body).unwrap_or_default())
                        .send()
                },
                url,
            )
            .await?;
        parse_token_answer(&json, issued_at).map_err(|reason| invalid(url, status, &reason))
    }

    /// Sends, reads the body, turns Feishu error bodies into errors, and retries 20050 / 20072.
    async fn send_with_retry<F, Fut>(&self, send: F, url: &Url) -> Result<(u16, serde_json::Value)>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = reqwest::Result<reqwest::Response>>,
    {
        let mut backoff = self.retry.first_backoff;
        let mut attempt = 1;
        loop {
            let result = self.send_once(&send, url).await;
            match result {
                Err(Error::Feishu(ref e))
                    if e.remedy() == Some(Remedy::Retry) && attempt < self.retry.attempts =>
                {
                    warn!(code = e.code, attempt, url = %redacted(url), "Feishu answered a transient error; retrying");
                    let jitter = Duration::from_millis(
                        rand::random::<u64>()
                            % (u64::try_from(backoff.as_millis()).unwrap_or(u64::MAX) / 4 + 1),
                    );
                    tokio::time::sleep(backoff + jitter).await;
                    backoff *= 2;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn send_once<F, Fut>(&self, send: &F, url: &Url) -> Result<(u16, serde_json::Value)>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = reqwest::Result<reqwest::Response>>,
    {
        let (status, body) = read_response(send, url).await?;
        let json: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
            let kind = if body.first().is_some_and(|b| *b == b'<') {
                "an HTML page, not JSON"
            } else {
                "not valid JSON"
            };
            invalid(url, status, &format!("the body is {kind} ({e})"))
        })?;
        let code = json.get("code").and_then(serde_json::Value::as_i64);
        match code {
            Some(0) => Ok((status, json)),
            Some(code) => Err(Error::Feishu(FeishuError {
                code: u32::try_from(code).unwrap_or(u32::MAX),
                http_status: status,
                error: json
                    .get("error")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned),
                description: json
                    .get("error_description")
                    .or_else(|| json.get("msg"))
                    .and_then(|v| v.as_str())
                    .map(|s| s.chars().take(300).collect()),
            })),
            None => Err(invalid(url, status, "the body has no numeric `code`")),
        }
    }
}

/// Sends, and reads the answer's status and at most [`MAX_BODY_BYTES`] of its body.
pub(crate) async fn read_response<F, Fut>(send: &F, url: &Url) -> Result<(u16, Vec<u8>)>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = reqwest::Result<reqwest::Response>>,
{
    let http_error = |e: reqwest::Error| Error::Http {
        url: redacted(url),
        source: e.without_url(),
    };
    let mut response = send().await.map_err(http_error)?;
    let status = response.status().as_u16();
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(http_error)? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(invalid(
                url,
                status,
                &format!("the body is larger than {MAX_BODY_BYTES} bytes"),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    debug!(url = %redacted(url), status, bytes = body.len(), "response");
    Ok((status, body))
}

/// Validates a `code: 0` token answer and makes its expiries absolute. Public for the fuzz tests.
pub fn parse_token_answer(
    json: &serde_json::Value,
    issued_at: OffsetDateTime,
) -> std::result::Result<TokenGrant, String> {
    let string = |key: &str| {
        json.get(key)
            .and_then(serde_json::Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let seconds = |key: &str| -> std::result::Result<Option<i64>, String> {
        match json.get(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(v) => match v.as_i64() {
                Some(s) if (1..=MAX_EXPIRES_IN).contains(&s) => Ok(Some(s)),
                _ => Err(format!(
                    "`{key}` is {v}, not a number of seconds between 1 and {MAX_EXPIRES_IN}"
                )),
            },
        }
    };
    let access_token = string("access_token").ok_or("`access_token` is missing")?;
    match string("token_type") {
        Some(t) if t.eq_ignore_ascii_case("bearer") => {}
        Some(t) => {
            return Err(format!(
                "`token_type` is `{}`, not Bearer",
                t.chars().take(40).collect::<String>()
            ))
        }
        None => return Err("`token_type` is missing".into()),
    }
    let expires_in = seconds("expires_in")?.ok_or("`expires_in` is missing")?;
    let refresh_token = string("refresh_token").map(RefreshToken::new);
    let refresh_expires_in = seconds("refresh_token_expires_in")?;
    if refresh_token.is_some() && refresh_expires_in.is_none() {
        return Err("`refresh_token_expires_in` is missing beside `refresh_token`".into());
    }
    let scopes =
        Scopes::parse(string("scope").unwrap_or("")).map_err(|e| format!("`scope`: {e}"))?;
    Ok(TokenGrant {
        access_token: AccessToken::new(access_token),
        issued_at,
        access_token_expires_at: issued_at + time::Duration::seconds(expires_in),
        refresh_token_expires_at: refresh_token
            .as_ref()
            .and(refresh_expires_in)
            .map(|s| issued_at + time::Duration::seconds(s)),
        refresh_token,
        scopes,
    })
}

/// Whether `url` points at this machine.
pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

pub(crate) fn invalid(url: &Url, status: u16, reason: &str) -> Error {
    Error::InvalidResponse {
        url: redacted(url),
        status,
        reason: reason.to_owned(),
    }
}

/// A URL fit for messages: no query, no credentials.
pub(crate) fn redacted(url: &Url) -> String {
    let mut url = url.clone();
    url.set_query(None);
    let _ = url.set_password(None);
    let _ = url.set_username("");
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-01-01 0:00 UTC);

    #[test]
    fn parses_the_page_s_success_example() {
        let body = json!({"code": 0, "access_token": "eyJ.a", "expires_in": 7200, "refresh_token": "eyJ.r",
            "refresh_token_expires_in": 604_800, "scope": "auth:user.id:read offline_access", "token_type": "Bearer"});
        let g = parse_token_answer(&body, T0).unwrap();
        assert_eq!(g.access_token.expose(), "eyJ.a");
        assert_eq!(g.access_token_expires_at, datetime!(2026-01-01 2:00 UTC));
        assert_eq!(
            g.refresh_token_expires_at,
            Some(datetime!(2026-01-08 0:00 UTC))
        );
        assert!(g.scopes.contains("offline_access"));
    }

    #[test]
    fn no_refresh_token_without_offline_access() {
        let body = json!({"code": 0, "access_token": "a", "expires_in": 60, "token_type": "Bearer", "scope": ""});
        let g = parse_token_answer(&body, T0).unwrap();
        assert!(g.refresh_token.is_none() && g.refresh_token_expires_at.is_none());
    }

    #[test]
    fn rejects_hostile_answers() {
        let base =
            json!({"code": 0, "access_token": "a", "expires_in": 60, "token_type": "Bearer"});
        let with = |k: &str, v: serde_json::Value| {
            let mut b = base.clone();
            b[k] = v;
            b
        };
        let mut no_token = base.clone();
        no_token.as_object_mut().unwrap().remove("access_token");
        for (body, needle) in [
            (no_token, "access_token"),
            (with("expires_in", json!(-5)), "expires_in"),
            (with("expires_in", json!(1e12)), "expires_in"),
            (with("expires_in", json!("7200")), "expires_in"),
            (with("token_type", json!("mac")), "token_type"),
            (
                with("refresh_token", json!("r")),
                "refresh_token_expires_in",
            ),
        ] {
            let err = parse_token_answer(&body, T0).unwrap_err();
            assert!(err.contains(needle), "{err}");
        }
    }

    #[test]
    fn json_body_has_credentials_and_no_absent_fields() {
        let body = TokenRequest {
            grant_type: "refresh_token",
            client_id: "cli_x",
            client_secret: "s",
            code: None,
            redirect_uri: None,
            code_verifier: None,
            refresh_token: Some("r"),
            scope: None,
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            json!({"grant_type": "refresh_token", "client_id": "cli_x", "client_secret": "s", "refresh_token": "r"})
        );
    }

    #[test]
    fn redacted_urls_drop_query_and_credentials() {
        let url = Url::parse("https://u:p@open.feishu.cn/x?token=t").unwrap();
        assert_eq!(redacted(&url), "https://open.feishu.cn/x");
    }
}
