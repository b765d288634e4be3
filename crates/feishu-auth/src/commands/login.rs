//! `login`: the core's sign-in with a loopback listener, the system browser (or none), and the
//! steps told on stderr.

use std::{
    io::{IsTerminal as _, Write as _},
    net::{IpAddr, Ipv4Addr, SocketAddr},
    sync::{Mutex, MutexGuard, PoisonError},
    time::Duration,
};

use feishu_oauth::{
    signin::{
        self, CallbackSource, FlowSlot, OpenBrowser, Progress, ProgressSink, SignInRequest, Stage,
    },
    Account, CallbackRoute, Error, Language, RedirectUri, Session,
};
use time::OffsetDateTime;
use tokio::io::AsyncBufReadExt as _;
use url::Url;

use crate::{cli::Method, failure::Outcome, local_time, view};

/// What the person asked for on the command line.
#[derive(Debug, Clone, Copy)]
pub struct Asked {
    /// `--method`.
    pub method: Option<Method>,
    /// `--no-browser`.
    pub no_browser: bool,
    /// `--timeout`.
    pub timeout_secs: u64,
}

/// Runs the sign-in the way chosen (see [`choose`]), said in one line first. A device flow that
/// was chosen for the person, and that the app turns out not to have, falls back to pasting.
pub async fn run(
    account: &Account,
    asked: Asked,
    scopes: &[String],
    add_scopes: &[String],
) -> Outcome {
    let configured = &account.config().redirect_uri;
    if configured.route() == CallbackRoute::DeepLink {
        return Err(Error::config(
            "FEISHU_REDIRECT_URI / redirect_uri",
            format!("`{configured}` is a deep link, which only the desktop app receives; the CLI needs a loopback redirect such as http://127.0.0.1:28283/callback"),
        )
        .into());
    }
    let (method, why) = choose(asked, account.config().browser.is_some(), |var| {
        std::env::var(var).ok().filter(|v| !v.is_empty())
    });
    eprintln!(
        "Signing in {}: {why}. (`--method browser|device|paste` chooses another way.)",
        method_words(method)
    );
    // More scopes for the signed-in user: the granted ones plus the new, the same user only.
    let (scopes, same_user) = if add_scopes.is_empty() {
        (scopes.to_vec(), None)
    } else {
        let held = match account.current()? {
            Some(session) => Some((session.scopes, session.profile)),
            None => None,
        };
        let base: Vec<String> = match &held {
            Some((granted, _)) => granted.iter().map(str::to_owned).collect(),
            None if scopes.is_empty() => {
                account.config().scopes.iter().map(str::to_owned).collect()
            }
            None => scopes.to_vec(),
        };
        let mut all = base;
        for scope in scopes.iter().chain(add_scopes) {
            if !all.contains(scope) {
                all.push(scope.clone());
            }
        }
        if let Some((_, profile)) = &held {
            eprintln!("Asking {} for: {}", profile.name, all.join(" "));
        }
        (all, held.map(|(_, profile)| profile.open_id))
    };
    let same_user = same_user.as_deref();
    let session = match sign_in(account, asked, &scopes, method, same_user).await {
        Err(e @ Error::DeviceFlowUnavailable { .. }) if asked.method.is_none() => {
            eprintln!(
                "{} Signing in by pasting the redirect instead.",
                view::sentence(&e.to_string())
            );
            sign_in(account, asked, &scopes, Method::Paste, same_user).await?
        }
        outcome => outcome?,
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

/// The way in, and why: `--method` when given; the browser when `--no-browser` or a browser
/// command (`FEISHU_SIGNIN_BROWSER`) says so; the device flow in an SSH session or where there
/// is no graphical session; else the browser. `env` reads a variable (empty counts as unset).
pub fn choose(
    asked: Asked,
    browser_configured: bool,
    env: impl Fn(&str) -> Option<String>,
) -> (Method, String) {
    if let Some(method) = asked.method {
        return (method, "as `--method` asked".into());
    }
    if asked.no_browser {
        return (
            Method::Browser,
            "`--no-browser` prints the URL to open".into(),
        );
    }
    if browser_configured {
        return (
            Method::Browser,
            "a browser command is configured (FEISHU_SIGNIN_BROWSER)".into(),
        );
    }
    if let Some(var) = ["SSH_CONNECTION", "SSH_TTY"]
        .into_iter()
        .find(|v| env(v).is_some())
    {
        return (
            Method::Device,
            format!("this is an SSH session ({var} is set), so your browser is on another machine"),
        );
    }
    if env("DISPLAY").is_none() && env("WAYLAND_DISPLAY").is_none() {
        return (
            Method::Device,
            "there is no graphical session here (neither DISPLAY nor WAYLAND_DISPLAY is set)"
                .into(),
        );
    }
    (Method::Browser, "a graphical session is here".into())
}

fn method_words(method: Method) -> &'static str {
    match method {
        Method::Browser => "with the browser",
        Method::Device => "with a code for your phone (the device flow)",
        Method::Paste => "by pasting the redirect",
    }
}

/// One sign-in the way given. Ctrl-C cancels while the person is awaited; once the callback
/// (or the grant) is in, the sign-in completes, so it ends saved or with an error, never half
/// done. For a paste, each line on standard input is offered to the sign-in until one is its
/// callback.
async fn sign_in(
    account: &Account,
    asked: Asked,
    scopes: &[String],
    method: Method,
    same_user: Option<&str>,
) -> Result<Session, Error> {
    let countdown = method == Method::Device && std::io::stderr().is_terminal();
    let terminal = Terminal {
        method,
        no_browser: asked.no_browser || method != Method::Browser,
        ssh: in_ssh_session(),
        sandbox: account.is_sandbox(),
        timeout_secs: asked.timeout_secs,
        url: Mutex::default(),
        ssh_advice: Mutex::default(),
        deadline: Mutex::default(),
    };
    let slot = FlowSlot::default();
    let request = SignInRequest {
        account,
        // No `--scope`: the configured scopes.
        scopes: (!scopes.is_empty()).then(|| scopes.to_vec()),
        timeout: Duration::from_secs(asked.timeout_secs),
        slot: &slot,
        flow: slot.next_id(),
        language: Language::from_env(),
        same_user: same_user.map(str::to_owned),
    };
    let source = match method {
        Method::Browser => CallbackSource::Loopback,
        Method::Device => CallbackSource::Device,
        Method::Paste => CallbackSource::Paste,
    };
    let signing_in = signin::run(request, source, &terminal, &terminal);
    tokio::pin!(signing_in);
    let mut pasted =
        (method == Method::Paste).then(|| tokio::io::BufReader::new(tokio::io::stdin()).lines());
    let mut input_ended = false;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let outcome = loop {
        tokio::select! {
            outcome = &mut signing_in => break outcome,
            _ = tokio::signal::ctrl_c() => slot.cancel(),
            line = next_line(&mut pasted) => match line {
                Some(line) if line.trim().is_empty() => {}
                Some(line) => match slot.deliver_pasted(&line) {
                    Ok(()) => {
                        eprintln!("Got it.");
                        // The callback is in: the input's end (or more lines) no longer matters.
                        pasted = None;
                    }
                    Err(e) => eprintln!("{} Paste it again:", view::sentence(&e.to_string())),
                },
                None => {
                    pasted = None;
                    input_ended = true;
                    slot.cancel();
                }
            },
            _ = tick.tick(), if countdown => terminal.draw_countdown(),
        }
    };
    if countdown {
        eprintln!();
    }
    match outcome {
        Err(Error::Cancelled) if input_ended => Err(Error::config(
            "paste",
            "standard input ended before the address the browser ended on was pasted",
        )),
        outcome => outcome,
    }
}

/// The next line of standard input while a paste is awaited; never, otherwise. `None`: the
/// input ended (or could not be read).
async fn next_line(
    lines: &mut Option<tokio::io::Lines<tokio::io::BufReader<tokio::io::Stdin>>>,
) -> Option<String> {
    match lines {
        Some(lines) => lines.next_line().await.ok().flatten(),
        None => std::future::pending().await,
    }
}

/// The terminal: opens the system browser (unless `--no-browser`) and tells each step on stderr.
/// The authorize URL is printed whatever happens, so a browser that does not open (or one on
/// another machine) can still be used.
struct Terminal {
    method: Method,
    no_browser: bool,
    /// Whether this runs in an SSH session, where the person's browser is on another machine.
    ssh: bool,
    sandbox: bool,
    timeout_secs: u64,
    /// The authorize URL, for the lines after the start.
    url: Mutex<Option<String>>,
    /// In an SSH session, how to reach the loopback redirect from the person's own computer.
    ssh_advice: Mutex<Option<String>>,
    /// When the device code expires, once issued.
    deadline: Mutex<Option<OffsetDateTime>>,
}

impl Terminal {
    /// Rewrites the countdown line (at a terminal, while a device code waits).
    fn draw_countdown(&self) {
        if let Some(deadline) = *lock(&self.deadline) {
            let left = (deadline - OffsetDateTime::now_utc())
                .whole_seconds()
                .max(0);
            eprint!("\r  The code expires in {}:{:02} ", left / 60, left % 60);
        }
    }

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
                if self.method == Method::Paste {
                    eprintln!(
                        "Open this URL in a browser on any computer and sign in:\n\n  {authorize_url}\n\n\
                         At the end the browser goes to {redirect_uri}?code=…, a page that will not load \
                         there: that is expected. Copy the whole address from its address bar (or \
                         just the part after `?`) and paste it here:"
                    );
                    return;
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
            Stage::DeviceCode {
                user_code,
                verification_uri,
                verification_uri_complete,
                expires_at,
            } => {
                if self.sandbox {
                    eprintln!(
                        "Sandbox: signing in to a local Feishu emulator (no App ID configured)."
                    );
                }
                *lock(&self.deadline) = Some(*expires_at);
                let qr = feishu_oauth::qr::terminal(verification_uri_complete.as_str())
                    .unwrap_or_default();
                eprintln!(
                    "Scan this QR code with the Feishu app on your phone:\n\n{qr}\n\
                     Or open {verification_uri} in any browser and enter the code:  {user_code}\n"
                );
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
            Stage::Waiting => match self.method {
                Method::Browser => eprintln!(
                    "Waiting for the browser (up to {} s; Ctrl-C to cancel)…",
                    self.timeout_secs
                ),
                Method::Device => eprintln!(
                    "Waiting for you to approve (until {}; Ctrl-C to cancel)…",
                    local_time::format(progress.deadline)
                ),
                Method::Paste => {}
            },
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

    fn asked(method: Option<Method>, no_browser: bool) -> Asked {
        Asked {
            method,
            no_browser,
            timeout_secs: 300,
        }
    }

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |var| {
            pairs
                .iter()
                .find(|(k, _)| *k == var)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_way_in_is_the_browser_on_a_desktop_and_the_phone_over_ssh_or_without_a_display() {
        let desktop = env_of(&[("DISPLAY", ":0")]);
        let wayland = env_of(&[("WAYLAND_DISPLAY", "wayland-0")]);
        let ssh = env_of(&[
            ("DISPLAY", ":0"),
            ("SSH_CONNECTION", "192.0.2.7 5 192.0.2.1 22"),
        ]);
        let ssh_tty = env_of(&[("SSH_TTY", "/dev/pts/3")]);
        let headless = env_of(&[]);
        assert_eq!(
            choose(asked(None, false), false, &desktop).0,
            Method::Browser
        );
        assert_eq!(
            choose(asked(None, false), false, &wayland).0,
            Method::Browser
        );
        let (method, why) = choose(asked(None, false), false, &ssh);
        assert_eq!(method, Method::Device);
        assert!(why.contains("SSH_CONNECTION"), "{why}");
        assert_eq!(
            choose(asked(None, false), false, &ssh_tty).0,
            Method::Device
        );
        let (method, why) = choose(asked(None, false), false, &headless);
        assert_eq!(method, Method::Device);
        assert!(why.contains("DISPLAY"), "{why}");
        // What the person said wins, then `--no-browser`, then a configured browser command.
        assert_eq!(
            choose(asked(Some(Method::Paste), true), true, &desktop).0,
            Method::Paste
        );
        assert_eq!(choose(asked(None, true), false, &ssh).0, Method::Browser);
        assert_eq!(
            choose(asked(None, false), true, &headless).0,
            Method::Browser
        );
    }

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
