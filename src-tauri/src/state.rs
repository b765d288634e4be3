//! The app's managed state: the profiles and their accounts, the one the window shows, the
//! sign-in slot, the session the window was last told of, and this run's activity.

use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError, RwLock},
};

use feishu_oauth::{signin::FlowSlot, Account, Profiles, Session};

use crate::{activity_log::ActivityLog, feed::SessionFeed};

/// Everything the commands share.
#[derive(Debug)]
pub struct AppState {
    pub profiles: Profiles,
    /// The profile the window shows, and its account.
    shown: RwLock<(String, Arc<Account>)>,
    /// Every profile's account, kept fresh by the keeper whether shown or not.
    accounts: Mutex<BTreeMap<String, Arc<Account>>>,
    /// The sign-in in progress: app-wide, so a sign-in started before a settings change can
    /// still be cancelled and still receives its deep link.
    pub sign_ins: FlowSlot,
    /// The sign-in in progress's authorize page, for "Open again" and "Copy link" (kept here,
    /// never sent to the page: the URL carries the sign-in's `state`).
    pub sign_in_page: Mutex<Option<(u64, url::Url)>>,
    pub feed: SessionFeed,
    pub activity: ActivityLog,
    /// Raised when the window's first view is on screen (the keeper waits for it).
    pub window_shown: tokio::sync::Notify,
}

impl AppState {
    /// State showing profile `name`'s `account`, whose stored session (read by the caller, which
    /// reports why it could not be) the window opens on.
    pub fn new(
        profiles: Profiles,
        name: String,
        account: Account,
        session: Option<Session>,
    ) -> Self {
        let account = Arc::new(account);
        let accounts = BTreeMap::from([(name.clone(), Arc::clone(&account))]);
        Self {
            profiles,
            shown: RwLock::new((name, account)),
            accounts: Mutex::new(accounts),
            sign_ins: FlowSlot::default(),
            sign_in_page: Mutex::default(),
            feed: SessionFeed::new(session),
            activity: ActivityLog::default(),
            window_shown: tokio::sync::Notify::new(),
        }
    }

    /// The shown profile's account.
    pub fn account(&self) -> Arc<Account> {
        Arc::clone(&self.shown.read().unwrap_or_else(PoisonError::into_inner).1)
    }

    /// The shown profile's name.
    pub fn profile(&self) -> String {
        self.shown
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .0
            .clone()
    }

    /// Profile `name`'s account, if it is open.
    pub fn account_of(&self, name: &str) -> Option<Arc<Account>> {
        self.accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned()
    }

    /// Every open profile's account.
    pub fn accounts(&self) -> Vec<(String, Arc<Account>)> {
        self.accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(name, account)| (name.clone(), Arc::clone(account)))
            .collect()
    }

    /// Keeps profile `name`'s account (new, or rebuilt after its settings changed); returns it.
    pub fn keep(&self, name: &str, account: Account) -> Arc<Account> {
        let account = Arc::new(account);
        self.accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), Arc::clone(&account));
        let mut shown = self.shown.write().unwrap_or_else(PoisonError::into_inner);
        if shown.0 == name {
            shown.1 = Arc::clone(&account);
        }
        account
    }

    /// Forgets the accounts of profiles that no longer exist (removed by the CLI).
    pub fn retain(&self, names: &[String]) {
        self.accounts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|name, _| names.contains(name));
    }

    /// Shows profile `name` (its account open already).
    pub fn show(&self, name: &str, account: Arc<Account>) {
        *self.shown.write().unwrap_or_else(PoisonError::into_inner) = (name.to_owned(), account);
    }
}
