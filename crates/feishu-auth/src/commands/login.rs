//! `login`: the core's sign-in with a loopback listener, the system browser (or none), and the
//! steps told on stderr.

use std::{
    io::Write as _,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::{Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use feishu_oauth::{
    signin::{
        self, CallbackSource, FlowSlot, OpenBrowser, Progress, ProgressSink, SignInRequest, Stage,
    },
    Account, CallbackRoute, Error, Language, RedirectUri,
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
        ssh: in_ssh_session(),
        sandbox: account.is_sandbox(),
        timeout_secs,
        url: Mutex::default(),
        ssh_advice: Mutex::default(),
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
        view::summary(
            account.issuer().brand,
            &session,
            view::Stored::of(account),
            OffsetDateTime::now_utc(),
        )
    )?;
    Ok(())
}

/// The terminal: opens the system browser (unless `--no-browser`) and tells each step on stderr.
/// The authorize URL is printed whatever happens, so a browser that does not open (or one on
/// another machine) can still be used.
struct Terminal {
    no_browser: bool,
    /// Whether this runs in an SSH session, where the person's browser is on another machine.
    ssh: bool,
    sandbox: bool,
    timeout_secs: u64,
    /// The authorize URL, for the lines after the start.
    url: Mutex<Option<String>>,
    /// In an SSH session, how to reach the loopback redirect from the person's own computer.
    ssh_advice: Mutex<Option<String>>,
}

impl Terminal {
    fn tell_ssh_advice(&self) {
        if let Some(advice) = lock(&self.ssh_advice).as_deref() {
            eprintln!("{advice}");
        }
    }
}

/// Whether this process runs in an SSH session (OpenSSH's `sshd` sets these for the session's
/// processes; `SSH_TTY` only with a terminal).
fn in_ssh_session() -> bool {
    ["SSH_CONNECTION", "SSH_TTY"]
        .iter()
        .any(|var| std::env::var_os(var).is_some_and(|v| !v.is_empty()))
}

/// What to do in an SSH session: the loopback redirect ends the sign-in at this machine's
/// loopback address, which a browser on the person's own computer reaches only through a
/// forwarded port (`ssh -L`, with the redirect URI's port on both ends, since the browser goes to
/// that very URL). An authorize page on loopback too (the sandbox's emulator) needs its port
/// forwarded as well. `None` for a redirect that is not a loopback one.
fn ssh_advice(redirect_uri: &RedirectUri, authorize_url: &Url) -> Option<String> {
    let CallbackRoute::Loopback(callback) = redirect_uri.route() else {
        return None;
    };
    let authorize = match authorize_url.host() {
        Some(url::Host::Ipv4(ip)) if ip.is_loopback() => Some(IpAddr::V4(ip)),
        Some(url::Host::Ipv6(ip)) if ip.is_loopback() => Some(IpAddr::V6(ip)),
        Some(url::Host::Domain("localhost")) => Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        _ => None,
    }
    .and_then(|ip| Some(SocketAddr::new(ip, authorize_url.port_or_known_default()?)));
    let forward = |addr: SocketAddr| {
        let port = addr.port();
        match addr.ip() {
            IpAddr::V4(ip) => format!("-L {port}:{ip}:{port}"),
            IpAddr::V6(ip) => format!("-L {port}:[{ip}]:{port}"),
        }
    };
    let forwards = authorize
        .into_iter()
        .chain([callback])
        .map(forward)
        .collect::<Vec<_>>()
        .join(" ");
    let (reached, ports) = if authorize.is_some() {
        (
            format!("The sign-in page and its end ({redirect_uri}) are on this machine's loopback address"),
            "their ports",
        )
    } else {
        (
            format!("At the end of the sign-in Feishu sends the browser to {redirect_uri}"),
            "that port",
        )
    };
    Some(format!(
        "This is an SSH session. {reached}, which only a browser on this same machine reaches. To \
         sign in from the computer you are at, forward {ports} from it first, in another terminal \
         while this one waits:\n\n  ssh -N {forwards} <the host you connected to>\n\n\
         then open the URL above in a browser there.\n"
    ))
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
            Stage::Started {
                authorize_url,
                redirect_uri,
            } => {
                if self.sandbox {
                    eprintln!(
                        "Sandbox: signing in to a local Feishu emulator (no App ID configured)."
                    );
                }
                if self.no_browser {
                    eprintln!("Open this URL in a browser to sign in:\n\n  {authorize_url}\n");
                }
                *lock(&self.url) = Some(authorize_url.to_string());
                *lock(&self.ssh_advice) = self
                    .ssh
                    .then(|| ssh_advice(redirect_uri, authorize_url))
                    .flatten();
                if self.no_browser {
                    self.tell_ssh_advice();
                }
            }
            Stage::BrowserOpened => eprintln!(
                "Opened the browser to sign in. If it did not open, visit:\n\n  {}\n",
                lock(&self.url).as_deref().unwrap_or_default()
            ),
            Stage::BrowserNotOpened(error) => {
                eprintln!(
                    "{} Open this URL in a browser to sign in:\n\n  {}\n",
                    view::sentence(&error.to_string()),
                    lock(&self.url).as_deref().unwrap_or_default()
                );
                self.tell_ssh_advice();
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssh_advice_forwards_the_redirect_port_and_a_loopback_authorize_page() {
        let feishu =
            Url::parse("https://accounts.feishu.cn/open-apis/authen/v1/authorize").unwrap();
        let advice = ssh_advice(&RedirectUri::loopback(28283), &feishu).unwrap();
        assert!(
            advice.contains("ssh -N -L 28283:127.0.0.1:28283 <"),
            "{advice}"
        );
        assert!(advice.contains("that port"), "{advice}");

        let emulator = Url::parse("http://localhost:39000/open-apis/authen/v1/authorize").unwrap();
        let advice = ssh_advice(&RedirectUri::loopback(28283), &emulator).unwrap();
        assert!(
            advice.contains("ssh -N -L 39000:127.0.0.1:39000 -L 28283:127.0.0.1:28283 <"),
            "{advice}"
        );

        let ipv6 = RedirectUri::parse("http://[::1]:9000/callback").unwrap();
        let advice = ssh_advice(&ipv6, &feishu).unwrap();
        assert!(advice.contains("-L 9000:[::1]:9000 <"), "{advice}");

        assert!(ssh_advice(&RedirectUri::default_deep_link(), &feishu).is_none());
    }
}
