//! Row 1: cold start, from spawning the process to the window showing its first real view (the
//! app: the stored session, signed in with the profile; the empty app: its static page), under
//! Xvfb. Both apps are started alternately so drift on the machine hits both alike.

use std::time::Duration;

use crate::{
    artifacts::Artifacts,
    home::Home,
    launch::{launch, Launch},
    row::{Budget, Figure, Row},
    stats::{median, median_ms},
};

/// The launches of both apps; memory (row 2) is read in the same launches.
#[derive(Debug, Default)]
pub struct Launches {
    pub app: Vec<Launch>,
    pub empty: Vec<Launch>,
}

/// The view the app shows with a stored session, and the empty app's page.
pub const APP_VIEW: &str = "signed-in";
pub const EMPTY_VIEW: &str = "static";

/// Starts each app `runs` times, after one unmeasured start each that fills the page cache and
/// what the app keeps between runs (WebKit's caches, the UI's learned date formats), as any second
/// start of a desktop app finds them. That start lives as long as a measured one, since what an
/// app writes for next time it writes while it runs, not in the instant after its first paint.
pub fn measure(
    home: &Home,
    artifacts: &Artifacts,
    runs: usize,
    settle: Duration,
) -> Result<Launches, String> {
    let app = |settle| launch(home, &artifacts.app, APP_VIEW, settle);
    let empty = |settle| launch(home, &artifacts.empty_app, EMPTY_VIEW, settle);
    app(settle)?;
    empty(settle)?;
    let mut out = Launches::default();
    for i in 0..runs {
        if i % 2 == 0 {
            out.app.push(app(settle)?);
            out.empty.push(empty(settle)?);
        } else {
            out.empty.push(empty(settle)?);
            out.app.push(app(settle)?);
        }
        super::progress("app starts", i + 1, runs);
    }
    Ok(out)
}

pub fn row(launches: &Launches) -> Row {
    let ms = |runs: &[Launch]| median_ms(&runs.iter().map(|l| l.first_render).collect::<Vec<_>>());
    Row {
        id: "1",
        name: "cold start to signed-in view (Xvfb)",
        reference_name: "empty Tauri app, static page",
        ours: Figure::millis(ms(&launches.app)),
        reference: Figure::millis(ms(&launches.empty)),
        budget: Budget::Ratio(1.10),
    }
}

/// The apps' own figures (from `main` to the marker), printed beside the table as a cross-check:
/// the difference to the wall time is the loader and what runs before `main`.
#[allow(clippy::cast_precision_loss)] // Milliseconds.
pub fn in_process_note(launches: &Launches) -> String {
    let ms = |runs: &[Launch]| {
        median(
            &runs
                .iter()
                .map(|l| l.reported_ms as f64)
                .collect::<Vec<_>>(),
        )
    };
    format!(
        "cold start as the apps report it (main → marker): app {:.0} ms, empty app {:.0} ms",
        ms(&launches.app),
        ms(&launches.empty)
    )
}
