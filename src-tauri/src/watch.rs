//! Noticing what another process changed (a CLI sign-in, refresh or logout, a profile added or
//! removed, settings edited) the moment it happens, without reading any file on a tick: inotify,
//! through `notify`, on the settings folder and every profile's data folder.
//!
//! Only the files that matter wake the keeper: session files, settings files and the active
//! profile's name. Everything else in those folders (the locks every reader takes, temporary
//! files, the sandbox's grants, WebKit's data) and every read (`notify` also reports opens) is
//! ignored, so the keeper's own reads never wake it again.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
    sync::Arc,
};

use feishu_oauth::SESSION_FILE_NAME;
use notify::{
    event::{AccessKind, AccessMode},
    Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher,
};
use tokio::sync::Notify;

/// The file the active profile's name is kept in, beside `config.toml`.
const ACTIVE_PROFILE_FILE: &str = "active-profile";

/// The folders being watched, and the signal their changes raise.
pub struct FolderWatch {
    watcher: RecommendedWatcher,
    watched: BTreeSet<PathBuf>,
    changed: Arc<Notify>,
}

impl std::fmt::Debug for FolderWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FolderWatch")
            .field("watched", &self.watched)
            .finish_non_exhaustive()
    }
}

impl FolderWatch {
    /// A watch on nothing yet; `None` when the system gives no watcher (inotify's instance limit
    /// reached), and the caller falls back to looking on a tick.
    pub fn new() -> Option<Self> {
        let changed = Arc::new(Notify::new());
        let signal = Arc::clone(&changed);
        let watcher = notify::recommended_watcher(move |event: notify::Result<Event>| {
            // An error (an overflowed queue) may have hidden a change: look.
            if event.as_ref().map_or(true, matters) {
                signal.notify_one();
            }
        });
        match watcher {
            Ok(watcher) => Some(Self {
                watcher,
                watched: BTreeSet::new(),
                changed,
            }),
            Err(e) => {
                tracing::warn!(error = %e, "no file watcher: other processes' changes are looked for every few seconds");
                None
            }
        }
    }

    /// Resolves once something changed since the last call returned (changes meanwhile are
    /// folded into one).
    pub async fn changed(&self) {
        self.changed.notified().await;
    }

    /// Watches exactly `folders` (and what is below them), creating a missing one as the store
    /// would (private), so a session written there later is seen. A folder inside another
    /// watched one is covered by it. `false` when one could not be watched: the caller then
    /// looks on a tick, as without a watcher.
    pub fn follow(&mut self, folders: impl IntoIterator<Item = PathBuf>) -> bool {
        let wanted = outermost(folders);
        for gone in self
            .watched
            .difference(&wanted)
            .cloned()
            .collect::<Vec<_>>()
        {
            let _ = self.watcher.unwatch(&gone);
            self.watched.remove(&gone);
        }
        let mut all = true;
        for folder in wanted {
            if self.watched.contains(&folder) {
                continue;
            }
            let watched = feishu_oauth::ensure_private_dir(&folder)
                .map_err(|e| e.to_string())
                .and_then(|()| {
                    self.watcher
                        .watch(&folder, RecursiveMode::Recursive)
                        .map_err(|e| e.to_string())
                });
            match watched {
                Ok(()) => {
                    self.watched.insert(folder);
                }
                Err(e) => {
                    tracing::warn!(folder = %folder.display(), error = %e, "could not watch a folder: looking for changes every few seconds");
                    all = false;
                }
            }
        }
        all
    }
}

/// Whether `event` may have changed what the keeper reads: a session or settings file created,
/// written, renamed or removed. Opens and reads (the keeper's own, a CLI's `token`) are not.
fn matters(event: &Event) -> bool {
    let writes = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    };
    writes && event.paths.iter().any(|p| is_followed(p))
}

fn is_followed(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    name == SESSION_FILE_NAME
        || name == ACTIVE_PROFILE_FILE
        || Path::new(name).extension().is_some_and(|e| e == "toml")
}

/// `folders` without those inside another of them.
fn outermost(folders: impl IntoIterator<Item = PathBuf>) -> BTreeSet<PathBuf> {
    let all: BTreeSet<PathBuf> = folders.into_iter().collect();
    all.iter()
        .filter(|f| !all.iter().any(|other| other != *f && f.starts_with(other)))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn nested_folders_are_covered_by_the_outer_one() {
        let set = outermost(
            ["/d", "/d/profiles/work", "/c", "/dd"]
                .into_iter()
                .map(PathBuf::from),
        );
        assert_eq!(
            set.into_iter().collect::<Vec<_>>(),
            ["/c", "/d", "/dd"].map(PathBuf::from)
        );
    }

    /// Real inotify on a real folder: a session written by rename (as every store writes) wakes
    /// the watch; the keeper's own reads, a lock file and a temporary file do not.
    async fn quiet(watch: &FolderWatch) -> bool {
        tokio::time::timeout(Duration::from_millis(300), watch.changed())
            .await
            .is_err()
    }

    #[tokio::test]
    async fn a_session_written_wakes_it_and_reads_locks_and_temporary_files_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let mut watch = FolderWatch::new().unwrap();
        assert!(watch.follow([data.clone(), data.join("profiles/work")]));

        let session = data.join("profiles/work").join(SESSION_FILE_NAME);
        std::fs::create_dir_all(session.parent().unwrap()).unwrap();
        let tmp = session.with_extension("tmp");
        std::fs::write(&tmp, b"{}").unwrap();
        assert!(quiet(&watch).await, "a temporary file is not a change");
        std::fs::rename(&tmp, &session).unwrap();
        tokio::time::timeout(Duration::from_secs(5), watch.changed())
            .await
            .expect("the rename into place wakes it");
        // A rename is reported from both ends and whole: the same change, folded into one more.
        let _ = tokio::time::timeout(Duration::from_millis(200), watch.changed()).await;

        std::fs::read(&session).unwrap();
        std::fs::write(data.join("session.json.lock"), b"").unwrap();
        assert!(quiet(&watch).await, "reads and lock files are not changes");

        std::fs::remove_file(&session).unwrap();
        tokio::time::timeout(Duration::from_secs(5), watch.changed())
            .await
            .expect("a sign-out elsewhere wakes it");
    }
}
