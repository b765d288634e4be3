//! The token endpoint's two Feishu grants, applied to the store: exchanging an authorization code and
//! refreshing. This is where Feishu's rules live: single-use 5-minute codes, an exact
//! `redirect_uri`, PKCE, scope narrowing that never accumulates, a refresh token only with
//! `offline_access`, and single-use refresh tokens that rotate while the old access token keeps
//! working for one more minute. Every token records the grant (sign-in) it stems from, so that a
//! revocation can end the whole grant (see `revocation`). The device grant (`device_grant`) mints
//! its tokens with the same [`issue`].

use std::collections::BTreeSet;

use serde::Serialize;

use crate::clock::{seconds_until, Millis};
use crate::errors::ErrorCode;
use crate::secrets::{self, fingerprint, TokenKind};
use crate::state::{AccessTokenRecord, RefreshStatus, RefreshTokenRecord, StoreData};

/// The scope without which no refresh token is issued.
pub(crate) const OFFLINE_ACCESS: &str = "offline_access";
/// How long an access token keeps working after a refresh replaced it.
pub(crate) const ROTATION_GRACE: Millis = 60 * 1000;
/// 365 days after the user authorized, refreshing stops (20037): the user must sign in again.
pub(crate) const AUTHORIZATION_LIMIT: Millis = 365 * 24 * 60 * 60 * 1000;

/// Token lifetimes, in milliseconds.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Lifetimes {
    pub(crate) access: Millis,
    pub(crate) refresh: Millis,
}

/// `grant_type=authorization_code`, authenticated already.
#[derive(Debug)]
pub(crate) struct CodeExchange {
    pub(crate) client_id: String,
    pub(crate) code: String,
    pub(crate) redirect_uri: Option<String>,
    pub(crate) code_verifier: Option<String>,
    pub(crate) scope: Option<BTreeSet<String>>,
}

/// `grant_type=refresh_token`, authenticated already.
#[derive(Debug)]
pub(crate) struct TokenRefresh {
    pub(crate) client_id: String,
    pub(crate) refresh_token: String,
    pub(crate) scope: Option<BTreeSet<String>>,
}

/// Whom new tokens are issued for, and from what.
#[derive(Debug)]
pub(crate) struct Origin {
    pub(crate) client_id: String,
    /// What the user granted (the most a refresh may ask for).
    pub(crate) granted: BTreeSet<String>,
    pub(crate) authorized_at: Millis,
    /// The grant the tokens belong to: see [`RefreshTokenRecord::grant`].
    pub(crate) grant: Option<String>,
}

/// The success body, field for field as the token page shows it.
#[derive(Debug, Serialize)]
pub(crate) struct TokenResponse {
    code: u32,
    pub(crate) access_token: String,
    expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token_expires_in: Option<u64>,
    pub(crate) scope: String,
    token_type: &'static str,
}

/// Parses the optional narrowing `scope`: space-separated, no duplicates (20067). An empty value is
/// no narrowing.
pub(crate) fn parse_scope(value: Option<&str>) -> Result<Option<BTreeSet<String>>, ErrorCode> {
    let Some(value) = value else {
        return Ok(None);
    };
    let mut scopes = BTreeSet::new();
    for scope in value.split(' ').filter(|scope| !scope.is_empty()) {
        if !scopes.insert(scope.to_owned()) {
            return Err(ErrorCode::DUPLICATE_SCOPES);
        }
    }
    Ok((!scopes.is_empty()).then_some(scopes))
}

