//! The session's writes, in order, with one that returns before the disk is reached.
//!
//! A sign-in's last step is saving the session, and a crash-safe save (temporary file, flushed,
//! renamed, folder flushed) costs about as much as the two HTTP calls before it on loopback. So
//! the sign-in hands its session in ([`SessionWriter::hand_in`]), shows it, and lets the write
//! finish on a blocking thread. Until it has, this process reads the handed-in state instead of
//! the file, so nothing here ever sees the older session again; other processes see the file
//! change a moment later, whole, exactly as with a plain save.
//!
//! Writes reach the disk one at a time, and each writes the newest state handed in, so a slow
//! older write can never land over a newer one. A write that fails drops the unwritten state: the
//! file, which every process shares, stays the truth, and the caller hears why.

use std::sync::{Arc, Mutex, PoisonError};

use crate::{
    error::{Error, Result},
    session::Session,
    store::SessionStore,
};

/// A state handed in: a session, or `None` for signed out.
type State = Option<Session>;

/// Orders the writes of one store.
pub struct SessionWriter {
    store: Arc<dyn SessionStore>,
    /// The newest state handed in and not yet on disk, with its number.
    unwritten: Mutex<Option<(u64, State)>>,
    /// The number the next hand-in gets (numbers start at 1).
    next: Mutex<u64>,
    /// Held while a write runs, so writes reach the disk one at a time: the number last written.
    written: Mutex<u64>,
}

impl std::fmt::Debug for SessionWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the sessions (they hold tokens), nor a lock a write may be holding.
        f.debug_struct("SessionWriter").finish_non_exhaustive()
    }
}

impl SessionWriter {
    pub fn new(store: Arc<dyn SessionStore>) -> Self {
        Self {
            store,
            unwritten: Mutex::new(None),
            next: Mutex::new(1),
            written: Mutex::new(0),
        }
    }

    /// The store written to.
    pub fn store(&self) -> &Arc<dyn SessionStore> {
        &self.store
    }

    /// Makes `state` what this process reads from now on; returns its number for [`Self::write`].
    pub fn hand_in(&self, state: State) -> u64 {
        let mut next = lock(&self.next);
        let number = *next;
        *next += 1;
        // Under `next`, so the slot only ever moves to a higher number.
        *lock(&self.unwritten) = Some((number, state));
        number
    }

    /// The state handed in and not yet written, if any (`Some(None)`: signed out, not yet written).
    pub fn unwritten(&self) -> Option<State> {
        lock(&self.unwritten)
            .as_ref()
            .map(|(_, state)| state.clone())
    }

    /// Puts state `number` (or a newer one, which supersedes it) on disk. Blocks on the file
    /// system: async callers run it on a blocking thread.
    pub fn write(&self, number: u64) -> Result<()> {
        let mut written = lock(&self.written);
        if *written >= number {
            return Ok(());
        }
        let newest = lock(&self.unwritten).clone();
        let Some((newest_number, state)) = newest else {
            // Not written, and nothing newer is waiting: a newer write failed and dropped it.
            return Err(Error::Store {
                path: "session".into(),
                source: std::io::Error::other("a later save of the session failed"),
            });
        };
        let result = match &state {
            Some(session) => self.store.save(session),
            None => self.store.clear(),
        };
        let mut unwritten = lock(&self.unwritten);
        if unwritten.as_ref().map(|(n, _)| *n) == Some(newest_number) {
            // Written, or failed: either way the file is the truth again.
            *unwritten = None;
        }
        drop(unwritten);
        if result.is_ok() {
            *written = newest_number;
        }
        result
    }

