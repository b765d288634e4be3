//! The redirect URI: where the browser returns with the code.
//!
//! Feishu requires it registered exactly, port included, so the loopback port is fixed and
//! configurable rather than picked at random (RFC 8252 §7.3 allows any port; Feishu does not
//! document that). A private-use scheme (RFC 8252 §7.1, reverse-DNS) is the alternative route.

use std::{fmt, net::SocketAddr};

use url::Url;

/// The loopback port used when none is configured. Register
/// `http://127.0.0.1:28283/callback` in the developer console.
pub const DEFAULT_LOOPBACK_PORT: u16 = 28283;

/// The private-use URI scheme the desktop app declares for deep links.
pub const DEEP_LINK_SCHEME: &str = "dev.feishu-signin.app";

/// A validated `redirect_uri`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectUri(Url);

/// How the callback reaches the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackRoute {
    /// An HTTP listener on `127.0.0.1`.
    Loopback(SocketAddr),
    /// A private-use scheme handed to the app by the OS.
    DeepLink,
}

/// The kind of callback a sign-in asks for: what the adapter offers (the CLI only a loopback
/// listener; the window either), independent of the configured URI's port or path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Route {
    /// An HTTP listener on a loopback address.
    Loopback,
    /// The app's private-use scheme.
    DeepLink,
}

impl RedirectUri {
    /// The default loopback redirect, `http://127.0.0.1:28283/callback`.
    pub fn default_loopback() -> Self {
        Self::loopback(DEFAULT_LOOPBACK_PORT)
    }

    /// A loopback redirect on `port`.
    pub fn loopback(port: u16) -> Self {
        let url = Url::parse(&format!("http://127.0.0.1:{port}/callback"))
            .unwrap_or_else(|_| unreachable!("a loopback URL with a port always parses"));
        Self(url)
    }

    /// The default deep-link redirect, `dev.feishu-signin.app:/callback`.
    pub fn default_deep_link() -> Self {
        let url = Url::parse(&format!("{DEEP_LINK_SCHEME}:/callback"))
            .unwrap_or_else(|_| unreachable!("the built-in scheme always parses"));
        Self(url)
    }

    /// Parses and validates: `http://127.0.0.1:<port>/…` (or `localhost`, or `[::1]`) with an explicit
    /// port, or a private-use scheme containing a dot (RFC 8252 §7.1). No fragment, no credentials.
    pub fn parse(value: &str) -> Result<Self, String> {
        let url = Url::parse(value.trim()).map_err(|e| format!("`{value}` is not a URL ({e})"))?;
        if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
            return Err(format!(
                "`{value}` must not carry a fragment or credentials"
            ));
        }
        match url.scheme() {
            "http" => {
                let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
                if !loopback {
                    return Err(format!(
                        "`{value}`: an http redirect must be on loopback (127.0.0.1); a desktop app cannot receive a callback elsewhere"
                    ));
                }
                if url.port().is_none() {
                    return Err(format!("`{value}` needs an explicit port, registered exactly in the developer console"));
                }
                Ok(Self(url))
            }
            "https" => Err(format!("`{value}`: a desktop app cannot receive an https callback; use http://127.0.0.1:<port>/callback or a custom scheme")),
            scheme if scheme.contains('.') => Ok(Self(url)),
            scheme => Err(format!(
                "`{value}`: the custom scheme `{scheme}` must be reverse-DNS (like `{DEEP_LINK_SCHEME}`, RFC 8252 §7.1)"
            )),
        }
    }

    /// How the callback reaches the client, and for loopback the address to listen on.
    pub fn route(&self) -> CallbackRoute {
        if self.0.scheme() == "http" {
            let port = self.0.port().unwrap_or(DEFAULT_LOOPBACK_PORT);
            // Always listen on the IPv4 loopback address, never on all interfaces.
            let ip = if self.0.host_str() == Some("[::1]") {
                std::net::IpAddr::V6(std::net::Ipv6Addr::LOCALHOST)
            } else {
                std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST)
            };
            CallbackRoute::Loopback(SocketAddr::new(ip, port))
        } else {
            CallbackRoute::DeepLink
        }
    }

    /// The URI exactly as sent to Feishu (authorize and token steps send the same string).
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The parsed URL.
    pub fn url(&self) -> &Url {
        &self.0
    }

    /// Whether `url` is addressed to this redirect (same scheme, host, port and path), ignoring the
    /// query that carries the callback parameters.
    pub fn is_target_of(&self, url: &Url) -> bool {
        url.scheme() == self.0.scheme()
            && url.host_str() == self.0.host_str()
            && url.port_or_known_default() == self.0.port_or_known_default()
            && url.path() == self.0.path()
    }
}

impl fmt::Display for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_loopback_is_ipv4_with_fixed_port() {
        let r = RedirectUri::default_loopback();
        assert_eq!(r.as_str(), "http://127.0.0.1:28283/callback");
        assert_eq!(
            r.route(),
            CallbackRoute::Loopback("127.0.0.1:28283".parse().unwrap())
        );
    }

    #[test]
    fn localhost_still_listens_on_ipv4_loopback_only() {
        let r = RedirectUri::parse("http://localhost:9000/cb").unwrap();
        assert_eq!(
            r.route(),
            CallbackRoute::Loopback("127.0.0.1:9000".parse().unwrap())
        );
    }

    #[test]
    fn deep_link_is_a_reverse_dns_scheme() {
        let r = RedirectUri::default_deep_link();
        assert_eq!(r.as_str(), "dev.feishu-signin.app:/callback");
        assert_eq!(r.route(), CallbackRoute::DeepLink);
    }

    #[test]
    fn rejects_what_a_desktop_app_cannot_receive() {
        for bad in [
            "http://example.com:80/callback",
            "http://127.0.0.1/callback",
            "https://127.0.0.1:8443/callback",
            "myapp:/callback",
            "http://127.0.0.1:1/cb#frag",
            "not a url",
        ] {
            assert!(RedirectUri::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn target_match_ignores_query_only() {
        let r = RedirectUri::default_loopback();
        assert!(r.is_target_of(&Url::parse("http://127.0.0.1:28283/callback?code=x").unwrap()));
        assert!(!r.is_target_of(&Url::parse("http://127.0.0.1:28283/favicon.ico").unwrap()));
        assert!(!r.is_target_of(&Url::parse("http://127.0.0.1:1/callback").unwrap()));
    }
}
