//! The size of the `blocking` crate's thread pool, which zbus (over async-io) runs short blocking
//! socket calls on while it connects to the session bus: the single instance, the notifications
//! and every keyring call connect.
//!
//! The pool grows a thread whenever a task waits while its threads are busy, and an idle thread
//! below the limit (500 by default) never ends: it wakes every 500 ms to look for work, for the
//! life of the process. Two connections made at once at startup (a keyring call beside the single
//! instance's) left a second such thread, 2 wake-ups a second for good, doubling the app's idle
//! context switches against the empty app's (`scripts/bench.sh`, rows 7–8). The calls it runs
//! (peer credentials, one byte sent) return at once, so one thread serves them all in turn.
//!
//! A user who sets `BLOCKING_MAX_THREADS` is left alone.

/// The variable the `blocking` crate reads when its pool starts.
const MAX_THREADS: &str = "BLOCKING_MAX_THREADS";

/// Applies the limit. Call first thing in `main`, while the process has one thread.
pub fn configure() {
    if std::env::var_os(MAX_THREADS).is_none() {
        std::env::set_var(MAX_THREADS, "1");
    }
}
