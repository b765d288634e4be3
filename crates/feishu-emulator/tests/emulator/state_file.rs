//! Two emulators sharing a state file agree on codes and tokens, as the sandbox's processes must.

use feishu_emulator::Emulator;

use crate::common::{
    assert_oauth_error, code_for, exchange_body, refresh_body, sign_in, token, user_info,
    REDIRECT_URI,
};

async fn sharing(path: &std::path::Path) -> Emulator {
    Emulator::builder()
        .redirect_uri(REDIRECT_URI)
        .state_file(path)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn tokens_issued_by_one_instance_work_on_another() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox/state.json");
    let one = sharing(&path).await;
    let two = sharing(&path).await;

    let code = code_for(&one, "offline_access contact:user.email:readonly").await;
    // The code is redeemed on the other instance.
    let first = token(&two, &exchange_body(&two, &code)).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_oauth_error(&token(&one, &exchange_body(&one, &code)).await, 400, 20065);

    let refresh_token = first.body["refresh_token"].as_str().unwrap();
    let second = token(&one, &refresh_body(&one, refresh_token)).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_oauth_error(
        &token(&two, &refresh_body(&two, refresh_token)).await,
        400,
        20073,
    );

    let access_token = second.body["access_token"].as_str().unwrap();
    let info = user_info(&two, access_token).await;
    assert_eq!(info.status, 200);
    assert!(info.body["data"]["email"].is_string());

    // Revocation on one is seen by the other.
    one.revoke_refresh_tokens();
    let latest = second.body["refresh_token"].as_str().unwrap();
    assert_oauth_error(&token(&two, &refresh_body(&two, latest)).await, 400, 20064);

    // The file holds no token values, and only its owner can read it.
    let contents = std::fs::read_to_string(&path).unwrap();
    assert!(!contents.contains(access_token));
    assert!(!contents.contains(refresh_token));
    assert!(!contents.contains(&code));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

#[tokio::test]
async fn a_restarted_instance_still_knows_the_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let first = sharing(&path).await;
    let code = code_for(&first, "offline_access").await;
    let body = token(&first, &exchange_body(&first, &code)).await.body;
    first.shutdown().await;

    let again = sharing(&path).await;
    let refresh_token = body["refresh_token"].as_str().unwrap();
    assert_eq!(
        token(&again, &refresh_body(&again, refresh_token))
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_corrupt_file_is_kept_aside_and_a_full_sign_in_still_works() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sandbox-emulator.json");
    std::fs::write(&path, "{\"codes\": [truncated").unwrap();
    let emulator = sharing(&path).await;

    let body = sign_in(&emulator, "offline_access").await;
    let refresh_token = body["refresh_token"].as_str().unwrap();
    let refreshed = token(&emulator, &refresh_body(&emulator, refresh_token)).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    let access_token = refreshed.body["access_token"].as_str().unwrap();
    assert_eq!(user_info(&emulator, access_token).await.status, 200);

    // The corrupt file was kept, once, beside the new state.
    let kept: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("sandbox-emulator.corrupt-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join(&kept[0])).unwrap(),
        "{\"codes\": [truncated"
    );
}
