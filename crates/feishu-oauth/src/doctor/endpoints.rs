//! Whether the accounts host (the authorize page, revocation) and the Open API host (tokens, user
//! info) can be reached from here, step by step so the failing step is named: the name resolved
//! (DNS), a TCP connection, then TLS and an HTTP answer through the same kind of client the core
//! uses, with the same proxy. In the sandbox both are its emulator, started as any command would
//! start it. Every step has a short timeout: a dead network is a failed check, never a hang.

use std::time::{Duration, Instant};

use time::OffsetDateTime;
use url::Url;

use crate::{account::Account, config::shown_url};

use super::{
    clock::ServerDate,
    proxy::{proxy_for, ProxyChoice},
    Check, Status,
};

pub(super) const ACCOUNTS: (&str, &str) = ("accounts-host", "Accounts host");
pub(super) const OPEN_API: (&str, &str) = ("open-api-host", "Open API host");

const DNS_TIMEOUT: Duration = Duration::from_secs(5);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

/// The two checks, and a server's `Date` for the clock check (the Open API's first: tokens'
/// lifetimes are counted from its answers).
pub(super) struct Reached {
    pub checks: Vec<Check>,
    pub server_date: Option<ServerDate>,
}

pub(super) async fn check(account: &Account) -> Reached {
    let config = match account.resolved_config().await {
        Ok(config) => config,
        Err(e) => {
            let failed = |(id, title): (&'static str, &'static str)| {
                Check::new(
                    id,
                    title,
                    Status::Failed,
                    format!("the sandbox's emulator could not start: {e}"),
                )
                .advice("Run `feishu-auth emulator` to see why the emulator does not start, or set an App ID to use Feishu")
            };
            return Reached {
                checks: vec![failed(ACCOUNTS), failed(OPEN_API)],
                server_date: None,
            };
        }
    };
    let sandbox = account.is_sandbox();
    let ((accounts, accounts_date), (open, open_date)) = tokio::join!(
        reach(ACCOUNTS, &config.accounts_url, sandbox, "accounts_url"),
        reach(OPEN_API, &config.open_url, sandbox, "open_url"),
    );
    Reached {
        checks: vec![accounts, open],
        server_date: open_date.or(accounts_date),
    }
}

/// A failed step: what was found, and what to do.
type Fault = (String, String);

/// One endpoint being reached, and what was learned so far.
struct Probe<'a> {
    url: &'a Url,
    /// The URL's host.
    host: String,
    /// How the server is named in findings: the sandbox's emulator by what it is; a host with a
    /// port of its own (a proxy, an emulator) with the port.
    server: String,
    /// Where a connection goes first: the proxy, or the host.
    target: (String, u16),
    /// ` through the proxy http://…`, or nothing.
    through: String,
    /// The proxy's variable, when one is used.
    proxy_variable: Option<&'static str>,
    /// What to check when the path fails: the proxy, the emulator, or the setting.
    where_set: String,
    details: Vec<String>,
}

impl<'a> Probe<'a> {
    fn new(url: &'a Url, sandbox: bool, setting: &str) -> Self {
        let host = url.host_str().unwrap_or_default().to_owned();
        let port = url.port_or_known_default().unwrap_or(443);
        let server = if sandbox {
            format!("the sandbox's emulator ({host}:{port})")
        } else if url.port().is_some() {
            format!("{host}:{port}")
        } else {
            host.clone()
        };
        let mut details = vec![format!(
            "URL: {}{}",
            shown_url(url),
            if sandbox {
                " (the sandbox's emulator)"
            } else {
                ""
            }
        )];
        let (target, through, proxy_variable) = match proxy_for(url, |var| std::env::var(var).ok())
        {
            ProxyChoice::Direct { reason } => {
                details.push(format!("Proxy: none ({reason})"));
                ((host.clone(), port), String::new(), None)
            }
            ProxyChoice::Via {
                proxy,
                host,
                port,
                variable,
            } => {
                details.push(format!("Proxy: {proxy} (from {variable})"));
                (
                    (host, port),
                    format!(" through the proxy {proxy}"),
                    Some(variable),
                )
            }
        };
        let where_set = match proxy_variable {
            Some(var) => format!("check {var}, the proxy's address"),
            None if sandbox => "the sandbox's emulator runs on this computer: run `feishu-auth emulator` to see it start".to_owned(),
            None => format!(
                "check the {setting} setting too (`feishu-auth config show` says where it comes from)"
            ),
        };
        Self {
            url,
            host,
            server,
            target,
            through,
            proxy_variable,
            where_set,
            details,
        }
    }

