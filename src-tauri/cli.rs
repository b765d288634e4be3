//! The desktop app's command line, described for its man page (crates/feishu-dist renders it).
//!
//! The app does not parse its arguments with this: `src/deep_link.rs` reads them itself, because
//! a second launch's arguments are forwarded to the running app (tauri-plugin-single-instance),
//! which must never fail on them. What it reads is exactly this: one optional argument, a deep
//! link to this app's scheme; anything else is ignored. So the definition has no flags, not even
//! `--help` or `--version`, which the app does not answer. It depends on clap alone, so the
//! generator compiles it as it is.

use clap::Parser;

/// Sign in to Feishu or Lark from the desktop
///
/// Opens the Feishu Sign-in window: sign in to Feishu (飞书) or Lark with OAuth 2.0 and PKCE in
/// the system browser, see who is signed in, the granted scopes and when the access and refresh
/// tokens expire. The session is kept fresh while the app runs, and is shared with feishu-auth(1).
/// One instance runs per user: starting it again brings the open window to the front.
///
/// With no App ID configured, the app offers a demo against a local Feishu emulator (run through
/// feishu-auth(1), which the package installs beside it).
#[derive(Debug, Parser)]
#[command(
    name = "feishu-signin",
    version,
    disable_help_flag = true,
    disable_version_flag = true
)]
pub struct Cli {
    /// A deep link to this app, dev.feishu-signin.app:/callback?code=…&state=…, as the desktop
    /// passes it when the browser follows the deep-link redirect (%u in the desktop file). It is
    /// handed to the running app, whose waiting sign-in completes with it if its state matches;
    /// any other argument is ignored.
    #[arg(value_name = "URL")]
    pub url: Option<String>,
}
