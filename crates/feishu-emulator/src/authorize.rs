//! The authorize page (获取授权码) and the user's decision on it.
//!
//! `GET /open-apis/authen/v1/authorize` validates the request and shows the consent page; nothing is
//! redirected from here. An invalid request shows an error page and never redirects (Feishu shows
//! error 20029 for an unregistered `redirect_uri`): a redirect to an unchecked URI would hand the
//! browser to whoever named it. The page's form posts to `…/authorize/decision`, which sends the
//! browser back to the app with a code, or with `error=access_denied`.

use std::collections::BTreeSet;
use std::io;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use url::Url;

use crate::clock::Millis;
use crate::config::Config;
use crate::endpoint::Endpoint;
use crate::errors::ErrorCode;
use crate::pages::{self, Consent, DECISION_FIELD, TICKET_FIELD};
use crate::params::{Params, ParamsError};
use crate::pkce::{self, ChallengeMethod, CodeChallenge};
use crate::responses;
use crate::secrets::{self, fingerprint};
use crate::shared::Shared;
use crate::state::{IssuedCode, PendingAuthorization};

/// Where the consent form posts the user's decision.
pub(crate) const DECISION_PATH: &str = "/open-apis/authen/v1/authorize/decision";
/// Feishu's limit on the number of scopes one authorize request may ask for.
const MAX_SCOPES: usize = 50;
/// How long the consent page waits for the user.
const CONSENT_TTL: Millis = 10 * 60 * 1000;
/// How long an authorization code is valid: 5 minutes, as documented.
const CODE_TTL: Millis = 5 * 60 * 1000;

/// Why the authorize page or the decision refuses; shown as an error page.
#[derive(Debug, thiserror::Error)]
enum AuthorizeError {
    #[error("The request is missing the `{0}` parameter.")]
    Missing(&'static str),
    #[error("The request is malformed: {0}.")]
    Malformed(ParamsError),
    #[error("No app has the App ID (client_id) {0:?}.")]
    UnknownApp(String),
    #[error(
        "The redirect_uri {0:?} is not registered for this app. Register it exactly, port included, \
         under 开发配置 → 安全设置 → 重定向 URL (Development Configuration → Security Settings → Redirect URLs)."
    )]
    RedirectUriNotRegistered(String),
    #[error("response_type must be `code`, not {0:?}.")]
    UnsupportedResponseType(String),
    #[error("code_challenge_method must be `S256` or `plain`, not {0:?}.")]
    UnsupportedChallengeMethod(String),
    #[error("code_challenge_method is given without a code_challenge.")]
    MethodWithoutChallenge,
    #[error("code_challenge must be 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~'.")]
    MalformedChallenge,
    #[error("The scope parameter lists {0} scopes; at most 50 are allowed.")]
    TooManyScopes(usize),
    #[error("This sign-in request has expired or was already answered. Start the sign-in again from the app.")]
    UnknownTicket,
    #[error("The decision must be `approve` or `deny`.")]
    UnknownDecision,
    #[error("{}", .0.description())]
    Injected(ErrorCode),
    #[error("The emulator could not read or write its state: {0}")]
    Store(io::Error),
}

impl AuthorizeError {
    fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Missing(_) => Some(ErrorCode::MISSING_PARAMETER),
            Self::UnknownApp(_) => Some(ErrorCode::APP_NOT_FOUND),
            Self::RedirectUriNotRegistered(_) => Some(ErrorCode::REDIRECT_URI_NOT_REGISTERED),
            Self::Injected(code) => Some(*code),
            Self::Store(_) => Some(ErrorCode::SERVER_ERROR),
            _ => None,
        }
    }

    fn into_page(self) -> Response {
        tracing::warn!(error = %self, "authorize request refused");
        let status = match &self {
            Self::Injected(code) => code.status(),
            Self::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        let page = pages::error(
            self.code().map(|code| code.0),
            "无法授权 · Cannot sign in",
            &self.to_string(),
        );
        responses::html(status, page)
    }
}

/// A valid authorize request.
#[derive(Debug)]
struct AuthorizeRequest {
    client_id: String,
    redirect_uri: String,
    scopes: BTreeSet<String>,
    state: Option<String>,
    code_challenge: Option<CodeChallenge>,
}

