//! The session: the tokens, when they expire (as absolute instants), the granted scopes and who
//! signed in; and the arithmetic that says whether the access token can still be used.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{
    brand::IssuerBrand,
    profile::Profile,
    scope::Scopes,
    secret::{AccessToken, RefreshToken},
};

/// How long after the user authorized Feishu forces a new authorization (the refresh page).
pub const AUTHORIZATION_LIFETIME: time::Duration = time::Duration::days(365);
/// The refresh-ahead margin's upper bound.
pub const MAX_REFRESH_MARGIN: time::Duration = time::Duration::minutes(5);

/// Whose session it is: a session made for one app (or the sandbox) is not used for another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Issuer {
    /// Feishu, Lark or the sandbox.
    pub brand: IssuerBrand,
    /// The App ID the tokens were issued to.
    pub app_id: String,
}

/// A signed-in session, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// Who issued the tokens.
    pub issuer: Issuer,
    /// The `user_access_token`.
    pub access_token: AccessToken,
    /// When the access token was issued (start of the request that got it).
    #[serde(with = "time::serde::rfc3339")]
    pub access_token_issued_at: OffsetDateTime,
    /// When the access token expires.
    #[serde(with = "time::serde::rfc3339")]
    pub access_token_expires_at: OffsetDateTime,
    /// The refresh token; `None` when `offline_access` was not granted.
    pub refresh_token: Option<RefreshToken>,
    /// When the refresh token expires.
    #[serde(with = "time::serde::rfc3339::option")]
    pub refresh_token_expires_at: Option<OffsetDateTime>,
    /// When the user authorized (the code exchange): Feishu forces a new authorization 365 days later.
    #[serde(with = "time::serde::rfc3339")]
    pub authorized_at: OffsetDateTime,
    /// The scopes the access token carries (the token answer's `scope`).
    pub scopes: Scopes,
    /// The user.
    pub profile: Profile,
}

/// Whether the access token can be used as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TokenStatus {
    /// Usable, with more than the refresh margin left.
    Valid,
    /// Usable, but within the refresh margin: refresh now.
    NeedsRefresh,
    /// Past its expiry.
    Expired,
}

impl TokenStatus {
    /// The name used by `status --json` and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenStatus::Valid => "valid",
            TokenStatus::NeedsRefresh => "needsRefresh",
            TokenStatus::Expired => "expired",
        }
    }
}

/// Why a token is refreshed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaleReason {
    /// Within the refresh margin.
    ExpiresSoon,
    /// Already expired.
    Expired,
    /// Asked for explicitly (`feishu-auth refresh`, the app's button).
    Requested,
}

/// Why a scheduled refresh (`feishu-auth refresh --if-due`, the keepalive's timer) refreshes now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshDue {
    /// The access token is within its refresh margin, or expired.
    AccessTokenStale(StaleReason),
    /// The refresh token would expire before the next scheduled run could renew it.
    RefreshTokenExpiresBeforeNextRun,
}

/// How much earlier than the next run's time a refresh token is renewed: a timer that fires
/// late (a machine asleep at the hour) should still find it good.
const NEXT_RUN_SLACK: time::Duration = time::Duration::hours(1);

impl Session {
    /// Whether a scheduled run at `now`, whose next run is `next_run` away, should refresh: when
    /// the access token is stale, or the refresh token would expire before the next run (plus an
    /// hour's slack). `None` when nothing is due, or nothing can be renewed any more (no refresh
    /// token, or past the forced re-authorization): no refresh would help then.
    pub fn refresh_due(&self, now: OffsetDateTime, next_run: time::Duration) -> Option<RefreshDue> {
        if !self.can_refresh(now) {
            return None;
        }
        if let Some(reason) = self.stale_reason(now) {
            return Some(RefreshDue::AccessTokenStale(reason));
        }
        let horizon = now.saturating_add(next_run).saturating_add(NEXT_RUN_SLACK);
        match self.refresh_token_expires_at {
            Some(at) if at <= horizon => Some(RefreshDue::RefreshTokenExpiresBeforeNextRun),
            _ => None,
        }
    }

    /// The access token's lifetime as issued.
    pub fn access_token_lifetime(&self) -> time::Duration {
        self.access_token_expires_at - self.access_token_issued_at
    }

