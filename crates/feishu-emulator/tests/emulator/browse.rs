//! The `feishu-emulator browse` stand-in, run as the app runs `FEISHU_SIGNIN_BROWSER`.

use std::process::Output;

use feishu_emulator::Emulator;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use url::Url;

use crate::common::authorize_url_with;

const DEEP_LINK_HANDLER: &str = "FEISHU_EMULATOR_DEEP_LINK_HANDLER";

/// A one-shot loopback listener like the app's: it answers 200 and reports the request line.
async fn callback_listener() -> (String, oneshot::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect_uri = format!("http://{}/callback", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel();
    tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buffer = [0u8; 1024];
        while !head.windows(4).any(|window| window == b"\r\n\r\n") {
            let read = stream.read(&mut buffer).await.unwrap();
            if read == 0 {
                break;
            }
            head.extend_from_slice(&buffer[..read]);
        }
        stream
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            .await
            .unwrap();
        let head = String::from_utf8_lossy(&head).into_owned();
        let _ = tx.send(head.lines().next().unwrap_or_default().to_owned());
    });
    (redirect_uri, rx)
}

async fn browse(args: &[&str], handler: Option<&str>) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_feishu-emulator"));
    command.arg("browse").args(args).env("RUST_LOG", "warn");
    match handler {
        Some(handler) => command.env(DEEP_LINK_HANDLER, handler),
        None => command.env_remove(DEEP_LINK_HANDLER),
    };
    command.output().await.unwrap()
}

fn url_for(emulator: &Emulator, redirect_uri: &str) -> Url {
    authorize_url_with(emulator, &[("redirect_uri", redirect_uri), ("state", "s1")])
}

#[tokio::test]
async fn approving_delivers_the_code_to_the_loopback_listener() {
    let (redirect_uri, request_line) = callback_listener().await;
    let emulator = Emulator::builder()
        .redirect_uri(&redirect_uri)
        .start()
        .await
        .unwrap();
    let output = browse(&[url_for(&emulator, &redirect_uri).as_str()], None).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("200"));
    let line = request_line.await.unwrap();
    assert!(line.starts_with("GET /callback?code="), "{line}");
    assert!(line.contains("&state=s1 "), "{line}");
}

#[tokio::test]
async fn denying_delivers_access_denied() {
    let (redirect_uri, request_line) = callback_listener().await;
    let emulator = Emulator::builder()
        .redirect_uri(&redirect_uri)
        .start()
        .await
        .unwrap();
    let url = url_for(&emulator, &redirect_uri);
    let output = browse(&["--deny", "--delay-ms", "10", url.as_str()], None).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        request_line.await.unwrap(),
        "GET /callback?error=access_denied&state=s1 HTTP/1.1"
    );
}

#[tokio::test]
async fn an_error_page_fails_with_its_text() {
    let emulator = Emulator::builder().start().await.unwrap();
    let output = browse(
        &[url_for(&emulator, "http://127.0.0.1:9/callback").as_str()],
        None,
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error 20029"), "{stderr}");
    assert!(stderr.contains("http://127.0.0.1:9/callback"), "{stderr}");
}

#[tokio::test]
async fn custom_scheme_redirects_are_printed_without_a_handler() {
    let emulator = Emulator::builder()
        .redirect_uri("com.example.app:/callback")
        .start()
        .await
        .unwrap();
    let output = browse(
        &[url_for(&emulator, "com.example.app:/callback").as_str()],
        None,
    )
    .await;
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.trim().starts_with("com.example.app:/callback?code="),
        "{stdout}"
    );
}

#[cfg(unix)]
#[tokio::test]
async fn custom_scheme_redirects_go_to_the_deep_link_handler() {
    let dir = tempfile::tempdir().unwrap();
    let received = dir.path().join("received");
    let script = dir.path().join("handler.sh");
    std::fs::write(&script, "#!/bin/sh\nprintf '%s' \"$2\" > \"$1\"\n").unwrap();
    let emulator = Emulator::builder()
        .redirect_uri("com.example.app:/callback")
        .start()
        .await
        .unwrap();
    let handler = format!("sh {} {}", script.display(), received.display());
    let output = browse(
        &[url_for(&emulator, "com.example.app:/callback").as_str()],
        Some(&handler),
    )
    .await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let url = std::fs::read_to_string(&received).unwrap();
    assert!(url.starts_with("com.example.app:/callback?code="), "{url}");
    assert!(url.ends_with("&state=s1"), "{url}");
}
