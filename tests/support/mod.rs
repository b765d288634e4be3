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
