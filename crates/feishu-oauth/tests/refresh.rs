//! Keeping the session fresh: one refresh however many callers, rotation, and no sign-out for a
//! refresh token another process already rotated.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use common::{arrive, setup, Setup};
use feishu_emulator::browse::Decision;
use feishu_oauth::{Error, FileStore, Issuer, Session, SessionManager, SessionStore, TokenStatus};

async fn signed_in(s: &Setup) -> Session {
    let (pending, arrival) = arrive(s, "offline_access", Decision::Approve).await;
    pending.complete(arrival.callback, &s.client).await.unwrap()
}

fn manager(store: Arc<dyn SessionStore>, s: &Setup) -> SessionManager {
    SessionManager::new(
        store,
        Issuer {
            brand: feishu_oauth::IssuerBrand::Feishu,
            app_id: s.emulator.app_id().to_owned(),
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_requests_cause_one_refresh() {
    let s = setup(|b| b.access_token_ttl(Duration::from_secs(2))).await;
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn SessionStore> = Arc::new(FileStore::new(dir.path().join("session.json")));
    let sessions = Arc::new(manager(Arc::clone(&store), &s));
    let first = signed_in(&s).await;
    sessions.save(&first).unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_ne!(
        sessions
            .current()
            .unwrap()
            .unwrap()
            .token_status(time::OffsetDateTime::now_utc()),
        TokenStatus::Valid
    );

    let client = s.client.clone();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let sessions = Arc::clone(&sessions);
            let client = client.clone();
            tokio::spawn(async move {
                sessions
                    .fresh_session(|| async { Ok(client) })
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().access_token);
    }
    assert_eq!(s.emulator.refreshes(), 1);
    assert!(tokens.iter().all(|t| *t == tokens[0]));
    assert_ne!(tokens[0], first.access_token);
    let stored = store.load().unwrap().unwrap();
    assert_ne!(
        stored.refresh_token, first.refresh_token,
        "the rotated refresh token was saved"
    );
}

/// A store whose first reads return queued (stale) sessions, as a writer that ignored the lock
/// would leave this process seeing them, and the file after that.
struct StagedStore {
    inner: FileStore,
    queue: Mutex<Vec<Session>>,
}

impl SessionStore for StagedStore {
    fn load(&self) -> feishu_oauth::Result<Option<Session>> {
        if let Some(next) = self.queue.lock().unwrap().pop() {
            return Ok(Some(next));
        }
        self.inner.load()
    }
    fn save(&self, session: &Session) -> feishu_oauth::Result<()> {
        self.inner.save(session)
    }
    fn clear(&self) -> feishu_oauth::Result<()> {
        self.inner.clear()
    }
    fn lock_refresh(&self) -> feishu_oauth::Result<feishu_oauth::StoreLock> {
        self.inner.lock_refresh()
    }
    fn lock_writes(&self) -> feishu_oauth::Result<feishu_oauth::StoreLock> {
        self.inner.lock_writes()
    }
}

#[tokio::test]
async fn a_used_refresh_token_rereads_the_store_before_signing_out() {
    let s = setup(|b| b).await;
    let dir = tempfile::tempdir().unwrap();
    let file = FileStore::new(dir.path().join("session.json"));
    let old = signed_in(&s).await;
    file.save(&old).unwrap();
    // Another process refreshes: the file now holds the successor; `old`'s refresh token is spent.
    let rotated = manager(Arc::new(file.clone()), &s)
        .refresh_now(|| async { Ok(s.client.clone()) })
        .await
        .unwrap();

    // This process still reads `old` up to the call (before the gate, under it, under the lock).
    let staged = Arc::new(StagedStore {
        inner: file.clone(),
        queue: Mutex::new(vec![old.clone(); 3]),
    });
    let this = manager(Arc::clone(&staged) as Arc<dyn SessionStore>, &s);
    let got = this
        .refresh_now(|| async { Ok(s.client.clone()) })
        .await
        .unwrap();
    assert!(
        staged.queue.lock().unwrap().is_empty(),
        "the stale reads were all used"
    );
    assert_eq!(
        got.refresh_token, rotated.refresh_token,
        "kept the rotated session instead of signing out"
    );
    assert!(file.load().unwrap().is_some(), "still signed in");
}

#[tokio::test]
async fn a_revoked_refresh_token_signs_out_with_the_reason() {
    let s = setup(|b| b).await;
    let dir = tempfile::tempdir().unwrap();
    let sessions = manager(
        Arc::new(FileStore::new(dir.path().join("session.json"))),
        &s,
    );
    sessions.save(&signed_in(&s).await).unwrap();
    s.emulator.revoke_refresh_tokens();
    let err = sessions
        .refresh_now(|| async { Ok(s.client.clone()) })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SignInRequired { .. }), "{err}");
    assert!(err.to_string().contains("20064"), "{err}");
    assert!(sessions.current().unwrap().is_none());
}

#[tokio::test]
async fn network_failure_keeps_the_session() {
    let s = setup(|b| b).await;
    let dir = tempfile::tempdir().unwrap();
    let sessions = manager(
        Arc::new(FileStore::new(dir.path().join("session.json"))),
        &s,
    );
    sessions.save(&signed_in(&s).await).unwrap();
    s.emulator
        .fail_next(feishu_emulator::Endpoint::Token, 3, 20050);
    let err = sessions
        .refresh_now(|| async { Ok(s.client.clone()) })
        .await
        .unwrap_err();
    assert_eq!(err.feishu_code(), Some(20050));
    assert!(
        sessions.current().unwrap().is_some(),
        "a server fault is no reason to sign out"
    );
}

/// `session` with its access token issued two hours ago and expiring `left` from now (negative:
/// expired), so that it is inside its 5-minute refresh margin.
fn expiring_in(mut session: Session, left: time::Duration) -> Session {
    let now = time::OffsetDateTime::now_utc();
    session.access_token_issued_at = now - time::Duration::hours(2);
    session.access_token_expires_at = now + left;
    session
}

#[tokio::test]
async fn a_failed_refresh_ahead_of_expiry_leaves_a_usable_token() {
    let s = setup(|b| b).await;
    let dir = tempfile::tempdir().unwrap();
    let sessions = manager(
        Arc::new(FileStore::new(dir.path().join("session.json"))),
        &s,
    );
    let session = expiring_in(signed_in(&s).await, time::Duration::minutes(1));
    sessions.save(&session).unwrap();
    s.emulator
        .fail_next(feishu_emulator::Endpoint::Token, 3, 20050);
    let usable = sessions
        .usable_session(|| async { Ok(s.client.clone()) })
        .await
        .unwrap();
    assert_eq!(usable.session.access_token, session.access_token);
    let why = usable.refresh_ahead_failed.expect("the failure is told");
    assert_eq!(why.feishu_code(), Some(20050));

    // The next call refreshes as usual.
    let usable = sessions
        .usable_session(|| async { Ok(s.client.clone()) })
        .await
        .unwrap();
    assert!(usable.refresh_ahead_failed.is_none());
    assert_ne!(usable.session.access_token, session.access_token);
}

#[tokio::test]
async fn an_expired_token_or_a_refused_refresh_is_an_error_for_usable_session() {
    let s = setup(|b| b).await;
    let dir = tempfile::tempdir().unwrap();
    let sessions = manager(
        Arc::new(FileStore::new(dir.path().join("session.json"))),
        &s,
    );
    let session = signed_in(&s).await;
    sessions
        .save(&expiring_in(session.clone(), time::Duration::seconds(-1)))
        .unwrap();
    s.emulator
        .fail_next(feishu_emulator::Endpoint::Token, 3, 20050);
    let err = sessions
        .usable_session(|| async { Ok(s.client.clone()) })
        .await
        .unwrap_err();
    assert_eq!(err.feishu_code(), Some(20050), "{err}");

    // Still valid, but Feishu ended the grant: the session is gone, and so is the token.
    sessions
        .save(&expiring_in(session, time::Duration::minutes(1)))
        .unwrap();
    s.emulator.revoke_refresh_tokens();
    let err = sessions
        .usable_session(|| async { Ok(s.client.clone()) })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SignInRequired { .. }), "{err}");
    assert!(sessions.current().unwrap().is_none());
}

