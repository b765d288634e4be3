//! Revoking a token in the store, for the revocation endpoint (`revoke`), by RFC 7009's rules.
//!
//! - A live refresh token is revoked (refreshing with it answers 20064 from then on), and so is
//!   every access token of its grant: the same sign-in, through every refresh, including an old
//!   access token still in its last minute after a rotation. RFC 7009 §2.1 asks a server that can
//!   tell which access tokens stem from the same grant to invalidate them too; each token records
//!   its grant (see `RefreshTokenRecord::grant`). Records from state written before grants were
//!   recorded carry none: then the access token issued together with the refresh token, the one
//!   link they have, is revoked with it.
//! - A live access token is revoked alone: user info then answers as for a token it never issued.
//!   The grant's refresh token keeps working. RFC 7009 §2.1 lets a server revoke it too, but
//!   Feishu documents neither way, and a client that wants the grant gone must revoke its refresh
//!   token anyway.
//! - A token that is unknown, expired, spent by a refresh or revoked already is left as it is, and
//!   the request still succeeds (RFC 7009 §2.2: an invalid token is no error). A spent refresh
//!   token keeps answering 20073, an expired one 20037.
//! - A token issued to another app is left as it is, and the request is refused (RFC 7009 §2.1).
//!
//! `token_type_hint` only orders the look-up (that kind first, then the other), as RFC 7009 §2.1
//! asks; a hint of a kind the server does not know is no hint.

use crate::clock::Millis;
use crate::grants::authorization_ends;
use crate::secrets::{fingerprint, TokenKind};
use crate::state::{RefreshStatus, StoreData};

/// What a revocation request did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Revocation {
    /// A live token of this kind was revoked.
    Revoked(TokenKind),
    /// The token was not live (or not known): nothing changed.
    NothingToRevoke,
    /// The token was issued to another app: nothing changed, and the request is refused.
    AnotherClient,
}

/// Revokes `token` on behalf of the (authenticated) app `client_id`.
pub(crate) fn revoke(
    data: &mut StoreData,
    now: Millis,
    client_id: &str,
    token: &str,
    hint: Option<TokenKind>,
) -> Revocation {
    let key = fingerprint(token);
    let order = match hint {
        Some(TokenKind::Access) => [TokenKind::Access, TokenKind::Refresh],
        Some(TokenKind::Refresh) | None => [TokenKind::Refresh, TokenKind::Access],
    };
    for kind in order {
        let owner = match kind {
            TokenKind::Access => data.access_tokens.get(&key).map(|record| &record.client_id),
            TokenKind::Refresh => data
                .refresh_tokens
                .get(&key)
                .map(|record| &record.client_id),
        };
        let Some(owner) = owner else {
            continue;
        };
        if owner != client_id {
            return Revocation::AnotherClient;
        }
        let revoked = match kind {
            TokenKind::Access => revoke_access_token(data, &key, now),
            TokenKind::Refresh => revoke_refresh_token(data, &key, now),
        };
        return if revoked {
            Revocation::Revoked(kind)
        } else {
            Revocation::NothingToRevoke
        };
    }
    Revocation::NothingToRevoke
}

/// Revokes the access token stored under `key` if it is live; whether it did.
fn revoke_access_token(data: &mut StoreData, key: &str, now: Millis) -> bool {
    let Some(record) = data.access_tokens.get_mut(key) else {
        return false;
    };
    let live = !record.revoked
        && now < record.expires_at
        && record.replaced_until.is_none_or(|until| now < until);
    if live {
        record.revoked = true;
    }
    live
}

