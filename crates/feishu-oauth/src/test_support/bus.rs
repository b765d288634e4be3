//! A session bus of a test's own (`dbus-daemon`), whose activatable services are the ones given:
//! where a keyring is, or is not, without touching the desktop's.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::{
    io::BufRead as _,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
};

/// A private `dbus-daemon`, stopped (with every service on it) when dropped.
#[derive(Debug)]
pub struct PrivateBus {
    address: String,
    daemon: Child,
    dir: ScratchDir,
}

impl PrivateBus {
    /// Starts a bus whose `.service` files name `services` (each started as `/bin/false`: the
    /// name is activatable, nothing answers).
    pub fn start(services: &[&str]) -> Self {
        let dir = ScratchDir::new("bus");
        let service_dir = dir.path().join("services");
        std::fs::create_dir(&service_dir).unwrap();
        for name in services {
            std::fs::write(
                service_dir.join(format!("{name}.service")),
                format!("[D-BUS Service]\nName={name}\nExec=/bin/false\n"),
            )
            .unwrap();
        }
        let config = dir.path().join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <servicedir>{}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.path().display(),
                service_dir.display()
            ),
        )
        .unwrap();
        let mut daemon = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--print-address=1", "--nofork"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon is missing: install dbus (scripts/setup-debian.sh --test does)");
        let mut address = String::new();
        std::io::BufReader::new(daemon.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        Self {
            address: address.trim().to_owned(),
            daemon,
            dir,
        }
    }

    /// The bus's address, for `DBUS_SESSION_BUS_ADDRESS`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// A folder that lives as long as the bus.
    pub fn scratch(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

/// A temporary folder, removed when dropped (the crate's tests have `tempfile`; this module is
/// built for other crates' tests too, without it).
#[derive(Debug)]
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn new(what: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "feishu-signin-test-{what}-{}-{:016x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
