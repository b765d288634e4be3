//! The session key made while the browser is open, against a real keyring (gnome-keyring on a
//! private bus): a sign-in from signed out seals its session with it, and leaves no other key; a
//! sign-in that ends without a session leaves no key behind either.
//!
//! One test in its own binary: it points this process's `DBUS_SESSION_BUS_ADDRESS` at the
//! test keyring.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::{path::Path, sync::Arc, time::Duration};

use common::{browse, free_port};
use feishu_emulator::{browse::Decision, Emulator};
use feishu_oauth::{
    signin::{self, CallbackSource, FlowSlot, OpenBrowser, Progress, ProgressSink, SignInRequest},
    test_support::TestKeyring,
    Account, AppCredentials, Config, ConfigFile, Error, Language, Launching, SandboxLauncher,
};
use url::Url;

struct NoSandbox;

impl SandboxLauncher for NoSandbox {
    fn credentials(&self) -> AppCredentials {
        unreachable!("an account with an App ID has no sandbox")
    }

    fn launch<'a>(&'a self, _: &'a Path) -> Launching<'a> {
        unreachable!("an account with an App ID has no sandbox")
    }
}

/// Approves in the consent page, or (`hold`) never comes back.
struct Person {
    hold: bool,
}

impl OpenBrowser for Person {
    fn open(&self, url: &Url) -> Result<(), Error> {
        if !self.hold {
            tokio::spawn(browse(url.clone(), Decision::Approve));
        }
        Ok(())
    }
}

struct Quiet;

impl ProgressSink for Quiet {
    fn report(&self, _: &Progress<'_>) {}
}

fn account(emulator: &Emulator, redirect_uri: &str, data_dir: &Path) -> Account {
    let base = emulator.base_url().to_string();
    let file = ConfigFile {
        app_id: Some(emulator.app_id().to_owned()),
        app_secret: Some(emulator.app_secret().to_owned()),
        accounts_url: Some(base.clone()),
        open_url: Some(base),
        redirect_uri: Some(redirect_uri.to_owned()),
        scopes: Some("offline_access".into()),
        ..ConfigFile::default()
    };
    let data_dir = data_dir.display().to_string();
    let config = Config::from_sources(&file, |var| {
        (var == "FEISHU_SIGNIN_DATA_DIR").then(|| data_dir.clone())
    })
    .unwrap();
    Account::with_file_store(config, Arc::new(NoSandbox))
}

/// The session keys in the keyring, after any clean-up in flight has had its time.
async fn keys_settle_at(keyring: &TestKeyring, want: usize) -> usize {
    let mut count = keyring.items("session-key").len();
    for _ in 0..100 {
        if count == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        count = keyring.items("session-key").len();
    }
    count
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sign_in_seals_with_the_key_made_ahead_and_leaves_no_other() {
    let keyring = TestKeyring::start();
    // Edition 2021: a safe call. This binary holds this one test, so nothing reads it meanwhile.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", keyring.address());
    let redirect_uri = format!("http://127.0.0.1:{}/callback", free_port());
    let emulator = Emulator::builder()
        .redirect_uri(&redirect_uri)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let account = account(&emulator, &redirect_uri, dir.path());
    let slot = FlowSlot::default();
    let signed_in = signin::run(
        SignInRequest {
            account: &account,
            scopes: None,
            timeout: Duration::from_secs(20),
            slot: &slot,
            flow: slot.next_id(),
            language: Language::English,
            same_user: None,
        },
        CallbackSource::Loopback,
        &Person { hold: false },
        &Quiet,
    )
    .await
    .unwrap();
    let file = std::fs::read_to_string(account.config().session_path()).unwrap();
    assert!(file.contains("\"sealed\""), "the session is sealed");
    assert_eq!(account.current().unwrap(), Some(signed_in));
    assert_eq!(
        keys_settle_at(&keyring, 1).await,
        1,
        "one key: the session's"
    );

    // Signed out, a sign-in that times out: a key is made while it waits, and deleted after.
    account.sign_out().await.unwrap();
    assert_eq!(keys_settle_at(&keyring, 0).await, 0);
    let waiting = signin::run(
        SignInRequest {
            account: &account,
            scopes: None,
            timeout: Duration::from_secs(3),
            slot: &slot,
            flow: slot.next_id(),
            language: Language::English,
            same_user: None,
        },
        CallbackSource::Loopback,
        &Person { hold: true },
        &Quiet,
    );
    let (failed, made_ahead) = tokio::join!(waiting, keys_settle_at(&keyring, 1));
    assert!(matches!(failed, Err(Error::Timeout { .. })), "{failed:?}");
    assert_eq!(made_ahead, 1, "a key was made while the browser was open");
    assert_eq!(
        keys_settle_at(&keyring, 0).await,
        0,
        "no key is left behind"
    );
}