    /// DNS: the addresses of the first hop (the proxy, or the host).
    async fn resolve(&mut self) -> Result<Vec<std::net::SocketAddr>, Fault> {
        let (name, port) = &self.target;
        let where_set = &self.where_set;
        let named = match self.proxy_variable {
            Some(var) => format!("the proxy's name {name} (from {var})"),
            None => format!("the name {name}"),
        };
        let addresses: Vec<std::net::SocketAddr> = match tokio::time::timeout(
            DNS_TIMEOUT,
            tokio::net::lookup_host((name.as_str(), *port)),
        )
        .await
        {
            Ok(Ok(found)) => found.collect(),
            Ok(Err(e)) => {
                return Err((
                    format!("{named} could not be resolved: {e}"),
                    format!("Check the network connection and its DNS; {where_set}"),
                ))
            }
            Err(_) => {
                return Err((
                    format!(
                        "{named} was not resolved within {} s",
                        DNS_TIMEOUT.as_secs()
                    ),
                    format!("Check the network connection and its DNS; {where_set}"),
                ))
            }
        };
        self.details.push(format!(
            "Resolved {name}: {}",
            addresses
                .iter()
                .map(|a| a.ip().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
        Ok(addresses)
    }

    /// TCP: a connection to one of `addresses`.
    async fn connect(&mut self, addresses: &[std::net::SocketAddr]) -> Result<(), Fault> {
        let started = Instant::now();
        let mut last_error = None;
        // One deadline for every address, so a name with many addresses is no longer wait.
        for address in addresses {
            let left = CONNECT_TIMEOUT.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            match tokio::time::timeout(left, tokio::net::TcpStream::connect(address)).await {
                Ok(Ok(_stream)) => {
                    self.details.push(format!(
                        "Connected to {address} in {} ms",
                        started.elapsed().as_millis()
                    ));
                    return Ok(());
                }
                Ok(Err(e)) => last_error = Some(e.to_string()),
                Err(_) => {
                    last_error = Some(format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()));
                }
            }
        }
        let (name, port) = &self.target;
        Err((
            format!(
                "nothing accepts a connection at {name}:{port}: {}",
                last_error.unwrap_or_else(|| "no address".to_owned())
            ),
            format!(
                "A firewall or a network outage may be in the way; {}",
                self.where_set
            ),
        ))
    }

    /// TLS and HTTP, with the core's kind of client (the same proxy rules, no redirects).
    async fn request(&mut self) -> Result<(reqwest::Response, ServerDate), Fault> {
        let (server, through) = (&self.server, &self.through);
        let client = http_client(self.url).map_err(|e| {
            (
                format!("no HTTP client: {e}"),
                super::capitalized(&self.where_set),
            )
        })?;
        let sent = OffsetDateTime::now_utc();
        let started = Instant::now();
        let answer = client.get(self.url.clone()).send().await;
        let received = OffsetDateTime::now_utc();
        let answer = answer.map_err(|e| {
            let why = error_chain(&e);
            if let (Some(var), true) = (
                self.proxy_variable,
                why.contains("proxy authorization required"),
            ) {
                (
                    format!("the proxy{through} asks for credentials"),
                    proxy_credentials_advice(var),
                )
            } else if self.url.scheme() == "https" && looks_like_tls(&why) {
                (
                    format!("the TLS connection to {server}{through} failed: {why}"),
                    "The server's certificate is not trusted here. On a network that inspects TLS (a company proxy), install its CA certificate in the system's store (`sudo update-ca-certificates`); check the clock too".to_owned(),
                )
            } else if e.is_timeout() {
                (
                    format!(
                        "{server}{through} accepted the connection but did not answer within {} s",
                        HTTP_TIMEOUT.as_secs()
                    ),
                    format!(
                        "The server or the network path is too slow or blocked; {}",
                        self.where_set
                    ),
                )
            } else {
                (
                    format!("the request to {server}{through} failed: {why}"),
                    format!("Check the network connection; {}", self.where_set),
                )
            }
        })?;
        if self.url.scheme() == "https" {
            self.details
                .push("TLS: the certificate is trusted".to_owned());
        }
        self.details.push(format!(
            "HTTP answer: {} in {} ms",
            answer.status(),
            started.elapsed().as_millis()
        ));
        let date = answer
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let server_date = ServerDate {
            host: self.host.clone(),
            date,
            sent,
            received,
        };
        Ok((answer, server_date))
    }

    /// What the answer's status says: any answer from the server itself means it is reachable.
    fn judge(
        &self,
        status: reqwest::StatusCode,
        elapsed: Duration,
    ) -> (Status, String, Option<String>) {
        let (server, through) = (&self.server, &self.through);
        let scheme = if self.url.scheme() == "https" {
            "HTTPS"
        } else {
            "HTTP"
        };
        if status == reqwest::StatusCode::PROXY_AUTHENTICATION_REQUIRED {
            (
                Status::Failed,
                format!("the proxy{through} asks for credentials (HTTP 407)"),
                Some(proxy_credentials_advice(
                    self.proxy_variable.unwrap_or("HTTPS_PROXY"),
                )),
            )
        } else if self.proxy_variable.is_some()
            && matches!(
                status,
                reqwest::StatusCode::BAD_GATEWAY | reqwest::StatusCode::GATEWAY_TIMEOUT
            )
        {
            (
                Status::Failed,
                format!(
                    "the proxy{through} could not reach {server} (HTTP {})",
                    status.as_u16()
                ),
                Some("Ask your IT team whether the proxy lets this host through".to_owned()),
            )
        } else if status.is_server_error() {
            (
                Status::Warning,
                format!(
                    "{server} answered over {scheme}{through}, with a server error (HTTP {})",
                    status.as_u16()
                ),
                Some("The server has trouble: try again later".to_owned()),
            )
        } else {
            (
                Status::Ok,
                format!(
                    "{server} answers over {scheme}{through} ({} ms)",
                    elapsed.as_millis()
                ),
                None,
            )
        }
    }
}

/// One endpoint, step by step: the first step that fails is the finding.
async fn reach(
    (id, title): (&'static str, &'static str),
    url: &Url,
    sandbox: bool,
    setting: &str,
) -> (Check, Option<ServerDate>) {
    let mut probe = Probe::new(url, sandbox, setting);
    let started = Instant::now();
    let reached = async {
        let addresses = probe.resolve().await?;
        probe.connect(&addresses).await?;
        probe.request().await
    }
    .await;
    match reached {
        Ok((answer, server_date)) => {
            let (status, finding, advice) = probe.judge(answer.status(), started.elapsed());
            let check = Check::new(id, title, status, finding).details(probe.details);
            let check = match advice {
                Some(advice) => check.advice(advice),
                None => check,
            };
            (check, Some(server_date))
        }
        Err((finding, advice)) => (
            Check::new(id, title, Status::Failed, finding)
                .advice(advice)
                .details(probe.details),
            None,
        ),
    }
}

fn proxy_credentials_advice(variable: &str) -> String {
    format!("Put the proxy's user name and password in {variable}: http://USER:PASSWORD@host:port (ask your IT team for them)")
}

/// A client like the core's ([`crate::client::FeishuClient::new`]) with shorter timeouts.
fn http_client(url: &Url) -> reqwest::Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(HTTP_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("feishu-signin-doctor/", env!("CARGO_PKG_VERSION")));
    if crate::client::is_loopback(url) {
        builder = builder.no_proxy();
    }
    builder.build()
}

/// An error and its causes, without the URL (which may carry a query).
fn error_chain(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(cause) = source {
        let text = cause.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        source = cause.source();
    }
    if parts.is_empty() {
        parts.push(shown_error(e));
    }
    parts.join(": ")
}

/// The error's own words with its URL shown without credentials or query.
fn shown_error(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), &shown_url(url));
    }
    text
}

fn looks_like_tls(why: &str) -> bool {
    let why = why.to_ascii_lowercase();
    ["certificate", "tls", "ssl", "handshake"]
        .iter()
        .any(|word| why.contains(word))
}
