//! The session's two lock files (`session.lock` for refreshes, `session.write.lock` for saves and
//! sign-outs; see [`crate::lockfile`]).
//!
//! How they work, which decides what is worth saying: a lock is an advisory `flock` on the open
//! file, so the kernel releases it when its holder exits, however it exits; nobody is ever kept
//! waiting by a dead process. The holder writes its pid into the file when it takes the lock, for
//! a waiter's message, and empties the file when it lets go. So:
//! - held now (the kernel's `/proc/locks` says by whom): a refresh or save is under way, which is
//!   information; a holder that is stopped (`^Z`, a debugger) keeps every other process waiting
//!   until they give up, a warning;
//! - free, with the pid of a process that no longer exists left in it: that process ended while it
//!   held the lock (killed, crashed, the machine lost power). The lock itself is free: that is
//!   harmless. A warning only because a refresh cut short may have spent the refresh token;
//! - free and empty (or never taken): nothing to say.

use std::{
    fs, io,
    os::unix::fs::MetadataExt as _,
    path::{Path, PathBuf},
};

use super::{procfs, Check, Status};

pub(super) const LOCKS: (&str, &str) = ("locks", "Session locks");

/// One lock file's state.
#[derive(Debug, Clone, PartialEq, Eq)]
enum LockState {
    /// The file does not exist: the lock was never taken.
    NeverTaken,
    /// Free, nothing recorded (or the recorded process is alive: it just let go).
    Free,
    /// Held now by this process.
    Held(procfs::Process, bool),
    /// Free, but the pid recorded in it is of a process that ended while holding it.
    Stale(u32),
    /// The file could not be read.
    Unreadable(String),
}

fn state(path: &Path) -> LockState {
    let meta = match fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return LockState::NeverTaken,
        Err(e) => return LockState::Unreadable(e.to_string()),
    };
    let (major, minor) = procfs::major_minor(meta.dev());
    let holder = fs::read_to_string("/proc/locks")
        .ok()
        .and_then(|locks| procfs::flock_holder(&locks, major, minor, meta.ino()));
    if let Some(pid) = holder {
        return LockState::Held(procfs::Process::of(pid), procfs::is_stopped(pid));
    }
    let recorded = match fs::read_to_string(path) {
        Ok(text) => text.trim().parse::<u32>().ok(),
        Err(e) => return LockState::Unreadable(e.to_string()),
    };
    match recorded {
        Some(pid) if !procfs::is_alive(pid) => LockState::Stale(pid),
        _ => LockState::Free,
    }
}

pub(super) fn check(session_path: &Path) -> Check {
    let (id, title) = LOCKS;
    let locks: [(&str, PathBuf); 2] = [
        ("refresh lock", session_path.with_extension("lock")),
        ("write lock", session_path.with_extension("write.lock")),
    ];
    let mut details = Vec::new();
    let mut status = Status::Ok;
    let mut findings = Vec::new();
    let mut advice = Vec::new();
    for (name, path) in &locks {
        let state = state(path);
        let said = match &state {
            LockState::NeverTaken => "never taken".to_owned(),
            LockState::Free => "free".to_owned(),
            LockState::Held(holder, false) => {
                findings.push(format!(
                    "the {name} is held by {}: a refresh or save is under way",
                    holder.describe()
                ));
                format!("held by {}", holder.describe())
            }
            LockState::Held(holder, true) => {
                status = status.max(Status::Warning);
                findings.push(format!(
                    "the {name} is held by {}, which is stopped: other commands wait for it, then give up",
                    holder.describe()
                ));
                advice.push(format!(
                    "Resume it (`kill -CONT {0}`, or `fg` in its terminal) or end it (`kill {0}`)",
                    holder.pid
                ));
                format!("held by {}, stopped", holder.describe())
            }
            LockState::Stale(pid) => {
                status = status.max(Status::Warning);
                findings.push(format!(
                    "the {name} was left by pid {pid}, which ended while holding it (killed or crashed); the kernel released it then, so nothing waits on it"
                ));
                advice.push(if *name == "refresh lock" {
                    "Nothing blocks. A refresh may have been cut short: if `feishu-auth token` says the session ended, sign in again (`feishu-auth login`)".to_owned()
                } else {
                    "Nothing to do: the lock is free and the next save overwrites the note".to_owned()
                });
                format!("free; pid {pid} recorded in it has ended")
            }
            LockState::Unreadable(e) => {
                status = status.max(Status::Warning);
                findings.push(format!("the {name} cannot be read: {e}"));
                advice.push(format!(
                    "Check the owner and mode of {} (it must be yours, 0600)",
                    path.display()
                ));
                format!("unreadable: {e}")
            }
        };
        details.push(format!("{}: {said}", path.display()));
    }
    let finding = if findings.is_empty() {
        "no lock is held".to_owned()
    } else {
        findings.join("; ")
    };
    let check = Check::new(id, title, status, finding).details(details);
    if advice.is_empty() {
        check
    } else {
        check.advice(advice.join(". "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_left_by_an_ended_process_is_stale_and_a_held_one_names_its_holder() {
        let dir = tempfile::tempdir().unwrap();
        let session = dir.path().join("session.json");
        assert_eq!(
            state(&session.with_extension("lock")),
            LockState::NeverTaken
        );
        // A pid no process has: above the kernel's maximum.
        fs::write(session.with_extension("lock"), "4194305").unwrap();
        assert_eq!(
            state(&session.with_extension("lock")),
            LockState::Stale(4_194_305)
        );
        let check = check(&session);
        assert_eq!(check.status, Status::Warning);
        assert!(check.finding.contains("4194305"), "{}", check.finding);
        let held = crate::lockfile::acquire(
            &session.with_extension("write.lock"),
            std::time::Duration::from_secs(1),
        )
        .unwrap();
        let LockState::Held(holder, stopped) = state(&session.with_extension("write.lock")) else {
            panic!("not seen as held")
        };
        assert_eq!((holder.pid, stopped), (std::process::id(), false));
        drop(held);
        assert_eq!(
            state(&session.with_extension("write.lock")),
            LockState::Free
        );
    }
}
