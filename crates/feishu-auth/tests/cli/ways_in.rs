//! Every way in from a terminal, against the emulator: the device flow with its QR code (read
//! back as a phone would), each of its error states, pasting the redirect (a wrong paste first),
//! the fallback from a device flow the app does not have to pasting, and the automatic choice in
//! an SSH session and in a desktop session.

use std::{
    process::Stdio,
    sync::{Arc, Mutex},
    time::Duration,
};

use feishu_emulator::browse::{Browser, Decision};
use feishu_oauth::test_support::decode_terminal_qr;
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _};
use url::Url;

use crate::common::{text, Harness};

/// `feishu-auth` running, its standard error collected as it comes.
struct Running {
    child: tokio::process::Child,
    stderr: Arc<Mutex<String>>,
}

impl Running {
    fn start(mut cmd: tokio::process::Command) -> Self {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let collected = Arc::clone(&stderr);
        tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                let mut all = collected.lock().unwrap();
                all.push_str(&line);
                all.push('\n');
            }
        });
        Self { child, stderr }
    }

    /// Waits (at most 30 s) until standard error holds `marker`; all of it so far.
    async fn said(&self, marker: &str) -> String {
        for _ in 0..300 {
            let all = self.stderr.lock().unwrap().clone();
            if all.contains(marker) {
                return all;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("never said {marker:?}: {}", self.stderr.lock().unwrap());
    }

    async fn type_line(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        stdin.flush().await.unwrap();
    }

    async fn finish(mut self) -> (std::process::Output, String) {
        drop(self.child.stdin.take());
        let out = tokio::time::timeout(Duration::from_secs(60), self.child.wait_with_output())
            .await
            .expect("feishu-auth ended")
            .unwrap();
        // Let the reader take the last lines.
        tokio::time::sleep(Duration::from_millis(100)).await;
        let said = self.stderr.lock().unwrap().clone();
        eprintln!(
            "exit {:?}\nstdout: {}\nstderr: {said}",
            out.status.code(),
            text(&out.stdout)
        );
        (out, said)
    }
}

/// The person at a browser elsewhere: opens the authorize URL the terminal printed and approves;
/// the address the browser then ends on.
async fn approve_printed_url(said: &str) -> Url {
    let authorize = said
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("http") && l.contains("authorize"))
        .unwrap();
    Browser::new()
        .unwrap()
        .consent(&Url::parse(authorize).unwrap(), Decision::Approve)
        .await
        .unwrap()
}

/// A harness whose emulator asks for a poll every second.
async fn quick_device_harness() -> Harness {
    Harness::new(|b| b.device_poll_interval(Duration::from_secs(1))).await
}

