//! The app's sign-in as the app runs it: the core's engine (`feishu_oauth::signin::run`, which the
//! window's `sign_in` command calls) with an [`Account`] for the harness's emulator, the browser
//! stand-in approving in-process, and a progress sink that clocks the steps and does what the
//! window does when told the session is saved.

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use feishu_oauth::{
    signin::{
        self, CallbackSource, FlowSlot, OpenBrowser, Progress, ProgressSink, SignInRequest, Stage,
    },
    Account, AppCredentials, Config, ConfigFile, Error, Language, Launching, SandboxLauncher,
};
use feishu_signin_lib::views::SessionView;
use time::OffsetDateTime;
use tokio::task::JoinHandle;
use url::Url;

use crate::harness::{approve, Harness, SCOPES};

/// The account is configured for the emulator's app: there is no sandbox to start.
struct NoSandbox;

impl SandboxLauncher for NoSandbox {
    fn credentials(&self) -> AppCredentials {
        unreachable!("an account with an App ID has no sandbox")
    }

    fn launch<'a>(&'a self, _: &'a Path) -> Launching<'a> {
        unreachable!("an account with an App ID has no sandbox")
    }
}

/// The account the app would hold for `h`'s emulator, its session in `data_dir`, kept as the
/// `storage` setting says (`None`: the app's default, `auto`, sealed when a keyring answers).
pub fn account(h: &Harness, data_dir: &Path, storage: Option<&str>) -> Result<Account, String> {
    let base = h.emulator.base_url().to_string();
    let file = ConfigFile {
        app_id: Some(h.emulator.app_id().to_owned()),
        app_secret: Some(h.emulator.app_secret().to_owned()),
        accounts_url: Some(base.clone()),
        open_url: Some(base),
        redirect_uri: Some(h.redirect_uri.as_str().to_owned()),
        scopes: Some(SCOPES.to_owned()),
        storage: storage.map(str::to_owned),
        ..ConfigFile::default()
    };
    let data_dir = data_dir.display().to_string();
    let config = Config::from_sources(&file, |var| {
        (var == "FEISHU_SIGNIN_DATA_DIR").then(|| data_dir.clone())
    })
    .map_err(|e| e.to_string())?;
    Ok(Account::with_file_store(config, Arc::new(NoSandbox)))
}

/// The person at the browser: approves on the consent page.
#[derive(Default)]
struct Person {
    visits: Mutex<Vec<JoinHandle<Result<(), String>>>>,
}

impl OpenBrowser for Person {
    fn open(&self, url: &Url) -> Result<(), Error> {
        let visit = tokio::spawn(approve(url.clone()));
        self.visits
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(visit);
        Ok(())
    }
}

/// When the callback was received and when the window would show the session.
struct Clock {
    session_file: PathBuf,
    callback: Mutex<Option<Instant>>,
    shown: Mutex<Option<Instant>>,
}

impl ProgressSink for Clock {
    fn report(&self, progress: &Progress<'_>) {
        match progress.stage {
            Stage::CallbackReceived => {
                *self.callback.lock().unwrap_or_else(PoisonError::into_inner) =
                    Some(Instant::now());
            }
            Stage::SignedIn(session) => {
                // The app's store then follows the file (tauri-plugin-store reads and parses
                // it), and the window is sent the session's view.
                let reread = std::fs::read(&self.session_file)
                    .ok()
                    .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok());
                let view = SessionView::new(session, OffsetDateTime::now_utc());
                let event = serde_json::to_string(&Some(&view)).ok();
                std::hint::black_box((reread, event));
                *self.shown.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
            }
            _ => {}
        }
    }
}

/// One whole sign-in through the engine; the time from the callback's arrival to the session
/// saved (on disk, under the write lock) and the window's view made.
pub async fn sign_in(account: &Account, slot: &FlowSlot) -> Result<Duration, String> {
    let clock = Clock {
        session_file: account.config().session_path(),
        callback: Mutex::new(None),
        shown: Mutex::new(None),
    };
    let person = Person::default();
    let request = SignInRequest {
        account,
        scopes: None,
        timeout: Duration::from_secs(30),
        slot,
        flow: slot.next_id(),
        language: Language::English,
        same_user: None,
    };
    signin::run(request, CallbackSource::Loopback, &person, &clock)
        .await
        .map_err(|e| e.to_string())?;
    let visits = std::mem::take(&mut *person.visits.lock().unwrap_or_else(PoisonError::into_inner));
    for visit in visits {
        visit.await.map_err(|e| e.to_string())??;
    }
    let at = |m: &Mutex<Option<Instant>>| *m.lock().unwrap_or_else(PoisonError::into_inner);
    match (at(&clock.callback), at(&clock.shown)) {
        (Some(callback), Some(shown)) => Ok(shown - callback),
        _ => Err("the sign-in reported no callback or no saved session".into()),
    }
}