    /// Hands `state` in and writes it now.
    pub fn write_now(&self, state: State) -> Result<()> {
        let number = self.hand_in(state);
        self.write(number)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A write handed to a blocking thread; [`Persisting::finished`] says how it went.
#[derive(Debug)]
#[must_use = "a failed write is only reported through `finished`"]
pub struct Persisting(tokio::task::JoinHandle<Result<()>>);

impl Persisting {
    /// Starts writing state `number` of `writer` on a blocking thread.
    pub(crate) fn start(writer: Arc<SessionWriter>, number: u64) -> Self {
        Self(tokio::task::spawn_blocking(move || writer.write(number)))
    }

    /// Waits until the session is on disk (flushed), or the write failed.
    pub async fn finished(self) -> Result<()> {
        self.0.await.map_err(|e| Error::Store {
            path: "session".into(),
            source: std::io::Error::other(e),
        })?
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Condvar, Mutex as StdMutex};

    use time::OffsetDateTime;

    use super::*;
    use crate::{store::StoreLock, FileStore};

    fn sample(name: &str) -> Session {
        let mut session = crate::session::tests::sample(OffsetDateTime::now_utc(), 60);
        session.profile.name = name.into();
        session
    }

    /// A file store whose saves wait until the test opens the gate: a slow disk, to see what
    /// this process reads while a write is under way, and in what order writes land.
    struct SlowDisk {
        file: FileStore,
        open: StdMutex<bool>,
        opened: Condvar,
    }

    impl SlowDisk {
        fn open_gate(&self) {
            *self.open.lock().unwrap() = true;
            self.opened.notify_all();
        }
    }

    impl SessionStore for SlowDisk {
        fn load(&self) -> Result<Option<Session>> {
            self.file.load()
        }
        fn save(&self, session: &Session) -> Result<()> {
            let open = self.open.lock().unwrap();
            drop(self.opened.wait_while(open, |open| !*open).unwrap());
            self.file.save(session)
        }
        fn clear(&self) -> Result<()> {
            self.file.clear()
        }
        fn lock(&self) -> Result<StoreLock> {
            self.file.lock()
        }
    }

    #[tokio::test]
    async fn a_handed_in_session_is_read_at_once_and_reaches_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = FileStore::new(dir.path().join("session.json"));
        let disk = Arc::new(SlowDisk {
            file: file.clone(),
            open: StdMutex::new(false),
            opened: Condvar::new(),
        });
        let writer = Arc::new(SessionWriter::new(disk.clone()));

        let number = writer.hand_in(Some(sample("first")));
        let persisting = Persisting::start(Arc::clone(&writer), number);
        // The write is held at the gate: this process already reads the new session, the file
        // does not have it yet.
        let read = writer.unwritten().unwrap().unwrap();
        assert_eq!(read.profile.name, "first");
        assert!(file.load().unwrap().is_none());

        disk.open_gate();
        persisting.finished().await.unwrap();
        assert!(writer.unwritten().is_none());
        assert_eq!(file.load().unwrap().unwrap().profile.name, "first");
    }

    #[tokio::test]
    async fn a_newer_state_is_never_overwritten_by_an_older_write() {
        let dir = tempfile::tempdir().unwrap();
        let file = FileStore::new(dir.path().join("session.json"));
        let disk = Arc::new(SlowDisk {
            file: file.clone(),
            open: StdMutex::new(false),
            opened: Condvar::new(),
        });
        let writer = Arc::new(SessionWriter::new(disk.clone()));

        let older = writer.hand_in(Some(sample("older")));
        let newer = writer.hand_in(Some(sample("newer")));
        // The newer one's write starts first; the older one's comes after it.
        let newer_write = Persisting::start(Arc::clone(&writer), newer);
        disk.open_gate();
        newer_write.finished().await.unwrap();
        Persisting::start(Arc::clone(&writer), older)
            .finished()
            .await
            .unwrap();
        assert_eq!(file.load().unwrap().unwrap().profile.name, "newer");
    }

    #[test]
    fn a_failed_write_leaves_the_file_the_truth_and_says_why() {
        let dir = tempfile::tempdir().unwrap();
        // A plain file where the folder should be: every write fails.
        let blocker = dir.path().join("data");
        std::fs::write(&blocker, b"not a folder").unwrap();
        let writer = SessionWriter::new(Arc::new(FileStore::new(blocker.join("session.json"))));

        let number = writer.hand_in(Some(sample("lost")));
        let error = writer.write(number).unwrap_err();
        assert!(matches!(error, Error::Store { .. }), "{error:?}");
        assert!(
            writer.unwritten().is_none(),
            "the unwritten session is dropped"
        );
    }

    #[test]
    fn signing_out_is_written_in_turn() {
        let dir = tempfile::tempdir().unwrap();
        let file = FileStore::new(dir.path().join("session.json"));
        let writer = SessionWriter::new(Arc::new(file.clone()));
        writer.write_now(Some(sample("someone"))).unwrap();
        let out = writer.hand_in(None);
        assert_eq!(writer.unwritten(), Some(None));
        writer.write(out).unwrap();
        assert!(file.load().unwrap().is_none());
    }
}
