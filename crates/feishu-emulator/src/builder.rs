//! Configuring and starting an [`Emulator`], including [`Emulator::builder`]: it is defined here,
//! so that this module depends on the emulator and the emulator does not depend on its builder.

use std::io;
use std::path::PathBuf;
use std::time::Duration;

use crate::config::{App, Config, DeviceFlow};
use crate::emulator::Emulator;
use crate::profile::Profile;
use crate::sandbox_app;
use crate::state::Store;
use crate::state_file::StateFile;

/// Builds an [`Emulator`]. Start from [`Emulator::builder`].
///
/// Defaults: the sandbox app (`sandbox::APP_ID`, `sandbox::APP_SECRET`), `127.0.0.1` on a free
/// port, access tokens for 7200 s and refresh tokens for 604800 s (Feishu's usual values), no
/// registered redirect URI, no state file, the sample user 张三, and the device flow on (codes for
/// 240 s, polled every 5 s).
#[derive(Clone, Debug)]
#[must_use]
pub struct EmulatorBuilder {
    app: App,
    additional_apps: Vec<App>,
    redirect_uris: Vec<String>,
    allow_any_loopback_redirect: bool,
    access_token_ttl: Duration,
    refresh_token_ttl: Duration,
    port: u16,
    state_file: Option<PathBuf>,
    profile: Profile,
    device: DeviceFlow,
}

impl Emulator {
    /// A builder with the sandbox defaults.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            app: App {
                id: sandbox_app::APP_ID.to_owned(),
                secret: sandbox_app::APP_SECRET.to_owned(),
            },
            additional_apps: Vec::new(),
            redirect_uris: Vec::new(),
            allow_any_loopback_redirect: false,
            access_token_ttl: Duration::from_secs(7200),
            refresh_token_ttl: Duration::from_secs(604_800),
            port: 0,
            state_file: None,
            profile: Profile::default(),
            device: DeviceFlow::default(),
        }
    }
}

impl EmulatorBuilder {
    /// The App ID (`client_id`) of the app the emulator knows.
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app.id = app_id.into();
        self
    }

    /// The App Secret (`client_secret`) of that app.
    pub fn app_secret(mut self, app_secret: impl Into<String>) -> Self {
        self.app.secret = app_secret.into();
        self
    }

    /// Registers one more app, so that mixing two apps' codes or tokens can be tested (20024).
    /// It shares the registered redirect URIs.
    pub fn additional_app(
        mut self,
        app_id: impl Into<String>,
        app_secret: impl Into<String>,
    ) -> Self {
        self.additional_apps.push(App {
            id: app_id.into(),
            secret: app_secret.into(),
        });
        self
    }

    /// Registers a redirect URI (repeatable). The authorize page accepts it byte for byte.
    pub fn redirect_uri(mut self, redirect_uri: impl Into<String>) -> Self {
        self.redirect_uris.push(redirect_uri.into());
        self
    }

    /// Also accepts `http://127.0.0.1:<port>/<path>` and `http://localhost:<port>/<path>` on any
    /// port at the authorize step: a sandbox convenience that real Feishu does not offer. The token
    /// step still requires the exact `redirect_uri` used at authorize.
    pub fn allow_any_loopback_redirect(mut self, allow: bool) -> Self {
        self.allow_any_loopback_redirect = allow;
        self
    }

    /// How long access tokens live (`expires_in`), in whole seconds.
    pub fn access_token_ttl(mut self, ttl: Duration) -> Self {
        self.access_token_ttl = ttl;
        self
    }

    /// How long refresh tokens live (`refresh_token_expires_in`), in whole seconds.
    pub fn refresh_token_ttl(mut self, ttl: Duration) -> Self {
        self.refresh_token_ttl = ttl;
        self
    }

    /// The port on `127.0.0.1`; 0 picks a free one.
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Keeps grants, codes and tokens in this JSON file, shared with other emulators using the same
    /// file (in this or other processes): each request re-reads it under a lock file, so a token one
    /// emulator issued is accepted by the others. The file holds fingerprints, not token values,
    /// and is created with mode 0600 (missing folders with 0700). A file that does not parse is
    /// kept aside as `<stem>.corrupt-<seconds>-<nanoseconds>.json` (the newest three are kept) and
    /// the emulator starts from an empty state.
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// The user who signs in.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.profile = profile;
        self
    }

    /// Shorthand for changing only the user's display name (`name`).
    pub fn user_name(mut self, name: impl Into<String>) -> Self {
        self.profile.name = name.into();
        self
    }

    /// Whether the app may use the device authorization grant (RFC 8628). Off, the device
    /// authorization endpoint answers HTTP 400 `unauthorized_client`, as for an app whose device
    /// flow is disabled: clients must fall back to the authorization code flow.
    pub fn device_flow(mut self, enabled: bool) -> Self {
        self.device.enabled = enabled;
        self
    }

    /// How long a device code waits for the person's decision (`expires_in`, whole seconds).
    pub fn device_code_ttl(mut self, ttl: Duration) -> Self {
        self.device.code_ttl = ttl;
        self
    }

    /// The polling interval a device code starts with (`interval`, whole seconds); each
    /// `slow_down` adds 5 s to it.
    pub fn device_poll_interval(mut self, interval: Duration) -> Self {
        self.device.poll_interval = interval;
        self
    }

    /// Binds `127.0.0.1:<port>` and serves on a Tokio task until the [`Emulator`] is dropped.
    pub async fn start(self) -> io::Result<Emulator> {
        let config = Config {
            app: self.app,
            additional_apps: self.additional_apps,
            redirect_uris: self.redirect_uris,
            allow_any_loopback_redirect: self.allow_any_loopback_redirect,
            access_token_ttl: self.access_token_ttl,
            refresh_token_ttl: self.refresh_token_ttl,
            profile: self.profile,
            device: self.device,
        };
        let store = Store::new(self.state_file.map(StateFile::new));
        Emulator::start(config, store, self.port).await
    }
}