    /// The refresh-ahead margin: min(5 minutes, half the access token's lifetime), so a short-lived
    /// token is not refreshed on every use.
    pub fn refresh_margin(&self) -> time::Duration {
        let half: time::Duration = self.access_token_lifetime() / 2;
        half.min(MAX_REFRESH_MARGIN).max(time::Duration::ZERO)
    }

    /// The access token's status at `now`.
    pub fn token_status(&self, now: OffsetDateTime) -> TokenStatus {
        if now >= self.access_token_expires_at {
            TokenStatus::Expired
        } else if self.access_token_expires_at - now <= self.refresh_margin() {
            TokenStatus::NeedsRefresh
        } else {
            TokenStatus::Valid
        }
    }

    /// Why the token should be refreshed at `now`, or `None` when it is good.
    pub fn stale_reason(&self, now: OffsetDateTime) -> Option<StaleReason> {
        match self.token_status(now) {
            TokenStatus::Valid => None,
            TokenStatus::NeedsRefresh => Some(StaleReason::ExpiresSoon),
            TokenStatus::Expired => Some(StaleReason::Expired),
        }
    }

    /// Whether a refresh can still succeed at `now` (a refresh token that has not expired).
    pub fn can_refresh(&self, now: OffsetDateTime) -> bool {
        match (&self.refresh_token, self.refresh_token_expires_at) {
            (Some(_), Some(at)) => now < at && now < self.reauthorization_due_at(),
            (Some(_), None) => now < self.reauthorization_due_at(),
            (None, _) => false,
        }
    }

    /// When Feishu will force a new authorization (365 days after the user authorized).
    /// Saturating: no date read from a file may panic anything.
    pub fn reauthorization_due_at(&self) -> OffsetDateTime {
        self.authorized_at.saturating_add(AUTHORIZATION_LIFETIME)
    }

