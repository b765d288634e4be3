//! The window's profiles: each one's account opened on first need, the list the switcher shows,
//! switching, and adding one (a sandbox until its Settings say otherwise).

use std::sync::Arc;

use feishu_oauth::{Account, ConfigFile, Result, Revocation, DEFAULT_PROFILE};
use tauri::{AppHandle, Manager, Runtime};
use time::OffsetDateTime;

use crate::{
    activity,
    events::{self, Activity, SessionState},
    state::AppState,
    views::ProfileChoice,
};

/// Profile `name`'s account, opened (and kept) if it is not yet.
pub fn account<R: Runtime>(app: &AppHandle<R>, name: &str) -> Result<Arc<Account>> {
    let state = app.state::<AppState>();
    if let Some(account) = state.account_of(name) {
        return Ok(account);
    }
    let config = state.profiles.load(name)?;
    Ok(state.keep(name, crate::account::open(app, config)?))
}

/// Every profile as the switcher shows it; reads their files only.
pub fn list<R: Runtime>(app: &AppHandle<R>) -> Result<Vec<ProfileChoice>> {
    let state = app.state::<AppState>();
    let shown = state.profile();
    let now = OffsetDateTime::now_utc();
    Ok(state
        .profiles
        .names()?
        .into_iter()
        .map(|name| {
            let shown = name == shown;
            let label = state.profiles.label(&name);
            match account(app, &name) {
                Ok(account) => ProfileChoice::new(name, shown, &account, account.current(), now),
                Err(e) => ProfileChoice::unreadable(name, shown, &e),
            }
            .labelled(label)
        })
        .collect())
}

/// Tells the window the profiles changed (a session, a name, the one shown).
pub fn changed<R: Runtime>(app: &AppHandle<R>) {
    events::ring(app, events::PROFILES_CHANGED);
}

/// Shows profile `name` and makes it the active one (the CLI's too, as `feishu-auth use` would).
pub fn switch<R: Runtime>(app: &AppHandle<R>, name: &str) -> Result<SessionState> {
    let state = app.state::<AppState>();
    let account = account(app, name)?;
    state.profiles.set_active(name)?;
    state.show(name, Arc::clone(&account));
    state.feed.forget_trouble();
    let session = state.feed.publish_current(app, &account)?;
    changed(app);
    Ok(session)
}

/// Removes profile `name`: signs it out (revoking its tokens), forgets its settings and data, and
/// shows `default` if it was the one shown.
pub async fn remove<R: Runtime>(app: &AppHandle<R>, name: &str) -> Result<SessionState> {
    let state = app.state::<AppState>();
    state.profiles.check_removable(name)?;
    // A profile whose App Secret or session key the keyring no longer gives is removed all the
    // same; its tokens cannot be revoked then, which the activity entry says.
    let revoked = match account(app, name) {
        Ok(account) => match account.sign_out().await {
            Ok(report) => report.revocation == Revocation::Revoked,
            Err(feishu_oauth::Error::Keyring { .. } | feishu_oauth::Error::Config { .. }) => false,
            Err(e) => return Err(e),
        },
        Err(feishu_oauth::Error::Keyring { .. } | feishu_oauth::Error::Config { .. }) => false,
        Err(e) => return Err(e),
    };
    state.profiles.remove(name)?;
    state.retain(&state.profiles.names()?);
    activity::record(
        app,
        Activity::ProfileRemoved {
            name: name.to_owned(),
            revoked,
        },
        None,
    );
    if state.profile() == name {
        return switch(app, DEFAULT_PROFILE);
    }
    changed(app);
    Ok(state.feed.latest())
}

/// Adds profile `name`, a sandbox until its Settings say otherwise, and shows it.
pub fn add<R: Runtime>(app: &AppHandle<R>, name: &str) -> Result<SessionState> {
    let state = app.state::<AppState>();
    state.profiles.add(name, &ConfigFile::default())?;
    switch(app, name)
}
