//! The app never lets a secret out: a sign-in, a refresh, a background refresh, a copy, a
//! settings save, a sign-out and a sign-in through the deep link, with tracing at TRACE; every log
//! line, every IPC answer and every event any page could listen to (the app's and every plugin's,
//! `store://change` and `deep-link://new-url` among them) is searched for the App Secret, the
//! authorization codes, the PKCE verifiers, the refresh tokens and the access tokens.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::too_many_lines
)]

use std::{
    io::Write,
    sync::{Arc, Mutex},
    time::Duration,
};

mod support;

use feishu_emulator::{
    browse::{Browser, Decision},
    Emulator,
};
use serde_json::{json, Value};
use tauri::{test::MockRuntime, Listener, WebviewWindow};

const DEEP_LINK: &str = "dev.feishu-signin.app:/callback";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn invoke(webview: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> String {
    support::invoke(webview, cmd, args)
        .unwrap_or_else(|e| e)
        .to_string()
}

#[test]
fn no_secret_reaches_logs_ipc_or_events() {
    let logs = Captured::default();
    let writer = logs.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .init();

    let dir = tempfile::tempdir().unwrap();
    let url_file = dir.path().join("authorize-url");
    let redirect = format!("http://127.0.0.1:{}/callback", support::free_port());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(
            Emulator::builder()
                .redirect_uri(redirect.clone())
                .redirect_uri(DEEP_LINK)
                .access_token_ttl(Duration::from_secs(6))
                .device_poll_interval(Duration::from_secs(1))
                .start(),
        )
        .unwrap();
    support::use_emulator(dir.path(), &emulator, &redirect);
    // The "browser" only writes the URL down; this test plays the person.
    std::env::set_var(
        "FEISHU_SIGNIN_BROWSER",
        format!("printf '%s' >'{}'", url_file.display()),
    );

    let (app, webview) = support::app();
    let events = Arc::new(Mutex::new(Vec::<String>::new()));
    let names = support::page_event_names();
    for name in &names {
        let events = Arc::clone(&events);
        let name_for_log = name.clone();
        app.listen_any(name.clone(), move |event| {
            events
                .lock()
                .unwrap()
                .push(format!("{name_for_log} {}", event.payload()));
        });
    }

    let mut answers = Vec::new();
    let signing_in = {
        let webview = webview.clone();
        std::thread::spawn(move || {
            invoke(
                &webview,
                "sign_in",
                json!({"route": "loopback", "scopes": ["offline_access"]}),
            )
        })
    };
    let code = runtime.block_on(async {
        let url = loop {
            if let Ok(url) = std::fs::read_to_string(&url_file) {
                if !url.is_empty() {
                    break url;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let browser = Browser::new().unwrap();
        let callback = browser
            .consent(&url::Url::parse(&url).unwrap(), Decision::Approve)
            .await
            .unwrap();
        browser.deliver(&callback).await.unwrap();
        callback
            .query_pairs()
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .into_owned()
    });
    answers.push(signing_in.join().unwrap());
    assert!(answers[0].contains("张三"), "{}", answers[0]);

    let mut secrets = vec![
        (
            "App Secret",
            feishu_emulator::sandbox::APP_SECRET.to_owned(),
        ),
        ("authorization code", code),
    ];
    std::thread::sleep(Duration::from_millis(1100));
    for cmd in [
        "refresh",
        "session",
        "settings",
        "activity",
        "copy_access_token",
    ] {
        answers.push(invoke(&webview, cmd, json!({})));
    }

    // The keeper refreshes in the background once the 6 s token is within its margin (3 s).
    let before = emulator.refreshes();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while emulator.refreshes() == before {
        assert!(
            std::time::Instant::now() < deadline,
            "no background refresh"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(500));
    // What the window asks when the bells of that refresh ring (`src-tauri/src/events.rs`).
    for cmd in ["session", "activity", "profiles"] {
        answers.push(invoke(&webview, cmd, json!({})));
    }

    // Settings: a typed App Secret goes to the keyring (or the file), never back to the page.
    let typed_secret = "typed-app-secret-5d2c9e";
    answers.push(invoke(
        &webview,
        "save_settings",
        json!({"settings": {"appId": emulator.app_id(), "appSecret": typed_secret,
                            "brand": "feishu", "redirectUri": redirect, "scopes": ["offline_access"]}}),
    ));
    secrets.push(("typed App Secret", typed_secret.to_owned()));
    answers.push(invoke(&webview, "settings", json!({})));

    // The state a window opens on goes to the page too.
    let initial = feishu_signin_lib::window::initial_state_script(app.handle());
    assert!(initial.contains("张三"), "{initial}");
    answers.push(initial);
    answers.push(invoke(&webview, "sign_out", json!({})));

    // A sign-in through the deep link, delivered as a second launch's arguments, the way
    // tauri-plugin-single-instance hands them over; then a stray link with no sign-in waiting.
    std::fs::remove_file(&url_file).unwrap();
    let signing_in = {
        let webview = webview.clone();
        std::thread::spawn(move || {
            invoke(
                &webview,
                "sign_in",
                json!({"route": "deepLink", "scopes": ["offline_access"]}),
            )
        })
    };
    let deep_link = runtime.block_on(async {
        let url = loop {
            if let Ok(url) = std::fs::read_to_string(&url_file) {
                if !url.is_empty() {
                    break url;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        Browser::new()
            .unwrap()
            .consent(&url::Url::parse(&url).unwrap(), Decision::Approve)
            .await
            .unwrap()
    });
    let launch = |url: &str| {
        feishu_signin_lib::handle_launch_args(
            app.handle(),
            &["feishu-signin".to_owned(), url.to_owned()],
        );
    };
    launch(deep_link.as_str());
    answers.push(signing_in.join().unwrap());
    assert!(answers.last().unwrap().contains("张三"), "{answers:?}");
    let code = deep_link
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    secrets.push(("authorization code (deep link)", code));
    launch(deep_link.as_str());
    answers.push(invoke(&webview, "sign_out", json!({})));

    // A sign-in with the phone (the device flow): its device code is a secret too.
    let signing_in = {
        let webview = webview.clone();
        std::thread::spawn(move || {
            invoke(
                &webview,
                "sign_in",
                json!({"route": "phone", "scopes": ["offline_access"]}),
            )
        })
    };
    let verification = loop {
        let seen = events.lock().unwrap().join("\n");
        if let Some(at) = seen.find("\"verificationUriComplete\":\"") {
            let rest = &seen[at + "\"verificationUriComplete\":\"".len()..];
            break rest[..rest.find('"').unwrap()].to_owned();
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    runtime.block_on(async {
        Browser::new()
            .unwrap()
            .device(&url::Url::parse(&verification).unwrap(), Decision::Approve)
            .await
            .unwrap();
    });
    answers.push(signing_in.join().unwrap());
    assert!(answers.last().unwrap().contains("张三"), "{answers:?}");
    answers.push(invoke(&webview, "sign_out", json!({})));
    let device_codes = emulator.issued_device_codes();
    assert_eq!(device_codes.len(), 1);
    secrets.extend(device_codes.into_iter().map(|c| ("device code", c)));

    // Every token the emulator issued: the sign-ins', the refreshes' (the session file may hold
    // them sealed, so they are taken from the issuer).
    let tokens = emulator.issued_tokens();
    assert!(
        tokens.len() >= 8,
        "two sign-ins and two refreshes: {}",
        tokens.len()
    );
    secrets.extend(tokens.into_iter().map(|t| ("token", t)));
    let verifiers = emulator.received_code_verifiers();
    assert_eq!(verifiers.len(), 2);
    secrets.extend(verifiers.into_iter().map(|v| ("PKCE verifier", v)));
    std::thread::sleep(Duration::from_millis(300));

    let logs = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        logs.contains("TRACE") && logs.contains("sign-in callback received"),
        "trace logs were captured"
    );
    let events = events.lock().unwrap().join("\n");
    assert!(events.contains("signedIn"), "events were captured");
    assert!(
        answers.iter().any(|a| a.contains("backgroundRefreshed")),
        "the background refresh was seen"
    );
    for (what, secret) in &secrets {
        assert!(!logs.contains(secret.as_str()), "the {what} is in the logs");
        assert!(
            !answers.iter().any(|a| a.contains(secret.as_str())),
            "the {what} is in an IPC answer"
        );
        assert!(
            !events.contains(secret.as_str()),
            "the {what} is in an event"
        );
    }
    eprintln!(
        "searched {} bytes of logs, {} IPC answers and {} bytes of events ({} event names) for {} secrets",
        logs.len(),
        answers.len(),
        events.len(),
        names.len(),
        secrets.len()
    );
}