impl AuthorizeRequest {
    /// Validates the query, in the order that keeps a bad `redirect_uri` from ever being used.
    fn parse(config: &Config, query: &str) -> Result<Self, AuthorizeError> {
        let params =
            Params::from_urlencoded(query.as_bytes()).map_err(AuthorizeError::Malformed)?;
        let client_id = params
            .get("client_id")
            .ok_or(AuthorizeError::Missing("client_id"))?;
        if config.app(client_id).is_none() {
            return Err(AuthorizeError::UnknownApp(client_id.to_owned()));
        }
        let redirect_uri = params
            .get("redirect_uri")
            .ok_or(AuthorizeError::Missing("redirect_uri"))?;
        if !config.accepts_redirect_uri(redirect_uri) || Url::parse(redirect_uri).is_err() {
            return Err(AuthorizeError::RedirectUriNotRegistered(
                redirect_uri.to_owned(),
            ));
        }
        match params.get("response_type") {
            Some("code") => {}
            Some(other) => return Err(AuthorizeError::UnsupportedResponseType(other.to_owned())),
            None => return Err(AuthorizeError::Missing("response_type")),
        }
        let code_challenge = match (
            params.get("code_challenge"),
            params.get("code_challenge_method"),
        ) {
            (None, None) => None,
            (None, Some(_)) => return Err(AuthorizeError::MethodWithoutChallenge),
            (Some(challenge), method) => {
                let method = match method {
                    // Feishu's documented default.
                    None => ChallengeMethod::Plain,
                    Some(name) => ChallengeMethod::parse(name).ok_or_else(|| {
                        AuthorizeError::UnsupportedChallengeMethod(name.to_owned())
                    })?,
                };
                if !pkce::is_well_formed(challenge) {
                    return Err(AuthorizeError::MalformedChallenge);
                }
                Some(CodeChallenge {
                    challenge: challenge.to_owned(),
                    method,
                })
            }
        };
        let scopes = listed_scopes(params.get("scope")).map_err(AuthorizeError::TooManyScopes)?;
        Ok(Self {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            scopes,
            state: params.get("state").map(str::to_owned),
            code_challenge,
        })
    }
}

/// The scopes a `scope` parameter asks for: space-separated, a repeat folded into one, at most 50
/// listed (Feishu's limit; `Err` holds how many were). The device authorization endpoint reads its
/// `scope` by the same rule.
pub(crate) fn listed_scopes(value: Option<&str>) -> Result<BTreeSet<String>, usize> {
    let listed: Vec<&str> = value
        .unwrap_or_default()
        .split(' ')
        .filter(|scope| !scope.is_empty())
        .collect();
    if listed.len() > MAX_SCOPES {
        return Err(listed.len());
    }
    Ok(listed.into_iter().map(str::to_owned).collect())
}

/// `GET /open-apis/authen/v1/authorize`: the consent page, or an error page.
pub(crate) async fn page(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    match consent_page(&shared, query.as_deref().unwrap_or_default()).await {
        Ok(page) => responses::html(StatusCode::OK, page),
        Err(err) => err.into_page(),
    }
}

async fn consent_page(shared: &Arc<Shared>, query: &str) -> Result<String, AuthorizeError> {
    if let Some(code) = shared.faults.on_call(Endpoint::Authorize).await {
        return Err(AuthorizeError::Injected(code));
    }
    let request = AuthorizeRequest::parse(&shared.config, query)?;
    let ticket = secrets::ticket();
    let pending = PendingAuthorization {
        client_id: request.client_id,
        redirect_uri: request.redirect_uri,
        scopes: request.scopes,
        state: request.state,
        code_challenge: request.code_challenge,
        expires_at: 0,
    };
    let key = fingerprint(&ticket);
    let shown = pending.clone();
    let already_granted: BTreeSet<String> = shared
        .transact(move |data, now| {
            let earlier = data
                .grants
                .get(&pending.client_id)
                .map(|granted| granted.difference(&pending.scopes).cloned().collect())
                .unwrap_or_default();
            let expires_at = now.saturating_add(CONSENT_TTL);
            data.pending.insert(
                key,
                PendingAuthorization {
                    expires_at,
                    ..pending
                },
            );
            earlier
        })
        .await
        .map_err(AuthorizeError::Store)?;
    tracing::info!(client_id = %shown.client_id, scopes = shown.scopes.len(), "consent page shown");
    let requested: Vec<&str> = shown.scopes.iter().map(String::as_str).collect();
    let earlier: Vec<&str> = already_granted.iter().map(String::as_str).collect();
    Ok(pages::consent(&Consent {
        app_id: &shown.client_id,
        requested: &requested,
        already_granted: &earlier,
        profile: &shared.config.profile,
        redirect_uri: &shown.redirect_uri,
        action: DECISION_PATH,
        ticket: &ticket,
    }))
}

/// `POST /open-apis/authen/v1/authorize/decision`: 302 back to the app, or an error page.
pub(crate) async fn decision(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    match decide(&shared, &body).await {
        Ok(target) => responses::found(&target),
        Err(err) => err.into_page(),
    }
}

