//! End to end: the real app in a real window (under Xvfb and a D-Bus session), driven through
//! WebDriver (tauri-driver + WebKitWebDriver), in the sandbox, with `feishu-emulator browse` as the
//! person in the browser.
//!
//! Needs a display, a session bus, `tauri-driver` and `WebKitWebDriver`: `scripts/test.sh` (the
//! README's test command) provides them and sets `FEISHU_SIGNIN_E2E=1`. Without that variable
//! these tests say so and do nothing, so a plain `cargo test` on a headless machine stays usable.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod e2e_support;
#[path = "e2e_support/notifications.rs"]
mod notifications;

use std::{path::Path, time::Duration};

use e2e_support::*;
use fantoccini::Locator;
use feishu_emulator::{Emulator, Endpoint};

#[tokio::test]
async fn sign_in_refresh_and_sign_out_in_the_window() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::launch(&[]).await;
    app.wait_state("signed-out").await;
    assert!(app.shown("#demo-banner").await, "the demo banner is shown");

    app.click("#sign-in").await;
    app.wait_state("signed-in").await;
    assert_eq!(app.text("#profile-name").await, "张三");
    assert!(app
        .texts("#scopes li")
        .await
        .iter()
        .any(|s| s.contains("offline_access")));
    let access = app.text("#access-expires").await;
    let refresh = app.text("#refresh-expires").await;
    assert!(
        !access.trim().is_empty() && !refresh.trim().is_empty(),
        "both expiries shown: {access:?} {refresh:?}"
    );
    assert!(
        app.text("#token-status")
            .await
            .to_lowercase()
            .contains("valid")
            || app.text("#token-status").await.contains("有效")
    );

    app.click("#refresh").await;
    app.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#activity [data-kind='refreshed']"))
        .await
        .expect("the refresh shows in the activity list");
    // Activity arrives as kinds with parameters; the window words them, in either language.
    let signed_in = "#activity [data-kind='signedIn'] .activity-message";
    assert!(
        app.text(signed_in).await.contains("Signed in as 张三"),
        "{}",
        app.text(signed_in).await
    );
    app.shoot("signed-in-en").await;
    app.client
        .execute(
            "document.getElementById('activity-card').scrollIntoView()",
            vec![],
        )
        .await
        .unwrap();
    app.shoot("activity-en").await;
    app.click("#lang-toggle").await;
    assert!(
        app.text(signed_in).await.contains("已以 张三 身份登录"),
        "{}",
        app.text(signed_in).await
    );
    app.shoot("signed-in-zh").await;
    app.click("#lang-toggle").await;
    // For a person to look at: a wide window uses its width; a narrow one wraps nothing
    // awkwardly.
    if std::env::var_os("FEISHU_SIGNIN_E2E_SHOTS").is_some() {
        for (width, height, name) in [
            (1600, 900, "signed-in-wide"),
            (480, 900, "signed-in-narrow"),
        ] {
            app.client.set_window_size(width, height).await.unwrap();
            app.client
                .execute("window.scrollTo(0, 0)", vec![])
                .await
                .unwrap();
            app.shoot(name).await;
        }
        app.client.set_window_size(560, 760).await.unwrap();
    }

    app.click("#sign-out").await;
    app.wait_state("signed-out").await;
    app.close().await;
}

#[tokio::test]
async fn two_profiles_signed_in_and_switched_between_in_the_window() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::launch(&[]).await;
    app.wait_state("signed-out").await;
    app.wait_profile("default").await;
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;

    // A second profile: added from the switcher, shown at once (signed out), its Settings open.
    app.click("#profile-button").await;
    app.client
        .find(Locator::Css("#profile-add-name"))
        .await
        .unwrap()
        .send_keys("second")
        .await
        .unwrap();
    app.click("#profile-add button[type=submit]").await;
    app.wait_state("signed-out").await;
    // The state changes with the event; the dialog opens when the command answers, a moment later.
    app.wait_for("#settings-dialog[open]").await;
    app.click("#close-settings").await;
    app.wait_profile("second").await;
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;
    app.shoot("profiles-menu").await;

    // Switching shows each one's session at once; neither signs the other out.
    for name in ["default", "second", "default"] {
        app.click("#profile-button").await;
        app.click(&format!("[data-profile='{name}']")).await;
        app.wait_profile(name).await;
        app.wait_state("signed-in").await;
        assert_eq!(app.text("#profile-name").await, "张三");
    }
    app.click("#profile-button").await;
    app.shoot("profiles-menu-open").await;
    // Read from the page rather than as rendered: without a CJK font (issue of the package, not
    // of the switcher) WebKit reports the glyph-less name as empty text.
    let users = app
        .client
        .execute(
            "return [...document.querySelectorAll('#profile-list .profile-user')].map(e => e.textContent)",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(users, serde_json::json!(["张三", "张三"]), "both signed in");

    // Removing the second from the switcher: two clicks, then only `default` is left, still
    // signed in.
    app.click("[data-remove='second']").await;
    app.click("[data-remove='second']").await;
    app.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#activity [data-kind='profileRemoved']"))
        .await
        .expect("the removal shows in the activity list");
    app.wait_profile("default").await;
    app.wait_state("signed-in").await;
    app.click("#profile-button").await;
    assert!(app
        .client
        .find(Locator::Css("[data-profile='second']"))
        .await
        .is_err());
    app.close().await;
}