/// Exchanges an authorization code for tokens.
pub(crate) fn exchange(
    data: &mut StoreData,
    now: Millis,
    lifetimes: Lifetimes,
    request: &CodeExchange,
) -> Result<TokenResponse, ErrorCode> {
    let code_key = fingerprint(&request.code);
    let code = data
        .codes
        .get_mut(&code_key)
        .ok_or(ErrorCode::CODE_NOT_FOUND)?;
    if code.client_id != request.client_id {
        return Err(ErrorCode::CLIENT_MISMATCH);
    }
    if code.used {
        return Err(ErrorCode::CODE_USED);
    }
    if now >= code.expires_at {
        return Err(ErrorCode::CODE_EXPIRED);
    }
    if request.redirect_uri.as_deref() != Some(code.redirect_uri.as_str()) {
        return Err(ErrorCode::REDIRECT_URI_MISMATCH);
    }
    let pkce_passed = match (&code.code_challenge, &request.code_verifier) {
        (Some(challenge), Some(verifier)) => challenge.is_answered_by(verifier),
        (None, None) => true,
        // A challenge and no verifier, or a verifier for a request that sent no challenge
        // (OAuth 2.1 §4.1.3): both mean the client lost track of its PKCE pair.
        _ => false,
    };
    if !pkce_passed {
        return Err(ErrorCode::PKCE_FAILED);
    }
    let scopes = narrow(&code.granted, request.scope.as_ref())?;
    code.used = true;
    let origin = Origin {
        client_id: request.client_id.clone(),
        granted: code.granted.clone(),
        authorized_at: code.authorized_at,
        // The code starts the grant: its fingerprint names it.
        grant: Some(code_key),
    };
    Ok(issue(data, now, lifetimes, origin, scopes))
}

/// Spends a refresh token for a new access token and, with `offline_access`, a new refresh token.
pub(crate) fn refresh(
    data: &mut StoreData,
    now: Millis,
    lifetimes: Lifetimes,
    request: &TokenRefresh,
) -> Result<TokenResponse, ErrorCode> {
    let record = data
        .refresh_tokens
        .get_mut(&fingerprint(&request.refresh_token))
        .ok_or(ErrorCode::REFRESH_TOKEN_INVALID)?;
    if record.client_id != request.client_id {
        return Err(ErrorCode::CLIENT_MISMATCH);
    }
    match record.status {
        RefreshStatus::Active => {}
        RefreshStatus::Used => return Err(ErrorCode::REFRESH_TOKEN_USED),
        RefreshStatus::Revoked => return Err(ErrorCode::REFRESH_TOKEN_REVOKED),
    }
    if now >= record.expires_at || now >= authorization_ends(record.authorized_at) {
        return Err(ErrorCode::REFRESH_TOKEN_EXPIRED);
    }
    let scopes = narrow(&record.granted, request.scope.as_ref())?;
    record.status = RefreshStatus::Used;
    let origin = Origin {
        client_id: request.client_id.clone(),
        granted: record.granted.clone(),
        authorized_at: record.authorized_at,
        grant: record.grant.clone(),
    };
    let replaced = record.access_token.clone();
    if let Some(old) = data.access_tokens.get_mut(&replaced) {
        let until = now.saturating_add(ROTATION_GRACE);
        old.replaced_until = Some(
            old.replaced_until
                .map_or(until, |earlier| earlier.min(until)),
        );
    }
    Ok(issue(data, now, lifetimes, origin, scopes))
}

/// Every refresh token answers 20064 from now on.
pub(crate) fn revoke_refresh_tokens(data: &mut StoreData) {
    for record in data.refresh_tokens.values_mut() {
        record.status = RefreshStatus::Revoked;
    }
}

/// Moves every authorization past the 365-day limit, so refreshing answers 20037.
pub(crate) fn expire_authorizations(data: &mut StoreData, now: Millis) {
    let long_ago = now.saturating_sub(AUTHORIZATION_LIMIT);
    for record in data.refresh_tokens.values_mut() {
        record.authorized_at = record.authorized_at.min(long_ago);
    }
    for code in data.codes.values_mut() {
        code.authorized_at = code.authorized_at.min(long_ago);
    }
}

/// When refreshing stops for an authorization given at `authorized_at` (20037 from then on).
pub(crate) fn authorization_ends(authorized_at: Millis) -> Millis {
    authorized_at.saturating_add(AUTHORIZATION_LIMIT)
}

