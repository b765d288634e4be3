//! `status`, `token`, `refresh`, `logout`: reading and keeping the stored session.

use std::io::Write as _;

use feishu_oauth::{Account, Error, SignOut};
use time::OffsetDateTime;

use crate::{failure::Outcome, view};

/// `status [--json]`. A corrupt session file is reported on stderr and shown as signed out.
pub fn status(account: &Account, json: bool) -> Outcome {
    let session = match account.current() {
        Ok(session) => session,
        Err(e @ Error::CorruptStore { .. }) => {
            eprintln!("feishu-auth: {e}");
            None
        }
        Err(e) => return Err(e.into()),
    };
    let now = OffsetDateTime::now_utc();
    let mut stdout = std::io::stdout().lock();
    if json {
        let doc = view::StatusJson::new(account.issuer().brand, session.as_ref(), now);
        let text = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
        writeln!(stdout, "{text}")?;
    } else {
        match &session {
            Some(s) => writeln!(stdout, "{}", view::summary(account.issuer().brand, s, now))?,
            None => writeln!(
                stdout,
                "Not signed in ({}). Run `feishu-auth login`.",
                account.issuer().brand
            )?,
        }
    }
    Ok(stdout.flush()?)
}

/// `token`: the access token alone on stdout, refreshed first when it needs it. A token that did
/// not reach stdout is a failure (a closed pipe fails quietly), so `token > file` can be trusted.
pub async fn token(account: &Account) -> Outcome {
    let session = account.fresh_session().await?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", session.access_token.expose())?;
    stdout.flush()?;
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
        view::summary(account.issuer().brand, &session, OffsetDateTime::now_utc())
    )?;
    Ok(stdout.flush()?)
}

/// `logout`: forget the configured app's session here (Feishu documents no revocation endpoint;
/// the user can remove the grant in their account's security settings). A session of another app
/// is only removed with `--any-app`.
pub fn logout(account: &Account, any_app: bool) -> Outcome {
    let outcome = if any_app {
        account.sign_out_any()?
    } else {
        account.sign_out()?
    };
    let configured = view::issuer_name(account.issuer());
    let mut stdout = std::io::stdout().lock();
    match outcome {
        SignOut::SignedOut(session) => writeln!(
            stdout,
            "Signed out {} from {}.",
            session.profile.name,
            view::issuer_name(&session.issuer)
        )?,
        SignOut::NotSignedIn => writeln!(stdout, "Not signed in to {configured}; nothing to do.")?,
        SignOut::OtherIssuer(other) => writeln!(
            stdout,
            "Not signed in to {configured}. The session here belongs to {} and was left as it is; `feishu-auth logout --any-app` removes it.",
            view::issuer_name(&other)
        )?,
    }
    Ok(stdout.flush()?)
}
