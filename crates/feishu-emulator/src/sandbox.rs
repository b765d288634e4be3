//! The sandbox: the emulator as the app and the CLI run it when no App ID is configured, so anyone
//! can see the whole sign-in on any machine with no Feishu account.
//!
//! Each process starts its own emulator on a free loopback port; they share what they issued
//! through a state file in the data directory, so a token issued by the app's emulator can be
//! refreshed by the CLI's and the other way round.
//!
//! The sandbox app's credentials are defined in `sandbox_app` (the builder's defaults) and
//! re-exported here.

use std::time::Duration;
use std::{io, path::Path};

use crate::builder::EmulatorBuilder;
use crate::emulator::Emulator;

pub use crate::sandbox_app::{APP_ID, APP_SECRET};

/// The brand name sessions of the sandbox carry.
pub const BRAND: &str = "sandbox";
/// The deep-link redirect the desktop app declares (RFC 8252 §7.1).
pub const DEEP_LINK_REDIRECT_URI: &str = "dev.feishu-signin.app:/callback";
/// The state file's name in the data directory.
pub const STATE_FILE_NAME: &str = "sandbox-emulator.json";

/// How often the sandbox's device codes may be polled: shorter than Feishu's 5 s, so that a
/// device sign-in in the sandbox ends soon after the approval.
pub const DEVICE_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// The sandbox's emulator settings: the sandbox app, any loopback redirect, the deep link, and the
/// device flow on with a 2-second poll interval.
pub fn builder() -> EmulatorBuilder {
    Emulator::builder()
        .app_id(APP_ID)
        .app_secret(APP_SECRET)
        .allow_any_loopback_redirect(true)
        .redirect_uri(DEEP_LINK_REDIRECT_URI)
        .device_flow(true)
        .device_poll_interval(DEVICE_POLL_INTERVAL)
}

/// Starts the sandbox emulator, sharing its grants through `data_dir`.
pub async fn start(data_dir: &Path) -> io::Result<Emulator> {
    builder()
        .state_file(data_dir.join(STATE_FILE_NAME))
        .start()
        .await
}