/// The scopes the new access token carries: all granted ones, or the requested subset (20068 if a
/// scope was never granted). Narrowing starts from the grant every time, so it does not accumulate.
pub(crate) fn narrow(
    granted: &BTreeSet<String>,
    requested: Option<&BTreeSet<String>>,
) -> Result<BTreeSet<String>, ErrorCode> {
    match requested {
        None => Ok(granted.clone()),
        Some(requested) if requested.is_subset(granted) => Ok(requested.clone()),
        Some(_) => Err(ErrorCode::SCOPE_NOT_PERMITTED),
    }
}

/// Mints and records an access token, and a refresh token when `offline_access` is among `scopes`.
pub(crate) fn issue(
    data: &mut StoreData,
    now: Millis,
    lifetimes: Lifetimes,
    origin: Origin,
    scopes: BTreeSet<String>,
) -> TokenResponse {
    let Origin {
        client_id,
        granted,
        authorized_at,
        grant,
    } = origin;
    let access_expires_at = now.saturating_add(lifetimes.access);
    let access_token = secrets::token(TokenKind::Access, now, access_expires_at);
    let access_key = fingerprint(&access_token);
    let refresh = scopes.contains(OFFLINE_ACCESS).then(|| {
        // A refresh token cannot outlive the authorization it stems from.
        let expires_at = now
            .saturating_add(lifetimes.refresh)
            .min(authorization_ends(authorized_at));
        let token = secrets::token(TokenKind::Refresh, now, expires_at);
        data.refresh_tokens.insert(
            fingerprint(&token),
            RefreshTokenRecord {
                client_id: client_id.clone(),
                granted,
                authorized_at,
                expires_at,
                status: RefreshStatus::Active,
                access_token: access_key.clone(),
                grant: grant.clone(),
            },
        );
        (token, seconds_until(now, expires_at))
    });
    let scope = scopes
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    data.access_tokens.insert(
        access_key,
        AccessTokenRecord {
            client_id,
            scopes,
            expires_at: access_expires_at,
            replaced_until: None,
            grant,
            revoked: false,
        },
    );
    let (refresh_token, refresh_token_expires_in) = refresh.unzip();
    TokenResponse {
        code: 0,
        access_token,
        expires_in: lifetimes.access / 1000,
        refresh_token,
        refresh_token_expires_in,
        scope,
        token_type: "Bearer",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::state::IssuedCode;

    /// A realistic "now": the arithmetic saturates near the epoch.
    const T0: Millis = 1_700_000_000_000;

    const LIFETIMES: Lifetimes = Lifetimes {
        access: 7_200_000,
        refresh: 604_800_000,
    };

    fn scopes(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|scope| (*scope).to_owned()).collect()
    }

    /// A store holding one fresh code for `cli_a`, granted `granted`.
    fn with_code(granted: &[&str]) -> (StoreData, CodeExchange) {
        let mut data = StoreData::default();
        data.codes.insert(
            fingerprint("the-code"),
            IssuedCode {
                client_id: "cli_a".to_owned(),
                redirect_uri: "http://127.0.0.1:9/cb".to_owned(),
                granted: scopes(granted),
                code_challenge: None,
                authorized_at: T0,
                expires_at: T0 + 300_000,
                used: false,
            },
        );
        let request = CodeExchange {
            client_id: "cli_a".to_owned(),
            code: "the-code".to_owned(),
            redirect_uri: Some("http://127.0.0.1:9/cb".to_owned()),
            code_verifier: None,
            scope: None,
        };
        (data, request)
    }

    fn refresh_with(token: &str, scope: Option<&[&str]>) -> TokenRefresh {
        TokenRefresh {
            client_id: "cli_a".to_owned(),
            refresh_token: token.to_owned(),
            scope: scope.map(scopes),
        }
    }

    #[test]
    fn scope_lists_refuse_duplicates_and_treat_empty_as_absent() {
        assert_eq!(parse_scope(Some("a b")), Ok(Some(scopes(&["a", "b"]))));
        assert_eq!(parse_scope(Some("a  a")), Err(ErrorCode::DUPLICATE_SCOPES));
        assert_eq!(parse_scope(Some(" ")), Ok(None));
        assert_eq!(parse_scope(None), Ok(None));
    }

    #[test]
    fn the_refresh_token_comes_with_offline_access_only() {
        let (mut data, request) = with_code(&["a"]);
        let response = exchange(&mut data, T0, LIFETIMES, &request).unwrap();
        assert_eq!(response.refresh_token, None);
        assert_eq!(response.scope, "a");

        let (mut data, mut request) = with_code(&["a", OFFLINE_ACCESS]);
        request.scope = Some(scopes(&["a"]));
        let response = exchange(&mut data, T0, LIFETIMES, &request).unwrap();
        assert_eq!(response.refresh_token, None, "narrowed away");

        let (mut data, request) = with_code(&["a", OFFLINE_ACCESS]);
        let response = exchange(&mut data, T0, LIFETIMES, &request).unwrap();
        assert!(response.refresh_token.is_some());
        assert_eq!(response.refresh_token_expires_in, Some(604_800));
        assert_eq!(response.scope, "a offline_access");
    }

    #[test]
    fn a_refresh_token_is_single_use_and_the_old_access_token_lasts_a_minute() {
        let (mut data, request) = with_code(&[OFFLINE_ACCESS]);
        let first = exchange(&mut data, T0, LIFETIMES, &request).unwrap();
        let old_refresh = first.refresh_token.unwrap();
        let second = refresh(
            &mut data,
            T0 + 1_000,
            LIFETIMES,
            &refresh_with(&old_refresh, None),
        )
        .unwrap();
        assert_eq!(
            refresh(
                &mut data,
                T0 + 2_000,
                LIFETIMES,
                &refresh_with(&old_refresh, None)
            )
            .unwrap_err(),
            ErrorCode::REFRESH_TOKEN_USED
        );
        let old_access = &data.access_tokens[&fingerprint(&first.access_token)];
        assert_eq!(old_access.replaced_until, Some(T0 + 1_000 + ROTATION_GRACE));
        assert_eq!(
            data.access_tokens[&fingerprint(&second.access_token)].replaced_until,
            None
        );
        assert!(refresh(
            &mut data,
            T0 + 2_000,
            LIFETIMES,
            &refresh_with(&second.refresh_token.unwrap(), None)
        )
        .is_ok());
    }

    #[test]
    fn every_token_of_a_sign_in_carries_its_grant() {
        let (mut data, request) = with_code(&[OFFLINE_ACCESS]);
        let first = exchange(&mut data, T0, LIFETIMES, &request).unwrap();
        let second = refresh(
            &mut data,
            T0,
            LIFETIMES,
            &refresh_with(&first.refresh_token.unwrap(), None),
        )
        .unwrap();
        let grant = Some(fingerprint("the-code"));
        for access_token in [&first.access_token, &second.access_token] {
            assert_eq!(data.access_tokens[&fingerprint(access_token)].grant, grant);
        }
        assert!(data
            .refresh_tokens
            .values()
            .all(|record| record.grant == grant));
    }

    #[test]
    fn narrowing_does_not_accumulate() {
        let (mut data, request) = with_code(&["a", "b", OFFLINE_ACCESS]);
        let first = exchange(&mut data, T0, LIFETIMES, &request).unwrap();
        let narrowed = refresh(
            &mut data,
            T0,
            LIFETIMES,
            &refresh_with(&first.refresh_token.unwrap(), Some(&["a", OFFLINE_ACCESS])),
        )
        .unwrap();
        assert_eq!(narrowed.scope, "a offline_access");
        let widened = refresh(
            &mut data,
            T0,
            LIFETIMES,
            &refresh_with(
                &narrowed.refresh_token.unwrap(),
                Some(&["b", OFFLINE_ACCESS]),
            ),
        )
        .unwrap();
        assert_eq!(widened.scope, "b offline_access");
        assert_eq!(
            refresh(
                &mut data,
                T0,
                LIFETIMES,
                &refresh_with(&widened.refresh_token.unwrap(), Some(&["c"]))
            )
            .unwrap_err(),
            ErrorCode::SCOPE_NOT_PERMITTED
        );
    }

    #[test]
    fn the_authorization_limit_caps_refresh_tokens() {
        let (mut data, request) = with_code(&[OFFLINE_ACCESS]);
        let first = exchange(&mut data, T0, LIFETIMES, &request).unwrap();
        let token = first.refresh_token.unwrap();
        expire_authorizations(&mut data, T0 + 1_000);
        assert_eq!(
            refresh(
                &mut data,
                T0 + 1_000,
                LIFETIMES,
                &refresh_with(&token, None)
            )
            .unwrap_err(),
            ErrorCode::REFRESH_TOKEN_EXPIRED
        );
        // Near the limit, the new refresh token's lifetime is cut to what remains.
        let (mut data, request) = with_code(&[OFFLINE_ACCESS]);
        let late = T0 + AUTHORIZATION_LIMIT - 100_000;
        data.codes
            .values_mut()
            .for_each(|code| code.expires_at = u64::MAX);
        let response = exchange(&mut data, late, LIFETIMES, &request).unwrap();
        assert_eq!(response.refresh_token_expires_in, Some(100));
    }

    #[test]
    fn codes_are_checked_in_order() {
        let (mut data, mut request) = with_code(&[]);
        request.redirect_uri = Some("http://127.0.0.1:9/cb/".to_owned());
        assert_eq!(
            exchange(&mut data, T0, LIFETIMES, &request).unwrap_err(),
            ErrorCode::REDIRECT_URI_MISMATCH
        );
        request.redirect_uri = None;
        assert_eq!(
            exchange(&mut data, T0, LIFETIMES, &request).unwrap_err(),
            ErrorCode::REDIRECT_URI_MISMATCH
        );
        request.redirect_uri = Some("http://127.0.0.1:9/cb".to_owned());
        request.code_verifier = Some("a".repeat(43));
        assert_eq!(
            exchange(&mut data, T0, LIFETIMES, &request).unwrap_err(),
            ErrorCode::PKCE_FAILED
        );
        request.code_verifier = None;
        assert_eq!(
            exchange(&mut data, T0 + 300_000, LIFETIMES, &request).unwrap_err(),
            ErrorCode::CODE_EXPIRED
        );
        request.client_id = "cli_b".to_owned();
        assert_eq!(
            exchange(&mut data, T0, LIFETIMES, &request).unwrap_err(),
            ErrorCode::CLIENT_MISMATCH
        );
        request.client_id = "cli_a".to_owned();
        assert!(exchange(&mut data, T0, LIFETIMES, &request).is_ok());
        assert_eq!(
            exchange(&mut data, T0, LIFETIMES, &request).unwrap_err(),
            ErrorCode::CODE_USED
        );
        request.code = "another".to_owned();
        assert_eq!(
            exchange(&mut data, T0, LIFETIMES, &request).unwrap_err(),
            ErrorCode::CODE_NOT_FOUND
        );
    }

    #[test]
    fn revoked_refresh_tokens_answer_20064() {
        let (mut data, request) = with_code(&[OFFLINE_ACCESS]);
        let token = exchange(&mut data, T0, LIFETIMES, &request)
            .unwrap()
            .refresh_token
            .unwrap();
        revoke_refresh_tokens(&mut data);
        assert_eq!(
            refresh(&mut data, T0, LIFETIMES, &refresh_with(&token, None)).unwrap_err(),
            ErrorCode::REFRESH_TOKEN_REVOKED
        );
        assert_eq!(
            refresh(&mut data, T0, LIFETIMES, &refresh_with("unknown", None)).unwrap_err(),
            ErrorCode::REFRESH_TOKEN_INVALID
        );
    }
}
