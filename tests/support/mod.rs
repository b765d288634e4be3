//! Shared set-up for the app's integration tests: a mock-runtime app over an emulator, and IPC.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use feishu_emulator::Emulator;
use serde_json::Value;
use tauri::{
    ipc::{CallbackFn, InvokeBody},
    test::{get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY},
    webview::InvokeRequest,
    App, WebviewWindow, WebviewWindowBuilder,
};

/// Calls a command as the window would.
pub fn invoke(
    webview: &WebviewWindow<MockRuntime>,
    cmd: &str,
    args: Value,
) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: tauri::http::HeaderMap::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

/// A binary of the workspace, beside this test's executable.
pub fn workspace_bin(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let bin = exe.parent().unwrap().parent().unwrap().join(name);
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --workspace` first",
        bin.display()
    );
    bin
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Points the process's settings at `emulator` (one test per process touches the environment).
pub fn use_emulator(dir: &Path, emulator: &Emulator, redirect_uri: &str) {
    let base = emulator.base_url().to_string();
    std::env::set_var("XDG_CONFIG_HOME", dir.join("config"));
    std::env::set_var("FEISHU_SIGNIN_DATA_DIR", dir.join("data"));
    std::env::set_var("FEISHU_APP_ID", emulator.app_id());
    std::env::set_var("FEISHU_APP_SECRET", emulator.app_secret());
    std::env::set_var("FEISHU_ACCOUNTS_URL", &base);
    std::env::set_var("FEISHU_OPEN_URL", &base);
    std::env::set_var("FEISHU_BRAND", "feishu");
    std::env::set_var("FEISHU_REDIRECT_URI", redirect_uri);
    std::env::remove_var("FEISHU_SCOPES");
}

/// The app on the mock runtime, initialised, with its main window.
pub fn app() -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let app = feishu_signin_lib::run_app(mock_builder())
        .build(mock_context(noop_assets()))
        .unwrap();
    feishu_signin_lib::init(app.handle()).unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", tauri::WebviewUrl::default())
        .build()
        .unwrap();
    (app, webview)
}

/// Every event name a page of this app can be sent: the app's own, and every `scheme://name`
/// string in the sources of the Tauri plugins the app links (found through `cargo metadata`), so a
/// plugin added or updated later cannot emit an event the secret scans do not listen to.
pub fn page_event_names() -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = std::process::Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        // The platform this test runs on: the packages of others need not be on disk.
        .args(["--filter-platform", &host_triple()])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let resolved: std::collections::HashSet<&str> = metadata["resolve"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    let mut names: Vec<String> = feishu_signin_lib::events::ALL.map(str::to_owned).to_vec();
    let mut plugins = 0;
    for package in metadata["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap();
        if !(name.starts_with("tauri-plugin-")
            && resolved.contains(package["id"].as_str().unwrap()))
        {
            continue;
        }
        plugins += 1;
        let manifest = PathBuf::from(package["manifest_path"].as_str().unwrap());
        let mut dirs = vec![manifest.parent().unwrap().join("src")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    names.extend(event_like_literals(&text));
                }
            }
        }
    }
    assert!(
        plugins >= 4,
        "the app's Tauri plugins were found ({plugins})"
    );
    names.sort();
    names.dedup();
    for expected in ["store://change", "deep-link://new-url"] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    names
}

/// String literals shaped like Tauri event names, `word://word`: each `://` with the quoted
/// words around it.
fn event_like_literals(text: &str) -> Vec<String> {
    let word = |w: &str| {
        !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    text.match_indices("://")
        .filter_map(|(at, _)| {
            let start = text[..at].rfind('"')? + 1;
            let end = at + 3 + text[at + 3..].find('"')?;
            let (scheme, name) = (&text[start..at], &text[at + 3..end]);
            (word(scheme) && word(name)).then(|| format!("{scheme}://{name}"))
        })
        .collect()
}

/// The target triple of this build, as `rustc -vV` reports the host.
fn host_triple() -> String {
    let output =
        std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
            .arg("-vV")
            .output()
            .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .unwrap()
        .to_owned()
}
