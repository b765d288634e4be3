//! Starting and completing a sign-in: the authorize URL with PKCE and `state`, and the code
//! exchange that turns the callback into a [`Session`].

use subtle::ConstantTimeEq;
use tracing::info;
use url::Url;

use crate::{
    brand::IssuerBrand,
    callback::Callback,
    client::FeishuClient,
    error::{Error, Result},
    pkce,
    redirect::RedirectUri,
    scope::Scopes,
    secret::{CsrfState, PkceVerifier},
    session::{Issuer, Session},
};

/// What a sign-in asks for.
#[derive(Debug, Clone)]
pub struct AuthorizeRequest {
    /// The authorize page URL.
    pub authorize_url: Url,
    /// The App ID (`client_id`).
    pub app_id: String,
    /// The redirect URI (registered exactly).
    pub redirect_uri: RedirectUri,
    /// The scopes to request.
    pub scopes: Scopes,
    /// Who issues the tokens, recorded in the session.
    pub brand: IssuerBrand,
}

/// A sign-in waiting for its callback. It owns the PKCE verifier and the `state`, and is consumed
/// by [`PendingSignIn::complete`], so it cannot be completed twice.
#[derive(Debug)]
pub struct PendingSignIn {
    state: CsrfState,
    verifier: PkceVerifier,
    request: AuthorizeRequest,
}

/// Starts a sign-in: a fresh verifier and its S256 challenge, a random `state` of 256 bits, and the
/// authorize URL (`response_type=code`, `code_challenge_method=S256` sent explicitly because
/// Feishu's default is `plain`).
pub fn begin(request: AuthorizeRequest) -> (Url, PendingSignIn) {
    let (verifier, challenge) = pkce::new_s256();
    let state = CsrfState::new(oauth2::CsrfToken::new_random_len(32).secret().clone());
    let mut url = request.authorize_url.clone();
    {
        let mut query = url.query_pairs_mut();
        query
            .append_pair("client_id", &request.app_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", request.redirect_uri.as_str());
        if !request.scopes.is_empty() {
            query.append_pair("scope", &request.scopes.to_string());
        }
        query
            .append_pair("state", state.expose())
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
    }
    let pending = PendingSignIn {
        state,
        verifier,
        request,
    };
    (url, pending)
}

/// Checks a callback's `state` against a pending sign-in's without holding its other secrets: the
/// loopback listener and the deep-link handler use it to ignore callbacks of no pending sign-in.
#[derive(Debug, Clone)]
pub struct StateMatcher(CsrfState);

impl StateMatcher {
    /// Whether `state` is the pending sign-in's, compared in constant time.
    pub fn matches(&self, state: &CsrfState) -> bool {
        self.0
            .expose()
            .as_bytes()
            .ct_eq(state.expose().as_bytes())
            .into()
    }
}

impl PendingSignIn {
    /// Whether `state` is this sign-in's, compared in constant time.
    fn matches_state(&self, state: &CsrfState) -> bool {
        self.state_matcher().matches(state)
    }

    /// A matcher for this sign-in's `state`.
    pub fn state_matcher(&self) -> StateMatcher {
        StateMatcher(self.state.clone())
    }

    /// Completes the sign-in: checks `state`, exchanges the code with the verifier and the same
    /// redirect URI, fetches the profile, and returns the new session (not yet saved).
    pub async fn complete(self, callback: Callback, client: &FeishuClient) -> Result<Session> {
        if !self.matches_state(callback.state()) {
            // The listener and deep-link handler filter these out; this is the last line.
            return Err(Error::AuthorizationFailed {
                error: "state_mismatch".into(),
                description: Some("the callback belongs to another sign-in".into()),
            });
        }
        let code = match callback {
            Callback::Code { code, .. } => code,
            Callback::Denied { .. } => return Err(Error::AccessDenied),
            Callback::Error {
                error, description, ..
            } => return Err(Error::AuthorizationFailed { error, description }),
        };
        let grant = client
            .exchange_code(&code, &self.request.redirect_uri, &self.verifier, None)
            .await?;
        info!(scopes = %grant.scopes, "authorization code exchanged");
        let profile = client.user_info(&grant.access_token).await?;
        let issuer = Issuer {
            brand: self.request.brand,
            app_id: self.request.app_id,
        };
        Ok(grant.into_first_session(issuer, profile))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> AuthorizeRequest {
        AuthorizeRequest {
            authorize_url: Url::parse("https://accounts.feishu.cn/open-apis/authen/v1/authorize")
                .unwrap(),
            app_id: "cli_a5ca35a685b0x26e".into(),
            redirect_uri: RedirectUri::default_loopback(),
            scopes: Scopes::parse("offline_access contact:user.email:readonly").unwrap(),
            brand: IssuerBrand::Feishu,
        }
    }

    #[test]
    fn authorize_url_carries_every_parameter() {
        let (url, pending) = begin(request());
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(url.path(), "/open-apis/authen/v1/authorize");
        assert_eq!(q["client_id"], "cli_a5ca35a685b0x26e");
        assert_eq!(q["response_type"], "code");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:28283/callback");
        assert_eq!(q["scope"], "offline_access contact:user.email:readonly");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], pkce::s256_challenge(&pending.verifier));
        assert!(pending.matches_state(&CsrfState::new(q["state"].clone())));
        assert!(q["state"].len() >= 43, "state has at least 256 bits");
        assert!(
            url.as_str().contains("scope=offline_access+contact")
                || url.as_str().contains("scope=offline_access%20contact")
        );
    }

    #[test]
    fn each_sign_in_has_its_own_state_and_verifier() {
        let (a, pa) = begin(request());
        let (b, pb) = begin(request());
        assert_ne!(a, b);
        assert!(!pa.matches_state(&pb.state));
    }
}
