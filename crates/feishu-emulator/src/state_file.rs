//! The optional JSON file through which emulators in several processes share one store.
//!
//! The sandbox starts one in-process emulator per CLI process, and a token issued by one must be
//! accepted by the next. So every request that touches the store takes an exclusive lock on a
//! sibling `.lock` file, re-reads the state, changes it and writes it back atomically (a temporary
//! file in the same directory, then a rename), with mode 0600 because it describes live grants.
//!
//! A file that does not parse is not fatal: it is kept aside, beside the state file, and the
//! emulator starts over (see [`StateFile::keep_aside`]).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How many corrupt state files are kept aside; older ones are deleted, so that a file corrupted
/// over and over cannot fill the disk.
const KEPT_CORRUPT_FILES: usize = 3;
/// How many names [`StateFile::keep_aside`] tries before giving up.
const KEEP_ASIDE_ATTEMPTS: u32 = 100;

/// The state file and its lock file.
#[derive(Debug)]
pub(crate) struct StateFile {
    path: PathBuf,
    lock_path: PathBuf,
}

/// Holds the cross-process lock; dropping it (closing the file) releases the lock.
#[derive(Debug)]
pub(crate) struct Locked {
    _file: File,
}

impl StateFile {
    pub(crate) fn new(path: PathBuf) -> Self {
        let mut lock_path = path.clone().into_os_string();
        lock_path.push(".lock");
        Self {
            path,
            lock_path: PathBuf::from(lock_path),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Waits for the exclusive lock that serialises read-modify-write across processes.
    pub(crate) fn lock(&self) -> io::Result<Locked> {
        self.create_parent()?;
        let file = private_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&self.lock_path)
            .map_err(|err| with_path(&self.lock_path, &err))?;
        file.lock()
            .map_err(|err| with_path(&self.lock_path, &err))?;
        Ok(Locked { _file: file })
    }

    /// The file's bytes, or `None` when no emulator has written it yet.
    pub(crate) fn read(&self, _lock: &Locked) -> io::Result<Option<Vec<u8>>> {
        match fs::read(&self.path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(err) => Err(with_path(&self.path, &err)),
        }
    }

    /// Replaces the file's contents atomically: readers see the old state or the new, never half.
    pub(crate) fn write(&self, _lock: &Locked, bytes: &[u8]) -> io::Result<()> {
        self.create_parent()?;
        let file_name = self
            .path
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = self.path.with_file_name(format!(
            ".{file_name}.{}.{:016x}.tmp",
            std::process::id(),
            rand::random::<u64>()
        ));
        let written = private_options()
            .write(true)
            .create_new(true)
            .open(&temp)
            .and_then(|mut file| {
                file.write_all(bytes)?;
                file.sync_all()
            })
            .and_then(|()| fs::rename(&temp, &self.path));
        if let Err(err) = written {
            // Best effort: the temporary file is ours and useless now.
            let _ = fs::remove_file(&temp);
            return Err(with_path(&self.path, &err));
        }
        Ok(())
    }

    /// Moves a state file that does not parse (`bytes`, as read under the lock) aside, beside it,
    /// as `<stem>.corrupt-<unix seconds>-<nanoseconds>.json` with mode 0600, so that it can be
    /// looked at while the emulator starts over. An earlier kept file is never overwritten (a
    /// counter follows the time on a clash, even within the same nanosecond); only the newest
    /// [`KEPT_CORRUPT_FILES`] are kept. Returns where the file was kept.
    pub(crate) fn keep_aside(&self, lock: &Locked, bytes: &[u8]) -> io::Result<PathBuf> {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        self.keep_aside_at(lock, bytes, since_epoch)
    }

    /// [`StateFile::keep_aside`] at a given time, so that tests can make names clash.
    fn keep_aside_at(
        &self,
        _lock: &Locked,
        bytes: &[u8],
        since_epoch: Duration,
    ) -> io::Result<PathBuf> {
        let stamp = format!(
            "{}-{:09}",
            since_epoch.as_secs(),
            since_epoch.subsec_nanos()
        );
        let kept = self.create_kept(&stamp, bytes)?;
        match fs::remove_file(&self.path) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => {
                return Err(with_path(&self.path, &err));
            }
            _ => {}
        }
        self.prune_kept(&kept);
        Ok(kept)
    }

