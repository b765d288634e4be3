//! `status`, `token`, `refresh`, `logout`: reading and keeping the stored session.

use std::io::Write as _;

use feishu_oauth::{Error, Result};
use time::OffsetDateTime;

use crate::{context::Context, view};

/// `status [--json]`. A corrupt session file is reported on stderr and shown as signed out.
pub fn status(ctx: &Context, json: bool) -> Result<()> {
    let session = match ctx.sessions.current() {
        Ok(session) => session,
        Err(e @ Error::CorruptStore { .. }) => {
            eprintln!("feishu-auth: {e}");
            None
        }
        Err(e) => return Err(e),
    };
    let now = OffsetDateTime::now_utc();
    if json {
        let doc = view::StatusJson::new(ctx.brand_name(), session.as_ref(), now);
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        match &session {
            Some(s) => println!("{}", view::summary(ctx.brand_name(), s, now)),
            None => println!(
                "Not signed in ({}). Run `feishu-auth login`.",
                ctx.brand_name()
            ),
        }
    }
    Ok(())
}

/// `token`: the access token alone on stdout, refreshed first when it needs it.
pub async fn token(ctx: &Context) -> Result<()> {
    let session = ctx.sessions.fresh_session(|| ctx.client()).await?;
    let mut stdout = std::io::stdout().lock();
    // A closed pipe is the reader's choice, not an error worth a message.
    let _ = writeln!(stdout, "{}", session.access_token.expose());
    Ok(())
}

/// `refresh`: a new access token (and refresh token) now.
pub async fn refresh(ctx: &Context) -> Result<()> {
    let session = ctx.sessions.refresh_now(|| ctx.client()).await?;
    println!(
        "Refreshed.\n{}",
        view::summary(ctx.brand_name(), &session, OffsetDateTime::now_utc())
    );
    Ok(())
}

/// `logout`: forget the session here (Feishu has no revocation endpoint; the user can remove the
/// grant in their account's security settings).
pub fn logout(ctx: &Context) -> Result<()> {
    let was_signed_in = matches!(ctx.sessions.current(), Ok(Some(_)));
    ctx.sessions.sign_out()?;
    if was_signed_in {
        println!("Signed out.");
    } else {
        println!("Not signed in; nothing to do.");
    }
    Ok(())
}
