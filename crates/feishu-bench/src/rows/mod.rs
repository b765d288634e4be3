//! The rows of the table, one module per row of the task (cold start and memory share their
//! launches).

pub mod cold_start;
pub mod contention;
pub mod idle;
pub mod memory;
pub mod profiles;
pub mod sign_in;
pub mod size;
pub mod token;
pub mod week;

/// Progress on stderr, so the table on stdout stays clean.
pub fn progress(what: &str, done: usize, of: usize) {
    if done == of || done.is_multiple_of(10) {
        eprintln!("  {what}: {done}/{of}");
    }
}
