//! What every command needs: the settings, the session manager, and a client for the configured
//! app, or for the sandbox emulator, which is started only when a command needs the network.

use std::sync::Arc;

use feishu_emulator::{sandbox, Emulator};
use feishu_oauth::{
    AppCredentials, AppSecret, Config, FeishuClient, FileStore, Issuer, Result, SessionManager,
};
use tokio::sync::OnceCell;

/// The loaded settings and the session, for one command.
pub struct Context {
    pub config: Config,
    pub sessions: SessionManager,
    sandbox: OnceCell<Emulator>,
}

impl Context {
    /// Loads the settings (config file, then environment) and opens the session store.
    pub fn load() -> Result<Self> {
        let config = Config::load()?;
        let issuer = issuer_of(&config);
        let store = Arc::new(FileStore::new(config.session_path()));
        Ok(Self {
            config,
            sessions: SessionManager::new(store, issuer),
            sandbox: OnceCell::new(),
        })
    }

    /// Whether the sandbox is in use.
    pub fn is_sandbox(&self) -> bool {
        self.config.is_sandbox()
    }

    /// `feishu`, `lark` or `sandbox`.
    pub fn brand_name(&self) -> &str {
        &self.sessions.issuer().brand
    }

    /// The settings with the endpoints resolved: for the sandbox, its emulator is started first.
    pub async fn resolved_config(&self) -> Result<Config> {
        let mut config = self.config.clone();
        if config.is_sandbox() {
            let emulator = self
                .sandbox
                .get_or_try_init(|| sandbox::start(&config.data_dir))
                .await
                .map_err(|source| feishu_oauth::Error::Sandbox { source })?;
            config.use_sandbox(
                &emulator.base_url(),
                AppCredentials {
                    app_id: sandbox::APP_ID.to_owned(),
                    app_secret: AppSecret::new(sandbox::APP_SECRET),
                },
            );
        }
        Ok(config)
    }

    /// A client for the token and user-info endpoints.
    pub async fn client(&self) -> Result<FeishuClient> {
        let config = self.resolved_config().await?;
        let app = config.app.clone().ok_or(feishu_oauth::Error::SignedOut)?;
        FeishuClient::new(config.endpoints()?, app)
    }
}

/// Who issues the tokens for these settings.
pub fn issuer_of(config: &Config) -> Issuer {
    match &config.app {
        Some(app) => Issuer {
            brand: config.brand.as_str().to_owned(),
            app_id: app.app_id.clone(),
        },
        None => Issuer {
            brand: sandbox::BRAND.to_owned(),
            app_id: sandbox::APP_ID.to_owned(),
        },
    }
}
