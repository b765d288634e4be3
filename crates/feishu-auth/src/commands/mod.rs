//! One module per subcommand.

mod emulator;
mod login;
mod session;

use crate::{cli::Command, context, failure::Outcome};

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
        } => login::run(&context::load()?, no_browser, timeout, &scopes).await,
        Command::Status { json } => session::status(&context::load()?, json),
        Command::Token => session::token(&context::load()?).await,
        Command::Refresh => session::refresh(&context::load()?).await,
        Command::Logout { any_app } => session::logout(&context::load()?, any_app),
    }
}
