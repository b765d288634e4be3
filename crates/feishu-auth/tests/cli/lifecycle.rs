//! A session's whole life through every command in turn: `login`, `status`, `token`, `refresh`,
//! `logout`, and `token` once signed out.

use crate::common::{text, Harness};

#[tokio::test(flavor = "multi_thread")]
async fn login_status_token_refresh_logout() {
    let h = Harness::new(|b| b).await;

    let out = h.run(&["login"]).await;
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("张三"),
        "login prints who signed in"
    );

    let status = h.status().await;
    let keys: Vec<&String> = status.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "accessTokenExpiresAt",
            "appSecretStorage",
            "brand",
            "profile",
            "refreshTokenExpiresAt",
            "scopes",
            "signedIn",
            "storage",
            "tokenStatus",
            "user"
        ]
    );
    assert_eq!(status["signedIn"], true);
    // No keyring under the harness: unsealed, and the secret from the environment.
    assert_eq!(status["storage"], "file");
    assert_eq!(status["appSecretStorage"], "environment");
    assert_eq!(status["brand"], "feishu");
    assert_eq!(status["tokenStatus"], "valid");
    assert_eq!(status["user"]["name"], "张三");
    let user_keys: Vec<&String> = status["user"].as_object().unwrap().keys().collect();
    assert_eq!(
        user_keys,
        [
            "avatarUrl",
            "email",
            "employeeNo",
            "enName",
            "name",
            "openId",
            "tenantKey",
            "unionId",
            "userId"
        ]
    );
    assert!(
        status["user"]["email"].is_string(),
        "the email scope was granted"
    );
    assert!(status["scopes"]
        .as_array()
        .unwrap()
        .contains(&"offline_access".into()));
    assert!(time::OffsetDateTime::parse(
        status["accessTokenExpiresAt"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339
    )
    .is_ok());

    let first = h.run(&["token"]).await;
    assert!(first.status.success());
    let token = text(&first.stdout);
    assert_eq!(token.lines().count(), 1, "the token alone on stdout");
    let answer = reqwest::Client::new()
        .get(
            h.emulator
                .base_url()
                .join("open-apis/authen/v1/user_info")
                .unwrap(),
        )
        .bearer_auth(token.trim())
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.status(),
        200,
        "the printed token is accepted by the server"
    );

    let out = h.run(&["refresh"]).await;
    assert!(out.status.success());
    assert_eq!(h.emulator.refreshes(), 1);
    let second = h.run(&["token"]).await;
    assert_ne!(text(&second.stdout), token, "refresh replaced the token");

    let out = h.run(&["logout"]).await;
    assert!(out.status.success());
    let status = h.status().await;
    assert_eq!(status["signedIn"], false);
    assert_eq!(status["tokenStatus"], "signedOut");
    assert!(status["user"].is_null());

    let out = h.run(&["token"]).await;
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("Not signed in"));
}
