//! The sandbox: `login` without an App ID, and the desktop app's `emulator --for-app`.

use std::time::Duration;

use crate::common::{emulator_bin, free_port, text, CLI};

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