    /// Writes `bytes` to a new kept file named with `stamp`, then `-1`, `-2`… if the name is taken.
    /// `create_new` makes taking a name atomic: two emulators can never overwrite each other's.
    fn create_kept(&self, stamp: &str, bytes: &[u8]) -> io::Result<PathBuf> {
        let prefix = self.kept_prefix();
        for attempt in 0..KEEP_ASIDE_ATTEMPTS {
            let name = match attempt {
                0 => format!("{prefix}{stamp}.json"),
                _ => format!("{prefix}{stamp}-{attempt}.json"),
            };
            let kept = self.path.with_file_name(name);
            let mut file = match private_options().write(true).create_new(true).open(&kept) {
                Ok(file) => file,
                Err(err) if err.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(err) => return Err(with_path(&kept, &err)),
            };
            if let Err(err) = file.write_all(bytes).and_then(|()| file.sync_all()) {
                // Best effort: a partial copy is worth less than none.
                let _ = fs::remove_file(&kept);
                return Err(with_path(&kept, &err));
            }
            return Ok(kept);
        }
        Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            format!("{}: no free name to keep it aside", self.path.display()),
        ))
    }

    /// Deletes all but the newest [`KEPT_CORRUPT_FILES`] kept files, never `just_kept`. Best
    /// effort: a file that cannot be listed or deleted is only logged.
    fn prune_kept(&self, just_kept: &Path) {
        let folder = match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent,
            _ => Path::new("."),
        };
        let entries = match fs::read_dir(folder) {
            Ok(entries) => entries,
            Err(err) => {
                tracing::warn!(
                    folder = %folder.display(),
                    %err,
                    "could not list the kept state files"
                );
                return;
            }
        };
        let prefix = self.kept_prefix();
        let mut others: Vec<(Vec<u64>, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let stamp = kept_stamp(&entry.file_name().to_string_lossy(), &prefix)?;
                Some((stamp, entry.path()))
            })
            .filter(|(_, path)| path.file_name() != just_kept.file_name())
            .collect();
        // Newest first; the file just kept counts as one of the files kept.
        others.sort_unstable_by(|a, b| b.0.cmp(&a.0));
        for (_, path) in others
            .into_iter()
            .skip(KEPT_CORRUPT_FILES.saturating_sub(1))
        {
            if let Err(err) = fs::remove_file(&path) {
                tracing::warn!(
                    file = %path.display(),
                    %err,
                    "could not delete an old kept state file"
                );
            }
        }
    }

    /// `<stem>.corrupt-`: how every kept file's name starts.
    fn kept_prefix(&self) -> String {
        let stem = self
            .path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .unwrap_or_default();
        format!("{stem}.corrupt-")
    }

    fn create_parent(&self) -> io::Result<()> {
        match self.path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => private_dir_builder()
                .create(parent)
                .map_err(|err| with_path(parent, &err)),
            _ => Ok(()),
        }
    }
}

/// A recursive directory builder whose new directories only their owner can enter: the folder
/// holds the state file and, in the sandbox, may be created by the emulator. Existing directories
/// are left as they are.
fn private_dir_builder() -> fs::DirBuilder {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder
}

/// Open options that create files readable by their owner only.
fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    options
}

/// The numbers in a kept file's name (seconds, nanoseconds, then the counter if any), which order
/// kept files by age; `None` for any other file.
fn kept_stamp(name: &str, prefix: &str) -> Option<Vec<u64>> {
    let stamp: Vec<u64> = name
        .strip_prefix(prefix)?
        .strip_suffix(".json")?
        .split('-')
        .map(|number| number.parse().ok())
        .collect::<Option<_>>()?;
    (stamp.len() >= 2).then_some(stamp)
}