#[tokio::test]
async fn sign_in_through_the_deep_link() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::launch(&[]).await;
    app.wait_state("signed-out").await;
    app.click("#sign-in-options summary").await;
    app.click("#route-deep-link").await;
    app.click("#sign-in").await;
    // The browser stand-in hands `dev.feishu-signin.app:/callback?…` to a second app process, which
    // forwards it to this one over D-Bus (single-instance) and exits.
    app.wait_state("signed-in").await;
    assert_eq!(app.text("#profile-name").await, "张三");
    app.close().await;
}

#[tokio::test]
async fn a_feishu_error_shows_its_code_and_meaning() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    let emulator = Emulator::builder()
        .redirect_uri(redirect.clone())
        .start()
        .await
        .unwrap();
    emulator.fail_next(Endpoint::Token, 1, 20071);
    let app = App::launch(&app_env(&emulator, &redirect)).await;
    app.wait_state("signed-out").await;
    app.click("#sign-in").await;
    app.wait_for("#error:not([hidden])").await;
    assert_eq!(app.text("#error-title").await, "Feishu refused the sign-in");
    assert!(
        app.text("#error-message").await.contains("redirect"),
        "the cause is the code's documented meaning: {}",
        app.text("#error-message").await
    );
    assert!(!app.text("#error-hint-text").await.is_empty(), "an action");
    // The raw text is under Details, with Copy.
    assert!(!app.shown("#error-details[open]").await);
    app.click("#error-details summary").await;
    assert_eq!(app.text("#error-code").await, "20071");
    assert!(app.text("#error-detail").await.contains("20071"));
    app.shoot("error-details-en").await;
    app.click("#error-copy").await;
    app.wait_for("#toast.visible").await;
    app.click("#lang-toggle").await;
    assert_eq!(app.text("#error-title").await, "飞书拒绝了登录");
    app.shoot("error-details-zh").await;
    app.close().await;
}

#[tokio::test]
async fn the_first_run_without_settings_says_not_set_up_and_offers_the_demo() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    // No App ID and the demo not chosen: nobody is signed in to the demo quietly.
    let app = App::launch(&[("FEISHU_SIGNIN_DEMO", String::new())]).await;
    app.wait_state("not-set-up").await;
    assert!(app.shown("#setup-open-settings").await);
    assert!(
        !app.shown("#sign-in").await,
        "no sign-in to the demo on its own"
    );
    assert!(!app.shown("#demo-banner").await);
    app.shoot("first-run-en").await;
    app.click("#lang-toggle").await;
    assert_eq!(app.text("#not-set-up-title").await, "飞书登录尚未设置");
    app.shoot("first-run-zh").await;
    app.click("#lang-toggle").await;

    // Try the demo: the sign-in, under a banner that says the tokens are not Feishu's.
    app.click("#try-demo").await;
    app.wait_state("signed-out").await;
    assert!(app.shown("#demo-banner").await);
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;
    assert!(
        app.shown("#demo-banner").await,
        "the banner stays while signed in"
    );
    assert!(app
        .text("#demo-banner")
        .await
        .contains("do not work with Feishu"));
    app.close().await;
}

