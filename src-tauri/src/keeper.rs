//! Keeps every profile's session fresh and the window current: every [`TICK`] the core's
//! [`Keeper`] of each profile reads its store (noticing what the CLI wrote) and refreshes when
//! its policy says so, whether the window shows that profile or not; this loop tells the window
//! what changed. Profiles the CLI added or removed are picked up here too.

use std::collections::HashMap;

use feishu_oauth::{Error, Keeper, KeeperEvent, Session, TICK};
use tauri::{AppHandle, Manager, Runtime};

use crate::{
    activity,
    error::ShellError,
    events::{Activity, RefreshTrouble},
    notifications::{self, Notifier},
    profiles,
    state::AppState,
    views::rfc3339,
};

/// Runs until the app exits.
pub async fn run<R: Runtime>(app: AppHandle<R>) {
    let mut keepers: HashMap<String, Keeper> = HashMap::new();
    let mut seen: HashMap<String, Option<Session>> = HashMap::new();
    // Why each profile's last background refresh failed.
    let mut failures: HashMap<String, ShellError> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut notifier = Notifier::default();
    loop {
        let state = app.state::<AppState>();
        let now_names = state.profiles.names().unwrap_or_else(|_| names.clone());
        let mut changed = now_names != names;
        state.retain(&now_names);
        names = now_names;
        for name in &names {
            let Ok(account) = profiles::account(&app, name) else {
                continue;
            };
            let keeper = keepers.entry(name.clone()).or_default();
            let tick = keeper.tick(&account).await;
            let shown = state.profile() == *name;
            let ended = tick.session.is_none()
                && tick
                    .events
                    .iter()
                    .any(|e| matches!(e, KeeperEvent::RefreshFailed(Error::SignInRequired { .. })));
            for event in tick.events {
                if let KeeperEvent::RefreshFailed(e) = &event {
                    failures.insert(name.clone(), ShellError::from(e));
                    if ended {
                        notifications::signed_out(&app, name, &e.to_string());
                    }
                }
                record(&app, event, shown);
            }
            if let Some(session) = &tick.session {
                notifier.remind(&app, name, &account, session);
            }
            let trouble = keeper.retrying_at().and_then(|at| {
                Some(RefreshTrouble {
                    error: failures.get(name)?.clone(),
                    retry_at: rfc3339(at),
                })
            });
            if shown {
                state
                    .feed
                    .publish_kept(&app, tick.session.clone(), trouble, ended);
            }
            if seen.get(name) != Some(&tick.session) {
                seen.insert(name.clone(), tick.session);
                changed = true;
            }
        }
        keepers.retain(|name, _| names.contains(name));
        failures.retain(|name, _| names.contains(name));
        seen.retain(|name, _| names.contains(name));
        notifier.retain(&names);
        if changed {
            profiles::changed(&app);
        }
        tokio::time::sleep(TICK).await;
    }
}

/// Records what a tick did; a refresh of a profile not shown is routine and not listed.
fn record<R: Runtime>(app: &AppHandle<R>, event: KeeperEvent, shown: bool) {
    let (activity, code) = match event {
        KeeperEvent::Refreshed if shown => (Activity::BackgroundRefreshed, None),
        KeeperEvent::RefreshFailed(e) => (
            Activity::BackgroundRefreshFailed {
                detail: e.to_string(),
            },
            e.feishu_code(),
        ),
        KeeperEvent::NotSaved(e) => (
            Activity::NotSaved {
                detail: e.to_string(),
            },
            None,
        ),
        KeeperEvent::CorruptStore(e) => (
            Activity::StoreCorrupt {
                detail: e.to_string(),
            },
            None,
        ),
        _ => return,
    };
    activity::record(app, activity, code);
}
