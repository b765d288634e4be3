//! `doctor`: against the sandbox signed in (exit 0, every check ok or a warning that says what to
//! do), and against broken setups, each found by the right check with advice: the redirect port
//! taken, the deep-link scheme unregistered while the profile uses it, a session file others can
//! read, a corrupt session file, an unreachable accounts host, a lock left by a process that
//! ended. Every setup is real: a bound port, files with those modes, a closed port.

use std::{
    net::TcpListener,
    os::unix::fs::PermissionsExt,
    path::{Path, PathBuf},
    process::Output,
    time::Duration,
};

use crate::common::{emulator_bin, free_port, text, Harness, CLI};
use feishu_oauth::test_support::PrivateBus;

/// Every check's id, in the report's order.
const CHECKS: [&str; 9] = [
    "configuration",
    "accounts-host",
    "open-api-host",
    "clock",
    "redirect-port",
    "deep-link-scheme",
    "keyring",
    "session-files",
    "locks",
];

/// A sandbox profile (no App ID) in folders of its own: its config, data, and XDG folders where
/// no scheme handler and no system file are installed.
struct Sandbox {
    dir: tempfile::TempDir,
    redirect_uri: String,
}

impl Sandbox {
    fn new() -> Self {
        Self::with_redirect(format!("http://127.0.0.1:{}/callback", free_port()))
    }

    fn with_redirect(redirect_uri: String) -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            redirect_uri,
        }
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn session_file(&self) -> PathBuf {
        self.data().join("session.json")
    }

    fn command(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new(CLI);
        cmd.args(args);
        isolate(&mut cmd, self.dir.path());
        cmd.env("FEISHU_SIGNIN_DATA_DIR", self.data())
            .env("FEISHU_REDIRECT_URI", &self.redirect_uri)
            .env(
                "FEISHU_SIGNIN_BROWSER",
                format!("{} browse", emulator_bin().display()),
            )
            .kill_on_drop(true);
        cmd
    }

    async fn run(&self, args: &[&str]) -> Output {
        run(self.command(args), args).await
    }

    async fn login(&self) {
        let out = self.run(&["login"]).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

/// The environment of a user with nothing set up: no `FEISHU_*` settings, this test's own XDG
/// folders (no system file, no desktop file registering the scheme), no proxy.
fn isolate(cmd: &mut tokio::process::Command, root: &Path) {
    for var in [
        "RUST_LOG",
        "FEISHU_APP_ID",
        "FEISHU_APP_SECRET",
        "FEISHU_BRAND",
        "FEISHU_ACCOUNTS_URL",
        "FEISHU_OPEN_URL",
        "FEISHU_REDIRECT_URI",
        "FEISHU_SCOPES",
        "FEISHU_PROFILE",
        "FEISHU_SIGNIN_DEMO",
        "XDG_CURRENT_DESKTOP",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    for (var, folder) in [
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CONFIG_DIRS", "etc-xdg"),
        ("XDG_DATA_HOME", "share"),
        ("XDG_DATA_DIRS", "usr-share"),
    ] {
        let path = root.join(folder);
        std::fs::create_dir_all(&path).unwrap();
        cmd.env(var, path);
    }
}

async fn run(cmd: tokio::process::Command, args: &[&str]) -> Output {
    crate::common::output(cmd, args, "").await
}

/// The checks of a `doctor --json` answer, by id, after checking that every one is there.
fn checks(out: &Output) -> serde_json::Map<String, serde_json::Value> {
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = report["checks"].as_array().unwrap();
    let ids: Vec<&str> = list.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, CHECKS);
    for check in list {
        let status = check["status"].as_str().unwrap();
        assert!(
            ["ok", "warning", "failed", "skipped"].contains(&status),
            "{check}"
        );
        assert!(check["finding"].as_str().is_some_and(|f| !f.is_empty()));
        assert!(check["details"].is_array());
        if status == "warning" || status == "failed" {
            assert!(
                check["advice"].as_str().is_some_and(|a| !a.is_empty()),
                "a {status} without advice: {check}"
            );
        }
    }
    list.iter()
        .map(|c| (c["id"].as_str().unwrap().to_owned(), c.clone()))
        .collect()
}

fn status_of<'a>(checks: &'a serde_json::Map<String, serde_json::Value>, id: &str) -> &'a str {
    checks[id]["status"].as_str().unwrap()
}

