//! The device authorization grant (RFC 8628) applied to the store: a device code is minted, the
//! person approves or denies it on the verification page, and the device polls it at the token
//! endpoint until it gets the usual token answer, once.
//!
//! Feishu's public pages do not document this grant; the official Lark CLI (larksuite/cli) uses
//! it, and its answers are RFC 8628's, strictly: `authorization_pending` before the decision,
//! `slow_down` for a poll sooner than the current interval (which then grows by 5 s, §3.5),
//! `access_denied`, `expired_token`, and `invalid_grant` for a spent, unknown or another app's
//! code. Every time is the emulator's clock, so tests move it instead of sleeping.

use std::collections::BTreeSet;

use crate::clock::Millis;
use crate::errors::ErrorCode;
use crate::grants::{self, Lifetimes, Origin, TokenResponse};
use crate::secrets::{self, fingerprint};
use crate::state::{DeviceCodeRecord, DeviceStatus, StoreData};
use crate::user_code;

/// What `slow_down` adds to a device code's interval (RFC 8628 §3.5).
pub(crate) const SLOW_DOWN_STEP: Millis = 5_000;

/// A device code just minted, as the device authorization endpoint answers it.
#[derive(Debug)]
pub(crate) struct NewDeviceCode {
    pub(crate) device_code: String,
    /// As shown: `BCDF-GHJK`.
    pub(crate) user_code: String,
}

/// `grant_type=urn:ietf:params:oauth:grant-type:device_code`, authenticated already.
#[derive(Debug)]
pub(crate) struct DevicePoll {
    pub(crate) client_id: String,
    pub(crate) device_code: String,
    pub(crate) scope: Option<BTreeSet<String>>,
}

/// Why a poll gets no tokens: RFC 8628 §3.5's answers.
///
/// These carry no Feishu `code`: the error table in `errors` has none that fits (its 20003/20065
/// speak of authorization codes), so the body is RFC 6749 §5.2's `{"error","error_description"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PollError {
    AuthorizationPending,
    SlowDown,
    AccessDenied,
    ExpiredToken,
    /// Unknown, spent, or issued to another app.
    InvalidGrant,
    /// A Feishu error on the way (a narrowing `scope` that was never granted: 20068).
    Feishu(ErrorCode),
}

impl PollError {
    /// The `error` string.
    pub(crate) fn error(self) -> &'static str {
        match self {
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::AccessDenied => "access_denied",
            Self::ExpiredToken => "expired_token",
            Self::InvalidGrant => "invalid_grant",
            Self::Feishu(code) => code.error(),
        }
    }

    /// The `error_description`.
    pub(crate) fn description(self) -> &'static str {
        match self {
            Self::AuthorizationPending => {
                "The user has not yet approved or denied the request. Poll again after the interval."
            }
            Self::SlowDown => "Polling too fast: the interval has been increased by 5 seconds.",
            Self::AccessDenied => "The user denied the authorization request.",
            Self::ExpiredToken => "The device code has expired. Start a new device authorization.",
            Self::InvalidGrant => {
                "The device code is invalid, was issued to another client, or has already been used."
            }
            Self::Feishu(code) => code.description(),
        }
    }
}

/// Why the verification page cannot act on a user code; the page says which.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CodeProblem {
    Unknown,
    Expired,
    /// Approved, denied or exchanged already.
    Used,
}

/// Mints a device code for `client_id` and `scopes`.
pub(crate) fn start(
    data: &mut StoreData,
    now: Millis,
    client_id: &str,
    scopes: BTreeSet<String>,
    ttl: Millis,
    interval: Millis,
) -> NewDeviceCode {
    let device_code = secrets::device_code();
    let mut shown = user_code::generate();
    // Live user codes must not collide: draw again (rare: 20⁸ codes).
    while data
        .device_codes
        .values()
        .any(|record| record.user_code == user_code::key(&shown))
    {
        shown = user_code::generate();
    }
    data.device_codes.insert(
        fingerprint(&device_code),
        DeviceCodeRecord {
            client_id: client_id.to_owned(),
            scopes,
            user_code: user_code::key(&shown),
            expires_at: now.saturating_add(ttl),
            interval,
            last_poll: None,
            status: DeviceStatus::Pending,
            granted: BTreeSet::new(),
            authorized_at: 0,
        },
    );
    NewDeviceCode {
        device_code,
        user_code: shown,
    }
}

/// The pending device code a typed user code names, if the person may still decide on it.
pub(crate) fn pending<'a>(
    data: &'a mut StoreData,
    now: Millis,
    typed: &str,
) -> Result<&'a mut DeviceCodeRecord, CodeProblem> {
    let key = user_code::key(typed);
    let record = data
        .device_codes
        .values_mut()
        .find(|record| record.user_code == key)
        .ok_or(CodeProblem::Unknown)?;
    if record.status != DeviceStatus::Pending {
        return Err(CodeProblem::Used);
    }
    if now >= record.expires_at {
        return Err(CodeProblem::Expired);
    }
    Ok(record)
}

