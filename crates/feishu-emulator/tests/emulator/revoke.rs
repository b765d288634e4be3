//! Revocation (`POST /oauth/v1/revoke`), as the official Lark CLI calls it: RFC 7009's answers, and
//! what a revoked token gets at the token and user-info endpoints afterwards.

use feishu_emulator::{Emulator, Endpoint};
use serde_json::Value;

use crate::common::{
    answer, assert_oauth_error, client, emulator, refresh_body, sign_in, token, user_info, Answer,
    REDIRECT_URI,
};

/// POSTs `fields` as a form to the revocation endpoint.
async fn revoke_form(emulator: &Emulator, fields: &[(&str, &str)]) -> Answer {
    let response = client()
        .post(emulator.base_url().join("oauth/v1/revoke").unwrap())
        .form(fields)
        .send()
        .await
        .unwrap();
    answer(response).await
}

/// Revokes `token` with this app's credentials, as the official CLI does.
async fn revoke(emulator: &Emulator, token: &str, hint: &str) -> Answer {
    revoke_form(
        emulator,
        &[
            ("client_id", emulator.app_id()),
            ("client_secret", emulator.app_secret()),
            ("token", token),
            ("token_type_hint", hint),
        ],
    )
    .await
}

fn assert_revoked_ok(answer: &Answer) {
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body, Value::String(String::new()), "an empty body");
    assert_eq!(answer.headers["cache-control"], "no-store");
}

/// Asserts an RFC 6749 §5.2 error: the status and `error`, with a description.
fn assert_rfc_error(answer: &Answer, status: u16, error: &str) {
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
}

/// Asserts that user info refuses `access_token` exactly as it refuses a token it never issued.
async fn assert_refused_as_unknown(emulator: &Emulator, access_token: &str) {
    let refused = user_info(emulator, access_token).await;
    let unknown = user_info(emulator, "eyJnever-issued").await;
    assert_eq!(
        (refused.status, &refused.body),
        (unknown.status, &unknown.body)
    );
    assert_eq!(
        (refused.status, &refused.body["code"]),
        (401, &99_991_668.into())
    );
}

async fn sharing(path: &std::path::Path) -> Emulator {
    Emulator::builder()
        .redirect_uri(REDIRECT_URI)
        .state_file(path)
        .start()
        .await
        .unwrap()
}

fn text<'a>(body: &'a Value, field: &str) -> &'a str {
    body[field].as_str().unwrap()
}

