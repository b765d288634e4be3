//! One module per subcommand.

mod config;
mod doctor;
mod emulator;
mod keepalive;
mod login;
mod profiles;
mod session;

use crate::{
    cli::{Cli, Command, ConfigCommand, KeepaliveCommand},
    context,
    failure::Outcome,
};

/// Runs a subcommand.
pub async fn run(cli: Cli) -> Outcome {
    let profile = cli.profile.as_deref();
    match cli.command {
        Command::Emulator {
            port,
            for_app: None,
        } => Ok(emulator::run(port).await?),
        Command::Emulator {
            port,
            for_app: Some(data_dir),
        } => Ok(emulator::run_for_app(port, &data_dir).await?),
        Command::Login {
            method,
            no_browser,
            timeout,
            scopes,
            add_scopes,
        } => {
            let asked = login::Asked {
                method,
                no_browser,
                timeout_secs: timeout,
            };
            login::run(&context::load(profile)?.1, asked, &scopes, &add_scopes).await
        }
        Command::Check { scopes, json } => {
            session::check(&context::load(profile)?.1, &scopes, json)
        }
        Command::Status { json } => {
            let (name, account) = context::load(profile)?;
            session::status(&name, &account, json)
        }
        Command::Token { scopes } if scopes.is_empty() => {
            session::token(&context::load(profile)?.1).await
        }
        Command::Token { scopes } => {
            session::narrowed_token(&context::load(profile)?.1, &scopes).await
        }
        Command::Refresh {
            if_due,
            next_run_in,
        } => {
            let account = context::load(profile)?.1;
            if if_due {
                session::refresh_if_due(&account, next_run_in).await
            } else {
                session::refresh(&account).await
            }
        }
        Command::Logout { any_app } => session::logout(&context::load(profile)?.1, any_app).await,
        Command::Config(ConfigCommand::Show { json }) => config::show(profile, json),
        Command::Doctor { json, verbose } => doctor::run(profile, json, verbose).await,
        Command::Profiles { json } => profiles::list(json),
        Command::Profile(command) => profiles::change(command).await,
        Command::Use { name } => profiles::activate(&name),
        Command::Keepalive(command) => {
            let profiles = feishu_oauth::Profiles::open()?;
            let name = profiles.select(profile)?;
            match command {
                KeepaliveCommand::Enable => keepalive::enable(&profiles, &name),
                KeepaliveCommand::Disable => keepalive::disable(&name),
                KeepaliveCommand::Status { json } => keepalive::status(&profiles, &name, json),
            }
        }
    }
}