#[tokio::test]
async fn a_browser_that_cannot_open_is_told_with_open_again_copy_link_and_escape() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    // A browser command that fails a moment after it starts, as xdg-open does when it finds no
    // browser.
    let app = App::launch(&[("FEISHU_SIGNIN_BROWSER", "sh -c 'exit 3' --".to_owned())]).await;
    app.wait_state("signed-out").await;
    app.click("#sign-in").await;
    app.wait_state("signing-in").await;
    app.wait_for("#browser-failed:not([hidden])").await;
    assert!(app.shown("#open-again").await && app.shown("#copy-link").await);
    app.shoot("browser-failed-en").await;
    app.click("#copy-link").await;
    app.wait_for("#toast.visible").await;
    assert!(app.text("#toast").await.contains("link copied"));
    // Escape cancels the waiting sign-in.
    app.client
        .active_element()
        .await
        .unwrap()
        .send_keys("\u{e00c}")
        .await
        .unwrap();
    app.wait_state("signed-out").await;
    assert_eq!(app.text("#sign-in-status").await, "Sign-in cancelled.");
    app.close().await;
}

#[tokio::test]
async fn a_failing_background_refresh_shows_in_the_tokens_card() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    // Tokens that need a refresh within seconds (the margin is half of a short lifetime).
    let emulator = Emulator::builder()
        .redirect_uri(redirect.clone())
        .access_token_ttl(Duration::from_secs(8))
        .start()
        .await
        .unwrap();
    let app = App::launch(&app_env(&emulator, &redirect)).await;
    app.wait_state("signed-out").await;
    assert!(!app.shown("#demo-banner").await, "a real app is no demo");
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;
    // Feishu becomes unreachable.
    drop(emulator);
    app.wait_for("#refresh-trouble:not([hidden])").await;
    let trouble = app.text("#refresh-trouble-text").await;
    assert!(
        trouble.starts_with("Can’t reach Feishu.") && trouble.contains("Retrying"),
        "{trouble}"
    );
    // Once expired: the expiry says how long ago, and Copy says why it cannot.
    app.client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::XPath(
            "//span[@id='access-countdown' and starts-with(normalize-space(), 'expired')]",
        ))
        .await
        .expect("the expiry says how long ago it passed");
    app.wait_for("#copy-token:disabled").await;
    assert!(app.text("#copy-token-note").await.contains("expired"));
    app.shoot("refresh-trouble-en").await;
    app.close().await;
}

/// The string tables of the window (`ui/strings/*.js`): key → text.
#[tokio::test]
async fn the_desktop_is_told_when_the_session_ends_soon_and_when_it_ended() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let desktop = notifications::NotificationServer::start().await;
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    // A refresh token that lapses within a day, renewed by every refresh (every few seconds).
    let emulator = Emulator::builder()
        .redirect_uri(redirect.clone())
        .access_token_ttl(Duration::from_secs(8))
        .refresh_token_ttl(Duration::from_secs(20 * 3600))
        .start()
        .await
        .unwrap();
    let mut env = app_env(&emulator, &redirect);
    env.extend([("LANG", "en_US.UTF-8".to_owned())]);
    let app = App::launch(&env).await;
    app.wait_state("signed-out").await;
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;

    // The keepalive is off: once the app closes, nothing renews it.
    let ends = desktop
        .wait_for("session ends soon", Duration::from_secs(10))
        .await;
    assert!(
        ends.body.contains("default") && ends.body.contains("Keep me signed in"),
        "{ends:?}"
    );
    assert_eq!(ends.app_name, "feishu-signin");

    // Feishu refuses the refresh token: the next background refresh ends the session.
    emulator.revoke_refresh_tokens();
    let ended = desktop
        .wait_for("Signed out", Duration::from_secs(30))
        .await;
    assert!(ended.body.contains("default"), "{ended:?}");
    assert!(
        ended.body.contains("2006"),
        "the reason, with Feishu's code: {ended:?}"
    );
    let told: Vec<_> = desktop
        .shown()
        .into_iter()
        .filter(|s| s.summary.contains("ends soon"))
        .collect();
    assert_eq!(
        told.len(),
        1,
        "told once, though each refresh moved the deadline: {told:?}"
    );
    app.close().await;
}

/// Waits until `done` holds, for up to 10 s.
async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..100 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting until {what}");
}

#[tokio::test]
async fn keep_me_signed_in_sets_up_the_timer_and_unchecking_removes_it() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::launch(&[]).await;
    app.wait_state("signed-out").await;
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;
    app.wait_for("#keepalive-block:not([hidden])").await;
    let service = app
        .dir()
        .join("config/systemd/user/feishu-signin-keepalive-default.service");
    assert!(!service.exists());

    app.click("#keepalive").await;
    until("the timer's units are written", || service.exists()).await;
    let unit = std::fs::read_to_string(&service).unwrap();
    assert!(
        unit.contains("feishu-auth --profile default refresh --if-due"),
        "{unit}"
    );
    app.wait_for("#keepalive:checked").await;
    // No user systemd under the test: set up for the next login, and the window says so.
    let note = app.text("#keepalive-note").await;
    assert!(
        note.contains("next login") || note.contains("twice a day"),
        "{note}"
    );
    app.shoot("keepalive-en").await;

    app.click("#keepalive").await;
    until("the units are removed", || !service.exists()).await;
    app.wait_for("#keepalive:not(:checked)").await;
    app.close().await;
}