fn words(check: &serde_json::Value, field: &str) -> String {
    check[field].as_str().unwrap_or_default().to_owned()
}

/// Exit 8, with the failed check named on stderr.
fn found_problem(out: &Output, id: &str) {
    assert_eq!(out.status.code(), Some(8), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains(id), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sandbox_signed_in_passes_with_only_explained_warnings() {
    let s = Sandbox::new();
    s.login().await;
    let token = s.run(&["token"]).await;
    let token = text(&token.stdout).trim().to_owned();
    assert!(!token.is_empty());

    let out = s.run(&["doctor", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let checks = checks(&out);
    for (id, check) in &checks {
        assert!(
            ["ok", "warning"].contains(&status_of(&checks, id)),
            "{check}"
        );
    }
    for id in [
        "accounts-host",
        "open-api-host",
        "clock",
        "redirect-port",
        "session-files",
        "locks",
    ] {
        assert_eq!(status_of(&checks, id), "ok", "{}", checks[id]);
    }
    // The sandbox is said; the scheme, unused by the loopback route, is only a warning.
    assert_eq!(status_of(&checks, "configuration"), "warning");
    assert!(words(&checks["configuration"], "finding").contains("sandbox"));
    assert_eq!(status_of(&checks, "deep-link-scheme"), "warning");
    assert!(words(&checks["deep-link-scheme"], "advice").contains("loopback"));
    assert!(words(&checks["accounts-host"], "finding").contains("sandbox's emulator"));
    let session = words(&checks["session-files"], "finding");
    assert!(session.contains("signed in as 张三"), "{session}");
    // A login took the write lock and let it go: nothing stale is left.
    assert_eq!(words(&checks["locks"], "finding"), "no lock is held");

    // The same in words: a mark and the check's name on each line, advice under the warnings.
    let human = s.run(&["doctor"]).await;
    assert_eq!(human.status.code(), Some(0));
    let shown = text(&human.stdout);
    for (mark, title) in [
        ("[warn]", "Configuration"),
        ("[ ok ]", "Accounts host"),
        ("[ ok ]", "Open API host"),
        ("[ ok ]", "Clock"),
        ("[ ok ]", "Redirect port"),
        ("[warn]", "Deep-link scheme"),
        ("[ ok ]", "Session files"),
        ("[ ok ]", "Session locks"),
    ] {
        assert!(
            shown
                .lines()
                .any(|l| l.starts_with(mark) && l[mark.len()..].trim_start().starts_with(title)),
            "{mark} {title} in\n{shown}"
        );
    }
    assert!(shown.contains("What to do:"), "{shown}");
    assert!(shown.contains("No problem found"), "{shown}");

    // No secret anywhere, in words, in JSON or with the details.
    let verbose = s.run(&["doctor", "--verbose"]).await;
    for out in [&out, &human, &verbose] {
        for secret in [token.as_str(), feishu_emulator::sandbox::APP_SECRET] {
            assert!(!text(&out.stdout).contains(secret), "a secret was printed");
            assert!(!text(&out.stderr).contains(secret), "a secret was printed");
        }
    }
    assert!(text(&verbose.stdout).contains(&s.session_file().display().to_string()));

    // The demo asked for: the sandbox is what the user wants, nothing to warn about.
    let mut cmd = s.command(&["doctor", "--json"]);
    cmd.env("FEISHU_SIGNIN_DEMO", "1");
    let out = run(cmd, &["doctor", "--json"]).await;
    assert_eq!(status_of(&self::checks(&out), "configuration"), "ok");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_taken_redirect_port_fails_and_names_who_holds_it() {
    let s = Sandbox::new();
    let port: u16 = s.redirect_uri[17..]
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let _held = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let out = s.run(&["doctor", "--json"]).await;
    found_problem(&out, "redirect-port");
    let checks = checks(&out);
    assert_eq!(status_of(&checks, "redirect-port"), "failed");
    let finding = words(&checks["redirect-port"], "finding");
    assert!(finding.contains(&format!("127.0.0.1:{port}")), "{finding}");
    // This test process holds it, and can be named.
    assert!(
        finding.contains(&format!("pid {}", std::process::id())),
        "{finding}"
    );
    assert!(words(&checks["redirect-port"], "advice").contains("register"));

    let human = s.run(&["doctor"]).await;
    assert_eq!(human.status.code(), Some(8));
    assert!(text(&human.stdout)
        .lines()
        .any(|l| l.starts_with("[FAIL] Redirect port")));
    assert!(text(&human.stdout).contains("1 problem"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unregistered_scheme_fails_when_the_profile_uses_the_deep_link() {
    let s = Sandbox::with_redirect("dev.feishu-signin.app:/callback".to_owned());
    let out = s.run(&["doctor", "--json"]).await;
    found_problem(&out, "deep-link-scheme");
    let checks = checks(&out);
    assert_eq!(status_of(&checks, "deep-link-scheme"), "failed");
    assert!(words(&checks["deep-link-scheme"], "finding").contains("dev.feishu-signin.app"));
    assert!(words(&checks["deep-link-scheme"], "advice").contains("xdg-mime default"));
    // No port to check on that route.
    assert_eq!(status_of(&checks, "redirect-port"), "skipped");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scheme_registered_to_another_program_is_named() {
    let s = Sandbox::new();
    // Another program's desktop file, chosen as the scheme's default as `xdg-mime default` does.
    let applications = s.dir.path().join("share/applications");
    std::fs::create_dir_all(&applications).unwrap();
    std::fs::write(
        applications.join("other.desktop"),
        "[Desktop Entry]\nType=Application\nName=Other\nExec=/bin/true %u\nMimeType=x-scheme-handler/dev.feishu-signin.app;\n",
    )
    .unwrap();
    std::fs::create_dir_all(s.dir.path().join("config")).unwrap();
    std::fs::write(
        s.dir.path().join("config/mimeapps.list"),
        "[Default Applications]\nx-scheme-handler/dev.feishu-signin.app=other.desktop\n",
    )
    .unwrap();
    let out = s.run(&["doctor", "--json"]).await;
    let checks = checks(&out);
    // The loopback route does not need it: a warning.
    assert_eq!(status_of(&checks, "deep-link-scheme"), "warning");
    let finding = words(&checks["deep-link-scheme"], "finding");
    assert!(
        finding.contains("/bin/true (other.desktop), not this app"),
        "{finding}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_file_others_can_read_fails_with_the_chmod_to_run() {
    let s = Sandbox::new();
    s.login().await;
    std::fs::set_permissions(s.session_file(), std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = s.run(&["doctor", "--json"]).await;
    found_problem(&out, "session-files");
    let checks = checks(&out);
    let check = &checks["session-files"];
    assert_eq!(status_of(&checks, "session-files"), "failed");
    assert!(words(check, "finding").contains("0644"), "{check}");
    assert!(
        words(check, "advice").contains(&format!("chmod 600 {}", s.session_file().display())),
        "{check}"
    );
    // Only looked at: the mode is as it was.
    let mode = std::fs::metadata(s.session_file())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o644);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_session_file_fails_and_is_left_where_it_is() {
    let s = Sandbox::new();
    std::fs::create_dir_all(s.data()).unwrap();
    std::fs::set_permissions(s.data(), std::fs::Permissions::from_mode(0o700)).unwrap();
    std::fs::write(
        s.session_file(),
        "{\"session\": {\"access_token\": \"u-leak",
    )
    .unwrap();
    std::fs::set_permissions(s.session_file(), std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = s.run(&["doctor", "--json"]).await;
    found_problem(&out, "session-files");
    let checks = checks(&out);
    let check = &checks["session-files"];
    assert!(words(check, "finding").contains("corrupt"), "{check}");
    assert!(
        words(check, "advice").contains("feishu-auth login"),
        "{check}"
    );
    assert!(!text(&out.stdout).contains("u-leak"), "the file was quoted");
    // The store sets a corrupt file aside when it reads it; the doctor only looks.
    assert!(s.session_file().exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_accounts_host_fails_and_the_open_api_still_answers() {
    let h = Harness::new(|b| b).await;
    let closed = free_port();
    let mut cmd = h.command(&["doctor", "--json"]);
    isolate_keeping_app(&mut cmd, h.dir.path());
    cmd.env("FEISHU_ACCOUNTS_URL", format!("http://127.0.0.1:{closed}/"));
    let out = run(cmd, &["doctor", "--json"]).await;
    found_problem(&out, "accounts-host");
    let checks = checks(&out);
    assert_eq!(status_of(&checks, "accounts-host"), "failed");
    let finding = words(&checks["accounts-host"], "finding");
    assert!(
        finding.contains(&format!("127.0.0.1:{closed}")) && finding.contains("connection"),
        "{finding}"
    );
    assert!(words(&checks["accounts-host"], "advice").contains("accounts_url"));
    assert_eq!(status_of(&checks, "open-api-host"), "ok");
    // A configured app: its App ID is named, its App Secret never.
    assert_eq!(status_of(&checks, "configuration"), "ok");
    assert!(words(&checks["configuration"], "finding").contains(h.emulator.app_id()));
    assert!(!text(&out.stdout).contains(&h.secret));
}

/// The harness's app settings, with this test's XDG folders and no proxy.
fn isolate_keeping_app(cmd: &mut tokio::process::Command, root: &Path) {
    for var in [
        "XDG_CURRENT_DESKTOP",
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env_remove(var);
    }
    for (var, folder) in [
        ("XDG_CONFIG_DIRS", "etc-xdg"),
        ("XDG_DATA_HOME", "share"),
        ("XDG_DATA_DIRS", "usr-share"),
    ] {
        let path = root.join(folder);
        std::fs::create_dir_all(&path).unwrap();
        cmd.env(var, path);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lock_left_by_a_process_that_ended_is_a_warning_that_says_it_is_free() {
    let s = Sandbox::new();
    std::fs::create_dir_all(s.data()).unwrap();
    std::fs::set_permissions(s.data(), std::fs::Permissions::from_mode(0o700)).unwrap();
    // A pid no process can have: above the kernel's largest (2^22).
    std::fs::write(s.data().join("session.lock"), "4194305").unwrap();
    let out = s.run(&["doctor", "--json"]).await;
    let checks = checks(&out);
    assert_eq!(status_of(&checks, "locks"), "warning");
    let finding = words(&checks["locks"], "finding");
    assert!(
        finding.contains("4194305") && finding.contains("ended") && finding.contains("released"),
        "{finding}"
    );
    // A warning alone is no failure.
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_keyring_is_found_on_the_session_bus_and_its_absence_is_only_a_warning() {
    let s = Sandbox::new();
    for (services, status) in [
        (&["org.freedesktop.secrets"][..], "ok"),
        (&[][..], "warning"),
    ] {
        let bus = PrivateBus::start(services);
        let mut cmd = s.command(&["doctor", "--json"]);
        cmd.env("DBUS_SESSION_BUS_ADDRESS", bus.address());
        let out = run(cmd, &["doctor", "--json"]).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let checks = checks(&out);
        assert_eq!(
            status_of(&checks, "keyring"),
            status,
            "{}",
            checks["keyring"]
        );
        if status == "warning" {
            assert!(words(&checks["keyring"], "finding").contains("0600 file"));
        }
    }
    // No bus at all: the same warning.
    let mut cmd = s.command(&["doctor", "--json"]);
    cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let out = run(cmd, &["doctor", "--json"]).await;
    assert_eq!(status_of(&checks(&out), "keyring"), "warning");
    // A bus that takes the connection and never answers: a warning in a few seconds, no hang.
    let silent = s.dir.path().join("silent-bus");
    let _listener = std::os::unix::net::UnixListener::bind(&silent).unwrap();
    let mut cmd = s.command(&["doctor", "--json"]);
    cmd.env(
        "DBUS_SESSION_BUS_ADDRESS",
        format!("unix:path={}", silent.display()),
    );
    let started = std::time::Instant::now();
    let out = run(cmd, &["doctor", "--json"]).await;
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    let checks = checks(&out);
    assert_eq!(status_of(&checks, "keyring"), "warning");
    assert!(
        words(&checks["keyring"], "finding").contains("did not answer"),
        "{}",
        checks["keyring"]
    );
}

/// A proxy that asks for credentials: every request, a tunnel (`CONNECT`) included, is answered
/// 407. Returns its port.
async fn proxy_asking_for_credentials() -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    if client.read(&mut byte).await.unwrap_or(0) == 0 {
                        return;
                    }
                    head.push(byte[0]);
                }
                let _ = client
                    .write_all(
                        b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\nContent-Length: 0\r\n\r\n",
                    )
                    .await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread")]
async fn the_proxy_in_use_is_named_and_one_that_wants_credentials_fails() {
    let h = Harness::new(|b| b).await;
    let proxy = proxy_asking_for_credentials().await;
    let mut cmd = h.command(&["doctor", "--json"]);
    isolate_keeping_app(&mut cmd, h.dir.path());
    cmd.env("FEISHU_ACCOUNTS_URL", "https://accounts.feishu.invalid/")
        .env("FEISHU_OPEN_URL", "https://open.feishu.invalid/")
        .env("HTTPS_PROXY", format!("http://127.0.0.1:{proxy}"))
        .env("NO_PROXY", "accounts.feishu.invalid");
    let out = run(cmd, &["doctor", "--json"]).await;
    found_problem(&out, "open-api-host");
    let checks = checks(&out);
    // Through the proxy: named, with the variable that chose it, and its refusal told.
    let open = &checks["open-api-host"];
    assert_eq!(status_of(&checks, "open-api-host"), "failed");
    let details = open["details"].to_string();
    assert!(
        details.contains(&format!(
            "Proxy: http://127.0.0.1:{proxy}/ (from HTTPS_PROXY)"
        )) || details.contains(&format!(
            "Proxy: http://127.0.0.1:{proxy} (from HTTPS_PROXY)"
        )),
        "{details}"
    );
    assert!(
        words(open, "finding").contains("asks for credentials"),
        "{open}"
    );
    assert!(words(open, "advice").contains("HTTPS_PROXY"), "{open}");
    // NO_PROXY exempts the accounts host: straight to a name that does not resolve.
    let accounts = &checks["accounts-host"];
    assert!(
        accounts["details"].to_string().contains("NO_PROXY exempts"),
        "{accounts}"
    );
    assert!(
        words(accounts, "finding").contains("accounts.feishu.invalid"),
        "{accounts}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_profile_named_is_the_one_examined() {
    let s = Sandbox::new();
    let profiles = s.dir.path().join("config/feishu-signin/profiles");
    std::fs::create_dir_all(&profiles).unwrap();
    std::fs::write(profiles.join("work.toml"), "scopes = \"offline_access\"\n").unwrap();
    let out = s.run(&["--profile", "work", "doctor", "--json"]).await;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["profile"], "work");
    let checks = checks(&out);
    let details = checks["session-files"]["details"].to_string();
    assert!(details.contains("profiles/work/session.json"), "{details}");
    assert!(checks["configuration"]["details"]
        .to_string()
        .contains("work.toml"));
    // A profile that does not exist is a usage error, as for every command.
    let out = s.run(&["doctor", "--profile", "nope"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("work"), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_files_read_and_the_locks_are_listed_and_a_broken_file_fails_first() {
    let s = Sandbox::new();
    let system = s.dir.path().join("etc-xdg/feishu-signin");
    std::fs::create_dir_all(&system).unwrap();
    std::fs::write(
        system.join("config.toml"),
        "app_id = \"cli_org\"\napp_secret = \"org-s3cret-91\"\naccounts_url = \"http://127.0.0.1:9/\"\nopen_url = \"http://127.0.0.1:9/\"\nlocked = [\"app_id\", \"app_secret\"]\n",
    )
    .unwrap();
    let out = s.run(&["doctor", "--json"]).await;
    let checks = checks(&out);
    // (Both hosts on a closed port: no test reaches the real Feishu.)
    let configuration = &checks["configuration"];
    assert_eq!(status_of(&checks, "configuration"), "ok");
    assert!(words(configuration, "finding").contains("cli_org"));
    let details = configuration["details"].to_string();
    assert!(
        details.contains("feishu-signin/config.toml (read)")
            && details.contains("Locked by the system file: app_id, app_secret")
            && details.contains("App Secret: set"),
        "{details}"
    );
    assert!(
        !text(&out.stdout).contains("org-s3cret-91"),
        "a secret was printed"
    );

    // A profile's file that is not TOML: the configuration fails, naming it; what needs the
    // settings is skipped, the rest still checked.
    let user = s.dir.path().join("config/feishu-signin");
    std::fs::create_dir_all(&user).unwrap();
    std::fs::write(user.join("config.toml"), "brand = [oops\n").unwrap();
    let out = s.run(&["doctor", "--json"]).await;
    found_problem(&out, "configuration");
    let checks = self::checks(&out);
    assert_eq!(status_of(&checks, "configuration"), "failed");
    assert!(
        words(&checks["configuration"], "finding").contains("config.toml"),
        "{}",
        checks["configuration"]
    );
    for id in ["accounts-host", "redirect-port", "session-files", "locks"] {
        assert_eq!(status_of(&checks, id), "skipped", "{id}");
    }
    assert_ne!(status_of(&checks, "keyring"), "skipped");

    // The organisation's file broken: its fault, to be fixed by IT.
    std::fs::remove_file(user.join("config.toml")).unwrap();
    std::fs::write(system.join("config.toml"), "app_idd = \"cli_org\"\n").unwrap();
    let out = s.run(&["doctor", "--json"]).await;
    found_problem(&out, "configuration");
    let checks = self::checks(&out);
    let configuration = &checks["configuration"];
    assert!(
        words(configuration, "finding").contains("app_idd"),
        "{configuration}"
    );
    assert!(
        words(configuration, "advice").contains("IT team"),
        "{configuration}"
    );
}

/// An HTTP server whose clock is `skew` off: every request is answered 404 with its `Date`.
async fn server_with_clock_off_by(skew: time::Duration) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buffer = [0u8; 4096];
                let _ = client.read(&mut buffer).await;
                let date = (time::OffsetDateTime::now_utc() + skew)
                    .format(time::macros::format_description!(
                        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
                    ))
                    .unwrap();
                let _ = client
                    .write_all(
                        format!("HTTP/1.1 404 Not Found\r\nDate: {date}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .as_bytes(),
                    )
                    .await;
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_clock_minutes_away_from_ours_is_a_warning() {
    let h = Harness::new(|b| b).await;
    for (skew, words_expected) in [
        (time::Duration::minutes(-10), "ahead of"),
        (time::Duration::minutes(7), "behind"),
    ] {
        let port = server_with_clock_off_by(skew).await;
        let mut cmd = h.command(&["doctor", "--json"]);
        isolate_keeping_app(&mut cmd, h.dir.path());
        let base = format!("http://127.0.0.1:{port}/");
        cmd.env("FEISHU_ACCOUNTS_URL", &base)
            .env("FEISHU_OPEN_URL", &base);
        let out = run(cmd, &["doctor", "--json"]).await;
        let checks = checks(&out);
        assert_eq!(status_of(&checks, "open-api-host"), "ok");
        assert_eq!(
            status_of(&checks, "clock"),
            "warning",
            "{}",
            checks["clock"]
        );
        let finding = words(&checks["clock"], "finding");
        assert!(finding.contains(words_expected), "{finding}");
        assert!(words(&checks["clock"], "advice").contains("timedatectl"));
        // A warning alone: exit 0.
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    // The emulator's own clock is ours: no warning.
    let out = run(
        {
            let mut cmd = h.command(&["doctor", "--json"]);
            isolate_keeping_app(&mut cmd, h.dir.path());
            cmd
        },
        &["doctor", "--json"],
    )
    .await;
    assert_eq!(status_of(&checks(&out), "clock"), "ok");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lock_held_now_names_its_holder_and_is_no_problem() {
    let s = Sandbox::new();
    std::fs::create_dir_all(s.data()).unwrap();
    std::fs::set_permissions(s.data(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let lock = std::fs::File::create(s.data().join("session.lock")).unwrap();
    lock.lock().unwrap();
    let out = s.run(&["doctor", "--json"]).await;
    let checks = checks(&out);
    assert_eq!(status_of(&checks, "locks"), "ok");
    let finding = words(&checks["locks"], "finding");
    assert!(
        finding.contains(&format!("held by pid {}", std::process::id())),
        "{finding}"
    );
    drop(lock);
}
