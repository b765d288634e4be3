//! Accessibility, end to end: axe-core (the standard accessibility engine, from npm:
//! node_modules/axe-core) injected into the real window and run over every view the tests can
//! reach, in light and dark, in English and Chinese. A violation fails the test with its rule,
//! impact, elements and axe's own summary of what to fix.
//!
//! Same gating as tests/e2e.rs: needs `FEISHU_SIGNIN_E2E=1`, a display, a session bus and
//! tauri-driver (scripts/test.sh provides them), and `npm ci` for axe-core.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod e2e_support;

use std::{collections::BTreeMap, fmt::Write as _, path::PathBuf, time::Duration};

use e2e_support::*;
use fantoccini::Locator;
use feishu_emulator::{Emulator, Endpoint};
use serde_json::Value;

/// The rule sets: WCAG 2.0, 2.1 and 2.2 at A and AA (colour contrast, keyboard access to
/// scrollable regions, names that contain the visible text, target size…) and axe's best
/// practices (landmarks, headings). Experimental rules stay off: they change between releases.
const TAGS: &[&str] = &[
    "wcag2a",
    "wcag2aa",
    "wcag21a",
    "wcag21aa",
    "wcag22aa",
    "best-practice",
];

/// The four looks of the window every state is checked in.
const LOOKS: [(&str, &str); 4] = [
    ("light", "en"),
    ("light", "zh"),
    ("dark", "en"),
    ("dark", "zh"),
];

fn axe_source() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `npm ci`)", path.display()))
}

/// What axe found, across looks and states: rule → element → axe's summary → where (look and
/// state), so that one fault seen in sixteen audits reads as one entry.
#[derive(Default)]
struct Findings {
    rules: BTreeMap<String, BTreeMap<String, BTreeMap<String, Vec<String>>>>,
    /// What axe could not decide (for contrast: text over an image, a gradient or overlapping
    /// elements): printed for a person to review, not failed on.
    incomplete: BTreeMap<String, usize>,
    audits: usize,
}

impl Findings {
    fn assert_none(self) {
        for (what, times) in &self.incomplete {
            eprintln!("axe could not decide (review by hand): {what} ({times} audits)");
        }
        let mut report = String::new();
        let mut count = 0;
        for (rule, elements) in &self.rules {
            let _ = writeln!(report, "{rule}");
            for (element, summaries) in elements {
                count += 1;
                let _ = writeln!(report, "  {element}");
                for (summary, wheres) in summaries {
                    let _ = writeln!(report, "    in: {}", wheres.join("; "));
                    for line in summary.lines() {
                        let _ = writeln!(report, "      {line}");
                    }
                }
            }
        }
        assert!(
            count == 0,
            "axe-core found {count} violation(s) in {} audits:\n{report}",
            self.audits
        );
    }
}

/// The app (in the demo unless `extra_env` says otherwise: the harness sets
/// `FEISHU_SIGNIN_DEMO=1`), with axe-core injected.
struct Audited {
    app: App,
}

impl Audited {
    async fn launch(extra_env: &[(&str, String)]) -> Self {
        let app = App::launch(extra_env).await;
        let loaded = app
            .client
            .execute(
                &format!("{}\nreturn typeof window.axe.run;", axe_source()),
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(loaded, "function", "axe-core is loaded into the window");
        Self { app }
    }

    /// Audits the window as it is now in each of the four looks, `what` naming the state.
    async fn audit_looks(&self, what: &str, findings: &mut Findings) {
        for (theme, lang) in LOOKS {
            self.look(theme, lang).await;
            self.audit(&format!("{theme}, {lang}, {what}"), findings)
                .await;
        }
    }

    /// Sets the theme the way a person does, with the toggle (system → light → dark), and the
    /// language with its button; then lets the colour transitions end.
    async fn look(&self, theme: &str, lang: &str) {
        for _ in 0..3 {
            if self
                .js("return document.documentElement.dataset.theme ?? ''")
                .await
                == theme
            {
                break;
            }
            self.app.click("#theme-toggle").await;
        }
        assert_eq!(
            self.js("return document.documentElement.dataset.theme ?? ''")
                .await,
            theme
        );
        if !self
            .js("return document.documentElement.lang")
            .await
            .as_str()
            .unwrap()
            .starts_with(lang)
        {
            self.app.click("#lang-toggle").await;
        }
        assert!(self
            .js("return document.documentElement.lang")
            .await
            .as_str()
            .unwrap()
            .starts_with(lang));
        self.settle().await;
    }

    async fn settle(&self) {
        tokio::time::sleep(Duration::from_millis(400)).await;
    }

    async fn js(&self, script: &str) -> Value {
        self.app.client.execute(script, vec![]).await.unwrap()
    }

    /// Runs axe over the whole document and adds its violations to `findings` under `label`.
    async fn audit(&self, label: &str, findings: &mut Findings) {
        let result = self
            .app
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {
                   runOnly: { type: 'tag', values: arguments[0] },
                   resultTypes: ['violations', 'incomplete'],
                 }).then(
                   (r) => done({ violations: r.violations.map((v) => ({
                     id: v.id, impact: v.impact, help: v.help,
                     nodes: v.nodes.map((n) => ({
                       target: n.target.join(' '),
                       html: n.html.slice(0, 160),
                       summary: n.failureSummary,
                     })),
                   })),
                   incomplete: r.incomplete.map((v) => ({
                     id: v.id,
                     targets: v.nodes.map((n) => n.target.join(' ') + ': '
                       + [...n.any, ...n.all, ...n.none].map((c) => c.message).join(' ')),
                   })) }),
                   (e) => done({ error: String(e) }),
                 );",
                vec![serde_json::json!(TAGS)],
            )
            .await
            .unwrap();
        assert!(result["error"].is_null(), "axe.run failed: {result}");
        findings.audits += 1;
        for v in result["incomplete"].as_array().unwrap() {
            for target in v["targets"].as_array().unwrap() {
                let what = format!(
                    "{} {}",
                    v["id"].as_str().unwrap_or_default(),
                    target.as_str().unwrap_or_default()
                );
                *findings.incomplete.entry(what).or_default() += 1;
            }
        }
        for v in result["violations"].as_array().unwrap() {
            let rule = format!(
                "{} ({}): {}",
                v["id"].as_str().unwrap_or_default(),
                v["impact"].as_str().unwrap_or("?"),
                v["help"].as_str().unwrap_or_default(),
            );
            for n in v["nodes"].as_array().unwrap() {
                let element = format!(
                    "{}  {}",
                    n["target"].as_str().unwrap_or_default(),
                    n["html"].as_str().unwrap_or_default(),
                );
                findings
                    .rules
                    .entry(rule.clone())
                    .or_default()
                    .entry(element)
                    .or_default()
                    .entry(n["summary"].as_str().unwrap_or_default().to_owned())
                    .or_default()
                    .push(label.to_owned());
            }
        }
    }

    async fn open_settings(&self) {
        self.app.click("#open-settings").await;
        self.app
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#settings-dialog[open]"))
            .await
            .expect("the Settings dialog opens");
        self.settle().await;
    }

    async fn close_settings(&self) {
        self.app.click("#close-settings").await;
        self.app
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("#settings-dialog:not([open])"))
            .await
            .expect("the Settings dialog closes");
    }
}

