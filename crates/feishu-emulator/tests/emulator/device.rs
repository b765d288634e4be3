//! The device authorization grant (RFC 8628), as the official Lark CLI and other clients use it:
//! the device authorization endpoint, the verification page, and polling the token endpoint.

use std::time::Duration;

use feishu_emulator::browse::{BrowseError, Decision};
use feishu_emulator::Emulator;
use serde_json::{json, Value};
use url::Url;

use crate::common::{answer, browser, client, token, token_form, user_info, Answer};

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// How the client authenticates at the device authorization endpoint.
#[derive(Clone, Copy)]
enum Auth<'a> {
    /// HTTP Basic `client_id:client_secret`, as the official CLI does.
    Basic(&'a str, &'a str),
    /// `client_secret` in the body.
    Body(&'a str),
    Both(&'a str),
    Neither,
}

async fn emulator() -> Emulator {
    Emulator::builder().start().await.unwrap()
}

fn endpoint(emulator: &Emulator) -> Url {
    emulator
        .base_url()
        .join("oauth/v1/device_authorization")
        .unwrap()
}

/// POSTs the device authorization request for `scope` with `auth`.
async fn authorize(emulator: &Emulator, scope: &str, auth: Auth<'_>) -> Answer {
    let mut fields = vec![("client_id", emulator.app_id().to_owned())];
    if !scope.is_empty() {
        fields.push(("scope", scope.to_owned()));
    }
    let mut request = client().post(endpoint(emulator));
    match auth {
        Auth::Basic(id, secret) => {
            request = request.basic_auth(id, Some(secret));
        }
        Auth::Body(secret) => fields.push(("client_secret", secret.to_owned())),
        Auth::Both(secret) => {
            request = request.basic_auth(emulator.app_id(), Some(secret));
            fields.push(("client_secret", secret.to_owned()));
        }
        Auth::Neither => {}
    }
    answer(request.form(&fields).send().await.unwrap()).await
}

/// A fresh device authorization, authenticated as the official CLI does.
async fn started(emulator: &Emulator, scope: &str) -> Value {
    let answer = authorize(
        emulator,
        scope,
        Auth::Basic(emulator.app_id(), emulator.app_secret()),
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

fn poll_body(emulator: &Emulator, device_code: &str) -> Value {
    json!({
        "grant_type": DEVICE_GRANT,
        "client_id": emulator.app_id(),
        "client_secret": emulator.app_secret(),
        "device_code": device_code,
    })
}

async fn poll(emulator: &Emulator, device: &Value) -> Answer {
    token(
        emulator,
        &poll_body(emulator, device["device_code"].as_str().unwrap()),
    )
    .await
}

fn complete_uri(device: &Value) -> Url {
    Url::parse(device["verification_uri_complete"].as_str().unwrap()).unwrap()
}

async fn approve(device: &Value) {
    browser()
        .device(&complete_uri(device), Decision::Approve)
        .await
        .unwrap();
}

/// Asserts an RFC 6749 §5.2 error with no Feishu `code`.
fn assert_error(answer: &Answer, status: u16, error: &str) {
    assert_eq!(
        (answer.status, answer.body["error"].as_str()),
        (status, Some(error)),
        "{}",
        answer.body
    );
    assert!(
        answer.body["error_description"].is_string(),
        "{}",
        answer.body
    );
    assert!(answer.body.get("code").is_none(), "{}", answer.body);
    assert!(answer.body.get("access_token").is_none());
}

#[tokio::test]
async fn the_answer_has_rfc_8628_fields_and_the_configured_timing() {
    let emulator = Emulator::builder()
        .device_code_ttl(Duration::from_secs(600))
        .device_poll_interval(Duration::from_secs(7))
        .start()
        .await
        .unwrap();
    let device = started(&emulator, "offline_access").await;
    let device_code = device["device_code"].as_str().unwrap();
    assert!(device_code.len() >= 43, "{device_code}");
    let user_code = device["user_code"].as_str().unwrap();
    assert_eq!(user_code.len(), 9, "{user_code}");
    assert_eq!(&user_code[4..5], "-");
    assert!(user_code
        .chars()
        .all(|c| c == '-' || "BCDFGHJKLMNPQRSTVWXZ".contains(c)));
    let verify = format!("{}oauth/v1/device/verify", emulator.base_url());
    assert_eq!(device["verification_uri"], verify.as_str());
    assert_eq!(
        device["verification_uri_complete"],
        format!("{verify}?user_code={user_code}").as_str()
    );
    assert_eq!(device["expires_in"], 600);
    assert_eq!(device["interval"], 7);

    let defaults = started(&self::emulator().await, "").await;
    assert_eq!(
        (&defaults["expires_in"], &defaults["interval"]),
        (&json!(240), &json!(5))
    );
}

#[tokio::test]
async fn basic_auth_sign_in_with_offline_access_gets_a_refresh_token() {
    let emulator = emulator().await;
    let device = started(&emulator, "contact:user.email:readonly offline_access").await;
    assert_error(
        &poll(&emulator, &device).await,
        400,
        "authorization_pending",
    );
    approve(&device).await;
    emulator.advance_clock(Duration::from_secs(5));
    let tokens = poll(&emulator, &device).await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    assert_eq!(tokens.body["code"], 0);
    assert_eq!(tokens.body["token_type"], "Bearer");
    assert_eq!(
        tokens.body["scope"],
        "contact:user.email:readonly offline_access"
    );
    let access_token = tokens.body["access_token"].as_str().unwrap();
    let refresh_token = tokens.body["refresh_token"].as_str().unwrap();
    assert!(emulator.issued_tokens().contains(&access_token.to_owned()));
    assert!(emulator.issued_tokens().contains(&refresh_token.to_owned()));
    let me = user_info(&emulator, access_token).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.body["data"]["name"], "张三");

    // The refresh token works as any other.
    let refreshed = token(
        &emulator,
        &crate::common::refresh_body(&emulator, refresh_token),
    )
    .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);

    // The code is spent.
    emulator.advance_clock(Duration::from_secs(5));
    assert_error(&poll(&emulator, &device).await, 400, "invalid_grant");
}

#[tokio::test]
async fn body_secret_sign_in_without_offline_access_gets_no_refresh_token() {
    let emulator = emulator().await;
    let answer = authorize(&emulator, "", Auth::Body(emulator.app_secret())).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let device = answer.body;
    approve(&device).await;
    // The form body works too, as the endpoint accepts for the other grants.
    let tokens = token_form(
        &emulator,
        &poll_body(&emulator, device["device_code"].as_str().unwrap()),
    )
    .await;
    assert_eq!(tokens.status, 200, "{}", tokens.body);
    assert!(
        tokens.body.get("refresh_token").is_none(),
        "{}",
        tokens.body
    );
    let me = user_info(&emulator, tokens.body["access_token"].as_str().unwrap()).await;
    assert_eq!(me.status, 200, "{}", me.body);
}

#[tokio::test]
async fn client_authentication_failures_are_invalid_client() {
    let emulator = emulator().await;
    let id = emulator.app_id().to_owned();
    for auth in [
        Auth::Neither,
        Auth::Both(emulator.app_secret()),
        Auth::Basic(&id, "wrong"),
        Auth::Body("wrong"),
        Auth::Basic("cli_unknown", emulator.app_secret()),
    ] {
        assert_error(&authorize(&emulator, "", auth).await, 401, "invalid_client");
    }
}

#[tokio::test]
async fn a_disabled_device_flow_is_unauthorized_client() {
    let emulator = Emulator::builder()
        .device_flow(false)
        .start()
        .await
        .unwrap();
    let answer = authorize(
        &emulator,
        "",
        Auth::Basic(emulator.app_id(), emulator.app_secret()),
    )
    .await;
    assert_error(&answer, 400, "unauthorized_client");
    assert_eq!(
        answer.body["error_description"],
        "the device flow is not enabled for this app"
    );
}

#[tokio::test]
async fn too_many_scopes_are_invalid_scope() {
    let emulator = emulator().await;
    let many: Vec<String> = (0..51).map(|n| format!("s{n}")).collect();
    let answer = authorize(
        &emulator,
        &many.join(" "),
        Auth::Body(emulator.app_secret()),
    )
    .await;
    assert_error(&answer, 400, "invalid_scope");
}

#[tokio::test]
async fn polling_too_fast_slows_down_and_the_interval_grows() {
    let emulator = emulator().await;
    let device = started(&emulator, "").await;
    assert_error(
        &poll(&emulator, &device).await,
        400,
        "authorization_pending",
    );
    emulator.advance_clock(Duration::from_secs(4));
    assert_error(&poll(&emulator, &device).await, 400, "slow_down");
    // The interval is 10 s now: 9 s later is still too soon, and grows it to 15 s.
    emulator.advance_clock(Duration::from_secs(9));
    assert_error(&poll(&emulator, &device).await, 400, "slow_down");
    emulator.advance_clock(Duration::from_secs(15));
    assert_error(
        &poll(&emulator, &device).await,
        400,
        "authorization_pending",
    );
}

#[tokio::test]
async fn a_denied_code_is_access_denied() {
    let emulator = emulator().await;
    let device = started(&emulator, "").await;
    browser()
        .device(&complete_uri(&device), Decision::Deny)
        .await
        .unwrap();
    assert_error(&poll(&emulator, &device).await, 400, "access_denied");
}

#[tokio::test]
async fn an_expired_code_is_expired_token_at_the_endpoint_and_on_the_page() {
    let emulator = emulator().await;
    let device = started(&emulator, "").await;
    emulator.advance_clock(Duration::from_secs(240));
    assert_error(&poll(&emulator, &device).await, 400, "expired_token");
    let err = browser()
        .device(&complete_uri(&device), Decision::Approve)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, BrowseError::ErrorPage(message) if message.contains("expired")),
        "{err}"
    );
}

