//! What the emulated developer console holds: the apps, their registered redirect URIs, token
//! lifetimes and the user who signs in.

use std::fmt;
use std::net::Ipv4Addr;
use std::time::Duration;

use subtle::ConstantTimeEq as _;
use url::{Host, Url};

use crate::profile::Profile;

/// One app: its App ID (`client_id`) and App Secret (`client_secret`).
#[derive(Clone)]
pub(crate) struct App {
    pub(crate) id: String,
    pub(crate) secret: String,
}

/// The secret stays out of logs and panic messages.
impl fmt::Debug for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

impl App {
    /// Compares the secret in constant time, as a real server must.
    pub(crate) fn secret_matches(&self, candidate: &str) -> bool {
        self.secret.as_bytes().ct_eq(candidate.as_bytes()).into()
    }
}

/// The emulator's settings, fixed once it starts.
#[derive(Clone, Debug)]
pub(crate) struct Config {
    /// The app `Emulator::app_id` reports.
    pub(crate) app: App,
    /// Further apps, for tests that mix two apps' credentials.
    pub(crate) additional_apps: Vec<App>,
    /// Registered redirect URIs, matched exactly (Feishu allows no wildcards).
    pub(crate) redirect_uris: Vec<String>,
    /// The sandbox's convenience: any `http://127.0.0.1:<port>/…` or `http://localhost:<port>/…`.
    pub(crate) allow_any_loopback_redirect: bool,
    pub(crate) access_token_ttl: Duration,
    pub(crate) refresh_token_ttl: Duration,
    pub(crate) profile: Profile,
    /// The device authorization grant (RFC 8628): on unless an app turned it off.
    pub(crate) device: DeviceFlow,
}

/// The device authorization grant's settings (see `device_authorization`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct DeviceFlow {
    /// Off, the device authorization endpoint answers `unauthorized_client`: the case in which a
    /// client must fall back to another way in.
    pub(crate) enabled: bool,
    /// How long a device code waits for the person (`expires_in`).
    pub(crate) code_ttl: Duration,
    /// The polling interval a device code starts with (`interval`).
    pub(crate) poll_interval: Duration,
}

impl Default for DeviceFlow {
    /// The values the official CLI assumes when the answer omits them: 240 s and 5 s.
    fn default() -> Self {
        Self {
            enabled: true,
            code_ttl: Duration::from_secs(240),
            poll_interval: Duration::from_secs(5),
        }
    }
}

impl Config {
    /// The app with this App ID, if the console knows it.
    pub(crate) fn app(&self, id: &str) -> Option<&App> {
        std::iter::once(&self.app)
            .chain(&self.additional_apps)
            .find(|app| app.id == id)
    }

    /// Whether the authorize page accepts `redirect_uri`: byte-exact to a registered one, or (when
    /// allowed) a plain-http loopback URL with an explicit port.
    pub(crate) fn accepts_redirect_uri(&self, redirect_uri: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|registered| registered == redirect_uri)
            || (self.allow_any_loopback_redirect && is_loopback_http(redirect_uri))
    }
}

/// `http://127.0.0.1:<port>/…` or `http://localhost:<port>/…`, with no user info and no fragment.
fn is_loopback_http(candidate: &str) -> bool {
    let Ok(url) = Url::parse(candidate) else {
        return false;
    };
    let loopback_host = match url.host() {
        Some(Host::Ipv4(ip)) => ip == Ipv4Addr::LOCALHOST,
        Some(Host::Domain(domain)) => domain == "localhost",
        _ => false,
    };
    url.scheme() == "http"
        && loopback_host
        && url.port().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.fragment().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(registered: &[&str], any_loopback: bool) -> Config {
        Config {
            app: App {
                id: "cli_a".to_owned(),
                secret: "s".to_owned(),
            },
            additional_apps: Vec::new(),
            redirect_uris: registered.iter().map(|uri| (*uri).to_owned()).collect(),
            allow_any_loopback_redirect: any_loopback,
            access_token_ttl: Duration::from_secs(1),
            refresh_token_ttl: Duration::from_secs(1),
            profile: Profile::default(),
            device: DeviceFlow::default(),
        }
    }

    #[test]
    fn debug_redacts_the_secret() {
        let shown = format!("{:?}", config(&[], false));
        assert!(shown.contains("cli_a"));
        assert!(!shown.contains("secret: \"s\""), "{shown}");
    }

    #[test]
    fn registered_uris_match_exactly() {
        let config = config(&["http://127.0.0.1:8080/callback"], false);
        assert!(config.accepts_redirect_uri("http://127.0.0.1:8080/callback"));
        assert!(!config.accepts_redirect_uri("http://127.0.0.1:8080/callback/"));
        assert!(!config.accepts_redirect_uri("http://127.0.0.1:8081/callback"));
        assert!(!config.accepts_redirect_uri("http://localhost:8080/callback"));
    }

    #[test]
    fn any_loopback_accepts_any_port_on_loopback_only() {
        let config = config(&[], true);
        assert!(config.accepts_redirect_uri("http://127.0.0.1:1234/callback"));
        assert!(config.accepts_redirect_uri("http://localhost:55555/cb?x=1"));
        assert!(!config.accepts_redirect_uri("http://127.0.0.1/callback"));
        assert!(!config.accepts_redirect_uri("https://127.0.0.1:1234/callback"));
        assert!(!config.accepts_redirect_uri("http://127.0.0.2:1234/callback"));
        assert!(!config.accepts_redirect_uri("http://example.com:1234/callback"));
        assert!(!config.accepts_redirect_uri("http://user@127.0.0.1:1234/callback"));
        assert!(!config.accepts_redirect_uri("http://127.0.0.1:1234/callback#frag"));
        assert!(!config.accepts_redirect_uri("com.example.app:/callback"));
    }
}
