//! The `feishu-auth` binary, run as a user would, against the emulator over real loopback HTTP,
//! with `feishu-emulator browse` standing in for the person in the browser.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::too_many_lines
)]

mod common;

use std::{net::TcpListener, process::Output, time::Duration};

use common::{emulator_bin, free_port, text, Harness, CLI};
use feishu_emulator::Endpoint;

#[tokio::test(flavor = "multi_thread")]
async fn login_status_token_refresh_logout() {
    let h = Harness::new(|b| b).await;

    let out = h.run(&["login"]).await;
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("张三"),
        "login prints who signed in"
    );

    let status = h.status().await;
    let keys: Vec<&String> = status.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "accessTokenExpiresAt",
            "brand",
            "refreshTokenExpiresAt",
            "scopes",
            "signedIn",
            "tokenStatus",
            "user"
        ]
    );
    assert_eq!(status["signedIn"], true);
    assert_eq!(status["brand"], "feishu");
    assert_eq!(status["tokenStatus"], "valid");
    assert_eq!(status["user"]["name"], "张三");
    let user_keys: Vec<&String> = status["user"].as_object().unwrap().keys().collect();
    assert_eq!(
        user_keys,
        [
            "avatarUrl",
            "email",
            "employeeNo",
            "enName",
            "name",
            "openId",
            "tenantKey",
            "unionId",
            "userId"
        ]
    );
    assert!(
        status["user"]["email"].is_string(),
        "the email scope was granted"
    );
    assert!(status["scopes"]
        .as_array()
        .unwrap()
        .contains(&"offline_access".into()));
    assert!(time::OffsetDateTime::parse(
        status["accessTokenExpiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339
    )
    .is_ok());

    let first = h.run(&["token"]).await;
    assert!(first.status.success());
    let token = text(&first.stdout);
    assert_eq!(token.lines().count(), 1, "the token alone on stdout");
    let answer = reqwest::Client::new()
        .get(
            h.emulator
                .base_url()
                .join("open-apis/authen/v1/user_info")
                .unwrap(),
        )
        .bearer_auth(token.trim())
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status(),
        200,
        "the printed token is accepted by the server"
    );

    let out = h.run(&["refresh"]).await;
    assert!(out.status.success());
    assert_eq!(h.emulator.refreshes(), 1);
    let second = h.run(&["token"]).await;
    assert_ne!(text(&second.stdout), token, "refresh replaced the token");

    let out = h.run(&["logout"]).await;
    assert!(out.status.success());
    let status = h.status().await;
    assert_eq!(status["signedIn"], false);
    assert_eq!(status["tokenStatus"], "signedOut");
    assert!(status["user"].is_null());

    let out = h.run(&["token"]).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("not signed in"));
}

