//! The commands the window may call: each parses its arguments, calls the core, and tells the
//! window what changed. Commands are leaves: nothing else in the app calls them.

use std::time::Duration;

use feishu_oauth::{AccessToken, Language, Revocation, SettingsForm, SignOut};
use serde::Serialize;
use tauri::{AppHandle, Runtime, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

use crate::{
    activity,
    error::{CommandResult, ErrorKind, ShellError},
    events::{Activity, ActivityEntry, SessionState},
    fonts::Fonts,
    keepalive::{self, KeepaliveView},
    profiles, settings, signin,
    state::AppState,
    views::{ProfileChoice, SettingsView, StorageView},
};

/// The stored session, at its revision.
#[tauri::command]
pub async fn session<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<SessionState> {
    Ok(state.feed.publish_current(&app, &state.account())?)
}

/// A finished sign-in: its flow and the session it made.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedIn {
    pub flow: u64,
    #[serde(flatten)]
    pub state: SessionState,
}

/// Signs in: through the browser (loopback or deep link), or with the phone (the device flow);
/// resolves when done. `add_scopes`: more scopes for the signed-in account, whose session is
/// replaced only if that same account approves.
#[tauri::command]
pub async fn sign_in<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    route: signin::Way,
    scopes: Vec<String>,
    language: Option<Language>,
    add_scopes: Option<bool>,
) -> CommandResult<SignedIn> {
    let language = language.unwrap_or_default();
    let same_user = if add_scopes.unwrap_or(false) {
        state.account().current()?.map(|s| s.profile.open_id)
    } else {
        None
    };
    let (flow, _session) = signin::run(&app, route, &scopes, language, same_user).await?;
    // Published when it was saved; whatever came since (a sign-out) is newer.
    Ok(SignedIn {
        flow,
        state: state.feed.latest(),
    })
}

/// Cancels the sign-in in progress.
#[tauri::command]
pub async fn cancel_sign_in(state: State<'_, AppState>) -> CommandResult<()> {
    state.sign_ins.cancel();
    Ok(())
}

/// How long "Open again" waits to hear whether the browser failed.
const REOPEN_WATCH: Duration = Duration::from_millis(1500);

/// Opens the sign-in in progress's authorize page again ("Open again"); fails when the browser
/// cannot be opened, at once or within a moment.
#[tauri::command]
pub async fn open_sign_in_page<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<()> {
    let url = sign_in_page(&state)?;
    let mut launch = signin::open_page(&app, &url)?;
    match tokio::time::timeout(REOPEN_WATCH, launch.failure()).await {
        Ok(failure) => Err(failure.into()),
        Err(_) => Ok(()),
    }
}

/// Puts the sign-in in progress's authorize page on the clipboard ("Copy link"), for a browser
/// the app cannot open itself. The link goes from Rust to the clipboard, never through the page.
#[tauri::command]
pub async fn copy_sign_in_link<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<()> {
    let url = sign_in_page(&state)?;
    app.clipboard()
        .write_text(url.as_str())
        .map_err(|e| clipboard_error(&e))
}

fn sign_in_page(state: &AppState) -> CommandResult<url::Url> {
    state
        .sign_in_page
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .as_ref()
        .map(|(_, url)| url.clone())
        .ok_or_else(|| ShellError::new(ErrorKind::Cancelled, "no sign-in is waiting"))
}

fn clipboard_error(e: &impl std::fmt::Display) -> ShellError {
    ShellError::new(
        ErrorKind::Internal,
        format!("could not write to the clipboard: {e}"),
    )
}

/// Refreshes the access token now.
#[tauri::command]
pub async fn refresh<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<SessionState> {
    let account = state.account();
    match account.refresh_now().await {
        Ok(_) => {
            activity::record(&app, Activity::Refreshed, None);
            Ok(state.feed.publish_current(&app, &account)?)
        }
        Err(e) => {
            activity::record(
                &app,
                Activity::RefreshFailed {
                    detail: e.to_string(),
                },
                e.feishu_code(),
            );
            if let Err(e) = state.feed.publish_current(&app, &account) {
                tracing::warn!(error = %e, "the session could not be read after a failed refresh");
            }
            Err(e.into())
        }
    }
}

