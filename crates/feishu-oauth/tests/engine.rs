//! The one sign-in flow (`signin::run`) against the emulator over real loopback HTTP, with a
//! browser stand-in as the adapter's browser: its steps in order with the session on disk before
//! it says signed in, a newer sign-in ending an older one on the same port, and deep links that
//! only the waiting sign-in's genuine callback gets through.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

use common::{browse, free_port};
use feishu_emulator::{browse::Decision, Emulator, Endpoint};
use feishu_oauth::{
    signin::{
        self, CallbackSource, DeepLinkDelivery, FlowId, FlowSlot, OpenBrowser, Progress,
        ProgressSink, SignInRequest, Stage,
    },
    Account, AppCredentials, Config, ConfigFile, Error, Language, Launching, SandboxLauncher,
};
use url::Url;

/// An account configured for a real app: its sandbox is never asked for.
struct NoSandbox;

impl SandboxLauncher for NoSandbox {
    fn credentials(&self) -> AppCredentials {
        unreachable!("an account with an App ID has no sandbox")
    }

    fn launch<'a>(&'a self, _: &'a Path) -> Launching<'a> {
        unreachable!("an account with an App ID has no sandbox")
    }
}

/// An emulator expecting `redirect_uri`, and an account for it in a fresh data folder.
async fn start(redirect_uri: &str) -> (Emulator, tempfile::TempDir, Account) {
    let emulator = Emulator::builder()
        .redirect_uri(redirect_uri)
        .start()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let account = account(&emulator, redirect_uri, dir.path());
    (emulator, dir, account)
}

/// A request of sign-in `flow` in `slot`, with the configured scopes.
fn request<'a>(account: &'a Account, slot: &'a FlowSlot, flow: FlowId) -> SignInRequest<'a> {
    SignInRequest {
        account,
        scopes: None,
        timeout: Duration::from_secs(20),
        slot,
        flow,
        language: Language::English,
        same_user: None,
    }
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
    let data_dir = data_dir.to_path_buf();
    let config = Config::from_sources(&file, |var| {
        (var == "FEISHU_SIGNIN_DATA_DIR").then(|| data_dir.display().to_string())
    })
    .unwrap();
    Account::with_file_store(config, Arc::new(NoSandbox))
}

/// The browser: approves in the emulator's consent page (or, with `hold`, does nothing).
struct Person {
    hold: bool,
    urls: Mutex<Vec<Url>>,
}

impl Person {
    fn new(hold: bool) -> Self {
        Self {
            hold,
            urls: Mutex::default(),
        }
    }
}

impl OpenBrowser for Person {
    fn open(&self, url: &Url) -> Result<(), Error> {
        self.urls.lock().unwrap().push(url.clone());
        if !self.hold {
            tokio::spawn(browse(url.clone(), Decision::Approve));
        }
        Ok(())
    }
}

/// Records each step, and whether the session file held a session when it was reported.
struct Steps {
    session_file: PathBuf,
    seen: Mutex<Vec<(u64, String, bool)>>,
}

impl ProgressSink for Steps {
    fn report(&self, progress: &Progress<'_>) {
        let name = match progress.stage {
            Stage::Started { .. } => "started",
            Stage::BrowserOpened => "browserOpened",
            Stage::BrowserNotOpened(_) => "browserNotOpened",
            Stage::Waiting => "waiting",
            Stage::CallbackReceived => "callbackReceived",
            Stage::Exchanging => "exchanging",
            Stage::SignedIn(_) => "signedIn",
            Stage::Failed(_) => "failed",
            Stage::Cancelled => "cancelled",
            _ => "other",
        };
        let on_disk = std::fs::read_to_string(&self.session_file)
            .is_ok_and(|text| text.contains("access_token"));
        self.seen
            .lock()
            .unwrap()
            .push((progress.flow.0, name.to_owned(), on_disk));
    }
}

impl Steps {
    fn new(account: &Account) -> Self {
        Self {
            session_file: account.config().session_path(),
            seen: Mutex::default(),
        }
    }

