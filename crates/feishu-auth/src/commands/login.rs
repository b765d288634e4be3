//! `login`: the whole sign-in from a terminal: listen, open the browser, wait for the callback,
//! exchange the code, fetch the profile, save.

use std::{io::Write as _, time::Duration};

use feishu_oauth::{begin, CallbackRoute, Error, LoopbackListener, Scopes, SignInRequest};
use time::OffsetDateTime;

use crate::{context::Context, failure::Outcome, view};

/// Runs the sign-in.
pub async fn run(ctx: &Context, no_browser: bool, timeout_secs: u64, scopes: &[String]) -> Outcome {
    let config = ctx.resolved_config().await?;
    let client = ctx.client().await?;
    if config.redirect_uri.route() == CallbackRoute::DeepLink {
        return Err(Error::config(
            "FEISHU_REDIRECT_URI / redirect_uri",
            format!("`{}` is a deep link, which only the desktop app receives; the CLI needs a loopback redirect such as http://127.0.0.1:28283/callback", config.redirect_uri),
        )
        .into());
    }
    let scopes = if scopes.is_empty() {
        config.scopes.clone()
    } else {
        Scopes::from_iter_checked(scopes).map_err(|e| Error::config("--scope", e))?
    };
    let request = SignInRequest {
        authorize_url: config.endpoints()?.authorize,
        app_id: client.app_id().to_owned(),
        redirect_uri: config.redirect_uri.clone(),
        scopes,
        brand: ctx.brand_name().to_owned(),
    };
    let (url, pending) = begin(request);

    // Listen first, so the callback cannot beat the listener.
    let listener = LoopbackListener::bind(&config.redirect_uri).await?;
    if ctx.is_sandbox() {
        eprintln!("Sandbox: signing in to a local Feishu emulator (no App ID configured).");
    }
    if no_browser {
        eprintln!("Open this URL in a browser to sign in:\n\n  {url}\n");
    } else {
        let opened = match &config.browser {
            Some(command) => feishu_oauth::browser::open_with_command(command, url.as_str()),
            None => open::that_detached(url.as_str()).map_err(|e| Error::Browser {
                command: "the system browser".into(),
                reason: e.to_string(),
            }),
        };
        match opened {
            Ok(()) => {
                eprintln!("Opened the browser to sign in. If it did not open, visit:\n\n  {url}\n");
            }
            Err(e) => eprintln!("{e}\n\n  {url}\n"),
        }
    }
    eprintln!("Waiting for the browser (up to {timeout_secs} s; Ctrl-C to cancel)…");

    let wait = listener.wait(pending.state_matcher(), Duration::from_secs(timeout_secs));
    let arrival = tokio::select! {
        arrival = wait => arrival?,
        _ = tokio::signal::ctrl_c() => return Err(Error::Cancelled.into()),
    };
    match pending.complete(arrival.callback, &client).await {
        Ok(session) => {
            let saved = ctx.sessions.save(&session);
            match &saved {
                Ok(()) => arrival.responder.succeeded(&session.profile.name).await,
                Err(e) => arrival.responder.failed(&e.to_string()).await,
            }
            saved?;
            writeln!(
                std::io::stdout(),
                "{}",
                view::summary(ctx.brand_name(), &session, OffsetDateTime::now_utc())
            )?;
            Ok(())
        }
        Err(e) => {
            arrival.responder.failed(&e.to_string()).await;
            Err(e.into())
        }
    }
}
