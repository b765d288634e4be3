//! Tokens and the App Secret sealed by a real desktop keyring: `gnome-keyring-daemon` on a
//! private bus of each test's own, unlocked with a test password. No file holds a token the
//! emulator issued; a sealed file does not open in another profile or on another keyring; without
//! a keyring every surface says the session is unsealed, and `storage = "keyring"` refuses to
//! store it; a plain session is sealed in place with no new sign-in; a key deleted from the
//! keyring signs the person out and keeps the file aside.

use std::path::{Path, PathBuf};

use feishu_oauth::test_support::{PrivateBus, TestKeyring};

use crate::common::{text, Harness};

/// Every file under `dir`, with its bytes.
fn files_under(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            found.push((path, bytes));
        }
    }
    found
}

/// No file of the harness (its data and config folders) holds `secret`.
fn assert_on_no_disk_file(h: &Harness, secret: &str) {
    for (path, bytes) in files_under(h.dir.path()) {
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{} holds a secret in clear",
            path.display()
        );
    }
}

async fn login(h: &Harness) {
    let out = h.run(&["login"]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
}

async fn sealed_harness() -> (Harness, TestKeyring) {
    let keyring = TestKeyring::start();
    let mut h = Harness::new(|b| b).await;
    h.use_keyring(&keyring);
    (h, keyring)
}

fn kept_files(h: &Harness) -> Vec<PathBuf> {
    files_under(&h.dir.path().join("data"))
        .into_iter()
        .map(|(path, _)| path)
        .filter(|p| p.to_string_lossy().contains(".corrupt-"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_keyring_no_file_holds_a_token_and_sign_out_deletes_the_key() {
    let (h, keyring) = sealed_harness().await;
    login(&h).await;
    let status = h.status().await;
    assert_eq!(status["storage"], "keyring", "{status}");
    assert_eq!(status["user"]["name"], "张三", "{status}");
    // The readable part stays readable.
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(h.session_file()).unwrap()).unwrap();
    assert!(
        doc["session"]["access_token_expires_at"].is_string(),
        "{doc}"
    );
    assert_eq!(doc["session"]["sealed"]["alg"], "xchacha20poly1305");
    // A token printed on request is the one the emulator issued, and no file holds it.
    let token = text(&h.run(&["token"]).await.stdout).trim().to_owned();
    assert!(h.emulator.issued_tokens().contains(&token));
    let refreshed = h.run(&["refresh"]).await;
    assert!(refreshed.status.success(), "{}", text(&refreshed.stderr));
    let issued = h.emulator.issued_tokens();
    assert_eq!(issued.len(), 4, "two sign-in tokens, two refreshed ones");
    for token in &issued {
        assert_on_no_disk_file(&h, token);
    }
    // One key for the profile, reused by the refresh; human status says so.
    let keys = keyring.items("session-key");
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert_eq!(keys[0].0["profile"], "default");
    let human = text(&h.run(&["status"]).await.stdout);
    assert!(human.contains("sealed by the desktop keyring"), "{human}");
    // Sign-out deletes the key: any copy of the sealed file is unreadable from then on.
    let copy = std::fs::read(h.session_file()).unwrap();
    assert!(h.run(&["logout"]).await.status.success());
    assert!(keyring.items("session-key").is_empty());
    std::fs::write(h.session_file(), copy).unwrap();
    let status = h.run(&["status", "--json"]).await;
    let doc: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(doc["signedIn"], false, "{doc}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sealed_file_opens_neither_in_another_profile_nor_with_another_keyring() {
    let (mut h, keyring) = sealed_harness().await;
    login(&h).await;
    let sealed = std::fs::read(h.session_file()).unwrap();
    // Another profile of the same app: the file does not open there, and is set aside; the
    // default profile's own session is untouched.
    let work = h.dir.path().join("data/profiles/work");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("session.json"), &sealed).unwrap();
    std::fs::create_dir_all(h.dir.path().join("config/feishu-signin/profiles")).unwrap();
    std::fs::write(
        h.dir.path().join("config/feishu-signin/profiles/work.toml"),
        "",
    )
    .unwrap();
    let out = h.run(&["--profile", "work", "status", "--json"]).await;
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["signedIn"], false, "{doc}");
    let said = text(&out.stderr);
    assert!(
        said.contains("kept as") && said.contains("signed out"),
        "{said}"
    );
    assert_eq!(h.status().await["signedIn"], true);

    // Another machine: the same file, a keyring that never held its key.
    let elsewhere = TestKeyring::start();
    h.use_keyring(&elsewhere);
    let out = h.run(&["token"]).await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "signed out: {}",
        text(&out.stderr)
    );
    let said = text(&out.stderr);
    assert!(
        said.contains("the keyring no longer holds the key"),
        "{said}"
    );
    assert!(!kept_files(&h).is_empty());
    drop(keyring);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_deleted_from_the_keyring_signs_out_and_keeps_the_file_aside() {
    let (h, keyring) = sealed_harness().await;
    login(&h).await;
    let sealed = std::fs::read(h.session_file()).unwrap();
    assert_eq!(keyring.delete("session-key"), 1);
    let out = h.run(&["status", "--json"]).await;
    assert!(out.status.success(), "status reports, it does not fail");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["signedIn"], false, "{doc}");
    let said = text(&out.stderr);
    assert!(
        said.contains("the keyring no longer holds the key that sealed it")
            && said.contains("signed out"),
        "{said}"
    );
    let kept = kept_files(&h);
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(std::fs::read(&kept[0]).unwrap(), sealed);
    // Signing in again works, with a new key.
    login(&h).await;
    assert_eq!(h.status().await["storage"], "keyring");
    assert_eq!(keyring.items("session-key").len(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_keyring_fails_clearly_and_changes_nothing() {
    let (h, keyring) = sealed_harness().await;
    login(&h).await;
    let before = std::fs::read(h.session_file()).unwrap();
    keyring.lock();
    // No display for the unlock prompt on this bus: it is dismissed at once.
    let out = h.run(&["token"]).await;
    assert_eq!(out.status.code(), Some(9), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(
        said.contains("keyring") && said.contains("left as it is"),
        "{said}"
    );
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read(h.session_file()).unwrap(), before);
    assert!(kept_files(&h).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_keyring_the_session_is_unsealed_and_every_surface_says_so() {
    // No bus at all (the harness's default), then a bus with no Secret Service on it.
    let mut h = Harness::new(|b| b).await;
    let mut login = h.command(&["login"]);
    login.env("RUST_LOG", "info");
    let out = crate::common::output(login, &["login"], "").await;
    assert!(out.status.success());
    let said = text(&out.stderr);
    assert!(
        said.contains("stored unsealed in its 0600 file"),
        "logged once: {said}"
    );
    assert_eq!(said.matches("stored unsealed").count(), 1, "{said}");
    assert!(text(&out.stdout).contains("tokens unsealed, in a file only you can read"));
    assert_eq!(h.status().await["storage"], "file");
    let bus = PrivateBus::start(&[]);
    bus.address().clone_into(&mut h.bus);
    assert_eq!(h.status().await["storage"], "file");
    assert!(h.run(&["refresh"]).await.status.success());
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(h.session_file()).unwrap()).unwrap();
    assert!(doc["session"]["access_token"].is_string(), "{doc}");
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(h.session_file()).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, 0o600);
}

#[tokio::test(flavor = "multi_thread")]
async fn storage_keyring_refuses_to_store_a_session_unsealed() {
    let h = Harness::new(|b| b).await;
    let mut refused = h.command(&["login"]);
    refused.env("FEISHU_SIGNIN_STORAGE", "keyring");
    let out = crate::common::output(refused, &["login"], "").await;
    assert_eq!(out.status.code(), Some(9), "{}", text(&out.stderr));
    let said = text(&out.stderr);
    assert!(
        said.contains("storage = \"keyring\"") && said.contains("was not stored"),
        "{said}"
    );
    for token in h.emulator.issued_tokens() {
        assert_on_no_disk_file(&h, &token);
    }
    // The same from the settings file.
    std::fs::create_dir_all(h.dir.path().join("config/feishu-signin")).unwrap();
    std::fs::write(
        h.dir.path().join("config/feishu-signin/config.toml"),
        "storage = \"keyring\"\n",
    )
    .unwrap();
    let out = h.run(&["login"]).await;
    assert_eq!(out.status.code(), Some(9), "{}", text(&out.stderr));
    assert_eq!(h.status().await["signedIn"], false);

    // A session stored unsealed earlier is not refreshed under `keyring` with no keyring: the
    // refresh would spend the refresh token, then fail to store its successor.
    std::fs::write(
        h.dir.path().join("config/feishu-signin/config.toml"),
        "storage = \"auto\"\n",
    )
    .unwrap();
    login(&h).await;
    let mut refresh = h.command(&["refresh"]);
    refresh.env("FEISHU_SIGNIN_STORAGE", "keyring");
    let out = crate::common::output(refresh, &["refresh"], "").await;
    assert_eq!(out.status.code(), Some(9), "{}", text(&out.stderr));
    assert_eq!(h.emulator.refreshes(), 0, "no refresh token was spent");
    assert_eq!(h.status().await["signedIn"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plain_session_is_sealed_in_place_with_no_new_sign_in() {
    let mut h = Harness::new(|b| b).await;
    login(&h).await;
    let token = text(&h.run(&["token"]).await.stdout).trim().to_owned();
    // A second name for the plain file, to see its bytes after the migration.
    let witness = h.dir.path().join("witness");
    std::fs::hard_link(h.session_file(), &witness).unwrap();
    let plain_len = std::fs::metadata(&witness).unwrap().len();
    let keyring = TestKeyring::start();
    h.use_keyring(&keyring);
    let status = h.status().await;
    assert_eq!(status["storage"], "keyring", "{status}");
    assert_eq!(status["signedIn"], true);
    assert_eq!(
        text(&h.run(&["token"]).await.stdout).trim(),
        token,
        "the same session"
    );
    assert_eq!(
        h.emulator.issued_tokens().len(),
        2,
        "no new sign-in or refresh"
    );
    for token in h.emulator.issued_tokens() {
        let in_clear = files_under(h.dir.path())
            .into_iter()
            .any(|(_, bytes)| bytes.windows(token.len()).any(|w| w == token.as_bytes()));
        assert!(!in_clear, "a token is still in clear on disk");
    }
    assert_eq!(
        std::fs::read(&witness).unwrap(),
        vec![0u8; usize::try_from(plain_len).unwrap()],
        "the plain file's bytes were overwritten"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_secret_goes_to_the_keyring_and_the_settings_file_holds_a_reference() {
    let (h, keyring) = sealed_harness().await;
    let out = h.add_profile("work", &h, "feishu").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let settings = h.dir.path().join("config/feishu-signin/profiles/work.toml");
    let file = std::fs::read_to_string(&settings).unwrap();
    assert!(file.contains("app_secret = \"@keyring\""), "{file}");
    assert_on_no_disk_file(&h, &h.secret);
    let secrets = keyring.items("app-secret");
    assert_eq!(secrets.len(), 1);
    assert_eq!(secrets[0].1, h.secret.as_bytes());
    // The profile signs in with it, and says where it is kept.
    let out = h.run_bare(&["--profile", "work", "login"], "", &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = h
        .run_bare(&["--profile", "work", "status", "--json"], "", &[])
        .await;
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["appSecretStorage"], "keyring", "{doc}");
    assert_eq!(doc["storage"], "keyring", "{doc}");
    // Removing the profile removes its secret and its session key.
    let out = h.run_bare(&["profile", "remove", "work"], "", &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(keyring.items("app-secret").is_empty());
    assert!(keyring.items("session-key").is_empty());

    // A profile whose App Secret the keyring lost says what to do, and can still be removed.
    let out = h.add_profile("lost", &h, "feishu").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(keyring.delete("app-secret"), 1);
    let out = h.run_bare(&["--profile", "lost", "status"], "", &[]).await;
    let said = text(&out.stderr);
    assert!(
        !out.status.success() && said.contains("enter it again in Settings"),
        "{said}"
    );
    let out = h.run_bare(&["profile", "remove", "lost"], "", &[]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("tokens were not revoked"),
        "{}",
        text(&out.stdout)
    );

    // Without a keyring the secret stays in the file, and status says so.
    let plain = Harness::new(|b| b).await;
    let out = plain.add_profile("work", &plain, "feishu").await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = std::fs::read_to_string(
        plain
            .dir
            .path()
            .join("config/feishu-signin/profiles/work.toml"),
    )
    .unwrap();
    assert!(file.contains(&plain.secret));
    let out = plain
        .run_bare(&["--profile", "work", "status", "--json"], "", &[])
        .await;
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["appSecretStorage"], "config", "{doc}");
}