    /// Returns once sign-in `flow` has reported `stage`.
    async fn reached(&self, flow: u64, stage: &str) {
        while !self.names(flow).iter().any(|name| name == stage) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn names(&self, flow: u64) -> Vec<String> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .filter(|(f, ..)| *f == flow)
            .map(|(_, name, _)| name.clone())
            .collect()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_steps_in_order_and_the_session_on_disk_before_signed_in() {
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    let (_emulator, _dir, account) = start(&redirect).await;
    let (slot, person, steps) = (
        FlowSlot::default(),
        Person::new(false),
        Steps::new(&account),
    );
    let flow = slot.next_id();
    let request = request(&account, &slot, flow);
    let session = signin::run(request, CallbackSource::Loopback, &person, &steps)
        .await
        .unwrap();
    assert_eq!(session.profile.name, "张三");
    assert_eq!(
        steps.names(flow.0),
        [
            "started",
            "browserOpened",
            "waiting",
            "callbackReceived",
            "exchanging",
            "signedIn"
        ]
    );
    let seen = steps.seen.lock().unwrap().clone();
    assert!(seen.last().unwrap().2, "on disk when signed in was said");
    assert!(!seen[0].2, "not on disk before");
    assert_eq!(account.current().unwrap().unwrap(), session);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_newer_sign_in_ends_the_older_one_and_takes_its_port() {
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    let (_emulator, _dir, account) = start(&redirect).await;
    let slot = FlowSlot::default();
    let (idle, person, steps) = (Person::new(true), Person::new(false), Steps::new(&account));
    let (first, second) = (slot.next_id(), slot.next_id());
    let older = signin::run(
        request(&account, &slot, first),
        CallbackSource::Loopback,
        &idle,
        &steps,
    );
    let newer = async {
        // Once the older one is waiting on the port.
        steps.reached(first.0, "waiting").await;
        signin::run(
            request(&account, &slot, second),
            CallbackSource::Loopback,
            &person,
            &steps,
        )
        .await
    };
    let (older, newer) = tokio::join!(older, newer);
    assert!(matches!(older, Err(Error::Cancelled)), "{older:?}");
    assert_eq!(newer.unwrap().profile.name, "张三");
    assert_eq!(steps.names(first.0).last().unwrap(), "cancelled");
    assert_eq!(steps.names(second.0).last().unwrap(), "signedIn");
    assert!(second.0 > first.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_the_waiting_sign_ins_genuine_deep_link_gets_through() {
    let deep_link = "dev.feishu-signin.app:/callback";
    let (emulator, _dir, account) = start(deep_link).await;
    let slot = FlowSlot::default();
    let (person, steps) = (Person::new(true), Steps::new(&account));
    assert_eq!(
        slot.deliver_deep_link("dev.feishu-signin.app:/callback?code=x&state=y"),
        DeepLinkDelivery::Ignored,
        "no sign-in is waiting"
    );
    let flow = slot.next_id();
    let request = request(&account, &slot, flow);
    let signing_in = signin::run(request, CallbackSource::DeepLink, &person, &steps);
    let links = async {
        steps.reached(flow.0, "waiting").await;
        let url = person.urls.lock().unwrap()[0].clone();
        let callback = feishu_emulator::browse::Browser::new()
            .unwrap()
            .consent(&url, Decision::Approve)
            .await
            .unwrap();
        let forged = callback.as_str().replace("state=", "state=x");
        assert_eq!(slot.deliver_deep_link(&forged), DeepLinkDelivery::Ignored);
        assert_eq!(
            slot.deliver_deep_link("https://evil.example/callback?code=c&state=s"),
            DeepLinkDelivery::Ignored
        );
        assert_eq!(emulator.calls(Endpoint::Token), 0, "nothing exchanged");
        assert_eq!(
            slot.deliver_deep_link(callback.as_str()),
            DeepLinkDelivery::Delivered
        );
        assert_eq!(
            slot.deliver_deep_link(callback.as_str()),
            DeepLinkDelivery::Ignored,
            "a replay"
        );
    };
    let (session, ()) = tokio::join!(signing_in, links);
    assert_eq!(session.unwrap().profile.name, "张三");
    assert_eq!(emulator.calls(Endpoint::Token), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancel_ends_the_sign_in_and_frees_the_port() {
    let port = free_port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let (_emulator, _dir, account) = start(&redirect).await;
    let slot = FlowSlot::default();
    let (idle, steps) = (Person::new(true), Steps::new(&account));
    let flow = slot.next_id();
    let request = request(&account, &slot, flow);
    let signing_in = signin::run(request, CallbackSource::Loopback, &idle, &steps);
    let cancel = async {
        steps.reached(flow.0, "waiting").await;
        slot.cancel();
    };
    let (outcome, ()) = tokio::join!(signing_in, cancel);
    assert!(matches!(outcome, Err(Error::Cancelled)), "{outcome:?}");
    std::net::TcpListener::bind(("127.0.0.1", port)).expect("the port is free again");
    assert!(account.current().unwrap().is_none());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_older_sign_in_that_comes_late_ends_itself_not_the_newer_one() {
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    let (_emulator, _dir, account) = start(&redirect).await;
    let slot = FlowSlot::default();
    let (idle, steps) = (Person::new(true), Steps::new(&account));
    let (older, newer) = (slot.next_id(), slot.next_id());
    let newest = signin::run(
        request(&account, &slot, newer),
        CallbackSource::Loopback,
        &idle,
        &steps,
    );
    let late = async {
        steps.reached(newer.0, "waiting").await;
        let late = signin::run(
            request(&account, &slot, older),
            CallbackSource::Loopback,
            &idle,
            &steps,
        )
        .await;
        // The newer one was still waiting; now it ends too.
        assert_eq!(steps.names(newer.0).last().unwrap(), "waiting");
        slot.cancel();
        late
    };
    let (newest, late) = tokio::join!(newest, late);
    assert!(matches!(late, Err(Error::Cancelled)), "{late:?}");
    assert_eq!(steps.names(older.0), ["cancelled"], "it never started");
    assert!(matches!(newest, Err(Error::Cancelled)), "{newest:?}");
}
