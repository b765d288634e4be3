//! The process's one connection to the Secret Service, made at the first keyring call and kept.
//!
//! Why one and kept: gnome-keyring-daemon (42 on Debian 12, still in 50) has a race when a client
//! connects, opens a Secret Service session and goes away again. Now and then its record of the
//! client is gone while a request is in flight, a GLib assertion fails and the whole daemon aborts
//! (`gkd_secret_service_get_pkcs11_session: assertion 'client' failed`, GNOME/gnome-keyring work
//! items 190, 196, 199; seen here as `trap int3 … libglib` after some hundred sign-ins in one
//! run). A daemon that D-Bus starts again holds no unlocked keyring, so every sealed session would
//! read as signed out. A connection per call made a long-running app such a client hundreds of
//! times a week; kept, it connects once. It also spares each call a connection and an
//! `OpenSession`.
//!
//! The kept link is dropped and made again when the bus it is on is no longer the session's
//! (`DBUS_SESSION_BUS_ADDRESS` changed) or when a call fails and the Secret Service is no longer
//! the one it opened its session with (the daemon ended and was started again, or the bus went
//! away); that call is then made once more over the new link.

use std::{
    sync::{mpsc, Arc, Mutex, PoisonError},
    time::Duration,
};

use secret_service::{blocking::SecretService, Error as SsError};
use zbus::{
    blocking::{fdo::DBusProxy, Connection},
    names::{BusName, OwnedUniqueName},
};

use super::{describe, KResult, KeyringError, CALL_TIMEOUT, ENCRYPTION, SECRET_SERVICE};

/// An open Secret Service session on one bus connection.
struct Link {
    service: SecretService<'static>,
    /// The connection the session is on (the service keeps its own clone).
    connection: Connection,
    /// The bus this link was made on: the session's address when it was made.
    bus: Option<String>,
    /// The unique name of the Secret Service that opened the session: a session is the
    /// daemon's, so one started again knows nothing of it.
    owner: OwnedUniqueName,
}

/// The kept link; `None` until the first call, and after a link is found stale.
static LINK: Mutex<Option<Arc<Link>>> = Mutex::new(None);

/// The session bus this process would connect to now.
fn session_bus() -> Option<String> {
    std::env::var("DBUS_SESSION_BUS_ADDRESS").ok()
}

/// Runs `call` over the kept link (made first if there is none) on a thread of its own, under
/// `deadline`: a keyring may show the desktop's unlock prompt, and the crate waits for a prompt
/// without a limit, so a stuck daemon or a prompt nobody answers would otherwise hang the caller.
pub(super) fn with_keyring<T: Send + 'static>(
    deadline: Duration,
    call: impl Fn(&SecretService<'_>) -> KResult<T> + Send + 'static,
) -> KResult<T> {
    let (sender, receiver) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = sender.send(call_over_link(&call));
        });
    if spawned.is_err() {
        return Err(KeyringError::Failed("could not start its thread".into()));
    }
    match receiver.recv_timeout(deadline) {
        Ok(result) => result,
        Err(_) => Err(KeyringError::Failed(format!(
            "no answer within {} s (is an unlock prompt waiting on the desktop?)",
            deadline.as_secs()
        ))),
    }
}

/// `call` over the kept link; once more over a new one when it failed because the link is stale.
fn call_over_link<T>(call: &impl Fn(&SecretService<'_>) -> KResult<T>) -> KResult<T> {
    let (link, kept) = link()?;
    match call(&link.service) {
        Err(KeyringError::Failed(_)) if kept && link.is_stale() => {
            forget(&link);
            call(&self::link()?.0.service)
        }
        result => result,
    }
}

/// The kept link when it is on the session's bus, else a new one (kept from then on). `true`
/// with a link kept from an earlier call.
fn link() -> KResult<(Arc<Link>, bool)> {
    let mut kept = LINK.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(link) = kept.as_ref().filter(|link| link.bus == session_bus()) {
        return Ok((Arc::clone(link), true));
    }
    let link = Arc::new(connect()?);
    *kept = Some(Arc::clone(&link));
    Ok((link, false))
}

/// Drops `stale` as the kept link (unless another call already replaced it).
fn forget(stale: &Arc<Link>) {
    let mut kept = LINK.lock().unwrap_or_else(PoisonError::into_inner);
    if kept.as_ref().is_some_and(|link| Arc::ptr_eq(link, stale)) {
        *kept = None;
    }
}

impl Link {
    /// Whether the Secret Service that opened this link's session is gone: another owns the
    /// name now, none does, or the bus does not answer.
    fn is_stale(&self) -> bool {
        owner(&self.connection).map_or(true, |owner| owner != self.owner)
    }
}

/// The unique name of the Secret Service on `connection`'s bus.
fn owner(connection: &Connection) -> zbus::Result<OwnedUniqueName> {
    let dbus = DBusProxy::new(connection)?;
    Ok(dbus.get_name_owner(BusName::from_static_str(SECRET_SERVICE)?)?)
}

/// Connects, after asking the bus whether a Secret Service is there at all (owned now, or
/// startable), so "none" is a clear answer and not a guess from an error.
fn connect() -> KResult<Link> {
    let bus = session_bus();
    let connection = zbus::blocking::connection::Builder::session()
        .and_then(|b| b.method_timeout(CALL_TIMEOUT).build())
        .map_err(|e| KeyringError::Unavailable(format!("no session bus: {e}")))?;
    let present = (|| -> zbus::Result<bool> {
        let dbus = DBusProxy::new(&connection)?;
        let name = BusName::try_from(SECRET_SERVICE)?;
        // Running (the usual case) answers in one call; only else is the bus asked whether it
        // can start one.
        Ok(dbus.name_has_owner(name)?
            || dbus
                .list_activatable_names()?
                .iter()
                .any(|n| n.as_str() == SECRET_SERVICE))
    })()
    .map_err(|e| KeyringError::Unavailable(format!("the session bus did not answer: {e}")))?;
    if !present {
        return Err(KeyringError::Unavailable(format!(
            "no Secret Service ({SECRET_SERVICE}) on the session bus"
        )));
    }
    let service =
        SecretService::connect_with_existing(ENCRYPTION, connection.clone()).map_err(|e| match e {
            SsError::Unavailable => KeyringError::Unavailable(describe(&e)),
            e => KeyringError::Failed(describe(&e)),
        })?;
    // Asked after the session is open: a service the bus started for it owns the name by then.
    let owner = owner(&connection)
        .map_err(|e| KeyringError::Failed(format!("the session bus did not answer: {e}")))?;
    Ok(Link {
        service,
        connection,
        bus,
        owner,
    })
}
