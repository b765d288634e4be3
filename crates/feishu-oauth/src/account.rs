//! An account: one configuration (an app on Feishu or Lark, or the sandbox), its session, the
//! HTTP client that talks to its endpoints, and its sandbox's emulator when it has one.
//!
//! The adapters (the window, the CLI) hold an [`Account`] and ask it for what they need; it makes
//! the client once and starts the sandbox only when a request needs the network.

use std::sync::Arc;

use tokio::sync::OnceCell;

use crate::{
    brand::IssuerBrand,
    client::FeishuClient,
    config::{Config, Endpoints},
    error::{Error, Result},
    manager::{NarrowedToken, SessionManager, SignOut, UsableSession},
    redirect::{CallbackRoute, RedirectUri, Route},
    revoke::{Revocation, TokenKind},
    sandbox::{RunningSandbox, SandboxLauncher},
    scope::Scopes,
    session::{Issuer, Session},
    storage::Storage,
    store::{FileStore, SessionStore},
};

/// What a sign-out did here, and what Feishu said about the tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOutReport {
    /// The session removed here (or why none was).
    pub outcome: SignOut,
    /// Whether Feishu confirmed the revocation.
    pub revocation: Revocation,
}

/// One configuration and its session.
pub struct Account {
    config: Config,
    sessions: SessionManager,
    launcher: Arc<dyn SandboxLauncher>,
    /// The sandbox's emulator, started on first use (never when an App ID is configured).
    sandbox: OnceCell<RunningSandbox>,
    /// Made on first use, then shared. Making one sets up TLS (OpenSSL reads and parses the
    /// system's CA bundle, twice), about 40 ms of CPU that every sign-in and refresh would pay
    /// again; clones share one connection pool.
    client: OnceCell<FeishuClient>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("issuer", self.sessions.issuer())
            .finish_non_exhaustive()
    }
}

impl Account {
    /// The account for `config`, its session kept in `store`; `launcher` starts its sandbox.
    pub fn new(
        config: Config,
        store: Arc<dyn SessionStore>,
        launcher: Arc<dyn SandboxLauncher>,
    ) -> Self {
        let issuer = match &config.app {
            Some(app) => Issuer {
                brand: config.brand.into(),
                app_id: app.app_id.clone(),
            },
            None => Issuer {
                brand: IssuerBrand::Sandbox,
                app_id: launcher.credentials().app_id,
            },
        };
        Self {
            sessions: SessionManager::new(store, issuer),
            config,
            launcher,
            sandbox: OnceCell::new(),
            client: OnceCell::new(),
        }
    }

    /// The account for `config` with its session in the shared session file.
    pub fn with_file_store(config: Config, launcher: Arc<dyn SandboxLauncher>) -> Self {
        let store = Arc::new(FileStore::for_config(&config));
        Self::new(config, store, launcher)
    }

    /// The settings as loaded (for the sandbox, without its emulator's address).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Who issues this account's tokens.
    pub fn issuer(&self) -> &Issuer {
        self.sessions.issuer()
    }

    /// Whether this is the sandbox (no App ID configured).
    pub fn is_sandbox(&self) -> bool {
        self.config.is_sandbox()
    }

    /// The settings with the endpoints resolved: for the sandbox, its emulator is started first.
    pub async fn resolved_config(&self) -> Result<Config> {
        let mut config = self.config.clone();
        if config.is_sandbox() {
            let sandbox = self
                .sandbox
                .get_or_try_init(|| self.launcher.launch(&self.config.data_dir))
                .await
                .map_err(|source| Error::Sandbox { source })?;
            config.use_sandbox(sandbox.base_url(), self.launcher.credentials());
        }
        Ok(config)
    }

    /// The endpoints, resolved as [`Self::resolved_config`] does.
    pub async fn endpoints(&self) -> Result<Endpoints> {
        self.resolved_config().await?.endpoints()
    }

    /// A client for the token and user-info endpoints: made once, then shared.
    pub async fn client(&self) -> Result<FeishuClient> {
        self.client
            .get_or_try_init(|| async {
                let config = self.resolved_config().await?;
                let app = config.app.clone().ok_or(Error::SignedOut)?;
                FeishuClient::new(config.endpoints()?, app)
            })
            .await
            .cloned()
    }

