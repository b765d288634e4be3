//! A keyring of its own for a row that makes and deletes many session keys (rows 4 and 9): a
//! session bus with an unlocked gnome-keyring on it (`dbus-run-session` and
//! `scripts/with-test-keyring.sh`, as `scripts/bench.sh` starts the run's own).
//!
//! gnome-keyring-daemon (42 on Debian 12) now and then aborts when a client connects, opens a
//! session and leaves (a GLib assertion, `trap int3` in the kernel log; see the core's
//! `keyring/link.rs`), and D-Bus then starts a new daemon that holds none of the sessions' keys.
//! The app keeps one connection, but each `feishu-auth` a row runs is a client of its own; the
//! rows that churn keys get a daemon each, so one abort cannot spoil the rows after them.

use std::{
    io::{BufRead as _, BufReader},
    os::unix::process::CommandExt as _,
    path::Path,
    process::{Child, Command, Stdio},
};

/// The variable that marks this keyring's processes (the daemon leaves the process group).
const MARKER: &str = "FEISHU_BENCH_KEYRING";

/// A private session bus with an unlocked keyring; dropping it ends both.
#[derive(Debug)]
pub struct PrivateKeyring {
    bus: Child,
    address: String,
    marker: String,
}

impl PrivateKeyring {
    /// Starts the bus and the keyring (`scripts/with-test-keyring.sh`, from the repository's root,
    /// where `scripts/bench.sh` runs the benchmark).
    pub fn start() -> Result<Self, String> {
        let script = Path::new("scripts/with-test-keyring.sh");
        if !script.is_file() {
            return Err(format!(
                "{} is missing: run the benchmark from the repository's root (scripts/bench.sh does)",
                script.display()
            ));
        }
        let marker = format!("{}-{:016x}", std::process::id(), rand::random::<u64>());
        let mut bus = Command::new("dbus-run-session")
            .arg("--")
            .arg(script)
            .args([
                "sh",
                "-c",
                "echo \"$DBUS_SESSION_BUS_ADDRESS\"; exec sleep 3600",
            ])
            .env(MARKER, &marker)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| format!("dbus-run-session: {e}"))?;
        let mut address = String::new();
        let stdout = bus.stdout.take().ok_or("no stdout pipe")?;
        BufReader::new(stdout)
            .read_line(&mut address)
            .map_err(|e| format!("the private keyring's bus: {e}"))?;
        let keyring = Self {
            bus,
            address: address.trim().to_owned(),
            marker,
        };
        if keyring.address.is_empty() {
            return Err("the private keyring's bus did not start".into());
        }
        Ok(keyring)
    }

    /// The bus's address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        &self.address
    }
}

impl Drop for PrivateKeyring {
    /// Ends the bus's process group, then the daemon (found by the marker in its environment).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.bus.id())])
            .status();
        let _ = self.bus.wait();
        let wanted = format!("{MARKER}={}", self.marker);
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return;
        };
        for pid in entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        {
            let marked = std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|environ| {
                environ
                    .split(|b| *b == 0)
                    .any(|var| var == wanted.as_bytes())
            });
            if marked {
                let _ = Command::new("kill")
                    .args(["-KILL", &pid.to_string()])
                    .status();
            }
        }
    }
}

/// Runs `row` with this process's `DBUS_SESSION_BUS_ADDRESS` pointing at `keyring`, then puts
/// the run's own back. The benchmark's threads ask the keyring only from the row being measured.
pub fn with_bus<T>(keyring: &PrivateKeyring, row: impl FnOnce() -> T) -> T {
    const BUS: &str = "DBUS_SESSION_BUS_ADDRESS";
    let own = std::env::var_os(BUS);
    // Edition 2021: a safe call; no other thread of the benchmark reads the variable meanwhile.
    std::env::set_var(BUS, keyring.address());
    let out = row();
    match own {
        Some(own) => std::env::set_var(BUS, own),
        None => std::env::remove_var(BUS),
    }
    out
}