async fn decide(shared: &Arc<Shared>, body: &[u8]) -> Result<Url, AuthorizeError> {
    let params = Params::from_urlencoded(body).map_err(AuthorizeError::Malformed)?;
    let ticket = params
        .get(TICKET_FIELD)
        .ok_or(AuthorizeError::Missing(TICKET_FIELD))?;
    let approved = match params.get(DECISION_FIELD) {
        Some("approve") => true,
        Some("deny") => false,
        _ => return Err(AuthorizeError::UnknownDecision),
    };
    let key = fingerprint(ticket);
    let (pending, code) = shared
        .transact(move |data, now| {
            // A ticket answers once; an expired one was purged already.
            let pending = data.pending.remove(&key)?;
            if !approved {
                return Some((pending, None));
            }
            // Grants are cumulative: the code carries every scope the user ever granted the app.
            let granted = data.grants.entry(pending.client_id.clone()).or_default();
            granted.extend(pending.scopes.iter().cloned());
            let code = secrets::authorization_code();
            let issued = IssuedCode {
                client_id: pending.client_id.clone(),
                redirect_uri: pending.redirect_uri.clone(),
                granted: granted.clone(),
                code_challenge: pending.code_challenge.clone(),
                authorized_at: now,
                expires_at: now.saturating_add(CODE_TTL),
                used: false,
            };
            data.codes.insert(fingerprint(&code), issued);
            Some((pending, Some(code)))
        })
        .await
        .map_err(AuthorizeError::Store)?
        .ok_or(AuthorizeError::UnknownTicket)?;
    let mut target = Url::parse(&pending.redirect_uri)
        .map_err(|_| AuthorizeError::RedirectUriNotRegistered(pending.redirect_uri.clone()))?;
    {
        let mut query = target.query_pairs_mut();
        match &code {
            Some(code) => query.append_pair("code", code),
            None => query.append_pair("error", "access_denied"),
        };
        if let Some(state) = &pending.state {
            query.append_pair("state", state);
        }
    }
    tracing::info!(
        client_id = %pending.client_id,
        approved = code.is_some(),
        "consent answered; sending the browser back to the app"
    );
    Ok(target)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::config::App;
    use crate::profile::Profile;

    fn config() -> Config {
        Config {
            app: App {
                id: "cli_a".to_owned(),
                secret: "s".to_owned(),
            },
            additional_apps: Vec::new(),
            redirect_uris: vec!["http://127.0.0.1:9/cb".to_owned()],
            allow_any_loopback_redirect: false,
            access_token_ttl: Duration::from_secs(1),
            refresh_token_ttl: Duration::from_secs(1),
            profile: Profile::default(),
            device: crate::config::DeviceFlow::default(),
        }
    }

    const BASE: &str =
        "client_id=cli_a&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code";

    fn parse(extra: &str) -> Result<AuthorizeRequest, AuthorizeError> {
        AuthorizeRequest::parse(&config(), &format!("{BASE}{extra}"))
    }

    #[test]
    fn a_minimal_request_is_valid_and_plain_is_the_default_method() {
        let challenge = "a".repeat(43);
        let request = parse(&format!("&scope=b%20a%20a&code_challenge={challenge}"));
        let request = request.unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(request.scopes.iter().collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(
            request.code_challenge.map(|c| c.method),
            Some(ChallengeMethod::Plain)
        );
        assert_eq!(request.state, None);
    }

    #[test]
    fn invalid_requests_are_refused_with_the_right_reason() {
        let refused = |query: &str| AuthorizeRequest::parse(&config(), query).err();
        assert!(matches!(
            refused("response_type=code"),
            Some(AuthorizeError::Missing("client_id"))
        ));
        assert!(matches!(
            refused("client_id=cli_x&redirect_uri=x&response_type=code"),
            Some(AuthorizeError::UnknownApp(_))
        ));
        assert!(matches!(
            refused("client_id=cli_a&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb%2F&response_type=code"),
            Some(AuthorizeError::RedirectUriNotRegistered(_))
        ));
        assert!(matches!(
            parse("&response_type=token").err(),
            Some(AuthorizeError::Malformed(ParamsError::Duplicate(_)))
        ));
        assert!(matches!(
            refused(
                "client_id=cli_a&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=token"
            ),
            Some(AuthorizeError::UnsupportedResponseType(_))
        ));
        assert!(matches!(
            parse("&code_challenge_method=S256").err(),
            Some(AuthorizeError::MethodWithoutChallenge)
        ));
        assert!(matches!(
            parse("&code_challenge=short&code_challenge_method=S256").err(),
            Some(AuthorizeError::MalformedChallenge)
        ));
        assert!(matches!(
            parse(&format!(
                "&code_challenge={}&code_challenge_method=s256",
                "a".repeat(43)
            ))
            .err(),
            Some(AuthorizeError::UnsupportedChallengeMethod(_))
        ));
        let many: Vec<String> = (0..51).map(|n| format!("s{n}")).collect();
        assert!(matches!(
            parse(&format!("&scope={}", many.join("%20"))).err(),
            Some(AuthorizeError::TooManyScopes(51))
        ));
    }

    #[test]
    fn unregistered_redirects_carry_error_20029() {
        let err = AuthorizeError::RedirectUriNotRegistered("x".to_owned());
        assert_eq!(err.code(), Some(ErrorCode(20029)));
    }
}
