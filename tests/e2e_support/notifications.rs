//! A stand-in desktop notification server on the test's D-Bus session bus: it owns
//! `org.freedesktop.Notifications` (the Desktop Notifications Specification) and records every
//! `Notify` call, so a test sees exactly what the app told the desktop.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use zbus::zvariant::OwnedValue;

/// One `Notify` call.
#[derive(Debug, Clone)]
pub struct Shown {
    pub app_name: String,
    pub summary: String,
    pub body: String,
}

struct Server {
    shown: Arc<Mutex<Vec<Shown>>>,
}

// The specification's signatures, whole: zbus reads the arguments it is given, unused or not,
// and its generated code uses each one (hence the lints about underscores and `self`).
#[allow(clippy::used_underscore_binding, clippy::unused_self)]
mod server {
    use super::*;
    #[zbus::interface(name = "org.freedesktop.Notifications")]
    impl Server {
        #[allow(clippy::too_many_arguments)]
        fn notify(
            &self,
            app_name: String,
            _replaces_id: u32,
            _app_icon: String,
            summary: String,
            body: String,
            _actions: Vec<String>,
            _hints: HashMap<String, OwnedValue>,
            _expire_timeout: i32,
        ) -> u32 {
            let mut shown = self.shown.lock().unwrap();
            shown.push(Shown {
                app_name,
                summary,
                body,
            });
            u32::try_from(shown.len()).unwrap_or(u32::MAX)
        }

        fn close_notification(&self, _id: u32) {}

        fn get_capabilities(&self) -> Vec<String> {
            vec!["body".into()]
        }

        fn get_server_information(&self) -> (String, String, String, String) {
            (
                "stand-in".into(),
                "feishu-signin tests".into(),
                "1".into(),
                "1.2".into(),
            )
        }
    }
}

/// The server, serving while it lives.
pub struct NotificationServer {
    shown: Arc<Mutex<Vec<Shown>>>,
    _connection: zbus::Connection,
}

impl NotificationServer {
    /// Takes the well-known name on the session bus (`DBUS_SESSION_BUS_ADDRESS`).
    pub async fn start() -> Self {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let connection = zbus::connection::Builder::session()
            .unwrap()
            .name("org.freedesktop.Notifications")
            .unwrap()
            .serve_at(
                "/org/freedesktop/Notifications",
                Server {
                    shown: shown.clone(),
                },
            )
            .unwrap()
            .build()
            .await
            .expect("a D-Bus session bus (run the tests under dbus-run-session)");
        Self {
            shown,
            _connection: connection,
        }
    }

    /// Waits up to `within` for a notification whose summary contains `summary`.
    pub async fn wait_for(&self, summary: &str, within: Duration) -> Shown {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if let Some(found) = self
                .shown
                .lock()
                .unwrap()
                .iter()
                .find(|s| s.summary.contains(summary))
            {
                return found.clone();
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "no notification \"{summary}\" within {within:?}; shown: {:?}",
                self.shown()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Everything shown so far.
    pub fn shown(&self) -> Vec<Shown> {
        self.shown.lock().unwrap().clone()
    }
}
