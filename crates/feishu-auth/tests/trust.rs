//! What a careless user or a hostile file must not be able to do through `feishu-auth`: undo a
//! sign-out, clear another app's session, freeze on a stuck lock, report success for a token that
//! was never written, panic on a file, or print a secret in an error.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::{process::Stdio, time::Duration};

use common::{text, Harness};
use feishu_emulator::Endpoint;

#[tokio::test(flavor = "multi_thread")]
async fn a_refresh_in_flight_does_not_undo_a_logout() {
    let h = Harness::new(|b| b).await;
    assert!(h.run(&["login"]).await.status.success());
    h.emulator
        .delay_next(Endpoint::Token, 1, Duration::from_millis(2500));
    // Feishu does not confirm the revocation, so the refresh succeeds there: the tokens it
    // brings back are this process's to drop.
    h.emulator.fail_next(Endpoint::Revoke, 2, 20050);
    let refreshing = h.command(&["refresh"]).output();
    let refreshing = tokio::spawn(refreshing);
    tokio::time::sleep(Duration::from_millis(800)).await;
    let out = h.run(&["logout"]).await;
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("Signed out 张三"),
        "{}",
        text(&out.stdout)
    );

    let refreshed = refreshing.await.unwrap().unwrap();
    assert_eq!(
        refreshed.status.code(),
        Some(3),
        "{}",
        text(&refreshed.stderr)
    );
    assert!(text(&refreshed.stderr).contains("Signed out while"));
    assert_eq!(h.emulator.refreshes(), 1, "the refresh reached Feishu");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let status = h.status().await;
    assert_eq!(status["signedIn"], false, "{status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_clears_only_the_configured_app_s_session() {
    let h = Harness::new(|b| b).await;
    assert!(h.run(&["login"]).await.status.success());

    let mut other = h.command(&["logout"]);
    other.env("FEISHU_APP_ID", "cli_other");
    let out = other.output().await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("cli_other") && said.contains("--any-app"),
        "{said}"
    );
    assert_eq!(h.status().await["signedIn"], true);

    let mut any = h.command(&["logout", "--any-app"]);
    any.env("FEISHU_APP_ID", "cli_other");
    let out = any.output().await.unwrap();
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains(h.emulator.app_id()),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(h.status().await["signedIn"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_that_was_not_written_is_a_failure() {
    let h = Harness::new(|b| b).await;
    assert!(h.run(&["login"]).await.status.success());

    let mut full = h.command(&["token"]);
    // `output()` would swap stdout for a pipe: spawn with /dev/full as stdout instead.
    full.stdout(std::fs::File::create("/dev/full").unwrap())
        .stderr(Stdio::piped());
    let out = full.spawn().unwrap().wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("standard output"),
        "{}",
        text(&out.stderr)
    );

    // A reader that closed the pipe: quiet, but not a success.
    let mut closed = h.command(&["token"]);
    closed.stdout(Stdio::piped());
    let mut child = closed.spawn().unwrap();
    drop(child.stdout.take());
    let status = child.wait().await.unwrap();
    assert!(!status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stopped_lock_holder_is_named_instead_of_freezing_everyone() {
    let h = Harness::new(|b| b).await;
    assert!(h.run(&["login"]).await.status.success());
    // A refresh stuck on a dead server (its answer would come after the test), then stopped
    // (Ctrl-Z) while it holds the lock.
    h.emulator
        .delay_next(Endpoint::Token, 1, Duration::from_secs(90));
    let mut stuck = h.command(&["refresh"]).spawn().unwrap();
    let pid = stuck.id().unwrap();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(unsafe_kill(pid, "-STOP"), 0);

    let out = h.run(&["refresh"]).await;
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("session.lock"), "{stderr}");
    assert!(stderr.contains(&pid.to_string()), "{stderr}");

    unsafe_kill(pid, "-KILL");
    let _ = stuck.wait().await;
    // Its end releases the lock.
    let out = h.run(&["refresh"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// `kill -SIG pid` through the shell's `kill`, so the test needs no libc bindings.
fn unsafe_kill(pid: u32, signal: &str) -> i32 {
    std::process::Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .unwrap()
        .code()
        .unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_file_with_an_absurd_date_is_set_aside_not_a_panic() {
    let h = Harness::new(|b| b).await;
    assert!(h.run(&["login"]).await.status.success());
    let path = h.dir.path().join("data/session.json");
    let mut doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    doc["session"]["authorized_at"] = "9999-12-31T23:59:59Z".into();
    std::fs::write(&path, doc.to_string()).unwrap();

    let out = h.run(&["status"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("authorized_at"),
        "{}",
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("Not signed in"));
    let out = h.run(&["token"]).await;
    assert_eq!(out.status.code(), Some(3));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_broken_config_file_is_reported_without_its_values() {
    let h = Harness::new(|b| b).await;
    let config = h.dir.path().join("config/feishu-signin/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(
        &config,
        "app_id = \"cli_a\"\napp_secret = Sup3rS3cretValue\n",
    )
    .unwrap();
    let out = h.run(&["status"]).await;
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(!stderr.contains("Sup3rS3cretValue"), "{stderr}");
    assert!(
        stderr.contains("config.toml")
            && stderr.contains("line 2")
            && stderr.contains("`app_secret`"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_app_never_talks_plain_http_beyond_loopback() {
    let h = Harness::new(|b| b).await;
    let mut cmd = h.command(&["token"]);
    cmd.env("FEISHU_OPEN_URL", "http://open.feishu.example");
    let out = cmd.output().await.unwrap();
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("FEISHU_OPEN_URL") && stderr.contains("https://"),
        "{stderr}"
    );
}
