//! Feishu Sign-in, the desktop app: a thin Tauri shell over the `feishu-oauth` core.
//!
//! The window calls the commands in [`commands`]; sign-in progress, session changes and activity
//! reach it as events. Tokens, codes and verifiers stay in Rust: the webview sees views only.

// A command's error is made once per failure and serialized to the window; its size is no cost.
#![allow(clippy::result_large_err)]

mod account;
mod activity;
mod activity_log;
pub mod commands;
mod deep_link;
pub mod error;
pub mod events;
mod feed;
mod fonts;
mod keepalive;
mod keeper;
mod notifications;
mod plugin_store;
mod profiles;
mod settings;
mod signin;
mod state;
pub mod views;
mod watch;
mod way;
mod webkit;
pub mod window;

use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_deep_link::DeepLinkExt;

pub use account::open_store;
pub use deep_link::{handle_args as handle_launch_args, handle_url as handle_deep_link};
pub use state::AppState;

/// When the process started, for the startup time in the log.
pub(crate) static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();

/// Starts the app.
pub fn run() {
    STARTED.get_or_init(std::time::Instant::now);
    webkit::configure();
    init_tracing();
    // Before anything opens the data folder: release 0.1's moves to the current identifier.
    feishu_oauth::settle_data_folder();
    let result = run_app(tauri::Builder::default()).run(tauri::generate_context!());
    if let Err(e) = result {
        tracing::error!(error = %e, "the app could not start");
        std::process::exit(1);
    }
}

/// Logs to stderr, filtered by `RUST_LOG` (`level` or `target=level`, comma-separated).
///
/// A `Targets` filter rather than an `EnvFilter`: the latter matches span fields with regular
/// expressions, which links the regex engine and its Unicode tables into the app (0.8 MB of the
/// stripped binary) for a syntax nobody needs here.
fn init_tracing() {
    use tracing_subscriber::{filter::Targets, layer::SubscriberExt, util::SubscriberInitExt};
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| {
            Targets::new()
                .with_default(tracing::Level::INFO)
                .with_target("tao", tracing::Level::WARN)
                .with_target("wry", tracing::Level::WARN)
        });
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_target(false),
        )
        .with(filter)
        .try_init();
}

/// Wires the plugins, commands and state onto a builder, and makes the window once the state is
/// loaded; tests pass `tauri::test::mock_builder()`.
pub fn run_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder
        // First, so a second launch (a deep link) is forwarded to this process over D-Bus.
        // The D-Bus name is the app identifier, spelled out so it does not depend on the context.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(feishu_oauth::APP_IDENTIFIER)
                .callback(|app, argv, _cwd| {
                    deep_link::handle_args(app, &argv);
                    window::bring_to_front(app);
                })
                .build(),
        )
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_clipboard_manager::init())
        // Rust shows the notifications; the page has no permission to.
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(tauri::generate_handler![
            commands::session,
            commands::sign_in,
            commands::cancel_sign_in,
            commands::refresh,
            commands::sign_out,
            commands::copy_access_token,
            commands::copy_text,
            commands::copy_sign_in_link,
            commands::open_sign_in_page,
            commands::try_demo,
            commands::fonts,
            commands::settings,
            commands::save_settings,
            commands::activity,
            commands::first_render,
            commands::profiles,
            commands::switch_profile,
            commands::add_profile,
            commands::remove_profile,
            commands::keepalive,
            commands::set_keepalive,
            commands::storage,
        ])
        .setup(|app| {
            init(app.handle())?;
            window::create(app.handle())?;
            Ok(())
        })
}

/// Loads the settings, opens the session store, arms the deep-link handler and starts the keeper.
/// Runs in `setup`; tests with the mock runtime (whose setup waits for an event loop) call it directly.
pub fn init<R: Runtime>(handle: &AppHandle<R>) -> Result<(), Box<dyn std::error::Error>> {
    let profiles = feishu_oauth::Profiles::open()?;
    let profile = profiles.active();
    let (config, config_error) = feishu_oauth::load_or_sandbox(&profiles, &profile)?;
    if config.is_sandbox() {
        tracing::info!(
            profile,
            "no App ID configured: using the sandbox (a local Feishu emulator)"
        );
    }
    let account = account::open(handle, config)?;
    let session = account.current();
    handle.manage(AppState::new(
        profiles,
        profile,
        account,
        session.as_ref().ok().cloned().flatten(),
    ));
    match session {
        Err(error @ feishu_oauth::Error::CorruptStore { .. }) => activity::record(
            handle,
            events::Activity::StoreCorrupt {
                detail: error.to_string(),
            },
            None,
        ),
        Err(error) => tracing::warn!(%error, "the session could not be read"),
        Ok(_) => {}
    }
    if let Some(error) = config_error {
        tracing::error!(%error, "the settings could not be loaded");
        activity::record(
            handle,
            events::Activity::SettingsUnreadable {
                detail: error.to_string(),
            },
            None,
        );
    }

    // Where the deep-link plugin itself delivers links (macOS), it has broadcast them to pages
    // already; on Linux they arrive through single-instance (`deep_link::handle_args`).
    let deep_links = handle.clone();
    handle
        .deep_link()
        .on_open_url(move |event| deep_link::handle_urls(&deep_links, &event.urls()));
    // Started by a deep link: no sign-in of this process can be waiting for it, so it is logged
    // and ignored there.
    deep_link::handle_args(handle, &std::env::args().collect::<Vec<_>>());
    tauri::async_runtime::spawn(keeper::run(handle.clone()));
    Ok(())
}
