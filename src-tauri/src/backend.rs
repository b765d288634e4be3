//! The configured app (or the sandbox) and its session manager. Rebuilt when the settings change.

use std::sync::Arc;

use feishu_emulator::sandbox;
use feishu_oauth::{
    AppCredentials, AppSecret, CallbackRoute, Config, Error, FeishuClient, Issuer, RedirectUri,
    Result, SessionManager, SessionStore,
};
use tokio::sync::OnceCell;

use crate::models::Route;

/// One configuration's view of the world.
pub struct Backend {
    pub config: Config,
    pub sessions: SessionManager,
    /// The sandbox emulator, started on first use (never when an App ID is configured).
    sandbox: OnceCell<crate::sandbox::Sandbox>,
    /// The client, made on first use.
    client: OnceCell<FeishuClient>,
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field("sandbox", &self.config.is_sandbox())
            .finish_non_exhaustive()
    }
}

impl Backend {
    /// A backend for `config` over `store`.
    pub fn new(config: Config, store: Arc<dyn SessionStore>) -> Self {
        let issuer = match &config.app {
            Some(app) => Issuer {
                brand: config.brand.as_str().to_owned(),
                app_id: app.app_id.clone(),
            },
            None => Issuer {
                brand: sandbox::BRAND.to_owned(),
                app_id: sandbox::APP_ID.to_owned(),
            },
        };
        Self {
            sessions: SessionManager::new(store, issuer),
            config,
            sandbox: OnceCell::new(),
            client: OnceCell::new(),
        }
    }

    /// `feishu`, `lark` or `sandbox`.
    pub fn brand(&self) -> &str {
        &self.sessions.issuer().brand
    }

    /// The settings with endpoints resolved; for the sandbox its emulator is started here.
    pub async fn resolved_config(&self) -> Result<Config> {
        let mut config = self.config.clone();
        if config.is_sandbox() {
            let emulator = self
                .sandbox
                .get_or_try_init(|| crate::sandbox::start(&config.data_dir))
                .await
                .map_err(|source| Error::Sandbox { source })?;
            config.use_sandbox(
                emulator.base_url(),
                AppCredentials {
                    app_id: sandbox::APP_ID.to_owned(),
                    app_secret: AppSecret::new(sandbox::APP_SECRET),
                },
            );
        }
        Ok(config)
    }

    /// A client for the token and user-info endpoints: made on first use, then shared. Making
    /// one sets up TLS (OpenSSL reads and parses the system's CA bundle, twice), about 40 ms of
    /// CPU that every sign-in and every refresh used to pay again; clones share one connection
    /// pool. The backend is rebuilt when the settings change, and its client with it.
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

    /// The redirect URI for a route: the configured one when it is of that kind, else the default.
    pub fn redirect_for(&self, route: Route) -> RedirectUri {
        let configured = &self.config.redirect_uri;
        match (route, configured.route()) {
            (Route::Loopback, CallbackRoute::Loopback(_))
            | (Route::DeepLink, CallbackRoute::DeepLink) => configured.clone(),
            (Route::Loopback, CallbackRoute::DeepLink) => RedirectUri::default_loopback(),
            (Route::DeepLink, CallbackRoute::Loopback(_)) => RedirectUri::default_deep_link(),
        }
    }
}