#[tokio::test]
async fn sign_in_with_the_phone_by_its_qr_code() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::launch(&[]).await;
    app.wait_state("signed-out").await;
    app.click("#sign-in-phone").await;
    app.wait_for("#device-panel:not([hidden]) #device-qr[data-verification]")
        .await;
    let verification = app
        .client
        .find(Locator::Css("#device-qr"))
        .await
        .unwrap()
        .attr("data-verification")
        .await
        .unwrap()
        .unwrap();
    let code = app.text("#device-user-code").await;
    assert!(
        !code.is_empty() && verification.contains(&code),
        "{verification} {code}"
    );
    // The QR code the window shows reads back as that address, as the phone's camera reads it.
    let src = app
        .client
        .find(Locator::Css("#device-qr"))
        .await
        .unwrap()
        .attr("src")
        .await
        .unwrap()
        .unwrap();
    let svg = base64::Engine::decode(
        &base64::engine::general_purpose::STANDARD,
        src.strip_prefix("data:image/svg+xml;base64,").unwrap(),
    )
    .unwrap();
    assert_eq!(
        feishu_oauth::test_support::decode_svg_qr(&String::from_utf8(svg).unwrap()).as_deref(),
        Some(verification.as_str())
    );
    assert!(app.text("#sign-in-status").await.contains("phone"));
    app.shoot("phone-en").await;
    // The phone: the person approves on the emulator's verification page.
    let approved = tokio::process::Command::new(emulator_bin())
        .args(["browse-device", &verification])
        .output()
        .await
        .unwrap();
    assert!(
        approved.status.success(),
        "{}",
        String::from_utf8_lossy(&approved.stderr)
    );
    app.wait_state("signed-in").await;
    assert!(app.text("#profile-name").await.contains("张三"));
    app.close().await;

    // In Chinese, and cancelled.
    let app = App::launch(&[]).await;
    app.wait_state("signed-out").await;
    app.click("#lang-toggle").await;
    app.click("#sign-in-phone").await;
    app.wait_for("#device-panel:not([hidden]) #device-qr[data-verification]")
        .await;
    assert!(app.text("#device-panel").await.contains("飞书手机应用"));
    app.shoot("phone-zh").await;
    app.click("#cancel-sign-in").await;
    app.wait_for("#sign-in-idle:not([hidden])").await;
    app.close().await;
}

#[tokio::test]
async fn scopes_not_granted_are_marked_and_more_are_requested_from_the_same_account() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let email = "contact:user.email:readonly";
    let user_id = "contact:user.employee_id:readonly";
    let app = App::launch(&[("FEISHU_SCOPES", format!("offline_access {email}"))]).await;
    app.wait_state("signed-out").await;
    // The settings ask for the email; this sign-in leaves it out.
    app.click("#sign-in-options > summary").await;
    app.click(&format!("#scope-choices input[value='{email}']"))
        .await;
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;
    app.wait_for("#scopes .scope-item.not-granted").await;
    let missing = app.text("#scopes .scope-item.not-granted").await;
    assert!(
        missing.contains(email) && missing.contains("Requested, not granted"),
        "{missing}"
    );
    app.shoot("scopes-not-granted-en").await;

    // Request more: the same account approves in the browser, and the scope is granted.
    app.click("#more-scopes > summary").await;
    app.click(&format!("#more-scope-choices input[value='{user_id}']"))
        .await;
    app.click("#request-scopes").await;
    let mut granted = String::new();
    for _ in 0..100 {
        // Read in the page, in one go: the list is drawn again when the session changes, and an
        // element handle taken a moment before may then be stale.
        granted = app
            .client
            .execute(
                "return [...document.querySelectorAll('#scopes .scope-item:not(.not-granted) .scope-name')].map((e) => e.textContent).join(' ');",
                vec![],
            )
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if granted.contains(user_id) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        granted.contains(user_id) && granted.contains("offline_access"),
        "{granted}"
    );
    app.wait_state("signed-in").await;
    app.close().await;
}

