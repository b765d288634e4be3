//! How a session is shown: the `status --json` document (a fixed contract for scripts, its times in
//! RFC 3339) and the human summary (times in the local time zone), and the words every command
//! shares: sentences, brands, aligned columns.

use std::fmt::Write as _;

use feishu_oauth::{
    Issuer, IssuerBrand, Revocation, Session, SignOut, SignOutReport, Storage, TokenStatus,
};
use serde::Serialize;
use time::{format_description::well_known::Rfc3339, OffsetDateTime};

use crate::local_time;

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
    /// Where the tokens are kept: `keyring` (sealed) or `file` (in clear, mode 0600).
    pub storage: &'static str,
    /// Where the App Secret is kept: `keyring`, `config`, `system`, `environment`; `null` for
    /// the sandbox.
    pub app_secret_storage: Option<&'static str>,
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
        stored: Stored,
        now: OffsetDateTime,
    ) -> Self {
        let storage = stored.tokens.as_str();
        let app_secret_storage = stored.app_secret;
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
                storage,
                app_secret_storage,
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
            storage,
            app_secret_storage,
        }
    }
}

/// Where a profile's secrets are kept.
#[derive(Debug, Clone, Copy)]
pub struct Stored {
    /// The tokens.
    pub tokens: Storage,
    /// The App Secret (see [`StatusJson::app_secret_storage`]).
    pub app_secret: Option<&'static str>,
}

impl Stored {
    /// Where `account`'s secrets are kept; a keyring that cannot be asked reads as the file.
    pub fn of(account: &feishu_oauth::Account) -> Self {
        Self {
            tokens: account.storage().unwrap_or(Storage::File),
            app_secret: account.config().app_secret_storage,
        }
    }

    /// The summary's line.
    fn describe(self) -> String {
        let tokens = match self.tokens {
            Storage::Keyring => "tokens sealed by the desktop keyring",
            Storage::File => "tokens unsealed, in a file only you can read (no desktop keyring)",
        };
        let secret = match self.app_secret {
            Some("keyring") => "; App Secret in the keyring",
            Some("config") => "; App Secret in the settings file",
            Some("system") => "; App Secret in the system settings file",
            Some("environment") => "; App Secret from FEISHU_APP_SECRET",
            _ => "",
        };
        format!("{tokens}{secret}")
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

/// "2026-11-30 23:05:12 +08:00 (in 1 h 59 min)": local time with its offset, and how far off.
pub fn when(at: OffsetDateTime, now: OffsetDateTime) -> String {
    format!("{} ({})", local_time::format(at), relative(at, now))
}

/// A message as a sentence: its first letter capitalised, a full stop at the end unless it has
/// one. The core words its errors as clauses (the window and the logs compose them); a person at a
/// terminal reads sentences.
pub fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let mut out = match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>(),
        None => return String::new(),
    };
    if !out.ends_with(['.', '!', '?', '。', '…']) {
        out.push('.');
    }
    out
}

/// A brand as a person names it in a sentence: "Feishu", "Lark", "the sandbox".
pub fn brand_name(brand: IssuerBrand) -> &'static str {
    match brand {
        IssuerBrand::Feishu => "Feishu",
        IssuerBrand::Lark => "Lark",
        IssuerBrand::Sandbox => "the sandbox",
        IssuerBrand::Unknown => "an unknown brand",
    }
}

/// A token status as a table cell.
pub fn token_status_name(status: TokenStatus) -> &'static str {
    match status {
        TokenStatus::Valid => "valid",
        TokenStatus::NeedsRefresh => "needs refresh",
        TokenStatus::Expired => "expired",
    }
}

/// Rows of cells as aligned columns, `indent` before each row and two spaces between columns. A
/// row's last cell is not padded and does not widen its column, so a row may stop early with a
/// long cell (a profile that could not be read says why), and a cell of double-width characters
/// (a Chinese name) belongs last.
pub fn columns(indent: &str, rows: &[Vec<&str>]) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        let padded = &row[..row.len().saturating_sub(1)];
        widths.resize(widths.len().max(padded.len()), 0);
        for (width, cell) in widths.iter_mut().zip(padded) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        out.push_str(indent);
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                out.push_str(cell);
            } else {
                let _ = write!(out, "{cell:<width$}  ", width = widths[i]);
            }
        }
        out.push('\n');
    }
    out
}

