//! The release app under `tauri-driver` (which runs WebKitWebDriver, which starts the app), driven
//! with plain WebDriver calls over HTTP: a session, scripts run in the page, the end. The app's
//! own commands are called from the page (`window.__TAURI__.core.invoke`, `withGlobalTauri` is
//! on), so what is measured is the app doing its work, not the driver's round trips.
//!
//! The end-to-end tests launch the app the same way (`tests/e2e_support`).

use std::{
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{json, Value};

use crate::{harness::free_port, home::Home};

/// The longest one script may run in the page.
const SCRIPT_TIMEOUT: Duration = Duration::from_secs(600);
/// How long the driver and the app have to come up.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// A WebDriver session with the app; dropping it ends the driver, WebKitWebDriver and the app.
#[derive(Debug)]
pub struct Driven {
    driver: Child,
    http: reqwest::Client,
    session: String,
    /// The home's data folder in the environment: how the app is found (WebKitWebDriver starts it
    /// outside the driver's process group).
    marker: String,
    app: PathBuf,
}

impl Driven {
    /// Starts `app` in `home` under `tauri-driver`, with `env` set too, and waits for its page.
    pub async fn launch(home: &Home, app: &Path, env: &[(&str, String)]) -> Result<Self, String> {
        let port = free_port().map_err(|e| e.to_string())?;
        let native = free_port().map_err(|e| e.to_string())?;
        let mut cmd = home.command(Path::new("tauri-driver"));
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .process_group(0);
        let child = cmd.spawn().map_err(|e| {
            format!("tauri-driver: {e} (scripts/setup-debian.sh --test installs it)")
        })?;
        let app = std::fs::canonicalize(app).map_err(|e| format!("{}: {e}", app.display()))?;
        let mut driven = Self {
            driver: child,
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .map_err(|e| e.to_string())?,
            session: String::new(),
            marker: format!("FEISHU_SIGNIN_DATA_DIR={}", home.data_dir().display()),
            app,
        };
        let base = format!("http://127.0.0.1:{port}");
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "wry",
            "tauri:options": {"application": driven.app},
        }}});
        let started = Instant::now();
        let answer = loop {
            match driven
                .http
                .post(format!("{base}/session"))
                .json(&capabilities)
                .send()
                .await
            {
                Ok(answer) => break answer,
                Err(e) if started.elapsed() > START_TIMEOUT => {
                    return Err(format!("tauri-driver never answered: {e}"))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        };
        let value = value_of(answer).await?;
        driven.session = format!(
            "{base}/session/{}",
            value["sessionId"].as_str().ok_or("no session id")?
        );
        driven
            .post(
                "timeouts",
                json!({"script": u64::try_from(SCRIPT_TIMEOUT.as_millis()).unwrap_or(u64::MAX)}),
            )
            .await?;
        // The page is up once the UI has set its state on the body.
        while driven
            .post(
                "execute/sync",
                json!({"script": "return Boolean(window.__TAURI__ && document.body && document.body.dataset.state)", "args": []}),
            )
            .await?
            != json!(true)
        {
            if started.elapsed() > START_TIMEOUT {
                return Err("the app's page never set its state".into());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Ok(driven)
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        let answer = self
            .http
            .post(format!("{}/{path}", self.session))
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("WebDriver {path}: {e}"))?;
        value_of(answer).await
    }

    /// Runs `body` in the page as an async function (it may `await`, and has `invoke`, the
    /// app's command call); its result, or its error as a message.
    pub async fn run(&self, body: &str) -> Result<Value, String> {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             const invoke = window.__TAURI__.core.invoke;
             (async () => {{ {body} }})().then(
               (value) => done({{ ok: value === undefined ? null : value }}),
               (e) => done({{ error: typeof e === 'string' ? e : JSON.stringify(e) || String(e) }}));"
        );
        let value = self
            .post("execute/async", json!({"script": script, "args": []}))
            .await?;
        match value.get("error") {
            Some(e) => Err(format!("in the page: {}", e.as_str().unwrap_or_default())),
            None => Ok(value["ok"].clone()),
        }
    }

    /// The app's process id (started by WebKitWebDriver, found by its home and its program).
    pub fn app_pid(&self) -> Option<u32> {
        self.processes().into_iter().find(|&pid| {
            std::fs::read_link(format!("/proc/{pid}/exe")).is_ok_and(|exe| exe == self.app)
        })
    }

    /// Every process whose environment names this home's data folder: the driver, WebKitWebDriver,
    /// the app and all they started.
    fn processes(&self) -> Vec<u32> {
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        entries
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| {
                std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|environ| {
                    environ
                        .split(|b| *b == 0)
                        .any(|var| var == self.marker.as_bytes())
                })
            })
            .collect()
    }
}

impl Drop for Driven {
    /// Ends the driver's process group, then every process of this home (the app, its WebKit
    /// processes, its sandbox): only processes this benchmark started match.
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.driver.id())])
            .status();
        let _ = self.driver.wait();
        for pid in self.processes() {
            let _ = Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status();
        }
    }
}

/// The `value` of a WebDriver answer, or its error.
async fn value_of(answer: reqwest::Response) -> Result<Value, String> {
    let ok = answer.status().is_success();
    let body: Value = answer.json().await.map_err(|e| e.to_string())?;
    if ok {
        Ok(body["value"].clone())
    } else {
        Err(format!(
            "WebDriver: {} {}",
            body["value"]["error"].as_str().unwrap_or_default(),
            body["value"]["message"].as_str().unwrap_or_default()
        ))
    }
}