#[tokio::test(flavor = "multi_thread")]
async fn transient_20050_is_retried() {
    let h = Harness::new(|b| b).await;
    h.emulator.fail_next(Endpoint::Token, 1, 20050);
    let out = h.run(&["login"]).await;
    assert!(out.status.success());
    assert_eq!(
        h.emulator.calls(Endpoint::Token),
        2,
        "one failure, one retry"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn permanent_error_is_explained_and_not_retried() {
    let mut h = Harness::new(|b| b).await;
    h.secret = "not-the-secret".into();
    let out = h.run(&["login"]).await;
    assert_eq!(out.status.code(), Some(6));
    let err = text(&out.stderr);
    assert!(
        err.contains("20002")
            && err.contains("The client secret is invalid.")
            && err.contains("应用认证失败"),
        "{err}"
    );
    assert!(
        !err.contains("not-the-secret"),
        "the secret never reaches messages"
    );
    assert_eq!(h.emulator.calls(Endpoint::Token), 1);
    assert_eq!(h.status().await["signedIn"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn declined_consent() {
    let mut h = Harness::new(|b| b).await;
    h.browser = format!("{} browse --deny", emulator_bin().display());
    let out = h.run(&["login"]).await;
    assert_eq!(out.status.code(), Some(5));
    assert!(text(&out.stderr).contains("declined"));
    assert_eq!(h.emulator.calls(Endpoint::Token), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn timeout_says_so_and_frees_the_port() {
    let mut h = Harness::new(|b| b).await;
    h.browser = "true".into();
    let out = h.run(&["login", "--timeout", "2"]).await;
    assert_eq!(out.status.code(), Some(4));
    assert!(text(&out.stderr).contains("timed out"));
    let port: u16 = h
        .redirect_uri
        .split(':')
        .nth(2)
        .unwrap()
        .trim_end_matches("/callback")
        .parse()
        .unwrap();
    TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_browser_prints_the_url() {
    let h = Harness::new(|b| b).await;
    let mut child = h
        .command(&["login", "--no-browser", "--timeout", "30"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = String::new();
    let url = loop {
        let mut buf = [0u8; 1024];
        let n = tokio::io::AsyncReadExt::read(&mut stderr, &mut buf)
            .await
            .unwrap();
        assert!(n > 0, "stderr closed before the URL: {seen}");
        seen.push_str(&text(&buf[..n]));
        if let Some(line) = seen
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("http://") && l.contains("code_challenge="))
        {
            if seen.contains("Waiting") {
                break line.to_owned();
            }
        }
    };
    let browse = tokio::process::Command::new(emulator_bin())
        .args(["browse", &url])
        .output()
        .await
        .unwrap();
    assert!(browse.status.success(), "{}", text(&browse.stderr));
    let status = child.wait().await.unwrap();
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn eight_processes_on_a_stale_token_cause_one_refresh() {
    let h = Harness::new(|b| b.access_token_ttl(Duration::from_secs(4))).await;
    assert!(h.run(&["login"]).await.status.success());
    // The margin is min(5 min, half of 4 s) = 2 s: after 2 s the token needs a refresh.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(h.status().await["tokenStatus"], "needsRefresh");

    let runs: Vec<_> = (0..8).map(|_| h.command(&["token"]).output()).collect();
    let outputs = futures_join_all(runs).await;
    let tokens: Vec<String> = outputs
        .iter()
        .map(|o| {
            assert!(o.status.success(), "{}", text(&o.stderr));
            text(&o.stdout)
        })
        .collect();
    assert_eq!(
        h.emulator.refreshes(),
        1,
        "exactly one refresh for eight processes"
    );
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "all got the refreshed token"
    );
    assert_eq!(h.status().await["tokenStatus"], "valid");
}

async fn futures_join_all<
    F: std::future::Future<Output = std::io::Result<Output>> + Send + 'static,
>(
    futures: Vec<F>,
) -> Vec<Output> {
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap().unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn sandbox_without_app_id() {
    let dir = tempfile::tempdir().unwrap();
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    let run = |args: &'static [&'static str]| {
        let mut cmd = tokio::process::Command::new(CLI);
        cmd.args(args)
            .env_remove("FEISHU_APP_ID")
            .env_remove("FEISHU_APP_SECRET")
            .env_remove("FEISHU_ACCOUNTS_URL")
            .env_remove("FEISHU_OPEN_URL")
            .env_remove("FEISHU_SCOPES")
            .env("XDG_CONFIG_HOME", dir.path().join("config"))
            .env("FEISHU_SIGNIN_DATA_DIR", dir.path().join("data"))
            .env("FEISHU_REDIRECT_URI", &redirect)
            .env(
                "FEISHU_SIGNIN_BROWSER",
                format!("{} browse", emulator_bin().display()),
            );
        async move { cmd.output().await.unwrap() }
    };
    let out = run(&["login"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("Sandbox"));
    let out = run(&["status", "--json"]).await;
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["brand"], "sandbox");
    assert_eq!(status["signedIn"], true);
    // Another process, another in-process emulator: the refresh token is still honoured.
    let out = run(&["refresh"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(&["token"]).await;
    assert!(out.status.success() && !out.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_session_file_is_reported_kept_and_signed_out() {
    let h = Harness::new(|b| b).await;
    let data = h.dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("session.json"), b"{\"session\": {\"access_to").unwrap();
    let out = h.run(&["status"]).await;
    assert!(out.status.success(), "status still works");
    let err = text(&out.stderr);
    assert!(
        err.contains("session.json") && err.contains("kept as") && err.contains("signed out"),
        "{err}"
    );
    assert!(text(&out.stdout).contains("Not signed in"));
    let kept: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        kept.iter().any(|n| n.starts_with("session.corrupt-")),
        "{kept:?}"
    );
    let out = h.run(&["token"]).await;
    assert_eq!(out.status.code(), Some(3));
    // A foreign JSON document is treated the same way.
    std::fs::write(
        data.join("session.json"),
        br#"{"session": {"user": "someone else's tool"}}"#,
    )
    .unwrap();
    let out = h.run(&["token"]).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("kept as"));
}

#[tokio::test(flavor = "multi_thread")]
async fn status_warns_in_the_last_fourteen_days_before_reauthorization() {
    let h = Harness::new(|b| b).await;
    assert!(h.run(&["login"]).await.status.success());
    let path = h.dir.path().join("data/session.json");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let fresh = h.run(&["status"]).await;
    assert!(!text(&fresh.stdout).contains("warning"));
    let long_ago = time::OffsetDateTime::now_utc() - time::Duration::days(360);
    doc["session"]["authorized_at"] = long_ago
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
        .into();
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = h.run(&["status"]).await;
    assert!(
        text(&out.stdout).contains("warning: Feishu requires a new authorization"),
        "{}",
        text(&out.stdout)
    );
}

/// A forward proxy that rewrites absolute-form requests to `target` and counts them. An https
/// tunnel (`CONNECT`) is counted and refused: the emulator speaks no TLS.
async fn forward_proxy(
    target: std::net::SocketAddr,
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicU32>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let seen = std::sync::Arc::clone(&count);
    tokio::spawn(async move {
        loop {
            let Ok((mut client, _)) = listener.accept().await else {
                return;
            };
            let seen = std::sync::Arc::clone(&seen);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let head = String::from_utf8_lossy(&head).into_owned();
                let (line, rest) = head.split_once("\r\n").unwrap();
                let mut parts = line.splitn(3, ' ');
                let (method, uri, version) = (
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                    parts.next().unwrap(),
                );
                if method == "CONNECT" {
                    assert_eq!(uri, "open.feishu.invalid:443");
                    seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let _ = client
                        .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                        .await;
                    return;
                }
                let url = url::Url::parse(uri).expect("a proxy gets absolute-form requests");
                assert_eq!(url.host_str(), Some("open.feishu.invalid"));
                seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let mut upstream = tokio::net::TcpStream::connect(target).await.unwrap();
                let path = &uri[url.origin().ascii_serialization().len()..];
                upstream
                    .write_all(format!("{method} {path} {version}\r\n{rest}").as_bytes())
                    .await
                    .unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    (port, count)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_is_used_for_feishu_and_never_for_loopback() {
    let h = Harness::new(|b| b).await;
    // Loopback endpoints ignore a proxy that does not even exist.
    let dead = format!("http://127.0.0.1:{}", free_port());
    let out = h
        .command(&["login"])
        .env("HTTP_PROXY", &dead)
        .env("HTTPS_PROXY", &dead)
        .env("ALL_PROXY", &dead)
        .env_remove("NO_PROXY")
        .output()
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A non-loopback Open API host (https, as a real app must use) goes through HTTPS_PROXY; the
    // proxy refuses the tunnel, so the refresh fails without signing anyone out.
    let (proxy_port, proxied) = forward_proxy(h.emulator.addr()).await;
    let out = h
        .command(&["refresh"])
        .env("FEISHU_OPEN_URL", "https://open.feishu.invalid/")
        .env("HTTPS_PROXY", format!("http://127.0.0.1:{proxy_port}"))
        .env_remove("NO_PROXY")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        proxied.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "the refresh went through the proxy"
    );
    assert_eq!(h.status().await["signedIn"], true);

    // NO_PROXY is honoured: the host is then resolved directly (and does not exist).
    let out = h
        .command(&["refresh"])
        .env("FEISHU_OPEN_URL", "https://open.feishu.invalid/")
        .env("HTTPS_PROXY", format!("http://127.0.0.1:{proxy_port}"))
        .env("NO_PROXY", "feishu.invalid")
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        proxied.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "NO_PROXY bypassed the proxy"
    );
    assert!(
        text(&out.stderr).contains("open.feishu.invalid"),
        "{}",
        text(&out.stderr)
    );
}

/// Runs the whole CLI flow with `RUST_LOG=trace` and looks for every secret in everything it
/// printed: the App Secret, the authorization code and every refresh token never appear; the
/// access token appears only on `token`'s stdout.
#[tokio::test(flavor = "multi_thread")]
async fn no_secret_reaches_any_output_even_at_trace_level() {
    use feishu_emulator::browse::{Browser, Decision};
    use tokio::io::AsyncReadExt;

    let h = Harness::new(|b| b).await;
    let mut printed = String::new();

    let mut login = h
        .command(&["login", "--no-browser"])
        .env("RUST_LOG", "trace")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = login.stderr.take().unwrap();
    let mut seen = String::new();
    let authorize = loop {
        let mut buf = [0u8; 4096];
        let n = stderr.read(&mut buf).await.unwrap();
        assert!(n > 0, "login ended before printing the URL: {seen}");
        seen.push_str(&text(&buf[..n]));
        if let Some(url) = seen
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("http://") && l.contains("code_challenge="))
        {
            if seen.contains("Waiting") {
                break url.to_owned();
            }
        }
    };
    let browser = Browser::new().unwrap();
    let callback = browser
        .consent(&url::Url::parse(&authorize).unwrap(), Decision::Approve)
        .await
        .unwrap();
    let code = callback
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    browser.deliver(&callback).await.unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).await.unwrap();
    let out = login.wait_with_output().await.unwrap();
    assert!(out.status.success());
    printed.push_str(&seen);
    printed.push_str(&rest);
    printed.push_str(&text(&out.stdout));

    let session_file = h.dir.path().join("data/session.json");
    let stored = |key: &str| -> String {
        let doc: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&session_file).unwrap()).unwrap();
        doc["session"][key].as_str().unwrap().to_owned()
    };
    let first_refresh = stored("refresh_token");

    for args in [
        &["refresh"][..],
        &["status"],
        &["status", "--json"],
        &["logout"],
        &["login"],
    ] {
        let out = h
            .command(args)
            .env("RUST_LOG", "trace")
            .output()
            .await
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        printed.push_str(&text(&out.stdout));
        printed.push_str(&text(&out.stderr));
    }
    let last_refresh = stored("refresh_token");
    let access = stored("access_token");
    let token = h
        .command(&["token"])
        .env("RUST_LOG", "trace")
        .output()
        .await
        .unwrap();
    assert_eq!(
        text(&token.stdout).trim(),
        access,
        "the access token where the user asked for it"
    );
    printed.push_str(&text(&token.stderr));

    assert!(
        printed.contains("TRACE") || printed.contains("DEBUG"),
        "trace logging was on"
    );
    let verifiers = h.emulator.received_code_verifiers();
    assert_eq!(verifiers.len(), 2, "two sign-ins, two verifiers");
    let mut secrets = vec![
        ("App Secret", h.secret.clone()),
        ("authorization code", code),
        ("refresh token", first_refresh),
        ("refresh token", last_refresh),
        ("access token", access),
    ];
    secrets.extend(verifiers.into_iter().map(|v| ("PKCE verifier", v)));
    for (what, secret) in &secrets {
        assert!(
            !printed.contains(secret.as_str()),
            "the {what} leaked into the output"
        );
    }
}

/// The desktop app's sandbox runs through `emulator --for-app DATA_DIR`: one line with the base
/// URL, the sandbox app's endpoints behind it, and an exit as soon as its standard input closes.
#[tokio::test(flavor = "multi_thread")]
async fn the_apps_sandbox_prints_its_url_and_stops_when_stdin_closes() {
    use tokio::io::AsyncBufReadExt as _;
    let dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(CLI)
        .args(["emulator", "--for-app"])
        .arg(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("no URL within 30 s")
        .unwrap()
        .expect("stdout closed before the URL");
    let base = url::Url::parse(&line).unwrap();
    assert_eq!(base.host_str(), Some("127.0.0.1"));

    // A refresh with an unknown token: answered by the sandbox app's token endpoint.
    let answer = reqwest::Client::new()
        .post(base.join("open-apis/authen/v2/oauth/token").unwrap())
        .json(&serde_json::json!({
            "grant_type": "refresh_token",
            "client_id": feishu_emulator::sandbox::APP_ID,
            "client_secret": feishu_emulator::sandbox::APP_SECRET,
            "refresh_token": "not-a-token",
        }))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = answer.json().await.unwrap();
    assert!(body["code"].as_u64().is_some_and(|c| c != 0), "{body}");

    drop(child.stdin.take());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("still running 10 s after its stdin closed")
        .unwrap();
    assert!(status.success());
}
