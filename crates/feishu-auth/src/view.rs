//! How a session is shown: the `status --json` document (a fixed contract for scripts) and the
//! human summary.

use std::fmt::Write as _;

use feishu_oauth::{Issuer, IssuerBrand, Revocation, Session, SignOut, SignOutReport, TokenStatus};
use serde::Serialize;
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

/// How long before the forced re-authorization the summary warns.
const REAUTHORIZATION_WARNING: time::Duration = time::Duration::days(14);

/// `status --json`, exactly as documented in the README.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusJson {
    pub profile: String,
    pub signed_in: bool,
    pub brand: String,
    pub user: Option<UserJson>,
    pub scopes: Vec<String>,
    pub access_token_expires_at: Option<String>,
    pub refresh_token_expires_at: Option<String>,
    pub token_status: &'static str,
}

/// The `user` object of `status --json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserJson {
    pub name: String,
    pub en_name: Option<String>,
    pub open_id: String,
    pub union_id: Option<String>,
    pub tenant_key: Option<String>,
    pub email: Option<String>,
    pub user_id: Option<String>,
    pub employee_no: Option<String>,
    pub avatar_url: Option<String>,
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.format(&Rfc3339)
        .unwrap_or_else(|_| at.unix_timestamp().to_string())
}

impl StatusJson {
    /// The document for a session (or none) at `now`.
    pub fn new(
        profile: &str,
        brand: IssuerBrand,
        session: Option<&Session>,
        now: OffsetDateTime,
    ) -> Self {
        let Some(s) = session else {
            return Self {
                profile: profile.to_owned(),
                signed_in: false,
                brand: brand.as_str().to_owned(),
                user: None,
                scopes: Vec::new(),
                access_token_expires_at: None,
                refresh_token_expires_at: None,
                token_status: "signedOut",
            };
        };
        let p = &s.profile;
        Self {
            profile: profile.to_owned(),
            signed_in: true,
            brand: brand.as_str().to_owned(),
            user: Some(UserJson {
                name: p.name.clone(),
                en_name: p.en_name.clone(),
                open_id: p.open_id.clone(),
                union_id: p.union_id.clone(),
                tenant_key: p.tenant_key.clone(),
                email: p.email.clone(),
                user_id: p.user_id.clone(),
                employee_no: p.employee_no.clone(),
                avatar_url: p.avatar_url.clone(),
            }),
            scopes: s.scopes.iter().map(str::to_owned).collect(),
            access_token_expires_at: Some(rfc3339(s.access_token_expires_at)),
            refresh_token_expires_at: s.refresh_token_expires_at.map(rfc3339),
            token_status: s.token_status(now).as_str(),
        }
    }
}

/// "in 1 h 59 min", "2 min ago".
pub fn relative(at: OffsetDateTime, now: OffsetDateTime) -> String {
    let delta = at - now;
    let secs = delta.whole_seconds().unsigned_abs();
    let span = if secs >= 2 * 86_400 {
        format!("{} days", secs / 86_400)
    } else if secs >= 3_600 {
        format!("{} h {} min", secs / 3_600, secs % 3_600 / 60)
    } else if secs >= 60 {
        format!("{} min", secs / 60)
    } else {
        format!("{secs} s")
    };
    if delta.is_negative() {
        format!("{span} ago")
    } else {
        format!("in {span}")
    }
}

fn when(at: OffsetDateTime, now: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{} UTC ({})",
        utc.format(&Rfc3339)
            .unwrap_or_default()
            .trim_end_matches('Z')
            .replace('T', " "),
        relative(at, now)
    )
}

/// The human summary of `status` and `login`.
pub fn summary(brand: IssuerBrand, session: &Session, now: OffsetDateTime) -> String {
    let p = &session.profile;
    let mut out = String::new();
    let en = p
        .en_name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let _ = writeln!(out, "Signed in to {brand} as {}{en}", p.name);
    let rows: [(&str, Option<&str>); 6] = [
        ("open_id", Some(&p.open_id)),
        ("union_id", p.union_id.as_deref()),
        ("tenant", p.tenant_key.as_deref()),
        ("email", p.email.as_deref()),
        ("user_id", p.user_id.as_deref()),
        ("employee no.", p.employee_no.as_deref()),
    ];
    for (label, value) in rows {
        if let Some(value) = value {
            let _ = writeln!(out, "  {label:<14}{value}");
        }
    }
    let scopes = if session.scopes.is_empty() {
        "(none)".to_owned()
    } else {
        session.scopes.to_string()
    };
    let _ = writeln!(out, "  {:<14}{scopes}", "scopes");
    let status = match session.token_status(now) {
        TokenStatus::Valid => "valid",
        TokenStatus::NeedsRefresh => "needs refresh",
        TokenStatus::Expired => "expired",
    };
    let _ = writeln!(
        out,
        "  {:<14}{status}, expires {}",
        "access token",
        when(session.access_token_expires_at, now)
    );
    match session.refresh_token_expires_at {
        Some(at) => {
            let _ = writeln!(out, "  {:<14}expires {}", "refresh token", when(at, now));
        }
        None => {
            let _ = writeln!(
                out,
                "  {:<14}none (offline_access not granted)",
                "refresh token"
            );
        }
    }
    let due = session.reauthorization_due_at();
    let _ = write!(out, "  {:<14}{}", "re-authorize", when(due, now));
    if due - now <= REAUTHORIZATION_WARNING {
        let _ = write!(
            out,
            "\n  warning: Feishu requires a new authorization by {}: run `feishu-auth login` before then",
            when(due, now)
        );
    }
    out
}

/// An issuer as a person reads it: "the sandbox", or "feishu app cli_…".
pub fn issuer_name(issuer: &Issuer) -> String {
    match issuer.brand {
        IssuerBrand::Sandbox => "the sandbox".to_owned(),
        brand => format!("{brand} app {}", issuer.app_id),
    }
}

/// What a sign-out did, for a person: whom it signed out of which app, and whether Feishu
/// confirmed the revocation. `configured` is the app the command was for.
pub fn sign_out_lines(
    out: &mut impl std::io::Write,
    configured: &Issuer,
    report: &SignOutReport,
) -> std::io::Result<()> {
    let configured = issuer_name(configured);
    match (&report.outcome, &report.revocation) {
        (SignOut::SignedOut(session), Revocation::Revoked) => writeln!(
            out,
            "Signed out {} from {}; Feishu revoked the tokens.",
            session.profile.name,
            issuer_name(&session.issuer)
        ),
        (SignOut::SignedOut(session), Revocation::NotConfirmed(reason)) => writeln!(
            out,
            "Signed out {} from {} here; Feishu did not confirm the revocation: {reason}",
            session.profile.name,
            issuer_name(&session.issuer)
        ),
        (SignOut::SignedOut(session), Revocation::NothingToRevoke) => writeln!(
            out,
            "Signed out {} from {}.",
            session.profile.name,
            issuer_name(&session.issuer)
        ),
        (SignOut::NotSignedIn, _) => writeln!(out, "Not signed in to {configured}; nothing to do."),
        (SignOut::OtherIssuer(other), _) => writeln!(
            out,
            "Not signed in to {configured}. The session here belongs to {} and was left as it is; `feishu-auth logout --any-app` removes it.",
            issuer_name(other)
        ),
    }
}