/// The human summary of `status` and `login`.
pub fn summary(
    brand: IssuerBrand,
    session: &Session,
    stored: Stored,
    now: OffsetDateTime,
) -> String {
    let p = &session.profile;
    let en = p
        .en_name
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let scopes = if session.scopes.is_empty() {
        "none".to_owned()
    } else {
        session.scopes.to_string()
    };
    let access = format!(
        "{}, expires {}",
        token_status_name(session.token_status(now)),
        when(session.access_token_expires_at, now)
    );
    let refresh = match session.refresh_token_expires_at {
        Some(at) => format!("expires {}", when(at, now)),
        None => "none (offline_access not granted)".to_owned(),
    };
    let due = session.reauthorization_due_at();
    let reauthorize = format!("by {}", when(due, now));
    let stored = stored.describe();
    let rows: Vec<Vec<&str>> = [
        ("Open ID", Some(p.open_id.as_str())),
        ("Union ID", p.union_id.as_deref()),
        ("Tenant", p.tenant_key.as_deref()),
        ("Email", p.email.as_deref()),
        ("User ID", p.user_id.as_deref()),
        ("Employee no.", p.employee_no.as_deref()),
        ("Scopes", Some(&scopes)),
        ("Access token", Some(&access)),
        ("Refresh token", Some(&refresh)),
        ("Re-authorize", Some(&reauthorize)),
        ("Stored", Some(&stored)),
    ]
    .into_iter()
    .filter_map(|(label, value)| value.map(|value| vec![label, value]))
    .collect();
    let mut out = format!(
        "Signed in to {} as {}{en}\n{}",
        brand_name(brand),
        p.name,
        columns("  ", &rows)
    );
    if due - now <= REAUTHORIZATION_WARNING {
        let _ = writeln!(
            out,
            "Warning: Feishu requires a new authorization by {}. Run `feishu-auth login` before then.",
            when(due, now)
        );
    }
    out.truncate(out.trim_end().len());
    out
}

/// An issuer as a person reads it: "the sandbox", or "the Feishu app cli_…".
pub fn issuer_name(issuer: &Issuer) -> String {
    match issuer.brand {
        IssuerBrand::Sandbox => "the sandbox".to_owned(),
        IssuerBrand::Unknown => format!("an app {} of an unknown brand", issuer.app_id),
        brand => format!("the {} app {}", brand_name(brand), issuer.app_id),
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
    let line = match (&report.outcome, &report.revocation) {
        (SignOut::SignedOut(session), Revocation::Revoked) => format!(
            "Signed out {} from {}; Feishu revoked the tokens.",
            session.profile.name,
            issuer_name(&session.issuer)
        ),
        (SignOut::SignedOut(session), Revocation::NotConfirmed(reason)) => format!(
            "Signed out {} from {} here; Feishu did not confirm the revocation: {reason}",
            session.profile.name,
            issuer_name(&session.issuer)
        ),
        (SignOut::SignedOut(session), Revocation::NothingToRevoke) => format!(
            "Signed out {} from {}.",
            session.profile.name,
            issuer_name(&session.issuer)
        ),
        (SignOut::NotSignedIn, _) => format!("Not signed in to {configured}; nothing to do."),
        (SignOut::OtherIssuer(other), _) => format!(
            "Not signed in to {configured}. The session here belongs to {} and was left as it is; `feishu-auth logout --any-app` removes it.",
            issuer_name(other)
        ),
    };
    writeln!(out, "{}", sentence(&line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_start_with_a_capital_and_end_with_a_full_stop() {
        assert_eq!(sentence("not signed in"), "Not signed in.");
        assert_eq!(
            sentence("request failed. Check the network."),
            "Request failed. Check the network."
        );
        assert_eq!(sentence("`x` is wrong"), "`x` is wrong.");
        assert_eq!(sentence("done (完成)"), "Done (完成).");
        assert_eq!(sentence("Waiting…"), "Waiting…");
        assert_eq!(sentence(""), "");
    }

    #[test]
    fn columns_are_aligned_on_the_widest_cell_and_the_last_is_not_padded() {
        let table = columns(
            "  ",
            &[
                vec!["Profile", "Token", "User"],
                vec!["default", "needs refresh", "张三"],
                vec!["a", "valid", "—"],
                vec!["broken", "Config file x.toml: not TOML, and a long reason."],
            ],
        );
        assert_eq!(
            table,
            "  Profile  Token          User\n  \
             default  needs refresh  张三\n  \
             a        valid          —\n  \
             broken   Config file x.toml: not TOML, and a long reason.\n"
        );
    }
}