/// The verification address the device flow printed, read from its QR code as a phone does; it
/// names the user code printed beside it.
fn scanned(said: &str) -> Url {
    let qr = decode_terminal_qr(said).expect("a QR code a phone can read");
    let url = Url::parse(&qr).unwrap();
    let user_code = said
        .lines()
        .find_map(|l| l.split_once("enter the code:"))
        .map(|(_, code)| code.trim().to_owned())
        .expect("the user code is printed");
    assert!(qr.contains(&user_code), "{qr} holds {user_code}");
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn the_device_flow_signs_in_when_the_phone_approves_the_qr_code() {
    let h = quick_device_harness().await;
    let running = Running::start(h.command(&["login", "--method", "device"]));
    let said = running.said("enter the code:").await;
    assert!(said.contains("with a code for your phone"), "{said}");
    assert!(said.contains("as `--method` asked"), "{said}");
    let verification = scanned(&said);
    Browser::new()
        .unwrap()
        .device(&verification, Decision::Approve)
        .await
        .unwrap();
    let (out, said) = running.finish().await;
    assert!(out.status.success(), "{said}");
    assert!(text(&out.stdout).contains("Signed in to Feishu as 张三"));
    assert!(said.contains("Waiting for you to approve"), "{said}");
    let status = h.status().await;
    assert_eq!(status["signedIn"], true);
    assert!(
        status["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "offline_access"),
        "{status}"
    );
    // The device code is a secret: never printed.
    for token in h.emulator.issued_tokens() {
        assert!(!said.contains(&token));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_denied_device_code_is_declined_and_an_expired_one_says_so() {
    let h = quick_device_harness().await;
    let running = Running::start(h.command(&["login", "--method", "device"]));
    let verification = scanned(&running.said("enter the code:").await);
    Browser::new()
        .unwrap()
        .device(&verification, Decision::Deny)
        .await
        .unwrap();
    let (out, said) = running.finish().await;
    assert_eq!(out.status.code(), Some(5), "declined: {said}");
    assert!(said.contains("declined"), "{said}");

    let h = Harness::new(|b| {
        b.device_poll_interval(Duration::from_secs(1))
            .device_code_ttl(Duration::from_secs(2))
    })
    .await;
    let running = Running::start(h.command(&["login", "--method", "device"]));
    running.said("enter the code:").await;
    let (out, said) = running.finish().await;
    assert!(!out.status.success());
    assert!(said.contains("expired_token"), "{said}");
    assert_eq!(h.status().await["signedIn"], false);
}

#[tokio::test(flavor = "multi_thread")]
async fn pasting_the_redirect_signs_in_after_a_wrong_paste() {
    let h = Harness::new(|b| b).await;
    let mut running = Running::start(h.command(&["login", "--method", "paste"]));
    let said = running.said("paste it here:").await;
    assert!(said.contains("by pasting the redirect"), "{said}");
    let callback = approve_printed_url(&said).await;
    // Garbage, then another sign-in's address: each refused with why, and the wait goes on.
    running.type_line("not an address").await;
    running.said("Paste it again").await;
    let mut other = callback.clone();
    let code = callback
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    other.set_query(Some(&format!("code={code}&state=someone-else")));
    running.type_line(other.as_str()).await;
    running.said("belongs to another sign-in").await;
    // The query alone is enough.
    running.type_line(callback.query().unwrap()).await;
    let (out, said) = running.finish().await;
    assert!(out.status.success(), "{said}");
    assert!(said.contains("Got it."), "{said}");
    assert_eq!(h.status().await["signedIn"], true);
    // The PKCE verifier never left the process.
    for verifier in h.emulator.received_code_verifiers() {
        assert!(!said.contains(&verifier) && !text(&out.stdout).contains(&verifier));
    }
}

/// `feishu-auth login` as in an SSH session: no browser command configured, `SSH_CONNECTION` set.
fn in_ssh(h: &Harness) -> tokio::process::Command {
    let mut cmd = h.command(&["login"]);
    cmd.env_remove("FEISHU_SIGNIN_BROWSER")
        .env("SSH_CONNECTION", "192.0.2.7 50022 192.0.2.1 22")
        .env("DISPLAY", ":0");
    cmd
}

#[tokio::test(flavor = "multi_thread")]
async fn over_ssh_the_device_flow_is_chosen_and_without_one_the_paste() {
    let h = quick_device_harness().await;
    let running = Running::start(in_ssh(&h));
    let said = running.said("enter the code:").await;
    assert!(
        said.contains("this is an SSH session (SSH_CONNECTION is set)"),
        "{said}"
    );
    Browser::new()
        .unwrap()
        .device(&scanned(&said), Decision::Approve)
        .await
        .unwrap();
    let (out, said) = running.finish().await;
    assert!(out.status.success(), "{said}");

    // An app without the device flow: the endpoint refuses, and the paste takes over.
    let h = Harness::new(|b| b.device_flow(false)).await;
    let mut running = Running::start(in_ssh(&h));
    let said = running.said("paste it here:").await;
    assert!(
        said.contains("device flow is not available for this app"),
        "{said}"
    );
    assert!(said.contains("unauthorized_client"), "{said}");
    let callback = approve_printed_url(&said).await;
    running.type_line(callback.as_str()).await;
    let (out, said) = running.finish().await;
    assert!(out.status.success(), "{said}");
    assert_eq!(h.status().await["signedIn"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn in_a_desktop_session_the_browser_is_chosen_and_a_closed_input_ends_a_paste() {
    // The desktop's opener is `xdg-open`: here one that hands the URL to the emulator's
    // person-in-the-browser, first on PATH.
    let h = Harness::new(|b| b).await;
    let bin = h.dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let opener = bin.join("xdg-open");
    std::fs::write(&opener, format!("#!/bin/sh\nexec {} \"$1\"\n", h.browser)).unwrap();
    std::fs::set_permissions(
        &opener,
        <std::fs::Permissions as std::os::unix::fs::PermissionsExt>::from_mode(0o755),
    )
    .unwrap();
    let mut cmd = h.command(&["login"]);
    cmd.env_remove("FEISHU_SIGNIN_BROWSER")
        .env_remove("SSH_CONNECTION")
        .env_remove("SSH_TTY")
        .env("DISPLAY", ":0")
        .env(
            "PATH",
            format!(
                "{}:{}",
                bin.display(),
                std::env::var("PATH").unwrap_or_default()
            ),
        );
    let (out, said) = Running::start(cmd).finish().await;
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains("with the browser: a graphical session is here"),
        "{said}"
    );
    assert_eq!(h.status().await["signedIn"], true);

    // A paste whose input closes before anything was pasted ends with why.
    let h = Harness::new(|b| b).await;
    let running = Running::start(h.command(&["login", "--method", "paste"]));
    running.said("paste it here:").await;
    let (out, said) = running.finish().await;
    assert!(!out.status.success());
    assert!(said.contains("standard input ended"), "{said}");
}