/// Every file under `dir` that holds `needle`.
fn files_holding(dir: &Path, needle: &str) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_holding(&path, needle));
        } else if std::fs::read(&path)
            .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        {
            found.push(path);
        }
    }
    found
}

#[tokio::test]
async fn the_window_seals_the_session_with_the_desktop_keyring_and_says_where_it_is() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    // A real gnome-keyring, on a bus of this test's own, for the app and the CLI alike.
    let keyring = feishu_oauth::test_support::TestKeyring::start();
    let bus = [("DBUS_SESSION_BUS_ADDRESS", keyring.address().to_owned())];
    let app = App::launch(&bus).await;
    app.wait_state("signed-out").await;
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;
    app.wait_for("#storage-row:not([hidden])").await;
    assert_eq!(
        app.text("#storage-note").await,
        "Sealed by the desktop keyring"
    );
    let file = app.dir().join("data/session.json");
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert!(doc["session"]["sealed"].is_object(), "{doc}");
    assert!(doc["session"].get("access_token").is_none(), "{doc}");
    assert_eq!(keyring.items("session-key").len(), 1);
    // The CLI shares the sealed session: it opens it, and its token is in no file.
    let cli = e2e_support::app().with_file_name("feishu-auth");
    let out = std::process::Command::new(&cli)
        .arg("token")
        .env("XDG_CONFIG_HOME", app.dir().join("config"))
        .env("FEISHU_SIGNIN_DATA_DIR", app.dir().join("data"))
        .env("FEISHU_SIGNIN_DEMO", "1")
        .env("DBUS_SESSION_BUS_ADDRESS", keyring.address())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.len() > 20, "{token}");
    assert_eq!(
        files_holding(app.dir(), &token),
        Vec::<std::path::PathBuf>::new()
    );
    app.shoot("sealed-en").await;

    // An App Secret typed in Settings goes to the keyring; the settings file holds a reference.
    let secret = "e2e-typed-secret-kept-in-the-keyring";
    open_settings(&app).await;
    for (field, value) in [
        ("#settings-app-id", "cli_a5ca35a685b0x26e"),
        ("#settings-app-secret", secret),
    ] {
        let input = app.client.find(Locator::Css(field)).await.unwrap();
        input.send_keys(value).await.unwrap();
    }
    app.click("#save-settings").await;
    app.wait_for("#settings-dialog:not([open])").await;
    let settings =
        std::fs::read_to_string(app.dir().join("config/feishu-signin/config.toml")).unwrap();
    assert!(settings.contains("app_secret = \"@keyring\""), "{settings}");
    assert_eq!(
        files_holding(app.dir(), secret),
        Vec::<std::path::PathBuf>::new()
    );
    let kept = keyring.items("app-secret");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].1, secret.as_bytes());
    open_settings(&app).await;
    let placeholder = app
        .client
        .find(Locator::Css("#settings-app-secret"))
        .await
        .unwrap()
        .attr("placeholder")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        placeholder.starts_with("Kept in the desktop keyring"),
        "{placeholder}"
    );
    app.close().await;

    // A desktop with no keyring: the window says the session is stored unsealed.
    let bare = feishu_oauth::test_support::PrivateBus::start(&[]);
    let app = App::launch(&[("DBUS_SESSION_BUS_ADDRESS", bare.address().to_owned())]).await;
    app.wait_state("signed-out").await;
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;
    app.wait_for("#storage-row:not([hidden])").await;
    let note = app.text("#storage-note").await;
    assert!(note.starts_with("Unsealed"), "{note}");
    app.shoot("unsealed-en").await;
    app.close().await;
}

fn strings(language: &str) -> std::collections::BTreeMap<String, String> {
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("ui/strings/{language}.js")),
    )
    .unwrap();
    source
        .lines()
        .filter_map(|line| {
            let line = line.trim().strip_prefix('\'')?;
            let (key, rest) = line.split_once("': '")?;
            let text = rest.strip_suffix("',")?.replace("\\'", "'");
            Some((key.to_owned(), text))
        })
        .collect()
}

/// Every piece of text the window shows: visible text nodes, and the labels, titles and
/// placeholders of visible elements.
async fn rendered_texts(app: &App) -> Vec<String> {
    let script = r"
        const visible = (el) => el && el.getClientRects().length > 0 && !el.closest('[hidden]');
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const text = node.textContent.trim();
          if (text && visible(node.parentElement)) out.push(text);
        }
        for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
          if (!visible(el)) continue;
          for (const name of ['aria-label', 'title', 'placeholder']) {
            const text = (el.getAttribute(name) || '').trim();
            if (text) out.push(text);
          }
        }
        return out;";
    serde_json::from_value(app.client.execute(script, vec![]).await.unwrap()).unwrap()
}