/// Revokes the refresh token stored under `key` if it is live, with its grant's access tokens;
/// whether it did.
fn revoke_refresh_token(data: &mut StoreData, key: &str, now: Millis) -> bool {
    let Some(record) = data.refresh_tokens.get_mut(key) else {
        return false;
    };
    let live = record.status == RefreshStatus::Active
        && now < record.expires_at
        && now < authorization_ends(record.authorized_at);
    if !live {
        return false;
    }
    record.status = RefreshStatus::Revoked;
    let grant = record.grant.clone();
    let issued_with = record.access_token.clone();
    for (access_key, access) in &mut data.access_tokens {
        let same_grant = grant.is_some() && access.grant == grant;
        if same_grant || *access_key == issued_with {
            access.revoked = true;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::state::{AccessTokenRecord, RefreshTokenRecord};

    const T0: Millis = 1_700_000_000_000;
    const LATER: Millis = T0 + 1_000_000;

    fn access(grant: Option<&str>) -> AccessTokenRecord {
        AccessTokenRecord {
            client_id: "cli_a".to_owned(),
            scopes: BTreeSet::new(),
            expires_at: LATER,
            replaced_until: None,
            grant: grant.map(str::to_owned),
            revoked: false,
        }
    }

    fn refresh(grant: Option<&str>, access_token: &str) -> RefreshTokenRecord {
        RefreshTokenRecord {
            client_id: "cli_a".to_owned(),
            granted: BTreeSet::new(),
            authorized_at: T0,
            expires_at: LATER,
            status: RefreshStatus::Active,
            access_token: fingerprint(access_token),
            grant: grant.map(str::to_owned),
        }
    }

    /// Grant `g`: access tokens `a1` (rotated, in its last minute) and `a2`, refresh tokens `r1`
    /// (spent) and `r2`. Grant `h`: `b` and `s`. And `old`/`r-old`, from before grants were
    /// recorded, with `stray`, unlinked.
    fn store() -> StoreData {
        let mut data = StoreData::default();
        let mut rotated = access(Some("g"));
        rotated.replaced_until = Some(T0 + 60_000);
        data.access_tokens.insert(fingerprint("a1"), rotated);
        data.access_tokens
            .insert(fingerprint("a2"), access(Some("g")));
        let mut spent = refresh(Some("g"), "a1");
        spent.status = RefreshStatus::Used;
        data.refresh_tokens.insert(fingerprint("r1"), spent);
        data.refresh_tokens
            .insert(fingerprint("r2"), refresh(Some("g"), "a2"));
        data.access_tokens
            .insert(fingerprint("b"), access(Some("h")));
        data.refresh_tokens
            .insert(fingerprint("s"), refresh(Some("h"), "b"));
        data.access_tokens.insert(fingerprint("old"), access(None));
        data.access_tokens
            .insert(fingerprint("stray"), access(None));
        data.refresh_tokens
            .insert(fingerprint("r-old"), refresh(None, "old"));
        data
    }

    fn revoked(data: &StoreData, access_token: &str) -> bool {
        data.access_tokens[&fingerprint(access_token)].revoked
    }

    fn status(data: &StoreData, refresh_token: &str) -> RefreshStatus {
        data.refresh_tokens[&fingerprint(refresh_token)].status
    }

    #[test]
    fn a_refresh_token_takes_its_grants_access_tokens_with_it() {
        let mut data = store();
        assert_eq!(
            revoke(&mut data, T0, "cli_a", "r2", Some(TokenKind::Refresh)),
            Revocation::Revoked(TokenKind::Refresh)
        );
        assert_eq!(status(&data, "r2"), RefreshStatus::Revoked);
        assert!(revoked(&data, "a1") && revoked(&data, "a2"));
        // Another grant is untouched; the spent token stays spent.
        assert!(!revoked(&data, "b"));
        assert_eq!(status(&data, "s"), RefreshStatus::Active);
        assert_eq!(status(&data, "r1"), RefreshStatus::Used);
        // Once revoked there is nothing left to revoke.
        assert_eq!(
            revoke(&mut data, T0, "cli_a", "r2", None),
            Revocation::NothingToRevoke
        );
    }

    #[test]
    fn without_a_recorded_grant_the_access_token_issued_with_it_goes() {
        let mut data = store();
        assert_eq!(
            revoke(&mut data, T0, "cli_a", "r-old", None),
            Revocation::Revoked(TokenKind::Refresh)
        );
        assert!(revoked(&data, "old"));
        assert!(!revoked(&data, "stray") && !revoked(&data, "a2"));
    }

    #[test]
    fn an_access_token_goes_alone_whatever_the_hint() {
        let mut data = store();
        assert_eq!(
            revoke(&mut data, T0, "cli_a", "a2", Some(TokenKind::Refresh)),
            Revocation::Revoked(TokenKind::Access)
        );
        assert!(revoked(&data, "a2"));
        assert!(!revoked(&data, "a1"));
        assert_eq!(status(&data, "r2"), RefreshStatus::Active);
    }

    #[test]
    fn dead_unknown_and_foreign_tokens_change_nothing() {
        let mut data = store();
        let before = store();
        for (token, at) in [("r1", T0), ("a1", T0 + 60_000), ("a2", LATER), ("s", LATER)] {
            assert_eq!(
                revoke(&mut data, at, "cli_a", token, None),
                Revocation::NothingToRevoke,
                "{token}"
            );
        }
        assert_eq!(
            revoke(&mut data, T0, "cli_a", "unknown", Some(TokenKind::Access)),
            Revocation::NothingToRevoke
        );
        for token in ["r2", "a2"] {
            assert_eq!(
                revoke(&mut data, T0, "cli_b", token, None),
                Revocation::AnotherClient
            );
        }
        assert_eq!(data, before);
    }

    #[test]
    fn an_authorization_past_its_limit_leaves_nothing_to_revoke() {
        let mut data = store();
        let past = authorization_ends(T0);
        data.refresh_tokens
            .values_mut()
            .for_each(|record| record.expires_at = u64::MAX);
        assert_eq!(
            revoke(&mut data, past, "cli_a", "s", None),
            Revocation::NothingToRevoke
        );
    }
}