/// A finished sign-out: whether Feishu confirmed the revocation, and the session state after it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedOut {
    /// Feishu confirmed that the session's tokens are revoked.
    pub revoked: bool,
    #[serde(flatten)]
    pub state: SessionState,
}

/// Signs out here, then revokes the session's tokens at Feishu (best effort).
#[tauri::command]
pub async fn sign_out<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<SignedOut> {
    let account = state.account();
    let report = account.sign_out().await?;
    let revoked = report.revocation == Revocation::Revoked;
    let activity = match report.outcome {
        SignOut::SignedOut(session) => Activity::SignedOut {
            name: session.profile.name,
            revoked: report.revocation == Revocation::Revoked,
            detail: match report.revocation {
                Revocation::NotConfirmed(reason) => Some(reason),
                Revocation::Revoked | Revocation::NothingToRevoke => None,
            },
        },
        SignOut::NotSignedIn => Activity::NothingToSignOut,
        SignOut::OtherIssuer(other) => Activity::OtherAppLeft {
            brand: other.brand.as_str().to_owned(),
            app_id: other.app_id,
        },
    };
    activity::record(&app, activity, None);
    Ok(SignedOut {
        revoked,
        state: state.feed.publish_current(&app, &account)?,
    })
}

/// Puts a valid access token on the clipboard, refreshing first if needed. The token never goes
/// to the webview.
#[tauri::command]
pub async fn copy_access_token<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<()> {
    let account = state.account();
    let session = account.fresh_session().await?;
    app.clipboard()
        .write_text(session.access_token.expose())
        .map_err(|e| clipboard_error(&e))?;
    clear_later(app.clone(), session.access_token);
    activity::record(&app, Activity::TokenCopied, None);
    // A refresh it made shows.
    state.feed.publish_current(&app, &account)?;
    Ok(())
}

/// The longest text [`copy_text`] copies: an ID, a URI or a path, never a document.
const COPY_TEXT_MAX: usize = 4096;

/// Puts text the window shows (an Open ID, a redirect URI, a path, an error's details) on the
/// clipboard. Only text the page already holds: secrets are copied by the commands that own them.
#[tauri::command]
#[allow(clippy::needless_pass_by_value)] // Tauri hands commands owned arguments.
pub fn copy_text<R: Runtime>(app: AppHandle<R>, text: String) -> CommandResult<()> {
    if text.len() > COPY_TEXT_MAX {
        return Err(ShellError::new(
            ErrorKind::Internal,
            format!(
                "refusing to copy {} bytes (at most {COPY_TEXT_MAX})",
                text.len()
            ),
        ));
    }
    app.clipboard()
        .write_text(text)
        .map_err(|e| clipboard_error(&e))
}

/// How long a copied access token stays on the clipboard.
const TOKEN_ON_CLIPBOARD: Duration = Duration::from_secs(90);

/// Clears the clipboard after [`TOKEN_ON_CLIPBOARD`] if it still holds `token`: a token pasted
/// where it was needed does not linger for the next paste; anything copied since is left alone.
fn clear_later<R: Runtime>(app: AppHandle<R>, token: AccessToken) {
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(TOKEN_ON_CLIPBOARD).await;
        let clipboard = app.clipboard();
        if clipboard
            .read_text()
            .is_ok_and(|text| text == token.expose())
        {
            if let Err(e) = clipboard.clear() {
                tracing::warn!(error = %e, "the copied token could not be cleared from the clipboard");
            }
        }
    });
}

/// The settings.
#[tauri::command]
pub async fn settings(state: State<'_, AppState>) -> CommandResult<SettingsView> {
    let mut view = settings::view(&state.profiles, &state.profile(), &state.account());
    view.deep_link_handler = Some(settings::deep_link_handler().await);
    Ok(view)
}

/// Runs the shown profile in the sandbox on purpose ("Try the demo"), and answers its settings.
#[tauri::command]
pub async fn try_demo<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> CommandResult<SettingsView> {
    let profile = state.profile();
    let config = feishu_oauth::choose_demo(&state.profiles, &profile)?;
    let account = state.keep(&profile, crate::account::open(&app, config)?);
    let mut view = settings::view(&state.profiles, &profile, &account);
    view.deep_link_handler = Some(settings::deep_link_handler().await);
    state.feed.publish_current(&app, &account)?;
    profiles::changed(&app);
    Ok(view)
}