    /// The first field holding a date no real session can hold (before 2000 or after 2200), if
    /// any: such a file was not written by a sign-in, and its arithmetic could overflow, so the
    /// store treats it as corrupt.
    pub fn implausible_date(&self) -> Option<&'static str> {
        let plausible = |at: OffsetDateTime| (2000..2200).contains(&at.year());
        [
            ("access_token_issued_at", Some(self.access_token_issued_at)),
            (
                "access_token_expires_at",
                Some(self.access_token_expires_at),
            ),
            ("refresh_token_expires_at", self.refresh_token_expires_at),
            ("authorized_at", Some(self.authorized_at)),
        ]
        .into_iter()
        .find_map(|(field, at)| at.filter(|at| !plausible(*at)).map(|_| field))
    }

    /// The time left until `at`, zero if past, as a std duration.
    pub fn remaining(at: OffsetDateTime, now: OffsetDateTime) -> Duration {
        Duration::try_from(at - now).unwrap_or(Duration::ZERO)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::macros::datetime;

    pub(crate) fn sample(issued: OffsetDateTime, lifetime_s: i64) -> Session {
        Session {
            issuer: Issuer {
                brand: IssuerBrand::Sandbox,
                app_id: "cli_test".into(),
            },
            access_token: AccessToken::new("a"),
            access_token_issued_at: issued,
            access_token_expires_at: issued + time::Duration::seconds(lifetime_s),
            refresh_token: Some(RefreshToken::new("r")),
            refresh_token_expires_at: Some(issued + time::Duration::days(7)),
            authorized_at: issued,
            scopes: Scopes::default_request(),
            profile: Profile {
                name: "张三".into(),
                open_id: "ou_1".into(),
                ..Profile::default()
            },
        }
    }

    #[test]
    fn a_brand_this_version_does_not_know_is_read_not_rejected() {
        let mut value = serde_json::to_value(sample(datetime!(2026-01-01 0:00 UTC), 7200)).unwrap();
        value["issuer"]["brand"] = "a-future-brand".into();
        let session: Session = serde_json::from_value(value).unwrap();
        assert_eq!(session.issuer.brand, IssuerBrand::Unknown);
    }

    #[test]
    fn dates_at_the_edge_of_time_neither_panic_nor_pass() {
        let mut s = sample(datetime!(2026-01-01 0:00 UTC), 7200);
        assert_eq!(s.implausible_date(), None);
        s.authorized_at = datetime!(9999-12-31 23:59:59 UTC);
        assert_eq!(s.implausible_date(), Some("authorized_at"));
        let now = OffsetDateTime::now_utc();
        let _ = (
            s.can_refresh(now),
            s.reauthorization_due_at(),
            s.token_status(now),
        );
        s.access_token_expires_at = datetime!(-9999-01-01 0:00 UTC);
        let _ = (s.refresh_margin(), s.token_status(now), s.stale_reason(now));
    }

    #[test]
    fn margin_is_five_minutes_for_long_tokens() {
        let t0 = datetime!(2026-01-01 0:00 UTC);
        let s = sample(t0, 7200);
        assert_eq!(s.refresh_margin(), time::Duration::minutes(5));
        assert_eq!(
            s.token_status(t0 + time::Duration::seconds(7200 - 301)),
            TokenStatus::Valid
        );
        assert_eq!(
            s.token_status(t0 + time::Duration::seconds(7200 - 300)),
            TokenStatus::NeedsRefresh
        );
        assert_eq!(
            s.token_status(t0 + time::Duration::seconds(7200)),
            TokenStatus::Expired
        );
    }

    #[test]
    fn margin_is_half_the_lifetime_for_short_tokens() {
        let t0 = datetime!(2026-01-01 0:00 UTC);
        let s = sample(t0, 60);
        assert_eq!(s.refresh_margin(), time::Duration::seconds(30));
        assert_eq!(
            s.token_status(t0 + time::Duration::seconds(29)),
            TokenStatus::Valid
        );
        assert_eq!(
            s.token_status(t0 + time::Duration::seconds(30)),
            TokenStatus::NeedsRefresh
        );
    }

    #[test]
    fn refresh_is_possible_until_the_refresh_token_or_the_year_ends() {
        let t0 = datetime!(2026-01-01 0:00 UTC);
        let mut s = sample(t0, 7200);
        assert!(s.can_refresh(t0 + time::Duration::days(6)));
        assert!(!s.can_refresh(t0 + time::Duration::days(7)));
        s.refresh_token_expires_at = Some(t0 + time::Duration::days(400));
        assert!(!s.can_refresh(t0 + time::Duration::days(365)));
        s.refresh_token = None;
        assert!(!s.can_refresh(t0));
        assert_eq!(s.reauthorization_due_at(), datetime!(2027-01-01 0:00 UTC));
    }

    #[test]
    fn a_scheduled_run_refreshes_only_what_would_otherwise_lapse() {
        let t0 = datetime!(2026-01-01 0:00 UTC);
        let s = sample(t0, 7200);
        let day = time::Duration::days(1);
        // Fresh tokens, a refresh token good for 7 days: a daily run has nothing to do.
        assert_eq!(s.refresh_due(t0 + time::Duration::minutes(1), day), None);
        // A stale access token is refreshed whatever the schedule.
        assert_eq!(
            s.refresh_due(t0 + time::Duration::minutes(118), day),
            Some(RefreshDue::AccessTokenStale(StaleReason::ExpiresSoon))
        );
        assert_eq!(
            s.refresh_due(t0 + time::Duration::hours(3), day),
            Some(RefreshDue::AccessTokenStale(StaleReason::Expired))
        );
        // On day 6 the refresh token (7 days) would lapse before a run a day later (and an
        // hour's slack): renewed now, though the access token, here just refreshed, is fresh.
        let mut renewed = s.clone();
        renewed.access_token_issued_at = t0 + time::Duration::days(6);
        renewed.access_token_expires_at = renewed.access_token_issued_at + time::Duration::hours(2);
        let day6 = t0 + time::Duration::days(6) + time::Duration::minutes(1);
        assert_eq!(
            renewed.refresh_due(day6, day),
            Some(RefreshDue::RefreshTokenExpiresBeforeNextRun)
        );
        assert_eq!(renewed.refresh_due(day6, time::Duration::hours(6)), None);
        // Nothing to renew with: not due, since no refresh could help.
        let mut gone = renewed;
        gone.refresh_token = None;
        assert_eq!(gone.refresh_due(day6, day), None);
    }

    #[test]
    fn stored_form_round_trips() {
        let s = sample(datetime!(2026-01-01 0:00 UTC), 7200);
        let json = serde_json::to_string(&s).unwrap();
        assert!(
            json.contains("\"access_token_expires_at\":\"2026-01-01T02:00:00Z\""),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Session>(&json).unwrap(), s);
    }
}
