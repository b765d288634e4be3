//! A real Secret Service for tests: `gnome-keyring-daemon` (Debian's `gnome-keyring`) on a
//! private bus, its login keyring made and unlocked with a test password, in folders of its own.
//! Programs under test reach it through `DBUS_SESSION_BUS_ADDRESS` = [`TestKeyring::address`].

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::{
    collections::HashMap,
    io::Write as _,
    os::unix::fs::PermissionsExt as _,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use secret_service::{
    blocking::{Item, SecretService},
    EncryptionType,
};

use super::PrivateBus;
use crate::{data_dir::APP_IDENTIFIER, keyring::SECRET_SERVICE};

/// An unlocked gnome-keyring on a private bus; both end when it is dropped.
#[derive(Debug)]
pub struct TestKeyring {
    bus: PrivateBus,
}

impl TestKeyring {
    /// Starts the bus and the keyring, and waits until the keyring owns its name.
    pub fn start() -> Self {
        let keyring = Self {
            bus: PrivateBus::start(&[]),
        };
        let root = keyring.root();
        for dir in ["home", "data", "run"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        std::fs::set_permissions(root.join("run"), std::fs::Permissions::from_mode(0o700)).unwrap();
        keyring.start_daemon();
        keyring
    }

    /// Ends the daemon and starts another on the same bus over the same keyring files, as
    /// D-Bus does after a crash (and the desktop's unlock at login: here the test password).
    pub fn restart(&self) {
        let pid = self.daemon_pid();
        Command::new("kill").arg(pid.to_string()).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.is_up() {
            assert!(Instant::now() < deadline, "gnome-keyring-daemon did not end");
            std::thread::sleep(Duration::from_millis(20));
        }
        self.start_daemon();
    }

    /// The process id of the daemon that owns the Secret Service's name.
    pub fn daemon_pid(&self) -> u32 {
        let connection = self.connection();
        zbus::blocking::fdo::DBusProxy::new(&connection)
            .unwrap()
            .get_connection_unix_process_id(SECRET_SERVICE.try_into().unwrap())
            .unwrap()
    }

    fn root(&self) -> std::path::PathBuf {
        self.bus.scratch().join("keyring")
    }

    fn start_daemon(&self) {
        let root = self.root();
        // `--unlock` before any client asks: it makes (or opens) the login keyring with the
        // password from standard input, no prompt; a keyring started by a client's call would
        // have none.
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets", "--daemonize"])
            .env("DBUS_SESSION_BUS_ADDRESS", self.address())
            .env("HOME", root.join("home"))
            .env("XDG_DATA_HOME", root.join("data"))
            .env("XDG_RUNTIME_DIR", root.join("run"))
            .env_remove("GNOME_KEYRING_CONTROL")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon is missing: install gnome-keyring (scripts/setup-debian.sh --test does)");
        daemon
            .stdin
            .take()
            .unwrap()
            .write_all(b"test-password")
            .unwrap();
        daemon.wait().unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.is_up() {
            assert!(
                Instant::now() < deadline,
                "gnome-keyring-daemon did not take {SECRET_SERVICE} on the test's bus"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The bus's address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        self.bus.address()
    }

    fn connection(&self) -> zbus::blocking::Connection {
        zbus::blocking::connection::Builder::address(self.address())
            .unwrap()
            .build()
            .unwrap()
    }

    fn is_up(&self) -> bool {
        let Ok(connection) = zbus::blocking::connection::Builder::address(self.address())
            .and_then(zbus::blocking::connection::Builder::build)
        else {
            return false;
        };
        let Ok(dbus) = zbus::blocking::fdo::DBusProxy::new(&connection) else {
            return false;
        };
        zbus::names::BusName::try_from(SECRET_SERVICE)
            .ok()
            .and_then(|name| dbus.name_has_owner(name).ok())
            .unwrap_or(false)
    }

    fn with_service<T>(&self, call: impl FnOnce(&SecretService<'_>) -> T) -> T {
        let service =
            SecretService::connect_with_existing(EncryptionType::Dh, self.connection()).unwrap();
        call(&service)
    }

    /// Runs `each` on every unlocked item of the app with `purpose` (`session-key`,
    /// `app-secret`).
    fn each_item<T>(&self, purpose: &str, each: impl Fn(&Item<'_>) -> T) -> Vec<T> {
        self.with_service(|service| {
            let found = service
                .search_items(HashMap::from([
                    ("application", APP_IDENTIFIER),
                    ("purpose", purpose),
                ]))
                .unwrap();
            found.unlocked.iter().map(each).collect()
        })
    }

    /// The app's items with `purpose`: each one's attributes and secret.
    pub fn items(&self, purpose: &str) -> Vec<(HashMap<String, String>, Vec<u8>)> {
        self.each_item(purpose, |item| {
            (item.get_attributes().unwrap(), item.get_secret().unwrap())
        })
    }

    /// Deletes the app's items with `purpose`, as a person clearing the keyring would; returns
    /// how many there were.
    pub fn delete(&self, purpose: &str) -> usize {
        self.each_item(purpose, |item| item.delete().unwrap()).len()
    }

    /// Locks the login keyring, as the desktop does at screen lock: a program then needs the
    /// unlock prompt (which, with no display to show it, is dismissed at once).
    pub fn lock(&self) {
        self.with_service(|service| service.get_default_collection().unwrap().lock().unwrap());
    }
}
