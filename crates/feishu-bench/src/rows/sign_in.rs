//! Row 4: sign-in overhead. From the callback's arrival to the session saved and the window's view
//! made, along the app's own path: the core's engine (`signin::run`, which the window's `sign_in`
//! command runs; [`crate::engine`]) exchanging the code, fetching the profile, saving the session
//! durably under the store's cross-process write lock, then what the window does when told (its
//! store reads the file back; the view is made and serialized for the event). Against the floor
//! of a durable sign-in ([`crate::bare`]): the two HTTP calls by a bare client, then the session
//! written durably (temporary file, fsync, rename, fsync of the folder), against the same
//! emulator, in turns, in the same run.
//!
//! Each sign-in starts signed out (a sign-out, untimed, before each), as a person signing in
//! does. Row 4 keeps the session as the app does by default (`storage = "auto"`): sealed when a
//! keyring answers (the benchmark runs with one), so the sign-in makes the session's key in the
//! keyring. Row 4b is the same path with `storage = "file"`, no keyring asked: what the path
//! costs besides the keyring.

use feishu_emulator::browse::Browser;
use feishu_oauth::{signin::FlowSlot, Account, Storage};

use crate::{
    bare, engine,
    harness::Harness,
    row::{Budget, Figure, Row},
    stats::median_ms,
};

/// Sign-ins made before measuring: the emulator's, reqwest's and the allocator's first-use costs.
const WARM_UP: usize = 3;

/// One sign-in from signed out along the app's path.
async fn app_path(account: &Account, slot: &FlowSlot) -> Result<std::time::Duration, String> {
    account.sign_out().await.map_err(|e| e.to_string())?;
    engine::sign_in(account, slot).await
}

/// Rows 4 and 4b, and a note with the two calls alone (what the write adds to the floor).
pub async fn rows(runs: usize) -> Result<([Row; 2], String), String> {
    let h = Harness::start().await?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let sealed = engine::account(&h, &dir.path().join("sealed"), None)?;
    let plain = engine::account(&h, &dir.path().join("plain"), Some("file"))?;
    let slot = FlowSlot::default();
    let bare_file = dir.path().join("bare").join("session.json");
    std::fs::create_dir_all(dir.path().join("bare")).map_err(|e| e.to_string())?;
    let browser = Browser::new().map_err(|e| e.to_string())?;
    let (mut ours, mut unsealed, mut floor, mut calls) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for i in 0..WARM_UP + runs {
        // In turns, so drift on the machine falls on all three alike.
        let (a, b, c) = if i % 2 == 0 {
            let a = app_path(&sealed, &slot).await?;
            let b = app_path(&plain, &slot).await?;
            (a, b, bare::sign_in(&h, &browser, &bare_file).await?)
        } else {
            let c = bare::sign_in(&h, &browser, &bare_file).await?;
            let b = app_path(&plain, &slot).await?;
            (app_path(&sealed, &slot).await?, b, c)
        };
        if i >= WARM_UP {
            ours.push(a);
            unsealed.push(b);
            floor.push(c.durable);
            calls.push(c.calls);
            super::progress("sign-ins", i + 1 - WARM_UP, runs);
        }
    }
    let reference = Figure::millis(median_ms(&floor));
    let kept = match sealed.storage().map_err(|e| e.to_string())? {
        Storage::Keyring => "row 4's session sealed by the keyring",
        Storage::File => "row 4 found no keyring: its session was NOT sealed",
    };
    let note = format!(
        "{kept}; the floor without its write, the 2 HTTP calls alone: {}",
        Figure::millis(median_ms(&calls))
    );
    let rows = [
        Row {
            id: "4",
            name: "sign-in: callback → session saved, view made",
            reference_name: "2 HTTP calls + durable write, bare",
            ours: Figure::millis(median_ms(&ours)),
            reference,
            budget: Budget::Ratio(1.2),
        },
        Row {
            id: "4b",
            name: "  … the same, storage = \"file\" (no keyring)",
            reference_name: "2 HTTP calls + durable write, bare",
            ours: Figure::millis(median_ms(&unsealed)),
            reference,
            budget: Budget::None,
        },
    ];
    Ok((rows, note))
}
