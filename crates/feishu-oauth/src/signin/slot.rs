//! The sign-in in progress, one at a time: a newer sign-in (a second click, a reloaded window)
//! cancels the older one and waits until its loopback port is free instead of failing to bind
//! it; a cancel request and a deep link reach the current one through here.

use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Mutex, MutexGuard, PoisonError,
    },
    time::Duration,
};

use tokio::sync::{mpsc, oneshot};
use tracing::{info, warn};

use super::progress::FlowId;
use crate::{
    authorize::StateMatcher,
    callback::{Callback, CallbackError},
    redirect::RedirectUri,
};

/// How long a new sign-in waits for the one it replaces to release its port.
const RELEASE_WAIT: Duration = Duration::from_secs(5);

/// Why a pasted address was not taken; the person may paste again.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasteRejected {
    /// No sign-in is waiting for a paste (it ended, or never started).
    #[error("no sign-in is waiting for it")]
    NoSignIn,
    /// Not the address (or query) the browser ended on.
    #[error("that is not the address the browser ended on ({0}); it starts with {1}")]
    NotTheCallback(CallbackError, String),
    /// Another sign-in's address (an older attempt's tab).
    #[error("that address belongs to another sign-in (its `state` differs): paste the one from this sign-in's page")]
    OtherSignIn,
    /// This sign-in has its callback already.
    #[error("this sign-in already has its callback")]
    AlreadyReceived,
}

/// A deep link's fate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeepLinkDelivery {
    /// Handed to the waiting sign-in.
    Delivered,
    /// Ignored: no sign-in is waiting for a deep link, it is not a callback to the redirect URI,
    /// or its `state` is not the waiting sign-in's. Logged, never exchanged.
    Ignored,
}

/// The slot of the sign-in in progress.
#[derive(Debug, Default)]
pub struct FlowSlot {
    current: Mutex<Option<Current>>,
    next: AtomicU64,
}

#[derive(Debug)]
struct Current {
    id: FlowId,
    cancel: Option<oneshot::Sender<()>>,
    released: Option<oneshot::Receiver<()>>,
    delivered: Option<DeliveryWait>,
}

/// A sign-in waiting for its callback to be handed over (a deep link, a paste).
#[derive(Debug)]
struct DeliveryWait {
    matcher: StateMatcher,
    redirect_uri: RedirectUri,
    /// Taken by the first genuine callback; replays find it gone.
    sender: Option<mpsc::Sender<Callback>>,
}

/// A sign-in's hold on the slot: cleared when it ends, unless a newer one took the slot.
#[derive(Debug)]
pub(super) struct Ticket<'a> {
    slot: &'a FlowSlot,
    pub id: FlowId,
    /// Dropped last (after the listener): tells a newer sign-in that the port is free.
    _released: oneshot::Sender<()>,
}

impl Ticket<'_> {
    /// Makes this sign-in the one a deep link or a paste of a callback to `redirect_uri` with
    /// its `state` is handed to.
    pub(super) fn expect_delivery(
        &self,
        matcher: StateMatcher,
        redirect_uri: RedirectUri,
        sender: mpsc::Sender<Callback>,
    ) {
        let mut current = self.slot.lock();
        if let Some(current) = current.as_mut().filter(|c| c.id == self.id) {
            current.delivered = Some(DeliveryWait {
                matcher,
                redirect_uri,
                sender: Some(sender),
            });
        }
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        let mut current = self.slot.lock();
        if current.as_ref().is_some_and(|c| c.id == self.id) {
            *current = None;
        }
    }
}

impl FlowSlot {
    fn lock(&self) -> MutexGuard<'_, Option<Current>> {
        self.current.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A new id, for a sign-in about to start.
    pub fn next_id(&self) -> FlowId {
        FlowId(self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// Takes the slot for sign-in `id`; the one it held is cancelled and, once it has released
    /// its port (or after a short wait), this returns. A sign-in that comes to the slot after a
    /// newer one took it is itself the one cancelled (`None`): the newest always wins. The
    /// receiver hears a cancel.
    pub(super) async fn take(&self, id: FlowId) -> Option<(Ticket<'_>, oneshot::Receiver<()>)> {
        let (cancel, cancelled) = oneshot::channel();
        let (released_tx, released_rx) = oneshot::channel();
        let replaced = {
            let mut current = self.lock();
            if current.as_ref().is_some_and(|c| c.id > id) {
                return None;
            }
            current.replace(Current {
                id,
                cancel: Some(cancel),
                released: Some(released_rx),
                delivered: None,
            })
        };
        if let Some(mut old) = replaced {
            if let Some(cancel) = old.cancel.take() {
                let _ = cancel.send(());
            }
            if let Some(released) = old.released.take() {
                let _ = tokio::time::timeout(RELEASE_WAIT, released).await;
            }
        }
        let ticket = Ticket {
            slot: self,
            id,
            _released: released_tx,
        };
        Some((ticket, cancelled))
    }

    /// Cancels the sign-in in progress, if any; its port is released at once.
    pub fn cancel(&self) {
        if let Some(cancel) = self.lock().as_mut().and_then(|c| c.cancel.take()) {
            let _ = cancel.send(());
        }
    }

    /// Hands a deep link to the waiting sign-in if it is its callback.
    pub fn deliver_deep_link(&self, url: &str) -> DeepLinkDelivery {
        let mut current = self.lock();
        let Some(wait) = current.as_mut().and_then(|c| c.delivered.as_mut()) else {
            warn!(
                len = url.len(),
                "deep link ignored: no sign-in is waiting for one"
            );
            return DeepLinkDelivery::Ignored;
        };
        let callback = match Callback::parse(url, &wait.redirect_uri) {
            Ok(callback) => callback,
            Err(e) => {
                warn!(error = %e, len = url.len(), "deep link ignored");
                return DeepLinkDelivery::Ignored;
            }
        };
        if !wait.matcher.matches(callback.state()) {
            warn!("deep link ignored: its state matches no pending sign-in");
            return DeepLinkDelivery::Ignored;
        }
        let Some(sender) = wait.sender.take() else {
            warn!("deep link ignored: this sign-in already received its callback");
            return DeepLinkDelivery::Ignored;
        };
        info!("sign-in callback received by deep link");
        let _ = sender.try_send(callback);
        DeepLinkDelivery::Delivered
    }

    /// Hands a pasted address (or its query) to the waiting sign-in if it is its callback; else
    /// says why not, and the sign-in goes on waiting for another paste.
    pub fn deliver_pasted(&self, text: &str) -> Result<(), PasteRejected> {
        let mut current = self.lock();
        let wait = current
            .as_mut()
            .and_then(|c| c.delivered.as_mut())
            .ok_or(PasteRejected::NoSignIn)?;
        let callback = Callback::parse_pasted(text, &wait.redirect_uri)
            .map_err(|e| PasteRejected::NotTheCallback(e, wait.redirect_uri.to_string()))?;
        if !wait.matcher.matches(callback.state()) {
            warn!("pasted callback refused: its state matches no pending sign-in");
            return Err(PasteRejected::OtherSignIn);
        }
        let sender = wait.sender.take().ok_or(PasteRejected::AlreadyReceived)?;
        info!("sign-in callback received by paste");
        let _ = sender.try_send(callback);
        Ok(())
    }
}
