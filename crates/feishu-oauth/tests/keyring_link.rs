//! The process's one kept connection to the keyring, against a real one (gnome-keyring on a
//! private bus): many calls make one client of the Secret Service, not one each (each new client
//! risks gnome-keyring's abort, see `keyring/link.rs`); and when the daemon ends and another
//! starts, the next call opens a new session with it and finds the key.
//!
//! One test in its own binary: it points this process's `DBUS_SESSION_BUS_ADDRESS` at the test
//! keyring.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::HashSet,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
};

use feishu_oauth::{keyring, test_support::TestKeyring};

/// The unique names that joined the bus while `work` ran (this watcher's own excepted).
fn clients_during(keyring: &TestKeyring, work: impl FnOnce()) -> HashSet<String> {
    let connection = zbus::blocking::connection::Builder::address(keyring.address())
        .unwrap()
        .build()
        .unwrap();
    let dbus = zbus::blocking::fdo::DBusProxy::new(&connection).unwrap();
    let joined = Arc::new(Mutex::new(HashSet::new()));
    let done = Arc::new(AtomicBool::new(false));
    let signals = dbus.receive_name_owner_changed().unwrap();
    let watcher = {
        let (joined, done) = (Arc::clone(&joined), Arc::clone(&done));
        std::thread::spawn(move || {
            for signal in signals {
                let args = signal.args().unwrap();
                let name = args.name().to_string();
                if name.starts_with(':') && args.old_owner().is_none() {
                    joined.lock().unwrap().insert(name);
                }
                if done.load(Ordering::SeqCst) {
                    break;
                }
            }
        })
    };
    work();
    done.store(true, Ordering::SeqCst);
    // One more client, so the watcher sees a signal after `done` and ends.
    let last = zbus::blocking::connection::Builder::address(keyring.address())
        .unwrap()
        .build()
        .unwrap();
    watcher.join().unwrap();
    let mut joined = Arc::try_unwrap(joined).unwrap().into_inner().unwrap();
    joined.remove(&last.unique_name().unwrap().to_string());
    joined
}

#[test]
fn one_kept_connection_and_a_new_one_after_the_daemon_restarts() {
    let keyring = TestKeyring::start();
    // Edition 2021: a safe call. This binary holds this one test, so nothing reads it meanwhile.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", keyring.address());

    let mut made = Vec::new();
    let clients = clients_during(&keyring, || {
        for round in 0..10 {
            let profile = format!("p{round}");
            let (id, key) = keyring::create_session_key(&profile).unwrap();
            let found = keyring::session_key(&profile, &id).unwrap().unwrap();
            assert_eq!(*found, *key);
            if round % 2 == 0 {
                keyring::delete_session_key(&profile, &id).unwrap();
                assert!(keyring::session_key(&profile, &id).unwrap().is_none());
            } else {
                made.push((profile, id, key));
            }
        }
        assert!(keyring::can_store_now());
        keyring::probe().unwrap();
    });
    assert_eq!(
        clients.len(),
        1,
        "32 keyring calls joined the bus as {} clients: {clients:?}",
        clients.len()
    );

    let before = keyring.daemon_pid();
    keyring.restart();
    assert_ne!(keyring.daemon_pid(), before, "the daemon was not replaced");
    // The kept session was the old daemon's: the call finds that out and opens one with the new.
    for (profile, id, key) in &made {
        let found = keyring::session_key(profile, id)
            .unwrap()
            .expect("the restarted keyring holds the key");
        assert_eq!(*found, **key);
    }
    let (id, _) = keyring::create_session_key("after").unwrap();
    keyring::delete_session_key("after", &id).unwrap();
}
