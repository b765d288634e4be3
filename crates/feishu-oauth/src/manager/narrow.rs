//! Least privilege for scripts: an access token narrowed to some of the granted scopes, while
//! the stored session keeps its full token and its refresh token.
//!
//! The token page's rules (the emulator follows them): `scope` on a refresh narrows the new
//! access token to a subset of the grant (20067 for a duplicate, 20068 for a scope never
//! granted); narrowing never accumulates, since the rotated refresh token still covers the whole
//! grant; and a narrowed answer carries a refresh token only when `offline_access` is among the
//! scopes. So a narrowed token costs two refreshes, both under the locks every refresh takes
//! (the process's gate and the cross-process lock file):
//! 1. refresh with the asked scopes plus `offline_access`: the narrowed token, and a refresh token
//!    of the whole grant;
//! 2. refresh once more without `scope`: a full token for the session, saved once, as any refresh
//!    saves.
//!
//! A failed second step keeps the first step's refresh token (the only live one) with the
//! narrowed access token stored as already expired, so the next use refreshes to the full
//! scopes: the session is never left with a narrowed token it would hand out.

use std::future::Future;

use time::OffsetDateTime;
use tracing::{info, warn};

use super::SessionManager;
use crate::{
    client::FeishuClient,
    error::{Error, Result},
    scope::{Scopes, OFFLINE_ACCESS},
    secret::AccessToken,
    session::Session,
};

/// A token narrowed to some scopes, for one script; not stored.
#[derive(Debug, Clone)]
pub struct NarrowedToken {
    /// The narrowed `user_access_token`.
    pub access_token: AccessToken,
    /// When it expires.
    pub expires_at: OffsetDateTime,
    /// The scopes it carries (the answer's; `offline_access` among them).
    pub scopes: Scopes,
}

impl SessionManager {
    /// A token narrowed to `scopes` (plus `offline_access`, which keeps the session's refresh
    /// token alive), the session afterwards holding a full one. A scope the session was not
    /// granted is [`Error::ScopeNotGranted`], naming what it holds; nothing is spent then.
    pub async fn narrowed_token<F, Fut>(&self, scopes: &Scopes, connect: F) -> Result<NarrowedToken>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<FeishuClient>>,
    {
        let _gate = self.gate.lock().await;
        let refresh_lock = self.refresh_lock().await?;
        let session = self.current()?.ok_or(Error::SignedOut)?;
        let now = OffsetDateTime::now_utc();
        let Some(spent) = session
            .refresh_token
            .clone()
            .filter(|_| session.can_refresh(now))
        else {
            return Err(Error::SignInRequired {
                reason: "a narrowed token is made by a refresh, and this session cannot be refreshed (no refresh token, or it expired)".into(),
            });
        };
        let offline = Scopes::from_iter_checked([OFFLINE_ACCESS]).unwrap_or_default();
        let asked = scopes.union(&offline);
        let client = connect().await?;
        info!(scopes = %asked, "refreshing for a narrowed token");
        let narrowed = match client.refresh(&spent, Some(&asked)).await {
            Ok(grant) => grant,
            Err(Error::Feishu(e)) if matches!(e.code, 20067 | 20068) => {
                return Err(Error::ScopeNotGranted {
                    code: e.code,
                    missing: if e.code == 20067 {
                        asked.iter().map(str::to_owned).collect()
                    } else {
                        missing(&asked, &session.scopes)
                    },
                    granted: session.scopes.iter().map(str::to_owned).collect(),
                })
            }
            Err(e) => {
                return Err(match self.refused(e, &spent) {
                    Err(e) => e,
                    // Rotated by a program that took no lock: this one may simply run again.
                    Ok(_) => Error::SignInRequired {
                        reason:
                            "another program refreshed the session meanwhile: run the command again"
                                .into(),
                    },
                });
            }
        };
        let Some(whole_grant) = narrowed.refresh_token.clone() else {
            // Feishu's page says the answer carries one with `offline_access`: without it the
            // session could never refresh again, so this is not Feishu's documented behaviour.
            return Err(Error::InvalidResponse {
                url: client.endpoints().token.to_string(),
                status: 200,
                reason: "the narrowed refresh answered no `refresh_token` although `offline_access` was asked".into(),
            });
        };
        let token = NarrowedToken {
            access_token: narrowed.access_token.clone(),
            expires_at: narrowed.access_token_expires_at,
            scopes: if narrowed.scopes.is_empty() {
                asked.clone()
            } else {
                narrowed.scopes.clone()
            },
        };
        let full = match client.refresh(&whole_grant, None).await {
            Ok(grant) => grant.refreshing(session),
            Err(e) => {
                warn!(error = %e, "the refresh back to the full scopes failed; the next use refreshes");
                Session {
                    access_token: narrowed.access_token,
                    access_token_issued_at: narrowed.issued_at,
                    access_token_expires_at: narrowed.issued_at,
                    refresh_token: Some(whole_grant),
                    refresh_token_expires_at: narrowed.refresh_token_expires_at,
                    ..session
                }
            }
        };
        let saved = self.save_refreshed(full, spent, refresh_lock)?;
        self.remember_refreshed(&saved);
        Ok(token)
    }
}

/// The asked scopes the session does not hold, or all of them when it seems to hold each (the
/// grant then knows better than the session's list).
fn missing(asked: &Scopes, held: &Scopes) -> Vec<String> {
    let missing = asked.missing_from(held);
    if missing.is_empty() {
        asked.iter().map(str::to_owned).collect()
    } else {
        missing
    }
}