#[tokio::test]
async fn unknown_and_foreign_codes_are_invalid_grant() {
    let emulator = Emulator::builder()
        .additional_app("cli_other", "other-secret")
        .start()
        .await
        .unwrap();
    let device = started(&emulator, "").await;
    approve(&device).await;
    let mut foreign = poll_body(&emulator, device["device_code"].as_str().unwrap());
    foreign["client_id"] = json!("cli_other");
    foreign["client_secret"] = json!("other-secret");
    assert_error(&token(&emulator, &foreign).await, 400, "invalid_grant");
    assert_error(
        &token(&emulator, &poll_body(&emulator, "not-a-device-code")).await,
        400,
        "invalid_grant",
    );
    // A wrong secret is Feishu's 20002, as for the other grants.
    let mut wrong = poll_body(&emulator, device["device_code"].as_str().unwrap());
    wrong["client_secret"] = json!("wrong");
    let answer = token(&emulator, &wrong).await;
    assert_eq!(
        (answer.status, answer.body["code"].as_u64()),
        (400, Some(20002))
    );
}

/// The verification page as a person's browser loads it.
async fn page(emulator: &Emulator, query: &str) -> (u16, String) {
    let mut url = emulator.base_url().join("oauth/v1/device/verify").unwrap();
    if !query.is_empty() {
        url.set_query(Some(query));
    }
    let response = client().get(url).send().await.unwrap();
    let status = response.status().as_u16();
    let csp = response
        .headers()
        .get("content-security-policy")
        .map(|value| value.to_str().unwrap().to_owned());
    assert!(csp.is_some_and(|csp| csp.contains("default-src 'none'")));
    (status, response.text().await.unwrap())
}

