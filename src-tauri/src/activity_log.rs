//! The entries of this run's activity, oldest first, numbered in order: the window merges the
//! `activity` answer and the `activity://added` events by that number.

use std::sync::{Mutex, PoisonError};

use time::OffsetDateTime;

use crate::{
    events::{Activity, ActivityEntry},
    views::rfc3339,
};

/// The most entries kept.
const MAX_ENTRIES: usize = 200;

/// The entries, oldest first, and the next sequence number.
#[derive(Debug, Default)]
pub struct ActivityLog {
    inner: Mutex<(u64, Vec<ActivityEntry>)>,
}

impl ActivityLog {
    /// A copy of the entries numbered after `seq` (all of them after 0).
    pub fn entries_after(&self, seq: u64) -> Vec<ActivityEntry> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let newer = inner.1.partition_point(|entry| entry.seq <= seq);
        inner.1[newer..].to_vec()
    }

    /// Adds an entry, numbered after the last.
    pub fn push(&self, activity: Activity, code: Option<u32>) -> ActivityEntry {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.0 += 1;
        let entry = ActivityEntry {
            seq: inner.0,
            at: rfc3339(OffsetDateTime::now_utc()),
            activity,
            code,
        };
        if inner.1.len() == MAX_ENTRIES {
            inner.1.remove(0);
        }
        inner.1.push(entry.clone());
        entry
    }
}