/// The same error, with the file it concerns in the message.
fn with_path(path: &Path, err: &io::Error) -> io::Error {
    io::Error::new(err.kind(), format!("{}: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn writes_replace_the_file_and_leave_no_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("nested/state.json"));
        let lock = file.lock().unwrap();
        assert_eq!(file.read(&lock).unwrap(), None);
        file.write(&lock, b"one").unwrap();
        file.write(&lock, b"two").unwrap();
        assert_eq!(file.read(&lock).unwrap().as_deref(), Some(&b"two"[..]));
        let names: Vec<_> = fs::read_dir(dir.path().join("nested"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[cfg(unix)]
    #[test]
    fn the_file_is_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        let lock = file.lock().unwrap();
        file.write(&lock, b"{}").unwrap();
        for path in [file.path(), file.lock_path.as_path()] {
            let mode = fs::metadata(path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", path.display());
        }
    }

    /// The names in `dir` that start with `prefix`, sorted.
    fn names(dir: &Path, prefix: &str) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(prefix))
            .collect();
        names.sort();
        names
    }

    /// Writes `bytes` as a corrupt state file and keeps it aside as at `since_epoch`.
    fn corrupt_then_keep(file: &StateFile, bytes: &[u8], since_epoch: Duration) -> PathBuf {
        let lock = file.lock().unwrap();
        fs::write(file.path(), bytes).unwrap();
        file.keep_aside_at(&lock, bytes, since_epoch).unwrap()
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_under_a_time_stamped_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        let at = Duration::new(1_700_000_000, 42);
        let kept = corrupt_then_keep(&file, b"not json", at);
        assert_eq!(
            kept,
            dir.path().join("state.corrupt-1700000000-000000042.json")
        );
        assert_eq!(fs::read(&kept).unwrap(), b"not json");
        assert!(!file.path().exists());
    }

    #[test]
    fn two_corrupt_files_in_the_same_second_are_both_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        // The same instant, to the nanosecond: the second takes a counter rather than overwrite.
        let at = Duration::new(1_700_000_000, 5);
        let first = corrupt_then_keep(&file, b"first", at);
        let second = corrupt_then_keep(&file, b"second", at);
        assert_ne!(first, second);
        assert_eq!(fs::read(&first).unwrap(), b"first");
        assert_eq!(fs::read(&second).unwrap(), b"second");
        // And at the real time, twice in a row.
        let lock = file.lock().unwrap();
        let third = file.keep_aside(&lock, b"third").unwrap();
        let fourth = file.keep_aside(&lock, b"fourth").unwrap();
        assert_eq!(fs::read(&third).unwrap(), b"third");
        assert_eq!(fs::read(&fourth).unwrap(), b"fourth");
    }

    #[test]
    fn only_the_newest_three_kept_files_remain() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        // Not kept files of this state file: never deleted.
        for other in ["other.corrupt-1-1.json", "state.corrupt-notes.json"] {
            fs::write(dir.path().join(other), "x").unwrap();
        }
        // Out of order, and one second holding two files (the later one with a counter).
        for (seconds, nanos) in [(20, 0), (9, 0), (100, 7), (100, 7), (30, 1)] {
            corrupt_then_keep(&file, b"x", Duration::new(seconds, nanos));
        }
        assert_eq!(
            names(dir.path(), "state.corrupt-"),
            [
                "state.corrupt-100-000000007-1.json",
                "state.corrupt-100-000000007.json",
                "state.corrupt-30-000000001.json",
                "state.corrupt-notes.json",
            ]
        );
        assert_eq!(names(dir.path(), "other."), ["other.corrupt-1-1.json"]);
    }

    #[test]
    fn the_file_just_kept_is_never_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        for seconds in [50, 60, 70] {
            corrupt_then_keep(&file, b"x", Duration::from_secs(seconds));
        }
        // A clock set back: the new file is the oldest by name, yet it is one of the three kept.
        let kept = corrupt_then_keep(&file, b"x", Duration::from_secs(10));
        assert!(kept.exists());
        assert_eq!(names(dir.path(), "state.corrupt-").len(), 3);
    }

    #[cfg(unix)]
    #[test]
    fn kept_files_are_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        let kept = corrupt_then_keep(&file, b"not json", Duration::from_secs(1));
        let mode = fs::metadata(kept).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[cfg(unix)]
    #[test]
    fn new_folders_are_private() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("data/sandbox/state.json"));
        drop(file.lock().unwrap());
        for folder in ["data", "data/sandbox"] {
            let mode = fs::metadata(dir.path().join(folder))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o700, "{folder}");
        }
    }
}
