//! Helpers shared by the tests: a started emulator, the authorize URL, the token requests.

use feishu_emulator::browse::{Browser, Decision};
use feishu_emulator::Emulator;
use reqwest::header::HeaderMap;
use serde_json::{json, Value};
use url::Url;

/// Registered in every test emulator; nothing listens there, the tests read the redirect instead.
pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";
/// RFC 7636 appendix B.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub async fn emulator() -> Emulator {
    Emulator::builder()
        .redirect_uri(REDIRECT_URI)
        .start()
        .await
        .unwrap()
}

thread_local! {
    /// Building a client loads the TLS roots (tens of milliseconds): one per test thread. No idle
    /// connections are kept, so none outlives the test's runtime or its emulator.
    static CLIENT: reqwest::Client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    static BROWSER: Browser = Browser::new().unwrap();
}

/// A client like the app's: no redirects followed, no proxy for loopback.
pub fn client() -> reqwest::Client {
    CLIENT.with(Clone::clone)
}

/// The stand-in for a person at a browser.
pub fn browser() -> Browser {
    BROWSER.with(Clone::clone)
}

/// The authorize URL with an S256 challenge, `scope` and `state=st`.
pub fn authorize_url(emulator: &Emulator, scope: &str) -> Url {
    authorize_url_with(
        emulator,
        &[
            ("redirect_uri", REDIRECT_URI),
            ("scope", scope),
            ("state", "st"),
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
        ],
    )
}

/// The authorize URL with this app's `client_id`, `response_type=code` and `extra`.
pub fn authorize_url_with(emulator: &Emulator, extra: &[(&str, &str)]) -> Url {
    let mut url = emulator
        .base_url()
        .join("open-apis/authen/v1/authorize")
        .unwrap();
    url.query_pairs_mut()
        .append_pair("client_id", emulator.app_id())
        .append_pair("response_type", "code")
        .extend_pairs(extra);
    url
}

/// The value of `name` in the URL's query.
pub fn query_value(url: &Url, name: &str) -> Option<String> {
    url.query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// Signs in through the consent page (approving) and returns the authorization code.
pub async fn code_for(emulator: &Emulator, scope: &str) -> String {
    let location = browser()
        .consent(&authorize_url(emulator, scope), Decision::Approve)
        .await
        .unwrap();
    assert_eq!(query_value(&location, "state").as_deref(), Some("st"));
    query_value(&location, "code").expect("a code in the redirect")
}

/// The exchange body for `code`, as the page's example sends it.
pub fn exchange_body(emulator: &Emulator, code: &str) -> Value {
    json!({
        "grant_type": "authorization_code",
        "client_id": emulator.app_id(),
        "client_secret": emulator.app_secret(),
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "code_verifier": VERIFIER,
    })
}

pub fn refresh_body(emulator: &Emulator, refresh_token: &str) -> Value {
    json!({
        "grant_type": "refresh_token",
        "client_id": emulator.app_id(),
        "client_secret": emulator.app_secret(),
        "refresh_token": refresh_token,
    })
}

pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

/// POSTs `body` as JSON to the token endpoint.
pub async fn token(emulator: &Emulator, body: &Value) -> Answer {
    let response = client()
        .post(
            emulator
                .base_url()
                .join("open-apis/authen/v2/oauth/token")
                .unwrap(),
        )
        .header("content-type", "application/json; charset=utf-8")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    answer(response).await
}

/// POSTs `body`'s fields as a form to the token endpoint.
pub async fn token_form(emulator: &Emulator, body: &Value) -> Answer {
    let fields: Vec<(String, String)> = body
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, value)| (name.clone(), value.as_str().unwrap().to_owned()))
        .collect();
    let response = client()
        .post(
            emulator
                .base_url()
                .join("open-apis/authen/v2/oauth/token")
                .unwrap(),
        )
        .form(&fields)
        .send()
        .await
        .unwrap();
    answer(response).await
}

/// Exchanges a fresh code for `scope` and returns the success body.
pub async fn sign_in(emulator: &Emulator, scope: &str) -> Value {
    let code = code_for(emulator, scope).await;
    let answer = token(emulator, &exchange_body(emulator, &code)).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

pub async fn user_info(emulator: &Emulator, access_token: &str) -> Answer {
    let response = client()
        .get(
            emulator
                .base_url()
                .join("open-apis/authen/v1/user_info")
                .unwrap(),
        )
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    answer(response).await
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Answer {
        status,
        headers,
        body,
    }
}

/// Asserts a token-endpoint error: the HTTP status and the body's `code`, with an error string and
/// a description.
pub fn assert_oauth_error(answer: &Answer, status: u16, code: u64) {
    assert_eq!(
        (answer.status, answer.body["code"].as_u64()),
        (status, Some(code)),
        "{}",
        answer.body
    );
    assert!(answer.body["error"].is_string(), "{}", answer.body);
    assert!(
        answer.body["error_description"].is_string(),
        "{}",
        answer.body
    );
    assert!(answer.body.get("access_token").is_none());
}
