//! `login`: the core's sign-in with a loopback listener, the system browser (or none), and the
//! steps told on stderr.

use std::{
    io::Write as _,
    sync::{Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use feishu_oauth::{
    signin::{
        self, CallbackSource, FlowSlot, OpenBrowser, Progress, ProgressSink, SignInRequest, Stage,
    },
    Account, CallbackRoute, Error, Language,
};
use time::OffsetDateTime;
use url::Url;

use crate::{failure::Outcome, view};

/// Runs the sign-in.
pub async fn run(
    account: &Account,
    no_browser: bool,
    timeout_secs: u64,
    scopes: &[String],
) -> Outcome {
    let configured = &account.config().redirect_uri;
    if configured.route() == CallbackRoute::DeepLink {
        return Err(Error::config(
            "FEISHU_REDIRECT_URI / redirect_uri",
            format!("`{configured}` is a deep link, which only the desktop app receives; the CLI needs a loopback redirect such as http://127.0.0.1:28283/callback"),
        )
        .into());
    }
    let terminal = Terminal {
        no_browser,
        sandbox: account.is_sandbox(),
        timeout_secs,
        url: Mutex::default(),
    };
    let slot = FlowSlot::default();
    let request = SignInRequest {
        account,
        // No `--scope`: the configured scopes.
        scopes: (!scopes.is_empty()).then(|| scopes.to_vec()),
        timeout: Duration::from_secs(timeout_secs),
        slot: &slot,
        flow: slot.next_id(),
        language: Language::from_env(),
    };
    // Ctrl-C cancels while the browser is awaited; once the callback is in, the sign-in
    // completes (its code is spent), so it ends saved or with an error, never half done.
    let signing_in = signin::run(request, CallbackSource::Loopback, &terminal, &terminal);
    tokio::pin!(signing_in);
    let session = loop {
        tokio::select! {
            outcome = &mut signing_in => break outcome?,
            _ = tokio::signal::ctrl_c() => slot.cancel(),
        }
    };
    writeln!(
        std::io::stdout(),
        "{}",
        view::summary(account.issuer().brand, &session, OffsetDateTime::now_utc())
    )?;
    Ok(())
}

/// The terminal: opens the system browser (unless `--no-browser`) and tells each step on stderr.
/// The authorize URL is printed whatever happens, so a browser that does not open (or one on
/// another machine) can still be used.
struct Terminal {
    no_browser: bool,
    sandbox: bool,
    timeout_secs: u64,
    /// The authorize URL, for the lines after the start.
    url: Mutex<Option<String>>,
}

impl OpenBrowser for Terminal {
    fn enabled(&self) -> bool {
        !self.no_browser
    }

    fn open(&self, url: &Url) -> Result<(), Error> {
        open::that_detached(url.as_str()).map_err(Error::system_browser)
    }

    fn shows_url(&self) -> bool {
        true
    }
}

impl ProgressSink for Terminal {
    fn report(&self, progress: &Progress<'_>) {
        match &progress.stage {
            Stage::Started { authorize_url, .. } => {
                if self.sandbox {
                    eprintln!(
                        "Sandbox: signing in to a local Feishu emulator (no App ID configured)."
                    );
                }
                if self.no_browser {
                    eprintln!("Open this URL in a browser to sign in:\n\n  {authorize_url}\n");
                }
                *lock(&self.url) = Some(authorize_url.to_string());
            }
            Stage::BrowserOpened => eprintln!(
                "Opened the browser to sign in. If it did not open, visit:\n\n  {}\n",
                lock(&self.url).as_deref().unwrap_or_default()
            ),
            Stage::BrowserNotOpened(error) => eprintln!(
                "{error}. Open this URL in a browser to sign in:\n\n  {}\n",
                lock(&self.url).as_deref().unwrap_or_default()
            ),
            Stage::Waiting => eprintln!(
                "Waiting for the browser (up to {} s; Ctrl-C to cancel)…",
                self.timeout_secs
            ),
            _ => {}
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
