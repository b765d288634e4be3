//! `keepalive`: the systemd user timer's units, checked by systemd's own verifier, and the
//! command they run, run as systemd would (nothing but the unit's environment) against the
//! emulator.

use std::{path::Path, time::Duration};

use crate::common::{text, Harness};

async fn cli(h: &Harness, args: &[&str], stdin: &str) -> std::process::Output {
    h.run_bare(args, stdin, &[]).await
}

/// The unit file's `KEY=` lines.
fn lines<'a>(unit: &'a str, key: &str) -> Vec<&'a str> {
    unit.lines()
        .filter_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        .collect()
}

/// A profile named `name` for the harness's emulator, in files only (the timer sees no more).
async fn add_profile(h: &Harness, name: &str) {
    let out = h.add_profile(name, h, "feishu").await;
    assert!(out.status.success());
}

/// systemd's own check of a keepalive's two units, where systemd is installed (Debian's
/// `systemd`, which scripts/setup-debian.sh --test installs). The man page the units name is the
/// package's, not installed here.
fn verify(units: &Path, name: &str) {
    if !Path::new("/usr/bin/systemd-analyze").exists() {
        return;
    }
    let runtime = tempfile::tempdir().unwrap();
    let verified = std::process::Command::new("systemd-analyze")
        .args(["verify", "--user", "--man=no"])
        .arg(units.join(format!("{name}.timer")))
        .arg(units.join(format!("{name}.service")))
        .env("XDG_RUNTIME_DIR", runtime.path())
        .output()
        .unwrap();
    assert!(
        verified.status.success() && verified.stderr.is_empty(),
        "systemd-analyze verify: {}",
        text(&verified.stderr)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_timer_s_command_renews_a_stale_session_with_only_the_unit_s_environment() {
    let h = Harness::new(|b| b.access_token_ttl(Duration::from_secs(4))).await;
    add_profile(&h, "work").await;
    assert!(cli(&h, &["--profile", "work", "login"], "")
        .await
        .status
        .success());

    let out = cli(&h, &["--profile", "work", "keepalive", "enable"], "").await;
    assert!(out.status.success());
    let said = text(&out.stdout);
    assert!(
        said.contains("feishu-signin-keepalive-work.timer") && said.contains("twice a day"),
        "{said}"
    );
    assert!(
        said.contains("new sign-in by"),
        "the 365-day limit is told: {said}"
    );

    let units = h.dir.path().join("config/systemd/user");
    let service =
        std::fs::read_to_string(units.join("feishu-signin-keepalive-work.service")).unwrap();
    let timer = std::fs::read_to_string(units.join("feishu-signin-keepalive-work.timer")).unwrap();
    assert!(units
        .join("timers.target.wants/feishu-signin-keepalive-work.timer")
        .exists());
    assert!(!service.contains(&h.secret), "no secret in a unit file");
    assert_eq!(lines(&timer, "Persistent"), ["true"]);

    verify(&units, "feishu-signin-keepalive-work");

    // Run ExecStart as systemd would: the unit's Environment= lines and nothing else of ours.
    let exec = lines(&service, "ExecStart")[0];
    assert!(!exec.contains('"'), "a test path needs no quoting: {exec}");
    let words: Vec<&str> = exec.split_whitespace().collect();
    let run_as_timer = || {
        let mut cmd = tokio::process::Command::new(words[0]);
        cmd.args(&words[1..])
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .env("HOME", h.dir.path());
        for env in lines(&service, "Environment") {
            let (k, v) = env.split_once('=').unwrap();
            cmd.env(k, v);
        }
        cmd.output()
    };
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let out = run_as_timer().await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("Refreshed: the access token was stale"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(h.emulator.refreshes(), 1);
    let out = run_as_timer().await.unwrap();
    assert!(
        text(&out.stdout).starts_with("Not due"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(h.emulator.refreshes(), 1, "nothing due, nothing sent");

    let out = cli(
        &h,
        &["--profile", "work", "keepalive", "status", "--json"],
        "",
    )
    .await;
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(status["enabled"], true);
    assert_eq!(status["programFound"], true);
    assert_eq!(status["timer"], "feishu-signin-keepalive-work.timer");

    let out = cli(&h, &["--profile", "work", "keepalive", "disable"], "").await;
    assert!(text(&out.stdout).starts_with("Keepalive off"));
    assert!(!units.join("feishu-signin-keepalive-work.service").exists());
    assert!(!units.join("feishu-signin-keepalive-work.timer").exists());
    let out = cli(&h, &["--profile", "work", "keepalive", "status"], "").await;
    assert!(text(&out.stdout).starts_with("Keepalive is off"));
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_from_the_shell_s_environment_are_named_since_the_timer_does_not_see_them() {
    let h = Harness::new(|b| b).await;
    let out = h.run(&["keepalive", "enable"]).await;
    assert!(out.status.success());
    let said = text(&out.stdout);
    assert!(
        said.contains("FEISHU_APP_ID") && said.contains("environment"),
        "{said}"
    );
    assert!(said.contains("Not signed in yet"), "{said}");
    let service = std::fs::read_to_string(
        h.dir
            .path()
            .join("config/systemd/user/feishu-signin-keepalive-default.service"),
    )
    .unwrap();
    assert!(!service.contains("FEISHU_APP_SECRET") && !service.contains(&h.secret));
}
