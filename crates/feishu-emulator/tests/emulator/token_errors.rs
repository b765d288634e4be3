//! The token endpoint's documented errors, each with its HTTP status.

use std::time::Duration;

use feishu_emulator::Emulator;
use serde_json::json;

use crate::common::{
    assert_oauth_error, client, code_for, emulator, exchange_body, token, REDIRECT_URI, VERIFIER,
};

#[tokio::test]
async fn pkce_failures_answer_20049() {
    let emulator = emulator().await;
    let code = code_for(&emulator, "").await;
    let mut body = exchange_body(&emulator, &code);
    for verifier in [
        json!(VERIFIER.replace('d', "e")),
        json!("short"),
        json!(format!("{}+", &VERIFIER[..43])),
        json!(null),
    ] {
        body["code_verifier"] = verifier;
        assert_oauth_error(&token(&emulator, &body).await, 400, 20049);
    }
    body["code_verifier"] = VERIFIER.into();
    assert_eq!(token(&emulator, &body).await.status, 200);
}

#[tokio::test]
async fn plain_is_the_default_challenge_method() {
    let emulator = emulator().await;
    let url = crate::common::authorize_url_with(
        &emulator,
        &[("redirect_uri", REDIRECT_URI), ("code_challenge", VERIFIER)],
    );
    let location = crate::common::browser()
        .consent(&url, feishu_emulator::browse::Decision::Approve)
        .await
        .unwrap();
    let code = crate::common::query_value(&location, "code").unwrap();
    assert_eq!(
        token(&emulator, &exchange_body(&emulator, &code))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_verifier_without_a_challenge_fails_and_none_without_one_passes() {
    let emulator = emulator().await;
    let url = crate::common::authorize_url_with(&emulator, &[("redirect_uri", REDIRECT_URI)]);
    let browser = crate::common::browser();
    let location = browser
        .consent(&url, feishu_emulator::browse::Decision::Approve)
        .await
        .unwrap();
    let code = crate::common::query_value(&location, "code").unwrap();
    let mut body = exchange_body(&emulator, &code);
    assert_oauth_error(&token(&emulator, &body).await, 400, 20049);
    body.as_object_mut().unwrap().remove("code_verifier");
    assert_eq!(token(&emulator, &body).await.status, 200);
}

#[tokio::test]
async fn the_redirect_uri_must_be_repeated_exactly() {
    let emulator = emulator().await;
    let code = code_for(&emulator, "").await;
    let mut body = exchange_body(&emulator, &code);
    for redirect_uri in [
        json!("http://127.0.0.1:9/callback/"),
        json!("http://localhost:9/callback"),
        json!(null),
    ] {
        body["redirect_uri"] = redirect_uri;
        assert_oauth_error(&token(&emulator, &body).await, 400, 20071);
    }
    body.as_object_mut().unwrap().remove("redirect_uri");
    assert_oauth_error(&token(&emulator, &body).await, 400, 20071);
}

#[tokio::test]
async fn a_code_is_single_use() {
    let emulator = emulator().await;
    let code = code_for(&emulator, "").await;
    let body = exchange_body(&emulator, &code);
    assert_eq!(token(&emulator, &body).await.status, 200);
    assert_oauth_error(&token(&emulator, &body).await, 400, 20065);
}

#[tokio::test]
async fn unknown_and_expired_codes() {
    let emulator = emulator().await;
    assert_oauth_error(
        &token(&emulator, &exchange_body(&emulator, &"x".repeat(64))).await,
        400,
        20003,
    );
    let code = code_for(&emulator, "").await;
    emulator.advance_clock(Duration::from_secs(5 * 60));
    assert_oauth_error(
        &token(&emulator, &exchange_body(&emulator, &code)).await,
        400,
        20004,
    );
}

#[tokio::test]
async fn client_authentication_errors() {
    let emulator = emulator().await;
    let code = code_for(&emulator, "").await;
    let mut body = exchange_body(&emulator, &code);
    body["client_secret"] = "wrong".into();
    assert_oauth_error(&token(&emulator, &body).await, 400, 20002);
    body["client_id"] = "cli_nobody".into();
    assert_oauth_error(&token(&emulator, &body).await, 400, 20048);
}

#[tokio::test]
async fn a_basic_header_besides_the_body_secret_answers_20070() {
    let emulator = emulator().await;
    let code = code_for(&emulator, "").await;
    let body = exchange_body(&emulator, &code);
    let response = client()
        .post(
            emulator
                .base_url()
                .join("open-apis/authen/v2/oauth/token")
                .unwrap(),
        )
        .basic_auth(emulator.app_id(), Some(emulator.app_secret()))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_oauth_error(&crate::common::answer(response).await, 400, 20070);
    // The code was not spent.
    assert_eq!(token(&emulator, &body).await.status, 200);
}

#[tokio::test]
async fn missing_parameters_answer_20001() {
    let emulator = emulator().await;
    let code = code_for(&emulator, "").await;
    for missing in ["grant_type", "client_id", "client_secret", "code"] {
        let mut body = exchange_body(&emulator, &code);
        body.as_object_mut().unwrap().remove(missing);
        assert_oauth_error(&token(&emulator, &body).await, 400, 20001);
    }
    let mut empty = exchange_body(&emulator, &code);
    empty["code"] = "".into();
    assert_oauth_error(&token(&emulator, &empty).await, 400, 20001);
}

#[tokio::test]
async fn unsupported_grant_types_answer_20036() {
    let emulator = emulator().await;
    let mut body = exchange_body(&emulator, "code");
    body["grant_type"] = "client_credentials".into();
    assert_oauth_error(&token(&emulator, &body).await, 400, 20036);
}

#[tokio::test]
async fn malformed_bodies_answer_20063() {
    let emulator = emulator().await;
    let url = emulator
        .base_url()
        .join("open-apis/authen/v2/oauth/token")
        .unwrap();
    let body = exchange_body(&emulator, "code").to_string();
    for (content_type, payload) in [
        ("application/json", "{not json".to_owned()),
        ("application/json", "[1,2]".to_owned()),
        ("application/json", r#"{"grant_type":1}"#.to_owned()),
        ("text/plain", body.clone()),
        (
            "application/x-www-form-urlencoded",
            "grant_type=a&grant_type=b".to_owned(),
        ),
    ] {
        let response = client()
            .post(url.clone())
            .header("content-type", content_type)
            .body(payload.clone())
            .send()
            .await
            .unwrap();
        assert_oauth_error(&crate::common::answer(response).await, 400, 20063);
    }
    let no_content_type = client().post(url).body(body).send().await.unwrap();
    assert_oauth_error(&crate::common::answer(no_content_type).await, 400, 20063);
}

#[tokio::test]
async fn a_code_of_another_app_answers_20024() {
    let emulator = Emulator::builder()
        .redirect_uri(REDIRECT_URI)
        .additional_app("cli_other", "other-secret")
        .start()
        .await
        .unwrap();
    let code = code_for(&emulator, "offline_access").await;
    let mut body = exchange_body(&emulator, &code);
    body["client_id"] = "cli_other".into();
    body["client_secret"] = "other-secret".into();
    assert_oauth_error(&token(&emulator, &body).await, 400, 20024);
}