/// The texts of `rendered` that are English strings of the window: the whole text of a string
/// (its placeholders matching anything), where the Chinese table says it otherwise.
fn english_left(rendered: &[String]) -> Vec<String> {
    let en = strings("en");
    let zh = strings("zh");
    let templates: Vec<(String, Vec<String>)> = en
        .iter()
        .filter(|(key, text)| zh.get(*key) != Some(*text))
        .map(|(key, text)| {
            let parts = text
                .split(['{', '}'])
                .enumerate()
                .filter(|(i, _)| i % 2 == 0)
                .map(|(_, part)| part.to_owned())
                .collect();
            (key.clone(), parts)
        })
        .collect();
    let matches = |text: &str, parts: &[String]| {
        if parts.concat().trim().len() < 2 {
            return false;
        }
        let mut rest = text;
        for (i, part) in parts.iter().enumerate() {
            match rest.find(part.as_str()) {
                Some(at) if i > 0 || at == 0 => rest = &rest[at + part.len()..],
                _ => return false,
            }
        }
        parts.last().is_none_or(String::is_empty) || rest.is_empty()
    };
    rendered
        .iter()
        .filter_map(|text| {
            templates
                .iter()
                .find(|(_, parts)| matches(text, parts))
                .map(|(key, _)| format!("{text:?} ({key})"))
        })
        .collect()
}

#[tokio::test]
async fn the_chinese_window_shows_no_english_string() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::launch(&[("FEISHU_SIGNIN_DEMO", String::new())]).await;
    app.wait_state("not-set-up").await;
    // The check itself sees English where it is.
    let english = english_left(&rendered_texts(&app).await);
    assert!(
        english.iter().any(|t| t.contains("setup.title")),
        "{english:?}"
    );
    app.click("#lang-toggle").await;
    let mut left = Vec::new();
    let mut look = |stage: &str, texts: Vec<String>| {
        left.extend(
            english_left(&texts)
                .into_iter()
                .map(|t| format!("{stage}: {t}")),
        );
    };
    look("not set up", rendered_texts(&app).await);
    app.click("#try-demo").await;
    app.wait_state("signed-out").await;
    app.click("#sign-in-options summary").await;
    look("signed out", rendered_texts(&app).await);
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;
    app.click("#profile-ids summary").await;
    look("signed in", rendered_texts(&app).await);
    app.shoot("signed-in-zh-full").await;
    app.click("#open-settings").await;
    app.wait_for("#settings-dialog[open]").await;
    look("settings", rendered_texts(&app).await);
    app.click("#close-settings").await;
    app.click("#sign-out").await;
    app.wait_state("signed-out").await;
    look("signed out again", rendered_texts(&app).await);
    assert!(left.is_empty(), "English in the Chinese window: {left:#?}");
    app.close().await;
}

/// Waits for the Settings dialog (opened with #open-settings, in any state of the window).
async fn open_settings(app: &App) {
    app.click("#open-settings").await;
    app.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#settings-dialog[open]"))
        .await
        .expect("the Settings dialog opens");
}

/// What a person and a screen reader get of Settings field `id`: its value, whether it is
/// read-only, disabled or invalid, the texts that describe it (aria-describedby, in order), and
/// whether it has the focus. Read from the page, so that a missing font does not hide text.
async fn settings_field(app: &App, id: &str) -> serde_json::Value {
    app.client
        .execute(
            "const el = document.getElementById(arguments[0]);
             const described = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
               .map((id) => document.getElementById(id)?.textContent ?? `(missing #${id})`);
             return { value: el.value, readOnly: el.readOnly, disabled: el.disabled,
                      invalid: el.getAttribute('aria-invalid'), described,
                      focused: document.activeElement === el };",
            vec![id.into()],
        )
        .await
        .unwrap()
}

/// The settings file the dialog names, if it exists.
async fn settings_file(app: &App) -> Option<String> {
    let path = app.text("#settings-config-path").await;
    assert!(!path.is_empty(), "the dialog shows the config file's path");
    std::fs::read_to_string(path).ok()
}

