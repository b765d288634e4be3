//! The user's decision stands, and no session is lost: a sign-out during a refresh is not undone
//! by it, a sign-out only clears the configured app's session, and a refresh whose save fails
//! keeps the rotated tokens instead of spending a dead refresh token later.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

use common::{arrive, setup, Setup};
use feishu_emulator::{browse::Decision, Endpoint};
use feishu_oauth::{
    Error, FileStore, Issuer, Result, Session, SessionManager, SessionStore, SignOut, StoreLock,
};

async fn signed_in(s: &Setup) -> Session {
    let (pending, arrival) = arrive(s, "offline_access", Decision::Approve).await;
    pending.complete(arrival.callback, &s.client).await.unwrap()
}

fn issuer(s: &Setup) -> Issuer {
    Issuer {
        brand: feishu_oauth::IssuerBrand::Feishu,
        app_id: s.emulator.app_id().to_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_in_flight_does_not_undo_a_sign_out() {
    let s = setup(|b| b).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let refresher = Arc::new(SessionManager::new(
        Arc::new(FileStore::new(&path)),
        issuer(&s),
    ));
    // Another process's view of the same file: the CLI's `logout` beside the app's keeper.
    let other = SessionManager::new(Arc::new(FileStore::new(&path)), issuer(&s));
    refresher.save(&signed_in(&s).await).unwrap();

    s.emulator
        .delay_next(Endpoint::Token, 1, Duration::from_millis(1500));
    let client = s.client.clone();
    let refreshing = {
        let refresher = Arc::clone(&refresher);
        tokio::spawn(async move { refresher.refresh_now(|| async { Ok(client) }).await })
    };
    // The refresh is waiting on the slow server (it holds the refresh lock); sign out meanwhile.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let outcome = other.sign_out().unwrap();
    assert!(matches!(outcome, SignOut::SignedOut(_)), "{outcome:?}");

    let answer = refreshing.await.unwrap();
    assert!(
        matches!(answer, Err(Error::SignedOutDuringRefresh)),
        "{answer:?}"
    );
    assert_eq!(s.emulator.refreshes(), 1, "the refresh did reach Feishu");
    assert_eq!(other.current().unwrap(), None, "still signed out");
    assert_eq!(refresher.current().unwrap(), None);
    assert_eq!(FileStore::new(&path).load().unwrap(), None);
}

#[tokio::test]
async fn a_sign_out_clears_only_the_configured_app_s_session() {
    let s = setup(|b| b).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("session.json");
    let owner = SessionManager::new(Arc::new(FileStore::new(&path)), issuer(&s));
    let session = signed_in(&s).await;
    owner.save(&session).unwrap();

    let stranger = SessionManager::new(
        Arc::new(FileStore::new(&path)),
        Issuer {
            brand: feishu_oauth::IssuerBrand::Feishu,
            app_id: "cli_other".into(),
        },
    );
    assert_eq!(
        stranger.sign_out().unwrap(),
        SignOut::OtherIssuer(issuer(&s))
    );
    assert_eq!(owner.current().unwrap(), Some(session.clone()));
    assert_eq!(
        stranger.sign_out_any().unwrap(),
        SignOut::SignedOut(session)
    );
    assert_eq!(owner.current().unwrap(), None);
    assert_eq!(owner.sign_out().unwrap(), SignOut::NotSignedIn);
}

/// The session file on a disk that refuses writes while `full` is set (a full disk, a folder
/// made read-only): loads and locks work, saves fail with the system's error.
struct FullDisk {
    file: FileStore,
    full: AtomicBool,
}

impl SessionStore for FullDisk {
    fn load(&self) -> Result<Option<Session>> {
        self.file.load()
    }
    fn save(&self, session: &Session) -> Result<()> {
        if self.full.load(Ordering::SeqCst) {
            return Err(Error::Store {
                path: self.file.path().to_owned(),
                source: std::io::Error::from_raw_os_error(28), // ENOSPC
            });
        }
        self.file.save(session)
    }
    fn clear(&self) -> Result<()> {
        self.file.clear()
    }
    fn lock_refresh(&self) -> Result<StoreLock> {
        self.file.lock_refresh()
    }
    fn lock_writes(&self) -> Result<StoreLock> {
        self.file.lock_writes()
    }
}

#[tokio::test]
async fn a_refresh_whose_save_fails_keeps_the_rotated_session_and_never_spends_a_used_token() {
    let s = setup(|b| b).await;
    let dir = tempfile::tempdir().unwrap();
    let file = FileStore::new(dir.path().join("session.json"));
    let disk = Arc::new(FullDisk {
        file: file.clone(),
        full: AtomicBool::new(false),
    });
    let sessions = SessionManager::new(disk.clone(), issuer(&s));
    let first = signed_in(&s).await;
    sessions.save(&first).unwrap();

    disk.full.store(true, Ordering::SeqCst);
    let client = s.client.clone();
    let second = sessions.refresh_now(|| async { Ok(client) }).await.unwrap();
    assert_ne!(second.refresh_token, first.refresh_token);
    let unsaved = sessions.unsaved().expect("the failed save is reported");
    assert!(unsaved.to_string().contains("session.json"), "{unsaved}");
    // The file still holds the spent token; this process uses the rotated session.
    assert_eq!(file.load().unwrap(), Some(first.clone()));
    assert_eq!(sessions.current().unwrap(), Some(second.clone()));
    assert!(sessions.flush_unsaved().is_err());

    // Refreshing again presents the rotated token, not the spent one: no 20064, no sign-out.
    let client = s.client.clone();
    let third = sessions.refresh_now(|| async { Ok(client) }).await.unwrap();
    assert_ne!(third.refresh_token, second.refresh_token);
    assert_eq!(s.emulator.refreshes(), 2);

    // The disk recovers: the newest session is written at the next chance.
    disk.full.store(false, Ordering::SeqCst);
    sessions.flush_unsaved().unwrap();
    assert!(sessions.unsaved().is_none());
    assert_eq!(file.load().unwrap(), Some(third));
}

#[tokio::test]
async fn an_unsaved_session_gives_way_to_a_sign_out() {
    let s = setup(|b| b).await;
    let dir = tempfile::tempdir().unwrap();
    let file = FileStore::new(dir.path().join("session.json"));
    let disk = Arc::new(FullDisk {
        file: file.clone(),
        full: AtomicBool::new(false),
    });
    let sessions = SessionManager::new(disk.clone(), issuer(&s));
    sessions.save(&signed_in(&s).await).unwrap();
    disk.full.store(true, Ordering::SeqCst);
    let client = s.client.clone();
    sessions.refresh_now(|| async { Ok(client) }).await.unwrap();
    // Signed out from elsewhere (the file changed under it).
    let cli = SessionManager::new(Arc::new(file.clone()), issuer(&s));
    assert!(matches!(cli.sign_out().unwrap(), SignOut::SignedOut(_)));
    disk.full.store(false, Ordering::SeqCst);
    assert_eq!(sessions.current().unwrap(), None);
    assert!(sessions.unsaved().is_none());
    assert_eq!(file.load().unwrap(), None);
}
