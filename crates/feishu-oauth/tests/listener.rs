//! The loopback listener under stray and hostile traffic: every request gets an answer or is dropped
//! on a deadline, the genuine callback still completes, and the port is always released.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::time::Duration;

use common::{browse, setup};
use feishu_emulator::browse::Decision;
use feishu_oauth::{begin, Error, LoopbackListener, RedirectUri};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends `bytes` as they are, except that `Host: x` becomes the listener's own `Host`.
async fn raw(addr: std::net::SocketAddr, bytes: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let bytes = match std::str::from_utf8(bytes) {
        Ok(text) => text
            .replace("Host: x\r\n", &format!("Host: {addr}\r\n"))
            .into_bytes(),
        Err(_) => bytes.to_vec(),
    };
    stream.write_all(&bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn strays_get_answers_and_the_genuine_callback_still_wins() {
    let s = setup(|b| b).await;
    let (url, pending) = begin(s.request("offline_access"));
    let listener = LoopbackListener::bind(&s.redirect_uri).await.unwrap();
    let addr = listener.local_addr().unwrap();
    assert!(addr.ip().is_loopback());
    let wait = tokio::spawn(listener.wait(pending.state_matcher(), Duration::from_secs(20)));

    let favicon = raw(addr, b"GET /favicon.ico HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert!(favicon.starts_with("HTTP/1.1 404"), "{favicon}");
    let forged = raw(
        addr,
        b"GET /callback?code=abc&state=forged HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .await;
    assert!(forged.starts_with("HTTP/1.1 400"), "{forged}");
    assert!(forged
        .to_ascii_lowercase()
        .contains("content-security-policy: default-src 'none'"));
    assert!(forged
        .to_ascii_lowercase()
        .contains("referrer-policy: no-referrer"));
    let garbage = raw(
        addr,
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n",
    )
    .await;
    assert!(
        garbage.is_empty() || garbage.starts_with("HTTP/1.1 400"),
        "{garbage}"
    );
    let post = raw(
        addr,
        b"POST /callback HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
    )
    .await;
    assert!(post.starts_with("HTTP/1.1 405"), "{post}");
    let huge_header = format!(
        "GET /callback HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(200 * 1024)
    );
    let big = raw(addr, huge_header.as_bytes()).await;
    assert!(
        big.is_empty() || big.starts_with("HTTP/1.1 431") || big.starts_with("HTTP/1.1 400"),
        "{big}"
    );
    // A client that opens a connection and never sends anything does not block the others.
    let _idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    // Nor does a flood: 300 connections at once, each asking for something else.
    let flood: Vec<_> = (0..300)
        .map(|i| {
            tokio::spawn(async move {
                raw(
                    addr,
                    format!("GET /scan/{i} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
                )
                .await
            })
        })
        .collect();
    for answer in flood {
        let answer = answer.await.unwrap();
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 404"),
            "{answer}"
        );
    }

    let browser = tokio::spawn(browse(url, Decision::Approve));
    let arrival = wait.await.unwrap().unwrap();
    assert!(matches!(
        arrival.callback,
        feishu_oauth::Callback::Code { .. }
    ));
    let session = pending.complete(arrival.callback, &s.client).await.unwrap();
    arrival.responder.succeeded(&session.profile.name).await;
    browser.await.unwrap();
    // A replay of the used callback finds nobody listening.
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    // Done: the port is free again.
    std::net::TcpListener::bind(addr).expect("port released after the callback");
}

#[tokio::test]
async fn timeout_and_cancel_release_the_port() {
    let redirect = RedirectUri::loopback(common::free_port());
    let s = setup(|b| b).await;
    let (_url, pending) = begin(s.request("offline_access"));

    let listener = LoopbackListener::bind(&redirect).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let err = listener
        .wait(pending.state_matcher(), Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err}");
    assert!(err.to_string().contains("timed out"));
    std::net::TcpListener::bind(addr).expect("port released after a timeout");

    let listener = LoopbackListener::bind(&redirect).await.unwrap();
    let wait = tokio::spawn(listener.wait(pending.state_matcher(), Duration::from_secs(60)));
    tokio::time::sleep(Duration::from_millis(50)).await;
    wait.abort();
    let _ = wait.await;
    std::net::TcpListener::bind(addr).expect("port released after a cancel");
}

#[tokio::test]
async fn a_second_sign_in_on_the_same_port_is_told_why_it_cannot_listen() {
    let redirect = RedirectUri::loopback(common::free_port());
    let _first = LoopbackListener::bind(&redirect).await.unwrap();
    let err = LoopbackListener::bind(&redirect).await.unwrap_err();
    assert!(matches!(err, Error::Listen { .. }), "{err}");
    assert!(err.to_string().contains("another sign-in"), "{err}");
}

#[tokio::test]
async fn a_page_rebinding_its_name_to_loopback_is_refused_and_the_sign_in_goes_on() {
    let s = setup(|b| b).await;
    let (url, pending) = begin(s.request("offline_access"));
    let listener = LoopbackListener::bind(&s.redirect_uri).await.unwrap();
    let addr = listener.local_addr().unwrap();
    let wait = tokio::spawn(listener.wait(pending.state_matcher(), Duration::from_secs(20)));
    for host in [
        format!("evil.example:{}", addr.port()),
        "127.0.0.1".to_owned(),
        format!("127.0.0.1:{}", addr.port() ^ 1),
    ] {
        let head = format!("GET /callback?code=abc&state=x HTTP/1.1\r\nHost: {host}\r\n\r\n");
        let answer = raw(addr, head.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 421"), "{host}: {answer}");
    }
    let no_host = raw(addr, b"GET /callback?code=abc&state=x HTTP/1.1\r\n\r\n").await;
    assert!(no_host.starts_with("HTTP/1.1 4"), "{no_host}");
    let browser = tokio::spawn(browse(url, Decision::Approve));
    let arrival = wait.await.unwrap().unwrap();
    let session = pending.complete(arrival.callback, &s.client).await.unwrap();
    arrival.responder.succeeded(&session.profile.name).await;
    browser.await.unwrap();
}

#[tokio::test]
async fn a_localhost_redirect_is_served_on_both_loopback_addresses() {
    // The emulator first: started between finding a free port and binding it, it could take it.
    let s = setup(|b| b).await;
    let port = common::free_port();
    let redirect = RedirectUri::parse(&format!("http://localhost:{port}/callback")).unwrap();
    let (_url, pending) = begin(s.request("offline_access"));
    let listener = LoopbackListener::bind(&redirect).await.unwrap();
    let wait = tokio::spawn(listener.wait(pending.state_matcher(), Duration::from_secs(20)));
    let ipv6 = std::net::TcpListener::bind("[::1]:0").is_ok();
    let mut addrs = vec![std::net::SocketAddr::from(([127, 0, 0, 1], port))];
    if ipv6 {
        addrs.push(std::net::SocketAddr::from((
            std::net::Ipv6Addr::LOCALHOST,
            port,
        )));
    } else {
        eprintln!("this machine has no IPv6 loopback: only 127.0.0.1 is checked");
    }
    for addr in addrs {
        let head = format!("GET /favicon.ico HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n");
        let answer = raw(addr, head.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 404"), "{addr}: {answer}");
    }
    wait.abort();
    let _ = wait.await;
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("IPv4 port released");
    if ipv6 {
        std::net::TcpListener::bind((std::net::Ipv6Addr::LOCALHOST, port))
            .expect("IPv6 port released");
    }
}
