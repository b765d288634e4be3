//! No secret reaches any output, even with trace logging.

#![allow(clippy::too_many_lines)]

use crate::common::{text, Harness};

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
