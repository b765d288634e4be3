//! The authorize page, the consent form and the redirect back to the app.

use feishu_emulator::browse::{BrowseError, Decision};
use feishu_emulator::Emulator;
use url::Url;

use crate::common::{
    authorize_url, authorize_url_with, client, code_for, emulator, query_value, token, CHALLENGE,
    REDIRECT_URI,
};

/// The hidden ticket of a consent page.
fn ticket_of(page: &str) -> String {
    let marker = r#"name="ticket" value=""#;
    let start = page.find(marker).expect("a ticket field") + marker.len();
    let len = page[start..].find('"').unwrap();
    page[start..start + len].to_owned()
}

async fn decide(emulator: &Emulator, ticket: &str, decision: &str) -> reqwest::Response {
    client()
        .post(
            emulator
                .base_url()
                .join("open-apis/authen/v1/authorize/decision")
                .unwrap(),
        )
        .form(&[("ticket", ticket), ("decision", decision)])
        .send()
        .await
        .unwrap()
}

async fn consent_via(url: &Url, decision: Decision) -> Result<Url, BrowseError> {
    crate::common::browser().consent(url, decision).await
}

#[tokio::test]
async fn the_consent_page_is_self_contained_and_shows_the_request() {
    let emulator = emulator().await;
    let response = client()
        .get(authorize_url(
            &emulator,
            "offline_access contact:user.email:readonly <b>odd</b>",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/html; charset=utf-8");
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    let page = response.text().await.unwrap();
    assert!(page.contains(emulator.app_id()));
    assert!(page.contains("张三") && page.contains("Zhang San"));
    assert!(page.contains("offline_access") && page.contains("contact:user.email:readonly"));
    assert!(page.contains("&lt;b&gt;odd&lt;/b&gt;") && !page.contains("<b>odd"));
    assert!(
        page.contains(r#"<form method="post" action="/open-apis/authen/v1/authorize/decision">"#)
    );
    assert!(page.contains(r#"name="decision" value="approve""#));
    assert!(page.contains(r#"name="decision" value="deny""#));
    for external in [
        r#"src="http"#,
        r#"href="http"#,
        "<link",
        "<script",
        "@import",
    ] {
        assert!(!page.contains(external), "{external}");
    }
    assert!(ticket_of(&page).len() >= 32);
}

#[tokio::test]
async fn approving_redirects_with_a_long_url_safe_code_and_the_state() {
    let emulator = emulator().await;
    let page = client()
        .get(authorize_url(&emulator, "offline_access"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let response = decide(&emulator, &ticket_of(&page), "approve").await;
    assert_eq!(response.status(), 302);
    let location = Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    assert!(location
        .as_str()
        .starts_with(&format!("{REDIRECT_URI}?code=")));
    let code = query_value(&location, "code").unwrap();
    assert!(code.len() >= 64, "{code}");
    assert!(code
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert_eq!(query_value(&location, "state").as_deref(), Some("st"));
}

#[tokio::test]
async fn a_ticket_answers_once() {
    let emulator = emulator().await;
    let page = client()
        .get(authorize_url(&emulator, ""))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let ticket = ticket_of(&page);
    assert_eq!(decide(&emulator, &ticket, "approve").await.status(), 302);
    let again = decide(&emulator, &ticket, "approve").await;
    assert_eq!(again.status(), 400);
    assert!(again.headers().get("location").is_none());
    assert!(decide(&emulator, &ticket, "maybe").await.status() == 400);
}

#[tokio::test]
async fn the_consent_expires_after_ten_minutes() {
    let emulator = emulator().await;
    let page = client()
        .get(authorize_url(&emulator, ""))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    emulator.advance_clock(std::time::Duration::from_secs(601));
    assert_eq!(
        decide(&emulator, &ticket_of(&page), "approve")
            .await
            .status(),
        400
    );
}

#[tokio::test]
async fn denying_redirects_with_access_denied() {
    let emulator = emulator().await;
    let location = consent_via(&authorize_url(&emulator, "offline_access"), Decision::Deny)
        .await
        .unwrap();
    assert_eq!(
        location.as_str(),
        format!("{REDIRECT_URI}?error=access_denied&state=st")
    );
}

#[tokio::test]
async fn state_is_omitted_when_none_was_given() {
    let emulator = emulator().await;
    let url = authorize_url_with(&emulator, &[("redirect_uri", REDIRECT_URI)]);
    let location = consent_via(&url, Decision::Approve).await.unwrap();
    assert_eq!(query_value(&location, "state"), None);
    let denied = consent_via(&url, Decision::Deny).await.unwrap();
    assert_eq!(
        denied.as_str(),
        format!("{REDIRECT_URI}?error=access_denied")
    );
}

#[tokio::test]
async fn custom_schemes_and_existing_queries_get_the_parameters_appended() {
    let emulator = Emulator::builder()
        .redirect_uri("com.example.app:/callback")
        .redirect_uri("http://127.0.0.1:9/cb?from=app")
        .start()
        .await
        .unwrap();
    for (redirect_uri, prefix) in [
        (
            "com.example.app:/callback",
            "com.example.app:/callback?code=",
        ),
        (
            "http://127.0.0.1:9/cb?from=app",
            "http://127.0.0.1:9/cb?from=app&code=",
        ),
    ] {
        let url = authorize_url_with(
            &emulator,
            &[("redirect_uri", redirect_uri), ("state", "a b&c")],
        );
        let location = consent_via(&url, Decision::Approve).await.unwrap();
        assert!(location.as_str().starts_with(prefix), "{location}");
        assert_eq!(query_value(&location, "state").as_deref(), Some("a b&c"));
    }
}

#[tokio::test]
async fn an_unregistered_redirect_uri_shows_error_20029_and_never_redirects() {
    let emulator = emulator().await;
    for redirect_uri in [
        "http://127.0.0.1:9/callback/",
        "http://localhost:9/callback",
        "http://127.0.0.1:10/callback",
        "https://attacker.example/callback",
    ] {
        let url = authorize_url_with(&emulator, &[("redirect_uri", redirect_uri)]);
        let response = client().get(url.clone()).send().await.unwrap();
        assert_eq!(response.status(), 400);
        assert!(response.headers().get("location").is_none());
        let page = response.text().await.unwrap();
        assert!(page.contains("20029"), "{page}");
        assert!(!page.contains(r#"name="ticket""#));
        match consent_via(&url, Decision::Approve).await {
            Err(BrowseError::ErrorPage(message)) => {
                assert!(message.contains("error 20029"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn invalid_authorize_requests_show_error_pages() {
    let emulator = emulator().await;
    let bad_queries: [&[(&str, &str)]; 5] = [
        &[
            ("redirect_uri", REDIRECT_URI),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S512"),
        ],
        &[
            ("redirect_uri", REDIRECT_URI),
            ("code_challenge", "too-short"),
        ],
        &[
            ("redirect_uri", REDIRECT_URI),
            ("code_challenge_method", "S256"),
        ],
        &[
            ("redirect_uri", REDIRECT_URI),
            ("redirect_uri", REDIRECT_URI),
        ],
        &[],
    ];
    for query in bad_queries {
        let url = authorize_url_with(&emulator, query);
        let response = client().get(url).send().await.unwrap();
        assert_eq!(response.status(), 400, "{query:?}");
        assert!(response.headers().get("location").is_none());
    }
    let mut unknown_app = emulator
        .base_url()
        .join("open-apis/authen/v1/authorize")
        .unwrap();
    unknown_app
        .query_pairs_mut()
        .append_pair("client_id", "cli_nobody")
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", REDIRECT_URI);
    let page = client()
        .get(unknown_app)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("20048"), "{page}");
    let mut token_response = authorize_url_with(&emulator, &[("redirect_uri", REDIRECT_URI)]);
    let query = token_response
        .query()
        .unwrap()
        .replace("response_type=code", "response_type=token");
    token_response.set_query(Some(&query));
    assert_eq!(
        client().get(token_response).send().await.unwrap().status(),
        400
    );
    let many: Vec<String> = (0..51).map(|n| format!("scope{n}")).collect();
    let too_many = authorize_url_with(
        &emulator,
        &[("redirect_uri", REDIRECT_URI), ("scope", &many.join(" "))],
    );
    assert_eq!(client().get(too_many).send().await.unwrap().status(), 400);
}

#[tokio::test]
async fn any_loopback_redirect_is_accepted_when_allowed_but_the_exchange_stays_exact() {
    let emulator = Emulator::builder()
        .allow_any_loopback_redirect(true)
        .start()
        .await
        .unwrap();
    for refused in [
        "http://127.0.0.1/cb",
        "https://127.0.0.1:5555/cb",
        "http://example.com:5555/cb",
    ] {
        let url = authorize_url_with(&emulator, &[("redirect_uri", refused)]);
        assert!(
            consent_via(&url, Decision::Approve).await.is_err(),
            "{refused}"
        );
    }
    let redirect_uri = "http://localhost:5555/cb";
    let url = authorize_url_with(&emulator, &[("redirect_uri", redirect_uri)]);
    let location = consent_via(&url, Decision::Approve).await.unwrap();
    let code = query_value(&location, "code").unwrap();
    let mut body = serde_json::json!({
        "grant_type": "authorization_code",
        "client_id": emulator.app_id(),
        "client_secret": emulator.app_secret(),
        "code": code,
        "redirect_uri": "http://localhost:5556/cb",
    });
    assert_eq!(token(&emulator, &body).await.body["code"], 20071);
    body["redirect_uri"] = redirect_uri.into();
    assert_eq!(token(&emulator, &body).await.status, 200);
}

#[tokio::test]
async fn codes_are_distinct() {
    let emulator = emulator().await;
    let first = code_for(&emulator, "").await;
    let second = code_for(&emulator, "").await;
    assert_ne!(first, second);
}
