//! `login`: the browser's consent or refusal, no answer in time, `--no-browser`, and the server's
//! transient and permanent errors while the code is exchanged.

use std::net::TcpListener;

use feishu_emulator::Endpoint;

use crate::common::{emulator_bin, text, Harness};

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
    assert!(text(&out.stderr).contains("Timed out"));
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
async fn a_malformed_scope_is_a_usage_error() {
    let h = Harness::new(|b| b).await;
    for bad in ["contact:user.email readonly", "\"offline_access\"", ""] {
        let out = h
            .run(&["login", "--scope", "offline_access", "--scope", bad])
            .await;
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
        let err = text(&out.stderr);
        assert!(err.contains("--scope") && err.contains("scope"), "{err}");
    }
    let out = h.run(&["login", "--scope", "a b"]).await;
    assert!(
        text(&out.stderr).contains("a space"),
        "{}",
        text(&out.stderr)
    );
    let out = h
        .run(&[
            "profile",
            "add",
            "work",
            "--scope",
            "im:message,offline_access",
        ])
        .await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        h.emulator.calls(Endpoint::Authorize),
        0,
        "nothing reached Feishu"
    );
    assert!(
        !h.dir
            .path()
            .join("config/feishu-signin/profiles/work.toml")
            .exists(),
        "nothing was written"
    );
}

/// `login --no-browser` until it times out, its stderr, with `ssh` as the SSH session's variables
/// (none: not in an SSH session).
async fn no_browser_login_stderr(h: &Harness, ssh: &[(&str, &str)]) -> String {
    let mut cmd = h.command(&["login", "--no-browser", "--timeout", "1"]);
    for var in ["SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT"] {
        cmd.env_remove(var);
    }
    cmd.envs(ssh.iter().copied());
    let out = cmd.output().await.unwrap();
    assert_eq!(out.status.code(), Some(4), "timed out");
    text(&out.stderr)
}

#[tokio::test(flavor = "multi_thread")]
async fn no_browser_in_an_ssh_session_says_how_to_forward_the_port() {
    let h = Harness::new(|b| b).await;
    let port = h
        .redirect_uri
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/callback");
    let emulator = h.emulator.base_url().port().unwrap();
    // The emulator's authorize page is on this machine's loopback too, as the sandbox's is.
    let forward =
        format!("ssh -N -L {emulator}:127.0.0.1:{emulator} -L {port}:127.0.0.1:{port} <the host");
    for ssh in [
        &[("SSH_CONNECTION", "10.0.0.2 50022 10.0.0.1 22")][..],
        &[("SSH_TTY", "/dev/pts/3")][..],
    ] {
        let err = no_browser_login_stderr(&h, ssh).await;
        assert!(
            err.contains("SSH session") && err.contains(&forward) && err.contains(&h.redirect_uri),
            "{err}"
        );
    }
    let err = no_browser_login_stderr(&h, &[]).await;
    assert!(!err.contains("SSH") && !err.contains("ssh -"), "{err}");
}