#[tokio::test]
async fn the_page_shows_the_app_and_scopes_or_says_what_is_wrong_with_the_code() {
    let emulator = emulator().await;
    let device = started(&emulator, "offline_access").await;
    let user_code = device["user_code"].as_str().unwrap();

    let (status, html) = page(&emulator, &format!("user_code={user_code}")).await;
    assert_eq!(status, 200);
    assert!(html.contains(emulator.app_id()) && html.contains("offline_access"));
    assert!(html.contains(&format!(r#"value="{user_code}""#)));

    let (status, blank) = page(&emulator, "").await;
    assert_eq!(status, 200);
    assert!(blank.contains(r#"name="user_code" value="""#));

    let (status, html) = page(&emulator, "user_code=BBBB-BBBB").await;
    assert_eq!(status, 400);
    assert!(html.contains("unknown"), "{html}");

    approve(&device).await;
    let (status, html) = page(&emulator, &format!("user_code={user_code}")).await;
    assert_eq!(status, 400);
    assert!(html.contains("already been used"), "{html}");

    let expiring = started(&emulator, "").await;
    emulator.advance_clock(Duration::from_secs(241));
    let query = format!("user_code={}", expiring["user_code"].as_str().unwrap());
    let (status, html) = page(&emulator, &query).await;
    assert_eq!(status, 400);
    assert!(html.contains("expired"), "{html}");
}

#[tokio::test]
async fn codes_are_entered_ignoring_case_and_the_dash() {
    let emulator = emulator().await;
    for typed in [str::to_lowercase, |code: &str| code.replace('-', "")] {
        let device = started(&emulator, "").await;
        let mut url = complete_uri(&device);
        let code = typed(device["user_code"].as_str().unwrap());
        url.query_pairs_mut()
            .clear()
            .append_pair("user_code", &code);
        browser().device(&url, Decision::Approve).await.unwrap();
        emulator.advance_clock(Duration::from_secs(5));
        assert_eq!(poll(&emulator, &device).await.status, 200);
    }
}

#[tokio::test]
async fn a_forged_decision_without_the_pages_ticket_is_refused() {
    let emulator = emulator().await;
    let device = started(&emulator, "").await;
    let response = client()
        .post(emulator.base_url().join("oauth/v1/device/verify").unwrap())
        .form(&[
            ("user_code", device["user_code"].as_str().unwrap()),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    assert_error(
        &poll(&emulator, &device).await,
        400,
        "authorization_pending",
    );
}

#[tokio::test]
async fn the_browse_device_command_approves_and_denies() {
    let emulator = emulator().await;
    for (deny, expected) in [(false, 200), (true, 400)] {
        let device = started(&emulator, "").await;
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_feishu-emulator"));
        command
            .arg("browse-device")
            .arg(complete_uri(&device).as_str())
            .env("RUST_LOG", "warn");
        if deny {
            command.arg("--deny");
        }
        let output = command.output().await.unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        emulator.advance_clock(Duration::from_secs(5));
        assert_eq!(poll(&emulator, &device).await.status, expected);
    }
}

#[tokio::test]
async fn the_sandbox_polls_every_two_seconds() {
    let emulator = feishu_emulator::sandbox::builder().start().await.unwrap();
    let device = started(&emulator, "").await;
    assert_eq!(device["interval"], 2);
}
