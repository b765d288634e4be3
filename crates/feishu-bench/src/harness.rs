//! An emulator on loopback for the in-process rows and for `feishu-auth` processes, with a client
//! for it made the way the app makes its own, and a whole sign-in through the browser stand-in.

use std::{sync::Arc, time::Duration};

use feishu_emulator::{
    browse::{Browser, Decision},
    Emulator,
};
use feishu_oauth::{
    begin, AppCredentials, AppSecret, AuthorizeRequest, Endpoints, FeishuClient, FileStore, Issuer,
    LoopbackListener, RedirectUri, Scopes, Session, SessionManager,
};

/// The scopes every sign-in here asks for: a refresh token and the e-mail, as the README's example.
pub const SCOPES: &str = "offline_access contact:user.email:readonly";
/// The brand the sessions carry; `feishu-auth` with `FEISHU_APP_ID` set expects the same.
pub const BRAND: feishu_oauth::IssuerBrand = feishu_oauth::IssuerBrand::Feishu;

/// A free port on 127.0.0.1 for a loopback redirect.
pub fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The emulator and the redirect URI registered with it.
#[derive(Debug)]
pub struct Harness {
    pub emulator: Emulator,
    pub redirect_uri: RedirectUri,
}

impl Harness {
    /// An emulator with Feishu's usual token lifetimes and one registered loopback redirect.
    pub async fn start() -> Result<Self, String> {
        let redirect_uri = RedirectUri::loopback(free_port().map_err(|e| e.to_string())?);
        let emulator = Emulator::builder()
            .redirect_uri(redirect_uri.as_str())
            .start()
            .await
            .map_err(|e| format!("emulator: {e}"))?;
        Ok(Self {
            emulator,
            redirect_uri,
        })
    }

    pub fn endpoints(&self) -> Endpoints {
        let base = self.emulator.base_url();
        Endpoints::new(&base, &base).unwrap_or_else(|e| panic!("emulator endpoints: {e}"))
    }

    /// A client as the app makes one: the default timeouts and retry policy.
    pub fn client(&self) -> feishu_oauth::Result<FeishuClient> {
        FeishuClient::new(
            self.endpoints(),
            AppCredentials {
                app_id: self.emulator.app_id().to_owned(),
                app_secret: AppSecret::new(self.emulator.app_secret()),
            },
        )
    }

    pub fn request(&self) -> AuthorizeRequest {
        AuthorizeRequest {
            authorize_url: self.endpoints().authorize,
            app_id: self.emulator.app_id().to_owned(),
            redirect_uri: self.redirect_uri.clone(),
            scopes: Scopes::parse(SCOPES).unwrap_or_else(|e| panic!("scopes: {e}")),
            brand: BRAND,
        }
    }

    pub fn issuer(&self) -> Issuer {
        Issuer {
            brand: BRAND,
            app_id: self.emulator.app_id().to_owned(),
        }
    }

    /// A session manager over the session file at `path`, for this emulator's app.
    pub fn sessions(&self, path: &std::path::Path) -> SessionManager {
        SessionManager::new(Arc::new(FileStore::new(path)), self.issuer())
    }

    /// A whole sign-in (consent approved in the browser stand-in), untimed: a session to start from.
    pub async fn sign_in(&self) -> Result<Session, String> {
        let client = self.client().map_err(|e| e.to_string())?;
        let (url, pending) = begin(self.request());
        let listener = LoopbackListener::bind(&self.redirect_uri)
            .await
            .map_err(|e| e.to_string())?;
        let person = tokio::spawn(approve(url));
        let arrival = listener
            .wait(pending.state_matcher(), Duration::from_secs(30))
            .await
            .map_err(|e| e.to_string())?;
        let session = pending
            .complete(arrival.callback, &client)
            .await
            .map_err(|e| e.to_string())?;
        arrival.responder.succeeded(&session.profile.name).await;
        person.await.map_err(|e| e.to_string())??;
        Ok(session)
    }
}

/// What the person does: approve on the consent page and let the browser follow the redirect.
pub async fn approve(authorize_url: url::Url) -> Result<(), String> {
    let browser = Browser::new().map_err(|e| e.to_string())?;
    let callback = browser
        .consent(&authorize_url, Decision::Approve)
        .await
        .map_err(|e| e.to_string())?;
    browser
        .deliver(&callback)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// `session` with its access token inside the refresh margin (a minute left of the same
/// lifetime), so the next request for a token refreshes it; the refresh token is untouched.
pub fn stale(session: &Session) -> Session {
    let lifetime = session.access_token_expires_at - session.access_token_issued_at;
    let expires = time::OffsetDateTime::now_utc() + time::Duration::minutes(1);
    Session {
        access_token_issued_at: expires - lifetime,
        access_token_expires_at: expires,
        ..session.clone()
    }
}
