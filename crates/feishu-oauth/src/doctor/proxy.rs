//! Which proxy a request to an endpoint goes through, decided as the core's HTTP client decides
//! it: reqwest reads `HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY` and `NO_PROXY` (either case, the
//! upper-case one first) through hyper-util's matcher, which is used here too, so the doctor and
//! the client cannot disagree; and the client never proxies loopback endpoints (the sandbox, a
//! local emulator: see [`crate::client::FeishuClient::new`]).

use url::Url;

/// How requests to one endpoint travel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyChoice {
    /// Straight to the host.
    Direct {
        /// Why no proxy: none set, `NO_PROXY` matches, a loopback host.
        reason: String,
    },
    /// Through a proxy.
    Via {
        /// The proxy, shown without credentials (`http://proxy.corp:3128`).
        proxy: String,
        /// Its host and port, to resolve and connect to.
        host: String,
        /// Its port.
        port: u16,
        /// The variable that named it (`HTTPS_PROXY`).
        variable: &'static str,
    },
}

/// The first of `names` that is set (even empty, as hyper-util reads them), with its name.
fn first(
    env: &dyn Fn(&str) -> Option<String>,
    names: [&'static str; 2],
) -> (Option<&'static str>, String) {
    names
        .into_iter()
        .find_map(|n| env(n).map(|v| (Some(n), v)))
        .unwrap_or((None, String::new()))
}

/// The proxy for requests to `url`, with the environment read through `env`.
pub fn proxy_for(url: &Url, env: impl Fn(&str) -> Option<String>) -> ProxyChoice {
    if crate::client::is_loopback(url) {
        return ProxyChoice::Direct {
            reason: "a loopback host is never proxied".to_owned(),
        };
    }
    if env("REQUEST_METHOD").is_some() {
        return ProxyChoice::Direct {
            reason: "REQUEST_METHOD is set (a CGI environment), where proxy variables are ignored"
                .to_owned(),
        };
    }
    let (all_var, all) = first(&env, ["ALL_PROXY", "all_proxy"]);
    let (plain_var, plain) = first(&env, ["HTTP_PROXY", "http_proxy"]);
    let (secure_var, secure) = first(&env, ["HTTPS_PROXY", "https_proxy"]);
    let (no_var, no) = first(&env, ["NO_PROXY", "no_proxy"]);
    let matcher = hyper_util::client::proxy::matcher::Matcher::builder()
        .all(all.clone())
        .http(plain.clone())
        .https(secure.clone())
        .no(no.clone())
        .build();
    let Ok(uri) = url.as_str().parse::<hyper::Uri>() else {
        return ProxyChoice::Direct {
            reason: "the URL is not one a proxy applies to".to_owned(),
        };
    };
    if let Some(intercept) = matcher.intercept(&uri) {
        let proxy = intercept.uri();
        let (own_var, own) = if url.scheme() == "https" {
            (secure_var, &secure)
        } else {
            (plain_var, &plain)
        };
        let variable = if own.trim().is_empty() {
            all_var
        } else {
            own_var
        };
        let scheme = proxy.scheme_str().unwrap_or("http");
        let host = proxy.host().unwrap_or_default().to_owned();
        let port = proxy.port_u16().unwrap_or(match scheme {
            "https" => 443,
            "http" => 80,
            _ => 1080,
        });
        ProxyChoice::Via {
            proxy: format!("{scheme}://{host}:{port}"),
            host,
            port,
            variable: variable.unwrap_or("ALL_PROXY"),
        }
    } else {
        let set = [all_var, plain_var, secure_var]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
        let reason = match (set.is_empty(), no_var) {
            (true, _) => "no proxy variable is set".to_owned(),
            (false, Some(var)) if !no.trim().is_empty() => {
                format!("{var} exempts this host")
            }
            (false, _) => format!("{} does not apply to {}", set.join(", "), url.scheme()),
        };
        ProxyChoice::Direct { reason }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn https_proxy_is_used_for_https_hosts_without_its_credentials() {
        let choice = proxy_for(
            &url("https://open.feishu.cn/"),
            env(&[("HTTPS_PROXY", "http://user:pw@proxy.corp:3128")]),
        );
        assert_eq!(
            choice,
            ProxyChoice::Via {
                proxy: "http://proxy.corp:3128".to_owned(),
                host: "proxy.corp".to_owned(),
                port: 3128,
                variable: "HTTPS_PROXY",
            }
        );
    }

    #[test]
    fn the_upper_case_variable_wins_and_all_proxy_is_the_fallback() {
        let choice = proxy_for(
            &url("https://open.feishu.cn/"),
            env(&[
                ("HTTPS_PROXY", "http://upper:1"),
                ("https_proxy", "http://lower:2"),
            ]),
        );
        assert!(matches!(choice, ProxyChoice::Via { ref host, .. } if host == "upper"));
        let choice = proxy_for(
            &url("https://open.feishu.cn/"),
            env(&[("all_proxy", "http://every:8080")]),
        );
        assert!(
            matches!(choice, ProxyChoice::Via { variable: "all_proxy", ref host, .. } if host == "every")
        );
    }

    #[test]
    fn http_proxy_does_not_apply_to_https_hosts() {
        let choice = proxy_for(
            &url("https://open.feishu.cn/"),
            env(&[("HTTP_PROXY", "http://proxy:3128")]),
        );
        assert!(
            matches!(choice, ProxyChoice::Direct { ref reason } if reason.contains("HTTP_PROXY"))
        );
    }

    #[test]
    fn no_proxy_exempts_a_domain_and_its_subdomains() {
        let choice = proxy_for(
            &url("https://open.feishu.cn/"),
            env(&[
                ("HTTPS_PROXY", "http://proxy:3128"),
                ("NO_PROXY", "feishu.cn"),
            ]),
        );
        assert!(
            matches!(choice, ProxyChoice::Direct { ref reason } if reason.contains("NO_PROXY"))
        );
    }

    #[test]
    fn loopback_is_never_proxied_and_nothing_set_is_direct() {
        let proxied = env(&[
            ("HTTPS_PROXY", "http://proxy:3128"),
            ("HTTP_PROXY", "http://proxy:3128"),
        ]);
        assert!(matches!(
            proxy_for(&url("http://127.0.0.1:9/"), proxied),
            ProxyChoice::Direct { .. }
        ));
        assert!(matches!(
            proxy_for(&url("https://open.feishu.cn/"), env(&[])),
            ProxyChoice::Direct { ref reason } if reason == "no proxy variable is set"
        ));
    }
}
