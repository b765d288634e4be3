//! Whether a Secret Service (GNOME Keyring, KWallet, KeePassXC) is on the session bus:
//! `org.freedesktop.secrets` owned now, or activatable (D-Bus starts it on first use). The session
//! is sealed with a key the keyring holds; without one the tokens are in a 0600 file, unsealed, so
//! a missing keyring is a warning, never a failure. Asked with zbus's blocking API: a few calls,
//! made on a blocking thread under a timeout (see [`super::examine`]).

use zbus::{blocking::fdo::DBusProxy, names::BusName};

use super::{procfs, Check, Status};

pub(super) const KEYRING: (&str, &str) = ("keyring", "Keyring");

/// The Secret Service's well-known bus name.
const SECRET_SERVICE: &str = "org.freedesktop.secrets";

pub(super) const NO_KEYRING_ADVICE: &str = "Tokens are then kept unsealed in a file only you can read (mode 0600). To seal them, install gnome-keyring (or enable KeePassXC's Secret Service) in the desktop session: the next use seals the stored session in place. `storage = \"keyring\"` in the settings refuses to store tokens unsealed";

pub(super) fn check() -> Check {
    let (id, title) = KEYRING;
    let missing =
        |finding: String| Check::new(id, title, Status::Warning, finding).advice(NO_KEYRING_ADVICE);
    let bus = std::env::var("DBUS_SESSION_BUS_ADDRESS").unwrap_or_default();
    let connection =
        match zbus::blocking::Connection::session() {
            Ok(connection) => connection,
            Err(e) => return missing(
                "no session bus to ask for a keyring: tokens are stored unsealed in a 0600 file"
                    .to_owned(),
            )
            .details(vec![
                format!(
                    "DBUS_SESSION_BUS_ADDRESS: {}",
                    if bus.is_empty() { "not set" } else { "set" }
                ),
                format!("Session bus: {e}"),
            ]),
        };
    let answer = (|| -> zbus::Result<(bool, bool, Option<u32>)> {
        let dbus = DBusProxy::new(&connection)?;
        let name = BusName::try_from(SECRET_SERVICE)?;
        let owned = dbus.name_has_owner(name.clone())?;
        let pid = if owned {
            dbus.get_connection_unix_process_id(name).ok()
        } else {
            None
        };
        let activatable = dbus
            .list_activatable_names()?
            .iter()
            .any(|n| n.as_str() == SECRET_SERVICE);
        Ok((owned, activatable, pid))
    })();
    match answer {
        Ok((true, _, pid)) => Check::new(
            id,
            title,
            Status::Ok,
            match pid.map(procfs::Process::of) {
                Some(process) => format!(
                    "a Secret Service is running ({})",
                    process.describe()
                ),
                None => "a Secret Service is running".to_owned(),
            },
        ),
        Ok((false, true, _)) => Check::new(
            id,
            title,
            Status::Ok,
            "a Secret Service is installed; the session bus starts it when it is first used",
        ),
        Ok((false, false, _)) => missing(format!(
            "no Secret Service ({SECRET_SERVICE}) on the session bus: tokens are stored unsealed in a 0600 file"
        )),
        Err(e) => missing(format!(
            "the session bus could not be asked about {SECRET_SERVICE}: {e}"
        )),
    }
}
