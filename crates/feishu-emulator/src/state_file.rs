//! The optional JSON file through which emulators in several processes share one store.
//!
//! The sandbox starts one in-process emulator per CLI process, and a token issued by one must be
//! accepted by the next. So every request that touches the store takes an exclusive lock on a
//! sibling `.lock` file, re-reads the state, changes it and writes it back atomically (a temporary
//! file in the same directory, then a rename), with mode 0600 because it describes live grants.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

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