/// The person's decision on the verification page. Approving adds the scopes to the app's grant
/// (grants are cumulative, as at the authorize page).
pub(crate) fn decide(
    data: &mut StoreData,
    now: Millis,
    typed: &str,
    approved: bool,
) -> Result<(), CodeProblem> {
    let record = pending(data, now, typed)?;
    if !approved {
        record.status = DeviceStatus::Denied;
        return Ok(());
    }
    let (client_id, scopes) = (record.client_id.clone(), record.scopes.clone());
    let granted = data.grants.entry(client_id).or_default();
    granted.extend(scopes);
    let granted = granted.clone();
    let record = pending(data, now, typed)?;
    record.status = DeviceStatus::Approved;
    record.granted = granted;
    record.authorized_at = now;
    Ok(())
}

/// One poll of the token endpoint: tokens once approved, otherwise why not.
pub(crate) fn poll(
    data: &mut StoreData,
    now: Millis,
    lifetimes: Lifetimes,
    request: &DevicePoll,
) -> Result<TokenResponse, PollError> {
    let key = fingerprint(&request.device_code);
    let record = data
        .device_codes
        .get_mut(&key)
        .ok_or(PollError::InvalidGrant)?;
    if record.client_id != request.client_id || record.status == DeviceStatus::Exchanged {
        return Err(PollError::InvalidGrant);
    }
    if now >= record.expires_at {
        return Err(PollError::ExpiredToken);
    }
    match record.status {
        DeviceStatus::Pending => {
            // `slow_down` is a kind of `authorization_pending` (§3.5): only a pending code has an
            // interval to keep.
            let too_soon = record
                .last_poll
                .is_some_and(|last| now < last.saturating_add(record.interval));
            record.last_poll = Some(now);
            if too_soon {
                record.interval = record.interval.saturating_add(SLOW_DOWN_STEP);
                return Err(PollError::SlowDown);
            }
            Err(PollError::AuthorizationPending)
        }
        DeviceStatus::Denied => Err(PollError::AccessDenied),
        DeviceStatus::Exchanged => Err(PollError::InvalidGrant),
        DeviceStatus::Approved => {
            let scopes = grants::narrow(&record.granted, request.scope.as_ref())
                .map_err(PollError::Feishu)?;
            record.status = DeviceStatus::Exchanged;
            let origin = Origin {
                client_id: request.client_id.clone(),
                granted: record.granted.clone(),
                authorized_at: record.authorized_at,
                // The device code starts the grant, as an authorization code does.
                grant: Some(key),
            };
            Ok(grants::issue(data, now, lifetimes, origin, scopes))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    const T0: Millis = 1_700_000_000_000;
    const LIFETIMES: Lifetimes = Lifetimes {
        access: 7_200_000,
        refresh: 604_800_000,
    };

    fn started(scopes: &[&str]) -> (StoreData, NewDeviceCode, DevicePoll) {
        let mut data = StoreData::default();
        let scopes = scopes.iter().map(|scope| (*scope).to_owned()).collect();
        let new = start(&mut data, T0, "cli_a", scopes, 240_000, 5_000);
        let poll = DevicePoll {
            client_id: "cli_a".to_owned(),
            device_code: new.device_code.clone(),
            scope: None,
        };
        (data, new, poll)
    }

    #[test]
    fn polls_answer_pending_then_tokens_once() {
        let (mut data, new, request) = started(&["offline_access"]);
        assert_eq!(
            poll(&mut data, T0, LIFETIMES, &request).unwrap_err(),
            PollError::AuthorizationPending
        );
        decide(&mut data, T0, &new.user_code.to_lowercase(), true).unwrap();
        let response = poll(&mut data, T0 + 5_000, LIFETIMES, &request).unwrap();
        assert!(response.refresh_token.is_some());
        assert_eq!(
            poll(&mut data, T0 + 10_000, LIFETIMES, &request).unwrap_err(),
            PollError::InvalidGrant
        );
        assert_eq!(
            decide(&mut data, T0, &new.user_code, true),
            Err(CodeProblem::Used)
        );
    }

    #[test]
    fn polling_too_fast_slows_down_by_five_seconds() {
        let (mut data, _, request) = started(&[]);
        let _ = poll(&mut data, T0, LIFETIMES, &request);
        assert_eq!(
            poll(&mut data, T0 + 4_999, LIFETIMES, &request).unwrap_err(),
            PollError::SlowDown
        );
        let record = data.device_codes.values().next().unwrap();
        assert_eq!(record.interval, 10_000);
        assert_eq!(
            poll(&mut data, T0 + 4_999 + 10_000, LIFETIMES, &request).unwrap_err(),
            PollError::AuthorizationPending
        );
    }

    #[test]
    fn denied_expired_and_foreign_codes() {
        let (mut data, new, mut request) = started(&[]);
        decide(&mut data, T0, &new.user_code, false).unwrap();
        assert_eq!(
            poll(&mut data, T0, LIFETIMES, &request).unwrap_err(),
            PollError::AccessDenied
        );
        assert_eq!(
            poll(&mut data, T0 + 240_000, LIFETIMES, &request).unwrap_err(),
            PollError::ExpiredToken
        );
        request.client_id = "cli_b".to_owned();
        assert_eq!(
            poll(&mut data, T0, LIFETIMES, &request).unwrap_err(),
            PollError::InvalidGrant
        );
        let (mut data, new, _) = started(&[]);
        assert_eq!(
            decide(&mut data, T0 + 240_000, &new.user_code, true),
            Err(CodeProblem::Expired)
        );
        assert_eq!(
            decide(&mut data, T0, "BBBB-BBBB", true),
            Err(CodeProblem::Unknown)
        );
    }
}