#[tokio::test]
async fn a_revoked_refresh_token_answers_20064_and_its_grants_access_tokens_stop() {
    let emulator = emulator().await;
    let first = sign_in(&emulator, "offline_access").await;
    let second = token(
        &emulator,
        &refresh_body(&emulator, text(&first, "refresh_token")),
    )
    .await;
    assert_eq!(second.status, 200, "{}", second.body);
    let refresh_token = text(&second.body, "refresh_token");

    assert_revoked_ok(&revoke(&emulator, refresh_token, "refresh_token").await);
    assert_eq!(emulator.revocations(), 1);
    assert_oauth_error(
        &token(&emulator, &refresh_body(&emulator, refresh_token)).await,
        400,
        20064,
    );
    // Every access token of the grant: the current one and the one still in its last minute.
    assert_refused_as_unknown(&emulator, text(&second.body, "access_token")).await;
    assert_refused_as_unknown(&emulator, text(&first, "access_token")).await;

    // Again: nothing left to revoke, still a success.
    assert_revoked_ok(&revoke(&emulator, refresh_token, "refresh_token").await);
    assert_eq!(emulator.revocations(), 1);
    assert_eq!(emulator.calls(Endpoint::Revoke), 2);

    // Another sign-in is another grant: untouched.
    let other = sign_in(&emulator, "offline_access").await;
    assert_eq!(
        user_info(&emulator, text(&other, "access_token"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_revoked_access_token_is_refused_as_unknown_and_the_refresh_token_still_works() {
    let emulator = emulator().await;
    let body = sign_in(&emulator, "offline_access").await;
    let access_token = text(&body, "access_token");
    assert_eq!(user_info(&emulator, access_token).await.status, 200);

    assert_revoked_ok(&revoke(&emulator, access_token, "access_token").await);
    assert_eq!(emulator.revocations(), 1);
    assert_refused_as_unknown(&emulator, access_token).await;
    let refreshed = token(
        &emulator,
        &refresh_body(&emulator, text(&body, "refresh_token")),
    )
    .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
}

#[tokio::test]
async fn the_hint_only_orders_the_look_up() {
    let emulator = emulator().await;
    let body = sign_in(&emulator, "offline_access").await;
    // A wrong hint, then an unknown one.
    assert_revoked_ok(&revoke(&emulator, text(&body, "refresh_token"), "access_token").await);
    assert_oauth_error(
        &token(
            &emulator,
            &refresh_body(&emulator, text(&body, "refresh_token")),
        )
        .await,
        400,
        20064,
    );
    let body = sign_in(&emulator, "").await;
    assert_revoked_ok(&revoke(&emulator, text(&body, "access_token"), "id_token").await);
    assert_refused_as_unknown(&emulator, text(&body, "access_token")).await;
    // No hint at all.
    let body = sign_in(&emulator, "").await;
    let no_hint = revoke_form(
        &emulator,
        &[
            ("client_id", emulator.app_id()),
            ("client_secret", emulator.app_secret()),
            ("token", text(&body, "access_token")),
        ],
    )
    .await;
    assert_revoked_ok(&no_hint);
    assert_eq!(emulator.revocations(), 3);
}

#[tokio::test]
async fn an_unknown_token_is_no_error() {
    let emulator = emulator().await;
    assert_revoked_ok(&revoke(&emulator, "eyJnever-issued", "refresh_token").await);
    assert_revoked_ok(&revoke(&emulator, "eyJnever-issued", "access_token").await);
    assert_eq!(emulator.revocations(), 0);
    assert_eq!(emulator.calls(Endpoint::Revoke), 2);
}

#[tokio::test]
async fn the_client_must_authenticate_in_the_body() {
    let emulator = emulator().await;
    let body = sign_in(&emulator, "offline_access").await;
    let refresh_token = text(&body, "refresh_token");
    let (id, secret) = (emulator.app_id(), emulator.app_secret());
    for fields in [
        vec![
            ("client_id", id),
            ("client_secret", "wrong"),
            ("token", refresh_token),
        ],
        vec![
            ("client_id", "cli_unknown"),
            ("client_secret", secret),
            ("token", refresh_token),
        ],
        vec![("client_id", id), ("token", refresh_token)],
        vec![("client_secret", secret), ("token", refresh_token)],
    ] {
        let refused = revoke_form(&emulator, &fields).await;
        assert_rfc_error(&refused, 401, "invalid_client");
        assert!(refused.body.get("code").is_none(), "{}", refused.body);
    }
    // HTTP Basic instead of the body is no authentication here; both at once is malformed.
    let url = emulator.base_url().join("oauth/v1/revoke").unwrap();
    let basic_only = client()
        .post(url.clone())
        .basic_auth(id, Some(secret))
        .form(&[("token", refresh_token)])
        .send()
        .await
        .unwrap();
    assert_rfc_error(&answer(basic_only).await, 401, "invalid_client");
    let both = client()
        .post(url)
        .basic_auth(id, Some(secret))
        .form(&[
            ("client_id", id),
            ("client_secret", secret),
            ("token", refresh_token),
        ])
        .send()
        .await
        .unwrap();
    assert_rfc_error(&answer(both).await, 400, "invalid_request");

    assert_eq!(emulator.revocations(), 0);
    let refreshed = token(&emulator, &refresh_body(&emulator, refresh_token)).await;
    assert_eq!(
        refreshed.status, 200,
        "nothing was revoked: {}",
        refreshed.body
    );
}

#[tokio::test]
async fn malformed_requests_are_invalid_request() {
    let emulator = emulator().await;
    let body = sign_in(&emulator, "offline_access").await;
    let refresh_token = text(&body, "refresh_token");
    let (id, secret) = (emulator.app_id(), emulator.app_secret());

    // No token.
    let missing = revoke_form(&emulator, &[("client_id", id), ("client_secret", secret)]).await;
    assert_rfc_error(&missing, 400, "invalid_request");
    let empty = revoke_form(
        &emulator,
        &[("client_id", id), ("client_secret", secret), ("token", "")],
    )
    .await;
    assert_rfc_error(&empty, 400, "invalid_request");

    // A parameter twice.
    let twice = revoke_form(
        &emulator,
        &[
            ("client_id", id),
            ("client_secret", secret),
            ("token", refresh_token),
            ("token", "eyJanother"),
        ],
    )
    .await;
    assert_rfc_error(&twice, 400, "invalid_request");

    // The same fields, but not as a form.
    let url = emulator.base_url().join("oauth/v1/revoke").unwrap();
    let fields =
        serde_json::json!({ "client_id": id, "client_secret": secret, "token": refresh_token });
    for content_type in [Some("application/json"), Some("text/plain"), None] {
        let mut request = client().post(url.clone());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.body(fields.to_string()).send().await.unwrap();
        assert_rfc_error(&answer(response).await, 400, "invalid_request");
    }

    assert_eq!(emulator.revocations(), 0);
    let refreshed = token(&emulator, &refresh_body(&emulator, refresh_token)).await;
    assert_eq!(
        refreshed.status, 200,
        "nothing was revoked: {}",
        refreshed.body
    );
}

#[tokio::test]
async fn a_token_of_another_app_is_refused_and_kept() {
    let emulator = Emulator::builder()
        .redirect_uri(REDIRECT_URI)
        .additional_app("cli_other", "other-secret")
        .start()
        .await
        .unwrap();
    let body = sign_in(&emulator, "offline_access").await;
    for token in [text(&body, "refresh_token"), text(&body, "access_token")] {
        let refused = revoke_form(
            &emulator,
            &[
                ("client_id", "cli_other"),
                ("client_secret", "other-secret"),
                ("token", token),
            ],
        )
        .await;
        assert_rfc_error(&refused, 400, "invalid_grant");
    }
    assert_eq!(emulator.revocations(), 0);
    assert_eq!(
        user_info(&emulator, text(&body, "access_token"))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn injected_faults_are_answered_and_revoke_nothing() {
    let emulator = emulator().await;
    let body = sign_in(&emulator, "offline_access").await;
    let refresh_token = text(&body, "refresh_token");
    emulator.fail_next(Endpoint::Revoke, 1, 20050);
    emulator.fail_next(Endpoint::Revoke, 1, 20072);
    let faulted = revoke(&emulator, refresh_token, "refresh_token").await;
    assert_oauth_error(&faulted, 500, 20050);
    assert_eq!(faulted.body["error"], "server_error");
    assert_oauth_error(
        &revoke(&emulator, refresh_token, "refresh_token").await,
        503,
        20072,
    );
    assert_eq!(emulator.revocations(), 0);
    assert_eq!(
        user_info(&emulator, text(&body, "access_token"))
            .await
            .status,
        200
    );

    assert_revoked_ok(&revoke(&emulator, refresh_token, "refresh_token").await);
    assert_eq!(emulator.revocations(), 1);
    assert_eq!(emulator.calls(Endpoint::Revoke), 3);
    assert_eq!(
        emulator.calls(Endpoint::Token),
        1,
        "the sign-in's exchange only"
    );
}

#[tokio::test]
async fn a_revocation_is_seen_by_every_instance_sharing_the_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let one = sharing(&path).await;
    let two = sharing(&path).await;

    let first = sign_in(&one, "offline_access").await;
    assert_revoked_ok(&revoke(&two, text(&first, "refresh_token"), "refresh_token").await);
    assert_oauth_error(
        &token(&one, &refresh_body(&one, text(&first, "refresh_token"))).await,
        400,
        20064,
    );
    assert_refused_as_unknown(&one, text(&first, "access_token")).await;

    let second = sign_in(&two, "").await;
    assert_revoked_ok(&revoke(&one, text(&second, "access_token"), "access_token").await);
    assert_refused_as_unknown(&two, text(&second, "access_token")).await;

    // A restarted instance still knows; the file holds no token values.
    one.shutdown().await;
    let again = sharing(&path).await;
    assert_refused_as_unknown(&again, text(&second, "access_token")).await;
    let contents = std::fs::read_to_string(&path).unwrap();
    assert!(contents.contains("\"revoked\": true"), "{contents}");
    assert!(!contents.contains(text(&first, "refresh_token")));
    assert!(!contents.contains(text(&second, "access_token")));
}