#[tokio::test]
async fn settings_show_a_field_set_by_the_environment_as_read_only_with_why() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let secret = "e2e-environment-secret-0f3a";
    let app = App::launch(&[
        ("FEISHU_APP_ID", "cli_e2eenvironment".to_owned()),
        ("FEISHU_APP_SECRET", secret.to_owned()),
    ])
    .await;
    open_settings(&app).await;

    // Read-only, not disabled: still focusable and copyable, with the value in effect and why.
    let app_id = settings_field(&app, "settings-app-id").await;
    assert_eq!(app_id["value"], "cli_e2eenvironment", "{app_id}");
    assert_eq!(app_id["readOnly"], true, "{app_id}");
    assert_eq!(app_id["disabled"], false, "{app_id}");
    assert_eq!(
        app_id["described"][0],
        "Set by FEISHU_APP_ID in the environment, so it can’t be changed here.",
        "{app_id}"
    );
    assert_eq!(
        app_id["focused"], true,
        "the first field has the focus: {app_id}"
    );
    // The App Secret says where it comes from and never shows it.
    let app_secret = settings_field(&app, "settings-app-secret").await;
    assert_eq!(app_secret["value"], "", "{app_secret}");
    assert_eq!(app_secret["readOnly"], true, "{app_secret}");
    assert!(
        app_secret["described"][0]
            .as_str()
            .unwrap()
            .contains("FEISHU_APP_SECRET"),
        "{app_secret}"
    );
    assert!(
        !app.client.source().await.unwrap().contains(secret),
        "the App Secret never reaches the page"
    );
    // A field the environment does not set stays editable.
    let scopes = settings_field(&app, "settings-scopes").await;
    assert_eq!(scopes["readOnly"], false, "{scopes}");
    app.shoot("settings-env-en").await;

    // Saving keeps what the environment sets out of the settings file.
    let before = settings_file(&app).await;
    app.click("#save-settings").await;
    app.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#settings-dialog:not([open])"))
        .await
        .expect("the settings are saved and the dialog closes");
    open_settings(&app).await;
    let after = settings_file(&app).await.unwrap_or_default();
    assert!(
        !after.contains("cli_e2eenvironment") && !after.contains(secret),
        "the environment's values stay out of the file (before: {before:?}): {after}"
    );
    app.click("#close-settings").await;

    // The same in Chinese.
    app.click("#lang-toggle").await;
    open_settings(&app).await;
    let app_id = settings_field(&app, "settings-app-id").await;
    assert_eq!(
        app_id["described"][0], "由环境变量 FEISHU_APP_ID 设定，无法在此修改。",
        "{app_id}"
    );
    app.shoot("settings-env-zh").await;
    app.close().await;
}

#[tokio::test]
async fn settings_refuse_a_malformed_app_id_in_chinese_and_save_nothing() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let app = App::launch(&[]).await;
    app.click("#lang-toggle").await;
    open_settings(&app).await;
    let before = settings_file(&app).await;

    // The App ID without its `cli_`: a likely slip when copying it from the console.
    app.client
        .find(Locator::Css("#settings-app-id"))
        .await
        .unwrap()
        .send_keys("a5ca35a685b0x26e")
        .await
        .unwrap();
    app.client
        .find(Locator::Css("#settings-app-secret"))
        .await
        .unwrap()
        .send_keys("e2e-typed-secret")
        .await
        .unwrap();
    app.click("#save-settings").await;
    app.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css("#settings-app-id[aria-invalid='true']"))
        .await
        .expect("the App ID is marked invalid");

    let app_id = settings_field(&app, "settings-app-id").await;
    let message = app_id["described"][0].as_str().unwrap_or_default();
    assert!(
        message.starts_with("App ID 应以 cli_ 开头"),
        "a Chinese message beside the field, read with it: {app_id}"
    );
    assert_eq!(app_id["focused"], true, "the focus moves to it: {app_id}");
    assert!(
        app.client
            .find(Locator::Css("#settings-dialog[open]"))
            .await
            .is_ok(),
        "the dialog stays open"
    );
    assert_eq!(settings_file(&app).await, before, "nothing is saved");
    app.shoot("settings-invalid-zh").await;

    // Typing again clears the message.
    let field = app
        .client
        .find(Locator::Css("#settings-app-id"))
        .await
        .unwrap();
    field.clear().await.unwrap();
    field.send_keys("cli_a5ca35a685b0x26e").await.unwrap();
    let app_id = settings_field(&app, "settings-app-id").await;
    assert_eq!(app_id["invalid"], serde_json::Value::Null, "{app_id}");
    app.close().await;
}

