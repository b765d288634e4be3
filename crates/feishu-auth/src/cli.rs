//! The command line, as clap sees it.

use clap::{Parser, Subcommand};

/// Sign in to Feishu or Lark and hand scripts a valid user access token.
///
/// Settings come from ~/.config/feishu-signin/config.toml and the FEISHU_* environment variables
/// (the environment wins). With no App ID configured, a local Feishu emulator (the sandbox) is used.
#[derive(Debug, Parser)]
#[command(name = "feishu-auth", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in through the browser (OAuth 2.0 + PKCE) and save the session.
    Login {
        /// Print the sign-in URL instead of opening a browser.
        #[arg(long)]
        no_browser: bool,
        /// Give up after this many seconds without a callback.
        #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3600))]
        timeout: u64,
        /// A scope to request (repeatable); replaces the configured scopes.
        #[arg(long = "scope", value_name = "SCOPE")]
        scopes: Vec<String>,
    },
    /// Show who is signed in and when the tokens expire.
    Status {
        /// Print JSON instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// Print a valid user access token, refreshing it first when it needs it.
    Token,
    /// Refresh the user access token now.
    Refresh,
    /// Sign out of the configured app (forget its session on this machine).
    Logout {
        /// Also remove a session that belongs to another app (or the sandbox).
        #[arg(long)]
        any_app: bool,
    },
    /// Run the sandbox's Feishu emulator in the foreground.
    Emulator {
        /// The port to listen on (0: any free port).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// How the desktop app runs its sandbox: share grants with the other sandbox processes
        /// through this data directory, print only the base URL, and stop when standard input
        /// closes (the app holds its other end, so this happens however the app exits).
        #[arg(long, hide = true, value_name = "DATA_DIR")]
        for_app: Option<std::path::PathBuf>,
    },
}
