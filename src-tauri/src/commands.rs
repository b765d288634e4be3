//! The commands the window may call: each a few lines over the core.

use feishu_oauth::SignOut;
use tauri::{AppHandle, Emitter, Manager, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;
use time::OffsetDateTime;

use crate::{
    activity,
    backend::Backend,
    error::{CommandResult, ErrorKind, ShellError},
    models::{ActivityEntry, Route, SessionView, SettingsInput, SettingsView},
    signin,
    state::AppState,
};

fn view(session: &feishu_oauth::Session) -> SessionView {
    SessionView::new(session, OffsetDateTime::now_utc())
}

/// The stored session, if any.
#[tauri::command]
pub async fn session(state: State<'_, AppState>) -> CommandResult<Option<SessionView>> {
    session_view(&state.backend())
}

/// What `session` answers (also handed to the window as it opens).
pub fn session_view(backend: &Backend) -> CommandResult<Option<SessionView>> {
    Ok(backend.sessions.current()?.as_ref().map(view))
}

/// Signs in through the browser; resolves when done.
#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    route: Route,
    scopes: Vec<String>,
) -> CommandResult<SessionView> {
    signin::run(&app, route, scopes).await
}

/// Cancels the sign-in in progress.
#[tauri::command]
pub async fn cancel_sign_in<R: Runtime>(app: AppHandle<R>) -> CommandResult<()> {
    signin::cancel(&app);
    Ok(())
}

/// Refreshes the access token now.
#[tauri::command]
pub async fn refresh<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<SessionView> {
    let backend = state.backend();
    match backend.sessions.refresh_now(|| backend.client()).await {
        Ok(session) => {
            let view = view(&session);
            activity::record(&app, "refreshed", "Access token refreshed", None);
            let _ = app.emit("session://changed", Some(&view));
            Ok(view)
        }
        Err(e) => {
            let error = ShellError::from(e);
            activity::record(
                &app,
                "failed",
                format!("Refresh failed: {}", error.message),
                error.code,
            );
            let _ = app.emit(
                "session://changed",
                backend.sessions.current().ok().flatten().as_ref().map(view),
            );
            Err(error)
        }
    }
}

/// Signs out on this machine.
#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<()> {
    let message = match state.backend().sessions.sign_out()? {
        SignOut::SignedOut(session) => format!("Signed out {}", session.profile.name),
        SignOut::NotSignedIn => "Signed out".to_owned(),
        SignOut::OtherIssuer(other) => format!(
            "Not signed in here; the stored session belongs to {} app {} and was left as it is",
            other.brand, other.app_id
        ),
    };
    activity::record(&app, "signedOut", message, None);
    let _ = app.emit("session://changed", None::<SessionView>);
    Ok(())
}

/// Puts a valid access token on the clipboard, refreshing first if needed. The token never goes
/// to the webview.
#[tauri::command]
pub async fn copy_access_token<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<()> {
    let backend = state.backend();
    let session = backend.sessions.fresh_session(|| backend.client()).await?;
    app.clipboard()
        .write_text(session.access_token.expose())
        .map_err(|e| {
            ShellError::new(
                ErrorKind::Internal,
                format!("could not write to the clipboard: {e}"),
            )
        })?;
    activity::record(&app, "info", "Access token copied to the clipboard", None);
    Ok(())
}

/// The settings.
#[tauri::command]
pub async fn settings(state: State<'_, AppState>) -> CommandResult<SettingsView> {
    Ok(crate::settings::view(&state.backend())?)
}

/// Saves the settings to the shared config file and switches to them.
#[tauri::command]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: SettingsInput,
) -> CommandResult<SettingsView> {
    let (config, kept) = crate::settings::save(settings)?;
    if let Some(kept) = kept {
        activity::record(
            &app,
            "info",
            format!(
                "The old settings file did not parse; it was kept as {}",
                kept.display()
            ),
            None,
        );
    }
    let store = crate::open_store(&app, &config)?;
    let backend = Backend::new(config, store);
    let settings_view = crate::settings::view(&backend)?;
    let session = backend.sessions.current().ok().flatten();
    state.replace_backend(backend);
    activity::record(
        &app,
        "info",
        if settings_view.sandbox {
            "Settings saved: sandbox"
        } else {
            "Settings saved"
        },
        None,
    );
    let _ = app.emit("session://changed", session.as_ref().map(view));
    Ok(settings_view)
}

/// This run's activity.
#[tauri::command]
pub async fn activity<R: Runtime>(app: AppHandle<R>) -> CommandResult<Vec<ActivityEntry>> {
    Ok(activity_log(&app.state::<AppState>()))
}

/// What `activity` answers (also handed to the window as it opens).
pub fn activity_log(state: &AppState) -> Vec<ActivityEntry> {
    state
        .activity
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

/// The window's first real view is on screen: logged with the time since the process started, and
/// printed on stdout as `first-render <view> <ms>` when `FEISHU_SIGNIN_REPORT_FIRST_RENDER` is set
/// (the benchmark's cold-start marker).
#[tauri::command]
#[allow(clippy::needless_pass_by_value)] // Tauri hands commands owned arguments.
pub fn first_render(view: String) {
    let elapsed = crate::STARTED
        .get()
        .map_or(0, |at| at.elapsed().as_millis());
    let view: String = view
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(20)
        .collect();
    tracing::info!(view, elapsed_ms = elapsed, "first render");
    if std::env::var_os("FEISHU_SIGNIN_REPORT_FIRST_RENDER").is_some() {
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "first-render {view} {elapsed}");
        let _ = stdout.flush();
    }
}
