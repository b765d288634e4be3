//! One module per subcommand.

mod emulator;
mod login;
mod session;

use feishu_oauth::Result;

use crate::{cli::Command, context::Context};

/// Runs a subcommand.
pub async fn run(command: Command) -> Result<()> {
    if let Command::Emulator { port } = command {
        return emulator::run(port).await;
    }
    let ctx = Context::load()?;
    if ctx.is_sandbox() {
        tracing::info!("no App ID configured: using the sandbox (a local Feishu emulator)");
    }
    match command {
        Command::Login {
            no_browser,
            timeout,
            scopes,
        } => login::run(&ctx, no_browser, timeout, &scopes).await,
        Command::Status { json } => session::status(&ctx, json),
        Command::Token => session::token(&ctx).await,
        Command::Refresh => session::refresh(&ctx).await,
        Command::Logout => session::logout(&ctx),
        Command::Emulator { .. } => unreachable!("handled above"),
    }
}
