//! `status`, `token`, `refresh`, `logout`: reading and keeping the stored session.

use std::io::Write as _;

use feishu_oauth::{Account, Error, RefreshDue, Scopes};
use time::OffsetDateTime;

use crate::{
    failure::{Failure, Outcome},
    view,
};

/// `status [--json]`. A corrupt session file is reported on stderr and shown as signed out.
pub fn status(profile: &str, account: &Account, json: bool) -> Outcome {
    let session = match account.current() {
        Ok(session) => session,
        Err(e @ Error::CorruptStore { .. }) => {
            eprintln!("feishu-auth: {}", view::sentence(&e.to_string()));
            None
        }
        Err(e) => return Err(e.into()),
    };
    let now = OffsetDateTime::now_utc();
    let mut stdout = std::io::stdout().lock();
    if json {
        let doc = view::StatusJson::new(
            profile,
            account.issuer().brand,
            session.as_ref(),
            view::Stored::of(account),
            now,
        );
        let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
        writeln!(stdout, "{text}")?;
    } else {
        match &session {
            Some(s) => writeln!(
                stdout,
                "{}",
                view::summary(account.issuer().brand, s, view::Stored::of(account), now)
            )?,
            None => writeln!(
                stdout,
                "Not signed in to {}. Run `feishu-auth login`.",
                view::brand_name(account.issuer().brand)
            )?,
        }
    }
    Ok(stdout.flush()?)
}

/// `token --scope S…`: a token narrowed to those scopes (and `offline_access`), alone on stdout;
/// the session keeps its full token and its refresh token. Two refresh calls each time.
pub async fn narrowed_token(account: &Account, scopes: &[String]) -> Outcome {
    let scopes = Scopes::from_iter_checked(scopes).map_err(|e| Error::config("--scope", e))?;
    let token = account.narrowed_token(&scopes).await?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", token.access_token.expose())?;
    Ok(stdout.flush()?)
}

/// `check --scope S… [--json]`: exit 0 when the session holds every scope, else 7 listing the
/// missing ones (signed out: 3).
pub fn check(account: &Account, scopes: &[String], json: bool) -> Outcome {
    let session = account.current()?.ok_or(Error::SignedOut)?;
    let missing: Vec<&String> = scopes
        .iter()
        .filter(|s| !session.scopes.contains(s))
        .collect();
    let mut stdout = std::io::stdout().lock();
    if json {
        let doc = serde_json::json!({
            "granted": session.scopes.iter().collect::<Vec<_>>(),
            "missing": missing,
            "ok": missing.is_empty(),
        });
        writeln!(
            stdout,
            "{}",
            serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?
        )?;
    } else if missing.is_empty() {
        writeln!(stdout, "Every scope is granted: {}.", scopes.join(" "))?;
    } else {
        let list: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        writeln!(
            stdout,
            "Not granted: {}. `feishu-auth login --add-scope {}` asks for {}.",
            list.join(" "),
            list.join(" --add-scope "),
            if list.len() == 1 { "it" } else { "them" }
        )?;
    }
    stdout.flush()?;
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Failure::ScopesMissing)
    }
}

/// `token`: the access token alone on stdout, refreshed first when it needs it. A token that did
/// not reach stdout is a failure (a closed pipe fails quietly), so `token > file` can be trusted.
/// A refresh ahead of expiry that fails (the network, a Feishu fault) does not fail the command
/// while the token is still valid: that token is printed, and a warning goes to stderr.
pub async fn token(account: &Account) -> Outcome {
    let usable = account.usable_session().await?;
    let session = &usable.session;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", session.access_token.expose())?;
    stdout.flush()?;
    if let Some(why) = &usable.refresh_ahead_failed {
        eprintln!(
            "feishu-auth: Warning: The token could not be refreshed ahead of its expiry; the one printed is valid until {}. {}",
            view::when(session.access_token_expires_at, OffsetDateTime::now_utc()),
            view::sentence(&why.to_string())
        );
    }
    // The token is valid, but a refreshed session not on disk leaves a spent refresh token there.
    account.flush_unsaved()?;
    Ok(())
}

/// `refresh`: a new access token (and refresh token) now.
pub async fn refresh(account: &Account) -> Outcome {
    let session = account.refresh_now().await?;
    account.flush_unsaved()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "Refreshed.\n{}",
        view::summary(
            account.issuer().brand,
            &session,
            view::Stored::of(account),
            OffsetDateTime::now_utc(),
        )
    )?;
    Ok(stdout.flush()?)
}

/// `refresh --if-due`: refreshes only when the session would otherwise lapse before the next
/// scheduled run (`next_run_in` seconds away), and says which it was.
pub async fn refresh_if_due(account: &Account, next_run_in: u64) -> Outcome {
    let now = OffsetDateTime::now_utc();
    let next_run = time::Duration::seconds(i64::try_from(next_run_in).unwrap_or(i64::MAX));
    let Some(session) = account.current()? else {
        return Err(Error::SignedOut.into());
    };
    let Some(due) = session.refresh_due(now, next_run) else {
        if !session.can_refresh(now) {
            return Err(Error::SignInRequired {
                reason: "nothing can renew this session any more (no refresh token, or past the forced re-authorization)".into(),
            }
            .into());
        }
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "Not due: nothing would lapse before the next run.")?;
        return Ok(stdout.flush()?);
    };
    let why = match due {
        RefreshDue::AccessTokenStale(_) => "the access token was stale",
        RefreshDue::RefreshTokenExpiresBeforeNextRun => {
            "the refresh token would have expired before the next run"
        }
    };
    let session = account.refresh_now().await?;
    account.flush_unsaved()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "Refreshed: {why}.\n{}",
        view::summary(
            account.issuer().brand,
            &session,
            view::Stored::of(account),
            OffsetDateTime::now_utc(),
        )
    )?;
    Ok(stdout.flush()?)
}

/// `logout`: remove the configured app's session here, then revoke its tokens at Feishu (best
/// effort: the sign-out here stands whatever Feishu answers, and the answer is told). A session of
/// another app is only removed with `--any-app`.
pub async fn logout(account: &Account, any_app: bool) -> Outcome {
    let report = if any_app {
        account.sign_out_any().await?
    } else {
        account.sign_out().await?
    };
    let mut stdout = std::io::stdout().lock();
    view::sign_out_lines(&mut stdout, account.issuer(), &report)?;
    Ok(stdout.flush()?)
}
