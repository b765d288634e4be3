//! Rows 7 and 8: what an app costs while nobody uses it, signed in: the CPU time and the
//! voluntary context switches (each one a wake-up) of the app and every process it started, over
//! a window of idle time ([`crate::usage`] says what is counted), with its window shown (7) and
//! minimized (8). Against the empty app measured the same way, in the same window: both run at
//! once, so whatever else the machine does in that minute falls on both. An idle app hardly uses
//! the two cores, so neither slows the other.
//!
//! Each app first shows its view, then settles ([`SETTLE`]: the first paint's follow-up work,
//! WebKit's caches written, the app's first timers) before the shown window starts. Then both are
//! minimized ([`crate::minimize`]) and settle again before the minimized window.

use std::time::Duration;

use crate::{
    artifacts::Artifacts,
    home::Home,
    launch::{start, Started},
    minimize::minimize,
    row::{Budget, Figure, Row},
    rows::cold_start::{APP_VIEW, EMPTY_VIEW},
    usage::{cost, snapshot, Cost},
};

/// From the first render to the start of the shown window.
const SETTLE: Duration = Duration::from_secs(8);
/// From minimizing to the start of the minimized window: the page is told it is hidden, and
/// WebKit throttles it.
const HIDDEN_SETTLE: Duration = Duration::from_secs(3);

/// One app's costs.
#[derive(Debug, Clone, Copy, Default)]
struct Costs {
    shown: Cost,
    hidden: Option<Cost>,
}

/// Both apps' costs over windows of `window`.
#[derive(Debug)]
pub struct Idle {
    app: Costs,
    empty: Costs,
    window: Duration,
}

/// The costs of both apps over the same `window`.
fn watch(apps: [&Started; 2], window: Duration) -> [Cost; 2] {
    let before = apps.map(|a| snapshot(a.app.pid()));
    std::thread::sleep(window);
    let after = apps.map(|a| snapshot(a.app.pid()));
    [cost(&before[0], &after[0]), cost(&before[1], &after[1])]
}

/// Starts both apps signed in to `home`'s session, watches them idle for `window` shown and, with
/// `hidden`, for another `window` minimized.
pub fn measure(
    home: &Home,
    artifacts: &Artifacts,
    window: Duration,
    hidden: bool,
) -> Result<Idle, String> {
    let app = start(home, &artifacts.app, APP_VIEW)?;
    let empty = start(home, &artifacts.empty_app, EMPTY_VIEW)?;
    std::thread::sleep(SETTLE);
    eprintln!("  both apps shown, idle for {window:?}");
    let [app_shown, empty_shown] = watch([&app, &empty], window);
    let mut out = Idle {
        app: Costs {
            shown: app_shown,
            hidden: None,
        },
        empty: Costs {
            shown: empty_shown,
            hidden: None,
        },
        window,
    };
    if hidden {
        minimize(app.app.pid())?;
        minimize(empty.app.pid())?;
        std::thread::sleep(HIDDEN_SETTLE);
        eprintln!("  both apps minimized, idle for {window:?}");
        let [app_hidden, empty_hidden] = watch([&app, &empty], window);
        out.app.hidden = Some(app_hidden);
        out.empty.hidden = Some(empty_hidden);
    }
    Ok(out)
}

fn cpu(cost: Cost) -> Figure {
    Figure::cpu_millis(cost.cpu.as_secs_f64() * 1000.0)
}

/// Rows 7a and 7b.
pub fn shown_rows(idle: &Idle) -> [Row; 2] {
    let (app, empty) = (idle.app.shown, idle.empty.shown);
    [
        Row {
            id: "7a",
            name: "idle, window shown: CPU time, all processes",
            reference_name: "empty Tauri app, same window",
            ours: cpu(app),
            reference: cpu(empty),
            budget: Budget::Ratio(1.5),
        },
        Row {
            id: "7b",
            name: "idle, window shown: voluntary context switches",
            reference_name: "empty Tauri app, same window",
            ours: Figure::switches(app.voluntary_switches),
            reference: Figure::switches(empty.voluntary_switches),
            budget: Budget::Ratio(1.5),
        },
    ]
}

/// Rows 8a and 8b, when the minimized window was watched.
pub fn hidden_rows(idle: &Idle) -> Option<[Row; 2]> {
    let (app, empty) = (idle.app.hidden?, idle.empty.hidden?);
    Some([
        Row {
            id: "8a",
            name: "idle, window minimized: CPU time, all processes",
            reference_name: "empty Tauri app, same window",
            ours: cpu(app),
            reference: cpu(empty),
            budget: Budget::Ratio(1.2),
        },
        Row {
            id: "8b",
            name: "idle, window minimized: voluntary context switches",
            reference_name: "empty Tauri app, same window",
            ours: Figure::switches(app.voluntary_switches),
            reference: Figure::switches(empty.voluntary_switches),
            budget: Budget::Ratio(1.2),
        },
    ])
}

/// How long the windows were, how many processes each app had at their end, and the CPU time
/// as `/proc/<pid>/stat` counts it in 10 ms ticks (a cross-check).
pub fn note(idle: &Idle) -> String {
    let ms = |c: Cost| c.cpu_in_ticks.as_millis();
    let hidden = match (idle.app.hidden, idle.empty.hidden) {
        (Some(app), Some(empty)) => {
            format!(", minimized app {} ms, empty app {} ms", ms(app), ms(empty))
        }
        _ => String::new(),
    };
    format!(
        "idle rows: windows of {} s after a settle of {} s; processes summed: app {}, empty app {}; \
         CPU by /proc/<pid>/stat ticks: shown app {} ms, empty app {} ms{hidden}",
        idle.window.as_secs(),
        SETTLE.as_secs(),
        idle.app.shown.processes,
        idle.empty.shown.processes,
        ms(idle.app.shown),
        ms(idle.empty.shown),
    )
}
