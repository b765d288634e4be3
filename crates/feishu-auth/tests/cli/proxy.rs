//! HTTP proxies: used for Feishu's hosts, never for loopback, bypassed by `NO_PROXY`.

use crate::common::{free_port, text, Harness};

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