#[tokio::test]
async fn axe_finds_no_violation_from_the_first_run_to_signed_in() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    let mut findings = Findings::default();
    // The first run: no App ID and the demo not chosen.
    let window = Audited::launch(&[("FEISHU_SIGNIN_DEMO", String::new())]).await;
    window.app.wait_state("not-set-up").await;
    window.audit_looks("not set up", &mut findings).await;

    // The demo, signed out, its banner shown and the Advanced options open.
    window.app.click("#try-demo").await;
    window.app.wait_state("signed-out").await;
    window.app.click("#sign-in-options summary").await;
    window
        .audit_looks("signed out, options open", &mut findings)
        .await;

    window.app.click("#sign-in").await;
    window.app.wait_state("signed-in").await;
    window.app.click("#profile-ids summary").await;
    for (theme, lang) in LOOKS {
        window.look(theme, lang).await;
        window
            .audit(&format!("{theme}, {lang}, signed in"), &mut findings)
            .await;

        window.app.click("#profile-button").await;
        window.settle().await;
        window
            .audit(
                &format!("{theme}, {lang}, profile menu open"),
                &mut findings,
            )
            .await;
        window.app.click("#profile-button").await;

        window.open_settings().await;
        window
            .audit(&format!("{theme}, {lang}, Settings open"), &mut findings)
            .await;
        window.close_settings().await;
    }

    window.app.close().await;
    findings.assert_none();
}

#[tokio::test]
async fn axe_finds_no_violation_on_an_error_with_its_details_open() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    // Feishu refuses the code (20071, the redirect URI does not match): the error panel.
    let redirect = format!("http://127.0.0.1:{}/callback", free_port());
    let emulator = Emulator::builder()
        .redirect_uri(redirect.clone())
        .start()
        .await
        .unwrap();
    emulator.fail_next(Endpoint::Token, 1, 20071);
    let window = Audited::launch(&app_env(&emulator, &redirect)).await;
    window.app.wait_state("signed-out").await;
    window.app.click("#sign-in").await;
    window.app.wait_for("#error:not([hidden])").await;
    window.app.click("#error-details summary").await;

    let mut findings = Findings::default();
    window
        .audit_looks("error, details open", &mut findings)
        .await;
    window.app.close().await;
    findings.assert_none();
}

#[tokio::test]
async fn axe_finds_no_violation_while_signing_in_with_a_browser_that_did_not_open() {
    if !enabled() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().await;
    // A browser command that fails, as xdg-open does when it finds no browser: the sign-in waits
    // with its steps, countdown, "Open again" and "Copy link".
    let window =
        Audited::launch(&[("FEISHU_SIGNIN_BROWSER", "sh -c 'exit 3' --".to_owned())]).await;
    window.app.wait_state("signed-out").await;
    window.app.click("#sign-in").await;
    window.app.wait_state("signing-in").await;
    window.app.wait_for("#browser-failed:not([hidden])").await;

    let mut findings = Findings::default();
    window
        .audit_looks("signing in, browser failed", &mut findings)
        .await;
    window.app.close().await;
    findings.assert_none();
}
