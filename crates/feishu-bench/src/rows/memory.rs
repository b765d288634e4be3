//! Row 2: resident memory of an app and its WebKit processes, idle after the first render and a
//! settle time, read in the same launches as the cold start. The app is signed in.

use crate::{
    row::{Budget, Figure, Row},
    rows::cold_start::Launches,
    stats::median,
};

#[allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]
fn median_rss(runs: &[crate::launch::Launch]) -> u64 {
    median(&runs.iter().map(|l| l.rss as f64).collect::<Vec<_>>()) as u64
}

pub fn row(launches: &Launches) -> Row {
    Row {
        id: "2",
        name: "memory, idle, signed in (RSS, all processes)",
        reference_name: "empty Tauri app",
        ours: Figure::bytes(median_rss(&launches.app)),
        reference: Figure::bytes(median_rss(&launches.empty)),
        budget: Budget::Ratio(1.10),
    }
}

/// How many processes each app ran: the sums above cover all of them.
pub fn processes_note(launches: &Launches) -> String {
    let count = |runs: &[crate::launch::Launch]| runs.first().map_or(0, |l| l.processes);
    format!(
        "processes summed for memory: app {}, empty app {}",
        count(&launches.app),
        count(&launches.empty)
    )
}
