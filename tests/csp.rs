//! The window's Content-Security-Policy is the narrowest that works: nothing on loopback (a page
//! could otherwise reach any local service), no `<base>`, no form posts, no plugins, no framing.
//! The sandbox's avatar is a `data:` URL, so it needs no exception.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn the_csp_allows_no_loopback_base_form_or_frame() {
    let conf: serde_json::Value = serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
    let csp = conf["app"]["security"]["csp"].as_str().unwrap();
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{name} in {csp}"))
            .to_owned()
    };
    for host in ["127.0.0.1", "localhost", "[::1]", "http:", "*"] {
        for d in csp.split(';') {
            let d = d.trim();
            if d.starts_with("connect-src") {
                // Tauri's IPC endpoint, not the network.
                assert!(
                    d.split_whitespace()
                        .all(|s| s == "connect-src" || s == "ipc:" || s == "http://ipc.localhost"),
                    "{d}"
                );
                continue;
            }
            assert!(
                !d.split_whitespace()
                    .any(|s| s.contains(host) && s != "https:"),
                "{host} in `{d}`"
            );
        }
    }
    assert_eq!(directive("base-uri"), "base-uri 'none'");
    assert_eq!(directive("form-action"), "form-action 'none'");
    assert_eq!(directive("object-src"), "object-src 'none'");
    assert_eq!(directive("frame-ancestors"), "frame-ancestors 'none'");
    assert_eq!(directive("script-src"), "script-src 'self'");
}