    /// The redirect URI for a route: the configured one when it is of that kind, else the
    /// route's default.
    pub fn redirect_for(&self, route: Route) -> RedirectUri {
        let configured = &self.config.redirect_uri;
        match (route, configured.route()) {
            (Route::Loopback, CallbackRoute::Loopback(_))
            | (Route::DeepLink, CallbackRoute::DeepLink) => configured.clone(),
            (Route::Loopback, CallbackRoute::DeepLink) => RedirectUri::default_loopback(),
            (Route::DeepLink, CallbackRoute::Loopback(_)) => RedirectUri::default_deep_link(),
        }
    }

    /// The stored session, if it is this account's (see [`SessionManager::current`]).
    pub fn current(&self) -> Result<Option<Session>> {
        self.sessions.current()
    }

    /// A session whose access token is valid, refreshed first if it needs it.
    pub async fn fresh_session(&self) -> Result<Session> {
        self.sessions.fresh_session(|| self.client()).await
    }

    /// A session whose access token can be used now, with the reason when its refresh ahead of
    /// expiry failed (see [`SessionManager::usable_session`]).
    pub async fn usable_session(&self) -> Result<UsableSession> {
        self.sessions.usable_session(|| self.client()).await
    }

    /// A token narrowed to `scopes` for a script; the session keeps its full one (see
    /// [`SessionManager::narrowed_token`]).
    pub async fn narrowed_token(&self, scopes: &Scopes) -> Result<NarrowedToken> {
        self.sessions.narrowed_token(scopes, || self.client()).await
    }

    /// Refreshes now, whatever the token's status.
    pub async fn refresh_now(&self) -> Result<Session> {
        self.sessions.refresh_now(|| self.client()).await
    }

    /// Where the session is kept (see [`SessionManager::storage`]).
    pub fn storage(&self) -> Result<Storage> {
        self.sessions.storage()
    }

    /// Seals a session stored in clear when a keyring can (see [`SessionManager::seal_plain`]).
    pub fn seal_plain(&self) -> Result<bool> {
        self.sessions.seal_plain()
    }

    /// Saves a new session (after a sign-in); returns once it is on disk.
    pub fn save(&self, session: &Session) -> Result<()> {
        self.sessions.save(session)
    }

    /// Signs this account out: its session is removed here, then its tokens are revoked at
    /// Feishu, best effort (the sign-out here stands whatever Feishu answers). Another app's
    /// session is left as it is.
    pub async fn sign_out(&self) -> Result<SignOutReport> {
        let outcome = self.sessions.sign_out()?;
        let revocation = self.revoke(&outcome).await;
        Ok(SignOutReport {
            outcome,
            revocation,
        })
    }

    /// Signs out whatever app the stored session belongs to (only this app's tokens can be
    /// revoked: revoking takes the app's secret).
    pub async fn sign_out_any(&self) -> Result<SignOutReport> {
        let outcome = self.sessions.sign_out_any()?;
        let revocation = self.revoke(&outcome).await;
        Ok(SignOutReport {
            outcome,
            revocation,
        })
    }

    /// Revokes a removed session's tokens, the refresh token first (it is the one that lasts).
    async fn revoke(&self, outcome: &SignOut) -> Revocation {
        let SignOut::SignedOut(session) = outcome else {
            return Revocation::NothingToRevoke;
        };
        if session.issuer != *self.issuer() {
            return Revocation::NotConfirmed(
                "the session belonged to another app, and only that app can revoke its tokens"
                    .to_owned(),
            );
        }
        let client = match self.client().await {
            Ok(client) => client,
            Err(e) => return Revocation::NotConfirmed(e.to_string()),
        };
        let refresh = session
            .refresh_token
            .as_ref()
            .map(|token| (token.expose(), TokenKind::Refresh));
        let access = Some((session.access_token.expose(), TokenKind::Access));
        for (token, kind) in refresh.into_iter().chain(access) {
            if let Err(e) = client.revoke(token, kind).await {
                tracing::warn!(error = %e, ?kind, "Feishu did not confirm the revocation");
                return Revocation::NotConfirmed(e.to_string());
            }
        }
        tracing::info!("the session's tokens were revoked");
        Revocation::Revoked
    }

    /// Why the last refreshed session is only in memory, if it is.
    pub fn unsaved(&self) -> Option<Error> {
        self.sessions.unsaved()
    }

    /// Tries once more to write a refreshed session kept in memory.
    pub fn flush_unsaved(&self) -> Result<()> {
        self.sessions.flush_unsaved()
    }
}
