//! Shared set-up for the protocol tests: an emulator, a client for it, and a browser stand-in.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]
#![allow(dead_code)]

use std::time::Duration;

use feishu_emulator::{
    browse::{Browser, Decision},
    Emulator, EmulatorBuilder,
};
use feishu_oauth::{
    begin, AppCredentials, AppSecret, Arrival, AuthorizeRequest, Endpoints, FeishuClient,
    LoopbackListener, PendingSignIn, RedirectUri, RetryPolicy, Scopes,
};
use url::Url;

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[allow(missing_debug_implementations)]
pub struct Setup {
    pub emulator: Emulator,
    pub redirect_uri: RedirectUri,
    pub client: FeishuClient,
}

pub async fn setup(customize: impl FnOnce(EmulatorBuilder) -> EmulatorBuilder) -> Setup {
    let redirect_uri = RedirectUri::loopback(free_port());
    let emulator = customize(Emulator::builder().redirect_uri(redirect_uri.as_str()))
        .start()
        .await
        .unwrap();
    let base = emulator.base_url();
    let client = FeishuClient::new(
        Endpoints::new(&base, &base).unwrap(),
        AppCredentials {
            app_id: emulator.app_id().to_owned(),
            app_secret: AppSecret::new(emulator.app_secret()),
        },
    )
    .unwrap()
    .with_retry(RetryPolicy {
        attempts: 3,
        first_backoff: Duration::from_millis(10),
    });
    Setup {
        emulator,
        redirect_uri,
        client,
    }
}

impl Setup {
    pub fn request(&self, scopes: &str) -> AuthorizeRequest {
        AuthorizeRequest {
            authorize_url: self.client.endpoints().authorize.clone(),
            app_id: self.emulator.app_id().to_owned(),
            redirect_uri: self.redirect_uri.clone(),
            scopes: Scopes::parse(scopes).unwrap(),
            brand: feishu_oauth::IssuerBrand::Feishu,
        }
    }
}

/// Begins a sign-in, listens, lets the "browser" decide, and returns the pending sign-in with the
/// callback that arrived.
pub async fn arrive(s: &Setup, scopes: &str, decision: Decision) -> (PendingSignIn, Arrival) {
    let (url, pending) = begin(s.request(scopes));
    let listener = LoopbackListener::bind(&s.redirect_uri).await.unwrap();
    tokio::spawn(browse(url, decision));
    let arrival = listener
        .wait(pending.state_matcher(), Duration::from_secs(10))
        .await
        .unwrap();
    (pending, arrival)
}

/// What a person does in the browser: read the consent page, decide, and follow the redirect back.
pub async fn browse(url: Url, decision: Decision) -> Url {
    let browser = Browser::new().unwrap();
    let callback = browser.consent(&url, decision).await.unwrap();
    browser.deliver(&callback).await.unwrap();
    callback
}
