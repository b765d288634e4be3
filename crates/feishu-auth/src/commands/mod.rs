//! One module per subcommand.

mod emulator;
mod login;
mod session;

use feishu_oauth::Result;

use crate::{cli::Command, context::Context, failure::Outcome};

/// Runs a subcommand.
pub async fn run(command: Command) -> Outcome {
    match command {
        Command::Emulator {
            port,
            for_app: None,
        } => Ok(emulator::run(port).await?),
        Command::Emulator {
            port,
            for_app: Some(data_dir),
        } => Ok(emulator::run_for_app(port, &data_dir).await?),
        Command::Login {
            no_browser,
            timeout,
            scopes,
        } => login::run(&load()?, no_browser, timeout, &scopes).await,
        Command::Status { json } => session::status(&load()?, json),
        Command::Token => session::token(&load()?).await,
        Command::Refresh => session::refresh(&load()?).await,
        Command::Logout { any_app } => session::logout(&load()?, any_app),
    }
}

/// The settings and the session store, for the commands that use them.
fn load() -> Result<Context> {
    let ctx = Context::load()?;
    if ctx.is_sandbox() {
        tracing::info!("no App ID configured: using the sandbox (a local Feishu emulator)");
    }
    Ok(ctx)
}
