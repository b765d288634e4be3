//! `feishu-auth`: sign in to Feishu or Lark from a terminal, and hand scripts a valid user access
//! token. It shares the desktop app's configuration and session store.

// A command-line program: its output is its interface.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod commands;
mod context;
mod exit;
mod failure;
mod local_time;
mod sandbox;
mod view;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        // Colours for a person at a terminal; plain text in a log file or a pipe.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("feishu-auth: Cannot start the async runtime: {e}.");
            return std::process::ExitCode::from(exit::FAILURE);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(failure) => {
            let (message, code) = failure.report();
            if let Some(message) = message {
                eprintln!("feishu-auth: {message}");
            }
            code
        }
    }
}
