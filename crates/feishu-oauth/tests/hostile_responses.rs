//! Token and user-info answers that do not follow the Feishu pages (a proxy's HTML error page,
//! truncated JSON, a 10 MB body, missing fields, absurd lifetimes, a wrong token type): each is a
//! clear error, never a panic, and bodies are read with a size limit. And a skewed server clock.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::time::Duration;

use feishu_oauth::{
    AccessToken, AppCredentials, AppSecret, AuthorizationCode, Endpoints, Error, FeishuClient,
    PkceVerifier, RedirectUri, RefreshToken, RetryPolicy,
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};
use url::Url;

/// A server that answers every request with `status`, `headers` and `body`, once per connection.
async fn canned(status: &'static str, headers: &'static str, body: Vec<u8>) -> Url {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let _ = stream.read(&mut buf).await;
                let head = format!(
                    "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&body).await;
            });
        }
    });
    Url::parse(&format!("http://{addr}/")).unwrap()
}

fn client(base: &Url) -> FeishuClient {
    FeishuClient::new(
        Endpoints::new(base, base).unwrap(),
        AppCredentials {
            app_id: "cli_test".into(),
            app_secret: AppSecret::new("the-app-secret"),
        },
    )
    .unwrap()
    .with_retry(RetryPolicy {
        attempts: 3,
        first_backoff: Duration::from_millis(5),
    })
}

async fn exchange(base: &Url) -> Error {
    client(base)
        .exchange_code(
            &AuthorizationCode::new("c"),
            &RedirectUri::default_loopback(),
            &PkceVerifier::new("v".repeat(43)),
            None,
        )
        .await
        .unwrap_err()
}

const JSON: &str = "Content-Type: application/json; charset=utf-8\r\n";

#[tokio::test]
async fn each_hostile_token_answer_is_a_clear_error() {
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        (
            "502 Bad Gateway",
            "Content-Type: text/html\r\n",
            b"<html><body>Bad gateway</body></html>".to_vec(),
            "HTML page",
        ),
        (
            "200 OK",
            JSON,
            br#"{"code":0,"access_token":"a","expires_in":72"#.to_vec(),
            "not valid JSON",
        ),
        ("200 OK", JSON, vec![b' '; 10 * 1024 * 1024], "larger than"),
        (
            "200 OK",
            JSON,
            br#"{"code":0,"expires_in":7200,"token_type":"Bearer"}"#.to_vec(),
            "access_token",
        ),
        (
            "200 OK",
            JSON,
            br#"{"code":0,"access_token":"a","expires_in":-1,"token_type":"Bearer"}"#.to_vec(),
            "expires_in",
        ),
        (
            "200 OK",
            JSON,
            br#"{"code":0,"access_token":"a","expires_in":9999999999,"token_type":"Bearer"}"#
                .to_vec(),
            "expires_in",
        ),
        (
            "200 OK",
            JSON,
            br#"{"code":0,"access_token":"a","expires_in":7200,"token_type":"MAC"}"#.to_vec(),
            "token_type",
        ),
        (
            "200 OK",
            JSON,
            br#"{"access_token":"a"}"#.to_vec(),
            "no numeric `code`",
        ),
        ("200 OK", JSON, b"[1,2,3]".to_vec(), "no numeric `code`"),
    ];
    for (status, headers, body, needle) in cases {
        let base = canned(status, headers, body).await;
        let err = exchange(&base).await;
        let msg = err.to_string();
        assert!(
            matches!(err, Error::InvalidResponse { .. }),
            "{needle}: {msg}"
        );
        assert!(msg.contains(needle), "expected {needle:?} in: {msg}");
        assert!(!msg.contains("the-app-secret"), "{msg}");
    }
}

#[tokio::test]
async fn user_info_without_the_documented_fields_is_a_clear_error() {
    let base = canned(
        "200 OK",
        JSON,
        br#"{"code":0,"msg":"success","data":{"en_name":"x"}}"#.to_vec(),
    )
    .await;
    let err = client(&base)
        .user_info(&AccessToken::new("t"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("data.name"), "{err}");
    let base = canned("200 OK", JSON, br#"{"code":0,"msg":"success"}"#.to_vec()).await;
    let err = client(&base)
        .user_info(&AccessToken::new("t"))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("`data`"), "{err}");
}

#[tokio::test]
async fn an_undocumented_error_code_keeps_the_server_s_words() {
    let base = canned(
        "400 Bad Request",
        JSON,
        br#"{"code":29999,"error":"odd","error_description":"Something odd."}"#.to_vec(),
    )
    .await;
    let err = exchange(&base).await;
    assert_eq!(err.feishu_code(), Some(29999));
    assert!(err.to_string().contains("Something odd."), "{err}");
}

#[tokio::test]
async fn a_skewed_server_clock_does_not_move_expiry() {
    // The server's clock is a day ahead of ours; the token still lives `expires_in` from now.
    let base = canned(
        "200 OK",
        "Content-Type: application/json\r\nDate: Wed, 01 Jan 2099 00:00:00 GMT\r\n",
        br#"{"code":0,"access_token":"a","expires_in":7200,"refresh_token":"r","refresh_token_expires_in":604800,"token_type":"Bearer","scope":"offline_access"}"#.to_vec(),
    )
    .await;
    let before = time::OffsetDateTime::now_utc();
    let grant = client(&base)
        .refresh(&RefreshToken::new("r0"), None)
        .await
        .unwrap();
    let lifetime = grant.access_token_expires_at - before;
    assert!(
        (lifetime - time::Duration::seconds(7200)).abs() < time::Duration::seconds(5),
        "{lifetime}"
    );
}
