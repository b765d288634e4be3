//! Narrowed tokens among the refreshes a keeper makes: two managers over one session file (the
//! app's keeper and a script's `feishu-auth token --scope`), a token that goes stale every two
//! seconds, and many asking at once. Every caller gets its token, narrowed ones carry only their
//! scopes, each narrowed token costs at most two refreshes, and the session is never left
//! narrowed nor without its refresh token.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::{sync::Arc, time::Duration};

use common::{arrive, setup};
use feishu_emulator::browse::Decision;
use feishu_oauth::{FileStore, Issuer, IssuerBrand, Scopes, SessionManager, SessionStore};

const EMAIL: &str = "contact:user.email:readonly";
const USER_ID: &str = "contact:user.employee_id:readonly";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn narrowed_tokens_beside_a_keeper_never_leave_the_session_narrowed() {
    let s = setup(|b| b.access_token_ttl(Duration::from_secs(2))).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let issuer = Issuer {
        brand: IssuerBrand::Feishu,
        app_id: s.emulator.app_id().to_owned(),
    };
    let manager = |path: &std::path::Path| {
        let store: Arc<dyn SessionStore> = Arc::new(FileStore::new(path));
        Arc::new(SessionManager::new(store, issuer.clone()))
    };
    let (keeper, script) = (manager(&path), manager(&path));
    let (pending, arrival) = arrive(
        &s,
        &format!("offline_access {EMAIL} {USER_ID}"),
        Decision::Approve,
    )
    .await;
    keeper
        .save(&pending.complete(arrival.callback, &s.client).await.unwrap())
        .unwrap();

    let narrow_to = Scopes::from_iter_checked([EMAIL]).unwrap();
    let mut tasks = Vec::new();
    for i in 0..12 {
        let (keeper, script, client, narrow_to) = (
            Arc::clone(&keeper),
            Arc::clone(&script),
            s.client.clone(),
            narrow_to.clone(),
        );
        tasks.push(tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200 * (i % 6))).await;
            if i % 3 == 0 {
                let token = script
                    .narrowed_token(&narrow_to, || async { Ok(client) })
                    .await
                    .unwrap();
                assert!(token.scopes.contains(EMAIL) && !token.scopes.contains(USER_ID));
                (1, token.access_token)
            } else {
                let session = keeper.fresh_session(|| async { Ok(client) }).await.unwrap();
                assert!(
                    session.scopes.contains(USER_ID),
                    "a full token for the keeper"
                );
                (0, session.access_token)
            }
        }));
    }
    let mut narrowed = 0;
    for task in tasks {
        narrowed += task.await.unwrap().0;
    }
    let refreshes = s.emulator.refreshes();
    eprintln!("{narrowed} narrowed tokens, {refreshes} refresh calls in all");
    // Two per narrowed token, and a keeper's refresh now and then as its token went stale.
    assert!(refreshes <= 2 * narrowed + 4, "{refreshes} refreshes");
    let stored = FileStore::new(&path).load().unwrap().unwrap();
    assert!(stored.scopes.contains(USER_ID), "{:?}", stored.scopes);
    assert!(stored.refresh_token.is_some());
    let user = s.client.user_info(&stored.access_token).await.unwrap();
    assert!(user.user_id.is_some(), "the stored token is a full one");
    // And it still refreshes.
    keeper
        .refresh_now(|| async { Ok(s.client.clone()) })
        .await
        .unwrap();
}

#[tokio::test]
async fn both_refusals_are_explained_with_the_scopes_held_and_spend_nothing() {
    let s = setup(|b| b).await;
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SessionStore> = Arc::new(FileStore::new(dir.path().join("session.json")));
    let issuer = Issuer {
        brand: IssuerBrand::Feishu,
        app_id: s.emulator.app_id().to_owned(),
    };
    let manager = SessionManager::new(store, issuer);
    let (pending, arrival) =
        arrive(&s, &format!("offline_access {EMAIL}"), Decision::Approve).await;
    manager
        .save(&pending.complete(arrival.callback, &s.client).await.unwrap())
        .unwrap();
    let client = || async { Ok(s.client.clone()) };
    // A scope never granted: 20068, from the emulator's own rules.
    let never = Scopes::from_iter_checked([USER_ID]).unwrap();
    let refused = manager.narrowed_token(&never, client).await.unwrap_err();
    let said = refused.to_string();
    assert!(
        said.contains(&format!(
            "the scope {USER_ID} was not granted (Feishu error 20068)"
        )) && said.contains(EMAIL)
            && said.contains(&format!("--add-scope {USER_ID}")),
        "{said}"
    );
    // A duplicate (which this client never sends: the scopes are a set): 20067, as Feishu says it.
    s.emulator
        .fail_next(feishu_emulator::Endpoint::Token, 1, 20067);
    let email = Scopes::from_iter_checked([EMAIL]).unwrap();
    let said = manager
        .narrowed_token(&email, client)
        .await
        .unwrap_err()
        .to_string();
    assert!(
        said.contains("duplicate (Feishu error 20067)") && said.contains("this session holds"),
        "{said}"
    );
    assert_eq!(s.emulator.refreshes(), 0, "nothing was spent");
    assert!(
        manager.narrowed_token(&email, client).await.is_ok(),
        "the session still narrows"
    );
}