#[tokio::test]
async fn without_a_chinese_font_the_window_says_so_and_shows_the_english_name() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    // A fontconfig that knows only the Latin fonts: a fresh machine without fonts-noto-cjk.
    let fonts = tempfile::tempdir().unwrap();
    let conf = fonts.path().join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?>\n<!DOCTYPE fontconfig SYSTEM \"fonts.dtd\">\n<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{}</cachedir></fontconfig>\n",
            fonts.path().join("cache").display()
        ),
    )
    .unwrap();
    let app = App::launch(&[("FONTCONFIG_FILE", conf.display().to_string())]).await;
    app.wait_state("signed-out").await;
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;
    app.wait_for("#font-notice:not([hidden])").await;
    assert!(app
        .text("#font-notice")
        .await
        .contains("sudo apt install fonts-noto-cjk"));
    assert_eq!(
        app.text("#profile-name").await,
        "Zhang San",
        "the English name stands in for the blank one"
    );
    app.close().await;
}

#[tokio::test]
async fn a_system_file_sets_up_the_app_and_its_locked_app_id_is_managed_by_the_organisation() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    let emulator = Emulator::builder()
        .redirect_uri(redirect.clone())
        .start()
        .await
        .unwrap();
    let base = emulator.base_url().to_string();
    // What IT installs as /etc/xdg/feishu-signin/config.toml, found through XDG_CONFIG_DIRS.
    let system = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(system.path().join("feishu-signin")).unwrap();
    std::fs::write(
        system.path().join("feishu-signin/config.toml"),
        format!(
            "label = \"Feishu (work)\"\napp_id = \"{}\"\napp_secret = \"{}\"\naccounts_url = \"{base}\"\nopen_url = \"{base}\"\nredirect_uri = \"{redirect}\"\nlocked = [\"app_id\", \"app_secret\", \"redirect_uri\"]\n",
            emulator.app_id(),
            emulator.app_secret()
        ),
    )
    .unwrap();
    // An employee who never opened Settings, the demo not chosen, and an App ID in the
    // environment that the lock sets aside (as it does the harness's FEISHU_REDIRECT_URI).
    let app = App::launch(&[
        // Ahead of the desktop's own folders, which stay (GTK reads its settings there).
        (
            "XDG_CONFIG_DIRS",
            format!("{}:/etc/xdg", system.path().display()),
        ),
        ("FEISHU_SIGNIN_DEMO", String::new()),
        ("FEISHU_APP_ID", "cli_e2eignored".to_owned()),
    ])
    .await;
    app.wait_state("signed-out").await;
    assert!(
        !app.shown("#demo-banner").await,
        "the company's app, not the demo"
    );
    app.client
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[@id='profile-button-label' and normalize-space()='Feishu (work)']",
        ))
        .await
        .expect("the profile is named as the organisation labelled it");

    open_settings(&app).await;
    let app_id = settings_field(&app, "settings-app-id").await;
    assert_eq!(app_id["value"], emulator.app_id(), "{app_id}");
    assert_eq!(app_id["readOnly"], true, "{app_id}");
    assert_eq!(
        app_id["described"][0], "Managed by your organisation, so it can’t be changed here.",
        "{app_id}"
    );
    let app_secret = settings_field(&app, "settings-app-secret").await;
    assert_eq!(app_secret["readOnly"], true, "{app_secret}");
    assert!(
        !app.client
            .source()
            .await
            .unwrap()
            .contains(emulator.app_secret()),
        "the App Secret never reaches the page"
    );
    let redirect_uri = settings_field(&app, "settings-redirect-uri").await;
    assert_eq!(redirect_uri["value"], redirect, "{redirect_uri}");
    assert_eq!(redirect_uri["readOnly"], true, "{redirect_uri}");
    let scopes = settings_field(&app, "settings-scopes").await;
    assert_eq!(
        scopes["readOnly"], false,
        "not locked: the user's to change"
    );
    app.shoot("settings-managed-en").await;
    app.click("#close-settings").await;
    app.wait_for("#settings-dialog:not([open])").await;
    app.click("#lang-toggle").await;
    open_settings(&app).await;
    let app_id = settings_field(&app, "settings-app-id").await;
    assert_eq!(
        app_id["described"][0], "由所在组织统一管理，无法在此修改。",
        "{app_id}"
    );
    app.click("#close-settings").await;
    app.wait_for("#settings-dialog:not([open])").await;
    app.click("#lang-toggle").await;

    // Installed, opened, Sign in.
    app.click("#sign-in").await;
    app.wait_state("signed-in").await;
    assert_eq!(app.text("#profile-name").await, "张三");
    app.close().await;
}
