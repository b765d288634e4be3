//! Row 4: sign-in overhead. From the callback arriving at the loopback listener to the session
//! saved and the window's view made, along the app's own path: `PendingSignIn::complete` (token
//! exchange and user info), `SessionManager::save` (the session durably on disk, as the app has it
//! before the window says signed in), `SessionView` built and serialized as the
//! `session://changed` event carries it; the browser's page is written beside that, on a task of
//! its own, as the app does. Against the two HTTP calls alone by a bare
//! client ([`crate::bare`]), against the same emulator, in turns.
//!
//! Row 4b shows, for information, the same instant: the write is part of the path now.

use std::time::{Duration, Instant};

use feishu_emulator::browse::Browser;
use feishu_oauth::{begin, LoopbackListener};
use feishu_signin_lib::views::SessionView;
use time::OffsetDateTime;

use crate::{
    bare,
    harness::{approve, Harness},
    row::{Budget, Figure, Row},
    stats::median_ms,
};

/// Sign-ins made before measuring: the emulator's, reqwest's and the allocator's first-use costs.
const WARM_UP: usize = 3;

/// One sign-in along the app's path; the time from the callback's arrival to the view.
/// One sign-in's times from the callback: to the view, and to the session flushed to disk.
struct Timings {
    view: Duration,
    on_disk: Duration,
}

async fn app_path(h: &Harness, sessions: &feishu_oauth::SessionManager) -> Result<Timings, String> {
    // The app makes its client before it opens the browser.
    let client = h.client().map_err(|e| e.to_string())?;
    let (url, pending) = begin(h.request());
    let listener = LoopbackListener::bind(&h.redirect_uri)
        .await
        .map_err(|e| e.to_string())?;
    let person = tokio::spawn(approve(url));
    let arrival = listener
        .wait(pending.state_matcher(), Duration::from_secs(30))
        .await
        .map_err(|e| e.to_string())?;

    let started = Instant::now();
    let session = pending
        .complete(arrival.callback, &client)
        .await
        .map_err(|e| e.to_string())?;
    sessions.save(&session).map_err(|e| e.to_string())?;
    let (responder, name) = (arrival.responder, session.profile.name.clone());
    let page = tokio::spawn(async move { responder.succeeded(&name).await });
    let view = SessionView::new(&session, OffsetDateTime::now_utc());
    let event = serde_json::to_string(&Some(&view)).map_err(|e| e.to_string())?;
    let took = started.elapsed();
    let on_disk = took;

    std::hint::black_box(event);
    page.await.map_err(|e| e.to_string())?;
    person.await.map_err(|e| e.to_string())??;
    Ok(Timings {
        view: took,
        on_disk,
    })
}

pub async fn rows(runs: usize) -> Result<[Row; 2], String> {
    let h = Harness::start().await?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let sessions = h.sessions(&dir.path().join("data").join("session.json"));
    let browser = Browser::new().map_err(|e| e.to_string())?;
    let (mut ours, mut on_disk, mut bare_calls) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..WARM_UP + runs {
        let (app, calls) = if i % 2 == 0 {
            let app = app_path(&h, &sessions).await?;
            (app, bare::sign_in(&h, &browser).await?)
        } else {
            let calls = bare::sign_in(&h, &browser).await?;
            (app_path(&h, &sessions).await?, calls)
        };
        if i >= WARM_UP {
            ours.push(app.view);
            on_disk.push(app.on_disk);
            bare_calls.push(calls);
            super::progress("sign-ins", i + 1 - WARM_UP, runs);
        }
    }
    let reference = Figure::millis(median_ms(&bare_calls));
    Ok([
        Row {
            id: "4",
            name: "sign-in: callback → session saved, view made",
            reference_name: "the 2 HTTP calls, bare reqwest",
            ours: Figure::millis(median_ms(&ours)),
            reference,
            budget: Budget::Ratio(1.2),
        },
        Row {
            id: "4b",
            name: "  … and the session file flushed to disk",
            reference_name: "the 2 HTTP calls, bare reqwest",
            ours: Figure::millis(median_ms(&on_disk)),
            reference,
            budget: Budget::None,
        },
    ])
}