/// Counts the reads of a [`FileStore`].
struct CountingStore {
    inner: FileStore,
    loads: std::sync::atomic::AtomicUsize,
}

impl SessionStore for CountingStore {
    fn load(&self) -> feishu_oauth::Result<Option<Session>> {
        self.loads
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.inner.load()
    }
    fn save(&self, session: &Session) -> feishu_oauth::Result<()> {
        self.inner.save(session)
    }
    fn clear(&self) -> feishu_oauth::Result<()> {
        self.inner.clear()
    }
    fn lock_refresh(&self) -> feishu_oauth::Result<feishu_oauth::StoreLock> {
        self.inner.lock_refresh()
    }
    fn lock_writes(&self) -> feishu_oauth::Result<feishu_oauth::StoreLock> {
        self.inner.lock_writes()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_waiting_on_a_refresh_share_it_instead_of_rereading_the_store() {
    let s = setup(|b| b).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(CountingStore {
        inner: FileStore::new(dir.path().join("session.json")),
        loads: std::sync::atomic::AtomicUsize::new(0),
    });
    let sessions = Arc::new(manager(Arc::clone(&store) as Arc<dyn SessionStore>, &s));
    let first = signed_in(&s).await;
    // A minute left of a two-hour token: inside the five-minute refresh margin.
    let expires = time::OffsetDateTime::now_utc() + time::Duration::minutes(1);
    let stale = Session {
        access_token_issued_at: expires - time::Duration::hours(2),
        access_token_expires_at: expires,
        ..first.clone()
    };
    sessions.save(&stale).unwrap();
    store.loads.store(0, std::sync::atomic::Ordering::Relaxed);

    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (sessions, client) = (Arc::clone(&sessions), s.client.clone());
            tokio::spawn(async move {
                sessions
                    .fresh_session(|| async { Ok(client) })
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut tokens = Vec::new();
    for t in tasks {
        tokens.push(t.await.unwrap().access_token);
    }
    assert_eq!(s.emulator.refreshes(), 1);
    assert!(tokens
        .iter()
        .all(|t| *t == tokens[0] && *t != first.access_token));
    let loads = store.loads.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        loads <= 25,
        "{loads} reads of the store for 50 callers: waiters should share the refresh"
    );
    // A caller after the refresh reads the store as before.
    assert_eq!(
        sessions
            .fresh_session(|| async { Ok(s.client.clone()) })
            .await
            .unwrap()
            .access_token,
        tokens[0]
    );
}
