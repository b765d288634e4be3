//! A cross-process lock on a file, taken with a bounded wait.
//!
//! A holder that hangs (a stopped `feishu-auth`, a refresh stuck in a dead network) must never
//! freeze every other process for good: a waiter gives up after [`LOCK_WAIT`] with an error that
//! names the lock file and, when the holder wrote it down, the holder's process id. The lock is an
//! advisory `flock` on an open file, so the kernel releases it when its holder exits, however it
//! exits; the pid in the file is only for the message. The holder empties the file as it lets go,
//! so a pid left in a free lock file says its process ended while holding it (killed, crashed):
//! harmless for the lock, worth a word from `doctor` since a refresh may have been cut short.

use std::{
    fs::{File, OpenOptions, TryLockError},
    io::{self, Read as _, Seek as _, Write as _},
    os::unix::fs::OpenOptionsExt,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use crate::{
    error::{Error, Result},
    fsutil,
};

/// How long a process waits for the write lock before it says who holds it: its holders do one
/// read and one write, so a wait this long means trouble.
pub const WRITE_LOCK_WAIT: Duration = Duration::from_secs(10);
/// How long a process waits for the refresh lock: longer than one refresh's HTTP call may take
/// (30 s), so a slow but healthy refresh is waited for, not reported.
pub const REFRESH_LOCK_WAIT: Duration = Duration::from_secs(40);
/// How often a waiter tries again.
const POLL: Duration = Duration::from_millis(20);

/// A held lock; dropping it releases the lock.
#[derive(Debug)]
pub struct FileLock {
    file: File,
}

impl Drop for FileLock {
    /// Empties the pid note while the lock is still held (the next holder writes its own after
    /// taking it), then the file closes and the kernel releases the lock.
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
    }
}

/// Takes the exclusive lock on `path` (created 0600 in a 0700 folder), waiting at most `wait`.
pub fn acquire(path: &Path, wait: Duration) -> Result<FileLock> {
    if let Some(dir) = path.parent() {
        fsutil::ensure_private_dir(dir).map_err(|source| store_error(path, source))?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .map_err(|source| store_error(path, source))?;
    let deadline = Instant::now() + wait;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => std::thread::sleep(POLL),
            Err(TryLockError::WouldBlock) => {
                return Err(Error::LockTimeout {
                    path: path.to_owned(),
                    waited: wait,
                    holder: holder_pid(&mut file),
                })
            }
            Err(TryLockError::Error(source)) => return Err(store_error(path, source)),
        }
    }
    // Who holds it, for a waiter's message; a failure here costs only that message.
    let _ = write_pid(&mut file);
    Ok(FileLock { file })
}

fn write_pid(file: &mut File) -> io::Result<()> {
    file.set_len(0)?;
    file.rewind()?;
    write!(file, "{}", std::process::id())
}

/// The pid the holder wrote, if it reads as one.
fn holder_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

fn store_error(path: &Path, source: io::Error) -> Error {
    Error::Store {
        path: PathBuf::from(path),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_taker_gives_up_in_time_and_names_the_file_and_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("session.lock");
        let held = acquire(&path, WRITE_LOCK_WAIT).unwrap();
        let err = acquire(&path, Duration::from_millis(200)).unwrap_err();
        let Error::LockTimeout { holder, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*holder, Some(std::process::id()));
        let message = err.to_string();
        assert!(message.contains("session.lock"), "{message}");
        assert!(
            message.contains(&std::process::id().to_string()),
            "{message}"
        );
        drop(held);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "",
            "the pid note is cleared on release"
        );
        drop(acquire(&path, Duration::from_millis(200)).unwrap());
    }
}
