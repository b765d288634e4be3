//! The app and the CLI share one session: with the app running beside eight `feishu-auth token`
//! processes on a stale token, Feishu sees exactly one refresh, and nobody is signed out.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod support;

use std::time::Duration;

use feishu_emulator::Emulator;
use serde_json::{json, Value};
use support::{app, free_port, invoke, use_emulator, workspace_bin};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_app_and_eight_cli_processes_cause_one_refresh() {
    let dir = tempfile::tempdir().unwrap();
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    let emulator = Emulator::builder()
        .redirect_uri(redirect.clone())
        .access_token_ttl(Duration::from_secs(10))
        .start()
        .await
        .unwrap();
    use_emulator(dir.path(), &emulator, &redirect);
    std::env::set_var(
        "FEISHU_SIGNIN_BROWSER",
        format!("{} browse", workspace_bin("feishu-emulator").display()),
    );

    let (_app, webview) = app();
    let w = webview.clone();
    let view = tokio::task::spawn_blocking(move || {
        invoke(
            &w,
            "sign_in",
            json!({"route": "loopback", "scopes": ["offline_access"]}),
        )
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(view["session"]["profile"]["name"], "张三");
    // The margin is min(5 min, half of 10 s) = 5 s: past it, the app's keeper and every CLI want a
    // refresh (and the refreshed token stays fresh for the rest of the test).
    tokio::time::sleep(Duration::from_millis(5200)).await;

    let cli = workspace_bin("feishu-auth");
    let runs: Vec<_> = (0..8)
        .map(|_| tokio::process::Command::new(&cli).arg("token").output())
        .collect();
    let mut tokens = Vec::new();
    for run in runs {
        let out = run.await.unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        tokens.push(String::from_utf8(out.stdout).unwrap());
    }
    // Give the app's keeper (a 2 s tick) its turn at the stale token too.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(
        emulator.refreshes(),
        1,
        "one refresh for the app and eight processes"
    );
    assert!(tokens.iter().all(|t| t == &tokens[0]));
    let w = webview.clone();
    let session: Value = tokio::task::spawn_blocking(move || invoke(&w, "session", json!({})))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        session["session"]["tokenStatus"], "valid",
        "the app sees the refreshed session: {session}"
    );
}
