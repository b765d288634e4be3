//! The app's managed state: the current account, the sign-in slot, the session the window was
//! last told of, and this run's activity.

use std::sync::{Arc, PoisonError, RwLock};

use feishu_oauth::{signin::FlowSlot, Account, Session};

use crate::{activity_log::ActivityLog, feed::SessionFeed};

/// Everything the commands share.
#[derive(Debug)]
pub struct AppState {
    account: RwLock<Arc<Account>>,
    /// The sign-in in progress: app-wide, so a sign-in started before a settings change can
    /// still be cancelled and still receives its deep link.
    pub sign_ins: FlowSlot,
    pub feed: SessionFeed,
    pub activity: ActivityLog,
}

impl AppState {
    /// State over a first account, whose stored session (read by the caller, which reports why
    /// it could not be) the window opens on.
    pub fn new(account: Account, session: Option<Session>) -> Self {
        let feed = SessionFeed::new(session);
        Self {
            account: RwLock::new(Arc::new(account)),
            sign_ins: FlowSlot::default(),
            feed,
            activity: ActivityLog::default(),
        }
    }

    /// The current account.
    pub fn account(&self) -> Arc<Account> {
        Arc::clone(&self.account.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Replaces the account (after the settings changed).
    pub fn replace_account(&self, account: Account) {
        *self.account.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(account);
    }
}