/// Which fonts the desktop has, for the window's notice when Chinese cannot be shown.
#[tauri::command]
pub async fn fonts() -> CommandResult<Fonts> {
    Ok(crate::fonts::installed().await)
}

/// Saves the settings to the shared config file and switches to them.
#[tauri::command]
pub async fn save_settings<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    settings: SettingsForm,
) -> CommandResult<SettingsView> {
    let profile = state.profile();
    let saved = settings.save(&state.profiles, &profile)?;
    if let Some(kept) = saved.kept_broken {
        activity::record(
            &app,
            Activity::SettingsFileKept {
                path: kept.display().to_string(),
            },
            None,
        );
    }
    let account = state.keep(&profile, crate::account::open(&app, saved.config)?);
    let view = settings::view(&state.profiles, &profile, &account);
    activity::record(
        &app,
        Activity::SettingsSaved {
            sandbox: view.sandbox,
        },
        None,
    );
    state.feed.publish_current(&app, &account)?;
    profiles::changed(&app);
    Ok(view)
}

/// Every profile, for the switcher.
#[tauri::command]
pub async fn profiles<R: Runtime>(app: AppHandle<R>) -> CommandResult<Vec<ProfileChoice>> {
    Ok(profiles::list(&app)?)
}

/// Shows another profile (and makes it the active one).
#[tauri::command]
pub async fn switch_profile<R: Runtime>(
    app: AppHandle<R>,
    name: String,
) -> CommandResult<SessionState> {
    Ok(profiles::switch(&app, &name)?)
}

/// Removes a profile: signs it out (revoking), forgets it; shows `default` if it was shown.
#[tauri::command]
pub async fn remove_profile<R: Runtime>(
    app: AppHandle<R>,
    name: String,
) -> CommandResult<SessionState> {
    Ok(profiles::remove(&app, &name).await?)
}

/// Adds a profile (a sandbox until its Settings say otherwise) and shows it.
#[tauri::command]
pub async fn add_profile<R: Runtime>(
    app: AppHandle<R>,
    name: String,
) -> CommandResult<SessionState> {
    Ok(profiles::add(&app, name.trim())?)
}

/// This run's activity; with `after`, only the entries numbered after it (what an
/// `activity://added` rang for).
#[tauri::command]
pub async fn activity(
    state: State<'_, AppState>,
    after: Option<u64>,
) -> CommandResult<Vec<ActivityEntry>> {
    Ok(state.activity.entries_after(after.unwrap_or(0)))
}

/// The window's first real view is on screen: logged with the time since the process started, and
/// printed on stdout as `first-render <view> <ms>` when `FEISHU_SIGNIN_REPORT_FIRST_RENDER` is set
/// (the benchmark's cold-start marker); the keeper, which waits for it, starts.
#[tauri::command]
#[allow(clippy::needless_pass_by_value)] // Tauri hands commands owned arguments.
pub fn first_render(state: State<'_, AppState>, view: String) {
    state.window_shown.notify_one();
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

/// Where the shown profile's tokens and App Secret are kept (a file read, and a question to the
/// keyring when no session is stored: on a blocking thread).
#[tauri::command]
pub async fn storage(state: State<'_, AppState>) -> CommandResult<StorageView> {
    let account = state.account();
    tokio::task::spawn_blocking(move || {
        Ok(StorageView {
            tokens: account.storage()?.as_str(),
            app_secret: account.config().app_secret_storage,
        })
    })
    .await
    .map_err(|e| ShellError::new(ErrorKind::Internal, e.to_string()))?
}

/// Whether the current profile is kept signed in while the app is closed.
#[tauri::command]
pub async fn keepalive(state: State<'_, AppState>) -> CommandResult<KeepaliveView> {
    Ok(KeepaliveView {
        enabled: keepalive::is_enabled(&state.profile()),
        not_started: None,
    })
}

/// Turns "Keep me signed in while the app is closed" on or off for the current profile.
#[tauri::command]
pub async fn set_keepalive(
    state: State<'_, AppState>,
    enabled: bool,
) -> CommandResult<KeepaliveView> {
    let profile = state.profile();
    tokio::task::spawn_blocking(move || keepalive::set(&profile, enabled))
        .await
        .map_err(|e| ShellError::new(ErrorKind::Internal, e.to_string()))?
}
