//! Row 3: what is shipped: the stripped release binary (the release profile strips it) and the
//! `.deb` package, against the empty app's. The app's `.deb` also carries `feishu-auth`, so that
//! line is informational.

use std::path::Path;

use crate::{
    artifacts::Artifacts,
    row::{Budget, Figure, Row},
};

fn size(path: &Path) -> Result<u64, String> {
    std::fs::metadata(path)
        .map(|m| m.len())
        .map_err(|e| format!("{}: {e}", path.display()))
}

pub fn rows(artifacts: &Artifacts) -> Result<Vec<Row>, String> {
    Ok(vec![
        Row {
            id: "3a",
            name: "release binary, stripped",
            reference_name: "empty Tauri app's",
            ours: Figure::bytes(size(&artifacts.app)?),
            reference: Figure::bytes(size(&artifacts.empty_app)?),
            budget: Budget::Ratio(1.25),
        },
        Row {
            id: "3b",
            name: ".deb package (app + feishu-auth)",
            reference_name: "empty Tauri app's",
            ours: Figure::bytes(size(&artifacts.app_deb)?),
            reference: Figure::bytes(size(&artifacts.empty_deb)?),
            budget: Budget::None,
        },
    ])
}
