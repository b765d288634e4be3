//! The app's managed state: the current backend, the sign-in in progress, and this run's activity.

use std::sync::{Arc, Mutex, PoisonError, RwLock};

use feishu_oauth::{Callback, RedirectUri, StateMatcher};
use tokio::sync::{mpsc, oneshot};

use crate::{backend::Backend, models::ActivityEntry};

/// The sign-in waiting for its callback.
#[derive(Debug)]
pub struct PendingFlow {
    /// Distinguishes this sign-in from a later one.
    pub id: u64,
    /// Checks a deep link's `state`.
    pub matcher: StateMatcher,
    /// The redirect a deep link must be addressed to.
    pub redirect_uri: RedirectUri,
    /// Where a matching deep link is delivered (`None` for the loopback route).
    pub deep_link: Option<mpsc::Sender<Callback>>,
    /// Fired by `cancel_sign_in`, or by a newer sign-in that takes the slot.
    pub cancel: Option<oneshot::Sender<()>>,
    /// Closed once this sign-in has released its loopback port, so a newer one can bind it.
    pub released: Option<oneshot::Receiver<()>>,
}

/// Everything the commands share.
#[derive(Debug)]
pub struct AppState {
    backend: RwLock<Arc<Backend>>,
    pub pending: Mutex<Option<PendingFlow>>,
    pub activity: Mutex<Vec<ActivityEntry>>,
    next_flow: std::sync::atomic::AtomicU64,
}

impl AppState {
    /// State over a first backend.
    pub fn new(backend: Backend) -> Self {
        Self {
            backend: RwLock::new(Arc::new(backend)),
            pending: Mutex::default(),
            activity: Mutex::default(),
            next_flow: std::sync::atomic::AtomicU64::new(1),
        }
    }

    /// The current backend.
    pub fn backend(&self) -> Arc<Backend> {
        Arc::clone(&self.backend.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Replaces the backend (after the settings changed).
    pub fn replace_backend(&self, backend: Backend) {
        *self.backend.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(backend);
    }

    /// A fresh sign-in id.
    pub fn next_flow_id(&self) -> u64 {
        self.next_flow
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// The pending sign-in slot.
    pub fn pending(&self) -> std::sync::MutexGuard<'_, Option<PendingFlow>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
