//! Keeps the window's session fresh and current: every [`TICK`] the core's [`Keeper`] reads the
//! store (noticing what the CLI wrote) and refreshes when its policy says so; this loop tells the
//! window what changed.

use feishu_oauth::{Keeper, KeeperEvent, TICK};
use tauri::{AppHandle, Manager, Runtime};

use crate::{activity, events::Activity, state::AppState};

/// Runs until the app exits.
pub async fn run<R: Runtime>(app: AppHandle<R>) {
    let mut keeper = Keeper::default();
    loop {
        let state = app.state::<AppState>();
        let tick = keeper.tick(&state.account()).await;
        for event in tick.events {
            let (activity, code) = match event {
                KeeperEvent::Refreshed => (Activity::BackgroundRefreshed, None),
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
                _ => continue,
            };
            activity::record(&app, activity, code);
        }
        state.feed.publish(&app, tick.session);
        tokio::time::sleep(TICK).await;
    }
}
