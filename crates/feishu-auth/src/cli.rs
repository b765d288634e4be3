//! The command line, as clap sees it.

use clap::{Parser, Subcommand};

/// Sign in to Feishu or Lark and hand scripts a valid user access token.
///
/// Settings come from the system file /etc/xdg/feishu-signin/config.toml (through
/// XDG_CONFIG_DIRS; it may lock keys), then ~/.config/feishu-signin/config.toml (the profile
/// `default`; other profiles in ~/.config/feishu-signin/profiles/NAME.toml), then the FEISHU_*
/// environment variables (the environment wins, except over a locked key). `config show` prints
/// them with their sources. With no App ID configured, a local Feishu emulator (the sandbox) is
/// used.
#[derive(Debug, Parser)]
#[command(name = "feishu-auth", version)]
pub struct Cli {
    /// The profile to use for this command, without changing the active one (see `profiles`).
    #[arg(long, global = true, value_name = "NAME", env = "FEISHU_PROFILE")]
    pub profile: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

/// A way to sign in (`login --method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// The system browser on this machine, back through the loopback redirect.
    Browser,
    /// A code to approve on another device: scan the QR code with the Feishu app on your phone,
    /// or type the code in any browser (the device flow).
    Device,
    /// Open the sign-in URL on any machine, then paste back the address the browser ended on.
    Paste,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in (the browser, a code for your phone, or a pasted redirect) and save the session.
    Login {
        /// How to sign in; by default the browser in a graphical session, else a code for your
        /// phone (the device flow), else pasting the redirect.
        #[arg(long, value_enum, value_name = "METHOD")]
        method: Option<Method>,
        /// Print the sign-in URL instead of opening a browser.
        #[arg(long)]
        no_browser: bool,
        /// Give up after this many seconds without a callback.
        #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=3600))]
        timeout: u64,
        /// A scope to request (repeatable); replaces the configured scopes.
        #[arg(long = "scope", value_name = "SCOPE", value_parser = scope)]
        scopes: Vec<String>,
        /// A scope to ask for in addition to those granted (repeatable): the signed-in user
        /// authorizes again, and the session is replaced only when that user approves.
        #[arg(long = "add-scope", value_name = "SCOPE", value_parser = scope)]
        add_scopes: Vec<String>,
    },
    /// Whether the session holds every scope given: exit 0, or 7 listing the missing ones.
    Check {
        /// A scope the session must hold (repeatable).
        #[arg(long = "scope", value_name = "SCOPE", value_parser = scope, required = true)]
        scopes: Vec<String>,
        /// Print JSON instead of a sentence.
        #[arg(long)]
        json: bool,
    },
    /// Show who is signed in and when the tokens expire.
    Status {
        /// Print JSON instead of a summary.
        #[arg(long)]
        json: bool,
    },
    /// Print a valid user access token, refreshing it first when it needs it.
    Token {
        /// Print a token narrowed to these scopes (repeatable), for a script that should hold no
        /// more than it needs; the session keeps its full token.
        #[arg(long = "scope", value_name = "SCOPE", value_parser = scope)]
        scopes: Vec<String>,
    },
    /// Refresh the user access token now (or, with --if-due, only when it is needed).
    Refresh {
        /// Refresh only when the access token is stale or the refresh token would expire before
        /// the next scheduled run: for a timer that keeps the session alive while the app is
        /// closed.
        #[arg(long)]
        if_due: bool,
        /// With --if-due: seconds until the next scheduled run.
        #[arg(
            long,
            value_name = "SECONDS",
            default_value_t = 86_400,
            requires = "if_due"
        )]
        next_run_in: u64,
    },
    /// Sign out of the configured app: forget its session here, and revoke its tokens at Feishu.
    Logout {
        /// Also remove a session that belongs to another app (or the sandbox).
        #[arg(long)]
        any_app: bool,
    },
    /// List the profiles: each one's app, who is signed in, and which is active.
    Profiles {
        /// Print JSON (one object per profile) instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Add or remove a profile (a named configuration with its own session).
    #[command(subcommand)]
    Profile(ProfileCommand),
    /// Make a profile the active one: the one commands use when none is named.
    Use {
        /// The profile.
        name: String,
    },
    /// The settings in effect and where each comes from.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Keep the profile signed in while the app is closed: a systemd user timer that runs
    /// `refresh --if-due` twice a day.
    #[command(subcommand)]
    Keepalive(KeepaliveCommand),
    /// Check what signing in depends on, and say what to do about each problem.
    ///
    /// The settings files, the accounts and Open API hosts (DNS, TCP, TLS, the proxy, the
    /// server's clock), the redirect port, the deep-link scheme, the keyring, the session file and
    /// its locks. Exits 8 when a check fails; warnings alone exit 0.
    Doctor {
        /// Print the checks as JSON (id, status, finding, advice, details).
        #[arg(long)]
        json: bool,
        /// Also print what each check looked at.
        #[arg(long, short)]
        verbose: bool,
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

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print every setting in effect and where it came from (the system file, the user's file,
    /// the environment or the default); secrets only as "set".
    Show {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeepaliveCommand {
    /// Install and start the timer (in ~/.config/systemd/user); again to update it.
    Enable,
    /// Stop the timer and remove its units.
    Disable,
    /// Whether the timer is on, when it runs next and how its last run ended.
    Status {
        /// Print JSON instead of a summary.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
    /// Add a profile. The App Secret is read from standard input (or asked for, unechoed, at a
    /// terminal), never from an argument. Without --app-id the profile is a sandbox.
    Add {
        /// Its name: letters, digits, `-` and `_`.
        name: String,
        /// `feishu` or `lark`.
        #[arg(long, default_value = "feishu")]
        brand: String,
        /// The app's App ID (cli_…).
        #[arg(long, value_name = "ID")]
        app_id: Option<String>,
        /// The redirect URI registered for the app.
        #[arg(long, value_name = "URI")]
        redirect_uri: Option<String>,
        /// A scope to request (repeatable).
        #[arg(long = "scope", value_name = "SCOPE", value_parser = scope)]
        scopes: Vec<String>,
        /// The accounts host's base URL, when it is not the brand's (a proxy, an emulator).
        #[arg(long, value_name = "URL")]
        accounts_url: Option<String>,
        /// The Open API's base URL, when it is not the brand's.
        #[arg(long, value_name = "URL")]
        open_url: Option<String>,
    },
    /// Remove a profile: signs it out first (revoking its tokens), then forgets its settings.
    Remove {
        /// The profile.
        name: String,
    },
}

/// One scope name, as Feishu spells them (`offline_access`, `contact:user.email:readonly`):
/// letters, digits and `_ . : / -`. Anything else (a space, a quote, an empty value) is a usage
/// error (exit 2), not a value to pass on: `--scope "a b"` would otherwise ask for two scopes, or
/// for one Feishu rejects only after the browser round trip.
fn scope(value: &str) -> Result<String, String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':' | '/' | '-');
    if value.is_empty() {
        return Err("a scope cannot be empty".to_owned());
    }
    match value.chars().find(|&c| !allowed(c)) {
        None => Ok(value.to_owned()),
        Some(c) => Err(format!(
            "{} is not allowed in a scope: a scope is one name of letters, digits and `_ . : / -` (give --scope once for each scope)",
            match c {
                ' ' => "a space".to_owned(),
                c if c.is_whitespace() || c.is_control() => format!("the character {c:?}"),
                c => format!("`{c}`"),
            }
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::scope;

    #[test]
    fn scope_names_as_feishu_spells_them_pass() {
        for name in ["offline_access", "contact:user.email:readonly", "a/b-c"] {
            assert_eq!(scope(name).as_deref(), Ok(name));
        }
    }

    #[test]
    fn spaces_quotes_and_empty_values_are_refused() {
        for bad in ["", "a b", "a\tb", "\"a\"", "a'b", "a,b", "a\u{a0}b", "読む"] {
            assert!(scope(bad).is_err(), "{bad:?}");
        }
        assert!(scope("a b").unwrap_err().contains("a space"));
    }
}
