//! `feishu-emulator`: run the emulator (`serve`), or act as the person at the browser (`browse`;
//! `browse-device` for the device flow's verification page).

use std::io::{self, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use feishu_emulator::browse::{self, Browser, Decision};
use feishu_emulator::Emulator;
use tracing_subscriber::EnvFilter;
use url::Url;

/// The environment variable naming the command that receives custom-scheme redirects.
const DEEP_LINK_HANDLER_ENV: &str = "FEISHU_EMULATOR_DEEP_LINK_HANDLER";

/// A local emulator of Feishu's OAuth 2.0 sign-in endpoints.
#[derive(Debug, Parser)]
#[command(name = "feishu-emulator", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the emulator in the foreground until Ctrl-C.
    Serve(ServeArgs),
    /// Act as a person at a browser: open an authorize URL, approve (or deny), follow the redirect.
    Browse(BrowseArgs),
    /// Act as a person approving a device (RFC 8628): open verification_uri_complete, approve (or
    /// deny).
    BrowseDevice(BrowseDeviceArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// App ID (client_id); default: the sandbox app.
    #[arg(long)]
    app_id: Option<String>,
    /// App Secret (client_secret); default: the sandbox secret.
    #[arg(long)]
    app_secret: Option<String>,
    /// Register a redirect URI (repeatable); matched exactly.
    #[arg(long = "redirect-uri", value_name = "URI")]
    redirect_uris: Vec<String>,
    /// Also accept http://127.0.0.1:<any port>/… and http://localhost:<any port>/… redirects.
    #[arg(long)]
    allow_any_loopback_redirect: bool,
    /// Access token lifetime in seconds.
    #[arg(long, value_name = "SECS")]
    access_ttl: Option<u64>,
    /// Refresh token lifetime in seconds.
    #[arg(long, value_name = "SECS")]
    refresh_ttl: Option<u64>,
    /// Share grants and tokens with other emulators through this JSON file.
    #[arg(long, value_name = "PATH")]
    state_file: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct BrowseArgs {
    /// Press "deny" instead of "approve".
    #[arg(long)]
    deny: bool,
    /// Wait this long before opening the URL, like a person reading the page.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    delay_ms: u64,
    /// The authorize URL, as the app would open it in a browser.
    url: Url,
}

#[derive(Debug, Args)]
struct BrowseDeviceArgs {
    /// Press "deny" instead of "approve".
    #[arg(long)]
    deny: bool,
    /// Wait this long before opening the URL, like a person reaching for their phone.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    delay_ms: u64,
    /// The verification_uri_complete the device shows (it carries the user code).
    url: Url,
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(io::stderr)
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let outcome = match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Browse(args) => browse(args).await,
        Command::BrowseDevice(args) => browse_device(args).await,
    };
    match outcome {
        Ok(code) => code,
        Err(message) => {
            let _ = writeln!(io::stderr(), "feishu-emulator: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: ServeArgs) -> Result<ExitCode, String> {
    let mut builder = Emulator::builder()
        .port(args.port)
        .allow_any_loopback_redirect(args.allow_any_loopback_redirect);
    if let Some(app_id) = args.app_id {
        builder = builder.app_id(app_id);
    }
    if let Some(app_secret) = args.app_secret {
        builder = builder.app_secret(app_secret);
    }
    if args.redirect_uris.is_empty() && !args.allow_any_loopback_redirect {
        tracing::warn!(
            "no redirect URI is registered: every authorize request will show error 20029 \
             (pass --redirect-uri or --allow-any-loopback-redirect)"
        );
    }
    for redirect_uri in args.redirect_uris {
        builder = builder.redirect_uri(redirect_uri);
    }
    if let Some(seconds) = args.access_ttl {
        builder = builder.access_token_ttl(Duration::from_secs(seconds));
    }
    if let Some(seconds) = args.refresh_ttl {
        builder = builder.refresh_token_ttl(Duration::from_secs(seconds));
    }
    if let Some(path) = args.state_file {
        builder = builder.state_file(path);
    }
    let emulator = builder
        .start()
        .await
        .map_err(|err| format!("could not start on 127.0.0.1:{}: {err}", args.port))?;
    {
        let mut out = io::stdout().lock();
        let _ = writeln!(out, "base_url   {}", emulator.base_url());
        let _ = writeln!(out, "app_id     {}", emulator.app_id());
        let _ = writeln!(out, "app_secret {}", emulator.app_secret());
        let _ = out.flush();
    }
    tokio::signal::ctrl_c()
        .await
        .map_err(|err| format!("could not wait for Ctrl-C: {err}"))?;
    tracing::info!("stopping");
    emulator.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

async fn browse(args: BrowseArgs) -> Result<ExitCode, String> {
    if args.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(args.delay_ms)).await;
    }
    let decision = if args.deny {
        Decision::Deny
    } else {
        Decision::Approve
    };
    let browser = Browser::new().map_err(|err| err.to_string())?;
    let location = browser
        .consent(&args.url, decision)
        .await
        .map_err(|err| err.to_string())?;
    if matches!(location.scheme(), "http" | "https") {
        let status = browser
            .deliver(&location)
            .await
            .map_err(|err| err.to_string())?;
        tracing::info!(%status, "callback delivered");
        let _ = writeln!(io::stdout(), "{status}");
        return Ok(ExitCode::SUCCESS);
    }
    match std::env::var(DEEP_LINK_HANDLER_ENV) {
        Ok(command) if !command.trim().is_empty() => {
            let status = browse::run_deep_link_handler(&command, &location)
                .await
                .map_err(|err| err.to_string())?;
            if status.success() {
                Ok(ExitCode::SUCCESS)
            } else {
                Err(format!(
                    "the deep-link handler {command:?} failed: {status}"
                ))
            }
        }
        _ => {
            let _ = writeln!(io::stdout(), "{location}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn browse_device(args: BrowseDeviceArgs) -> Result<ExitCode, String> {
    if args.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(args.delay_ms)).await;
    }
    let decision = if args.deny {
        Decision::Deny
    } else {
        Decision::Approve
    };
    let browser = Browser::new().map_err(|err| err.to_string())?;
    browser
        .device(&args.url, decision)
        .await
        .map_err(|err| err.to_string())?;
    let _ = writeln!(
        io::stdout(),
        "{}",
        if args.deny { "denied" } else { "approved" }
    );
    Ok(ExitCode::SUCCESS)
}
