//! Keeps every profile's session fresh and the window current, waking only when there is
//! something to do: a session or settings file changed (the CLI signed in, refreshed or signed
//! out, a profile came or went: [`FolderWatch`]), or a deadline came (a token entering its refresh
//! margin or expiring, a failed refresh's retry, a reminder: [`Keeper::next_due`]). Then the core's
//! [`Keeper`] of each profile reads its store and refreshes when its policy says so, whether the
//! window shows that profile or not, and this loop tells the window what changed.

use std::{collections::HashMap, path::PathBuf, time::Duration};

use feishu_oauth::{Error, Keeper, KeeperEvent, Reminder, Session, WALL_CLOCK_CHECK};
use tauri::{AppHandle, Manager, Runtime};
use time::OffsetDateTime;

use crate::{
    activity,
    error::ShellError,
    events::{Activity, RefreshTrouble},
    notifications::{self, Notifier},
    profiles,
    state::AppState,
    views::rfc3339,
    watch::FolderWatch,
};

/// Without a file watcher (none to be had, or a folder that cannot be watched), how often the
/// stores are read to notice other processes' changes.
const LOOK_WITHOUT_WATCH: Duration = Duration::from_secs(2);
/// The shortest sleep before a deadline: a session whose deadlines a pass cannot move (a token
/// whose lifetime is shorter than the clock's steps) is looked at once a second, not in a spin.
const SHORTEST_NAP: Duration = Duration::from_secs(1);

/// The longest the keeper waits for the window's first view before its first pass.
const FIRST_PASS_WAITS_AT_MOST: Duration = Duration::from_secs(2);

/// Runs until the app exits. The first pass waits for the window's first view (the window opens
/// on the session read at startup): it opens every profile's store, a keyring round trip each,
/// which on two cores slowed the first paint with five profiles signed in (`scripts/bench.sh`).
pub async fn run<R: Runtime>(app: AppHandle<R>) {
    let shown = app.state::<AppState>();
    let _ = tokio::time::timeout(FIRST_PASS_WAITS_AT_MOST, shown.window_shown.notified()).await;
    let mut keeping = Keeping::default();
    let mut watch = FolderWatch::new();
    loop {
        let pass = keeping.pass(&app).await;
        let watching = watch.as_mut().is_some_and(|w| w.follow(pass.folders));
        wait(watch.as_ref().filter(|_| watching), pass.due).await;
    }
}

/// What one pass over the profiles leaves for the wait.
struct Pass {
    /// The earliest deadline of any profile.
    due: Option<OffsetDateTime>,
    /// The folders whose changes matter: the settings folder and every profile's data folder.
    folders: Vec<PathBuf>,
}

/// Sleeps until `due`, or until `watch` sees a change (without a watch: a short look-again).
/// The sleep is cut into [`WALL_CLOCK_CHECK`]s, each comparing the wall clock with `due`: the
/// monotonic clock a sleep runs on stands still while the machine is suspended.
async fn wait(watch: Option<&FolderWatch>, due: Option<OffsetDateTime>) {
    loop {
        let until_due = due.map(|at| (at - OffsetDateTime::now_utc()).max(time::Duration::ZERO));
        let ceiling = if watch.is_some() {
            WALL_CLOCK_CHECK
        } else {
            LOOK_WITHOUT_WATCH
        };
        let nap = until_due.map_or(ceiling, |left| {
            // A few milliseconds past the deadline, so the pass finds it passed.
            (left.unsigned_abs() + Duration::from_millis(5)).clamp(SHORTEST_NAP, ceiling)
        });
        let Some(watch) = watch else {
            tokio::time::sleep(nap).await;
            return;
        };
        tokio::select! {
            () = tokio::time::sleep(nap) => {
                if due.is_some_and(|at| OffsetDateTime::now_utc() >= at) {
                    return;
                }
            }
            () = watch.changed() => return,
        }
    }
}

/// What the loop remembers between passes, per profile.
#[derive(Default)]
struct Keeping {
    keepers: HashMap<String, Keeper>,
    seen: HashMap<String, Option<Session>>,
    /// Why each profile's last background refresh failed.
    failures: HashMap<String, ShellError>,
    names: Vec<String>,
    notifier: Notifier,
}

impl Keeping {
    async fn pass<R: Runtime>(&mut self, app: &AppHandle<R>) -> Pass {
        let state = app.state::<AppState>();
        let now_names = state
            .profiles
            .names()
            .unwrap_or_else(|_| self.names.clone());
        let mut changed = now_names != self.names;
        state.retain(&now_names);
        self.names = now_names;
        let mut folders = vec![state.profiles.config_dir().to_path_buf()];
        let mut due: Option<OffsetDateTime> = None;
        for name in &self.names {
            let Ok(account) = profiles::account(app, name) else {
                continue;
            };
            folders.push(account.config().data_dir.clone());
            let keeper = self.keepers.entry(name.clone()).or_default();
            let tick = keeper.tick(&account).await;
            let shown = state.profile() == *name;
            let ended = tick.session.is_none()
                && tick
                    .events
                    .iter()
                    .any(|e| matches!(e, KeeperEvent::RefreshFailed(Error::SignInRequired { .. })));
            for event in tick.events {
                if let KeeperEvent::RefreshFailed(e) = &event {
                    self.failures.insert(name.clone(), ShellError::from(e));
                    if ended {
                        notifications::signed_out(app, name, &e.to_string());
                    }
                }
                record(app, event, shown);
            }
            let now = OffsetDateTime::now_utc();
            if let Some(session) = &tick.session {
                self.notifier.remind(app, name, &account, session);
                due = earliest(due, Reminder::next_change(session, now));
            }
            due = earliest(due, keeper.next_due(tick.session.as_ref(), now));
            let trouble = keeper.retrying_at().and_then(|at| {
                Some(RefreshTrouble {
                    error: self.failures.get(name)?.clone(),
                    retry_at: rfc3339(at),
                })
            });
            if shown {
                state
                    .feed
                    .publish_kept(app, tick.session.clone(), trouble, ended);
            }
            if self.seen.get(name) != Some(&tick.session) {
                self.seen.insert(name.clone(), tick.session);
                changed = true;
            }
        }
        let names = &self.names;
        self.keepers.retain(|name, _| names.contains(name));
        self.failures.retain(|name, _| names.contains(name));
        self.seen.retain(|name, _| names.contains(name));
        self.notifier.retain(names);
        if changed {
            profiles::changed(app);
        }
        Pass { due, folders }
    }
}

fn earliest(a: Option<OffsetDateTime>, b: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
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
