//! The folder the app and the CLI share under the user's data directory, named by the app's
//! identifier, and the move from the name release 0.1 used.
//!
//! 0.1's identifier, `dev.feishu-signin.app`, ends in `.app`, which macOS reserves for
//! application bundles (the Tauri CLI warns about it). The identifier changed; the deep-link
//! scheme did not, because companies registered `dev.feishu-signin.app:/callback` as a redirect
//! URI in their developer consoles. The data folder follows the identifier (it is also where
//! WebKit keeps the window's preferences), so the old folder is moved once, whole, by whichever
//! process (the app or the CLI) starts first.

use std::{
    io,
    path::{Path, PathBuf},
};

/// The app's identifier: the Tauri bundle identifier, the D-Bus name of the single instance, the
/// desktop file's name and the data folder's.
pub const APP_IDENTIFIER: &str = "dev.feishu-signin.FeishuSignIn";

/// The identifier release 0.1 used, and so the name of its data folder.
pub const FORMER_APP_IDENTIFIER: &str = "dev.feishu-signin.app";

/// The shared folder under `data_home` (`~/.local/share`), moving 0.1's folder there first when
/// only it exists. A move that fails (another file system, permissions) leaves everything where
/// it was and keeps using the old folder: nothing is lost, and the next start tries again.
pub fn settle(data_home: &Path) -> PathBuf {
    let current = data_home.join(APP_IDENTIFIER);
    let former = data_home.join(FORMER_APP_IDENTIFIER);
    if current.exists() || !former.is_dir() {
        return current;
    }
    match std::fs::rename(&former, &current) {
        Ok(()) => {
            tracing::info!(from = %former.display(), to = %current.display(), "moved the data folder to the app's new identifier");
            current
        }
        // Another process moved it a moment ago.
        Err(_) if current.exists() => current,
        Err(e) => {
            tracing::warn!(folder = %former.display(), error = %kind(&e), "could not move the data folder to the app's new identifier; using it where it is");
            former
        }
    }
}

/// [`settle`] under the user's data directory (`$XDG_DATA_HOME`), whatever
/// `FEISHU_SIGNIN_DATA_DIR` says: the app calls it before its window opens, because WebKit keeps
/// the window's preferences in this folder too.
pub fn settle_data_folder() -> Option<PathBuf> {
    dirs::data_dir().map(|home| settle(&home))
}

fn kind(e: &io::Error) -> String {
    e.kind().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fresh_machine_gets_the_new_folder_and_nothing_is_created() {
        let home = tempfile::tempdir().unwrap();
        assert_eq!(settle(home.path()), home.path().join(APP_IDENTIFIER));
        assert_eq!(std::fs::read_dir(home.path()).unwrap().count(), 0);
    }

    #[test]
    fn the_former_folder_moves_whole_with_everything_in_it() {
        let home = tempfile::tempdir().unwrap();
        let former = home.path().join(FORMER_APP_IDENTIFIER);
        std::fs::create_dir_all(former.join("profiles/work")).unwrap();
        std::fs::write(former.join("session.json"), "{\"kept\":1}").unwrap();
        std::fs::write(former.join("profiles/work/session.json"), "w").unwrap();

        let dir = settle(home.path());

        assert_eq!(dir, home.path().join(APP_IDENTIFIER));
        assert_eq!(
            std::fs::read_to_string(dir.join("session.json")).unwrap(),
            "{\"kept\":1}"
        );
        assert_eq!(
            std::fs::read_to_string(dir.join("profiles/work/session.json")).unwrap(),
            "w"
        );
        assert!(!former.exists());
        // A second start finds it in place.
        assert_eq!(settle(home.path()), dir);
    }

    #[test]
    fn when_both_exist_the_new_one_wins_and_the_old_one_is_left_alone() {
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(home.path().join(APP_IDENTIFIER)).unwrap();
        std::fs::create_dir_all(home.path().join(FORMER_APP_IDENTIFIER)).unwrap();
        assert_eq!(settle(home.path()), home.path().join(APP_IDENTIFIER));
        assert!(home.path().join(FORMER_APP_IDENTIFIER).exists());
    }

    #[cfg(unix)]
    #[test]
    fn a_move_that_fails_keeps_using_the_old_folder() {
        let home = tempfile::tempdir().unwrap();
        let former = home.path().join(FORMER_APP_IDENTIFIER);
        std::fs::create_dir_all(&former).unwrap();
        // A dangling symbolic link where the new folder goes: it does not "exist", and a folder
        // cannot be renamed over it (even by root).
        std::os::unix::fs::symlink(
            home.path().join("nowhere"),
            home.path().join(APP_IDENTIFIER),
        )
        .unwrap();
        assert_eq!(settle(home.path()), former);
        assert!(former.is_dir());
    }
}
