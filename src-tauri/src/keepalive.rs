//! "Keep me signed in while the app is closed", for the current profile: the core's systemd user
//! timer ([`feishu_oauth::Keepalive`]), which runs the installed `feishu-auth`.

use feishu_oauth::Keepalive;
use serde::Serialize;

use crate::error::{ErrorKind, ShellError};

/// What the window shows of the keepalive.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeepaliveView {
    /// Whether the timer's units are in place.
    pub enabled: bool,
    /// Why the timer was enabled but not started now (no reachable user systemd): it starts at
    /// the next login.
    pub not_started: Option<String>,
}

/// Whether `profile`'s keepalive is on (a few file checks, no systemd).
pub fn is_enabled(profile: &str) -> bool {
    Keepalive::for_profile(profile).is_ok_and(|k| k.is_enabled())
}

/// Turns `profile`'s keepalive on or off. Blocking (systemctl): run it off the main thread.
pub fn set(profile: &str, enabled: bool) -> Result<KeepaliveView, ShellError> {
    let keepalive = Keepalive::for_profile(profile).map_err(|e| error(&e))?;
    if !enabled {
        keepalive.disable().map_err(|e| error(&e))?;
        return Ok(KeepaliveView {
            enabled: false,
            not_started: None,
        });
    }
    let program = Keepalive::program().map_err(|e| error(&e))?;
    let done = keepalive.enable(&program).map_err(|e| error(&e))?;
    Ok(KeepaliveView {
        enabled: true,
        not_started: done.not_started,
    })
}

fn error(e: &feishu_oauth::KeepaliveError) -> ShellError {
    ShellError::new(ErrorKind::Keepalive, e.to_string())
}
