//! Row 4: sign-in overhead. From the callback arriving at the loopback listener to the session
//! saved and the window's view made, along the app's own path: `PendingSignIn::complete` (token
//! exchange and user info), `SessionManager::save` to the session file (atomic and flushed to
//! disk), `SessionView` built and serialized as the `session://changed` event carries it; the
//! browser's page is written beside that, on a task of its own, as the app does. Against the two
//! HTTP calls alone by a bare client ([`crate::bare`]), against the same emulator, in turns.

use std::time::{Duration, Instant};

use feishu_emulator::browse::Browser;
use feishu_oauth::{begin, LoopbackListener};
use feishu_signin_lib::models::SessionView;
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
async fn app_path(
    h: &Harness,
    sessions: &feishu_oauth::SessionManager,
) -> Result<Duration, String> {
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

    std::hint::black_box(event);
    page.await.map_err(|e| e.to_string())?;
    person.await.map_err(|e| e.to_string())??;
    Ok(took)
}

pub async fn row(runs: usize) -> Result<Row, String> {
    let h = Harness::start().await?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let sessions = h.sessions(&dir.path().join("data").join("session.json"));
    let browser = Browser::new().map_err(|e| e.to_string())?;
    let (mut ours, mut bare_calls) = (Vec::new(), Vec::new());
    for i in 0..WARM_UP + runs {
        let (app, calls) = if i % 2 == 0 {
            let app = app_path(&h, &sessions).await?;
            (app, bare::sign_in(&h, &browser).await?)
        } else {
            let calls = bare::sign_in(&h, &browser).await?;
            (app_path(&h, &sessions).await?, calls)
        };
        if i >= WARM_UP {
            ours.push(app);
            bare_calls.push(calls);
            super::progress("sign-ins", i + 1 - WARM_UP, runs);
        }
    }
    Ok(Row {
        id: "4",
        name: "sign-in: callback → session saved, view made",
        reference_name: "the 2 HTTP calls, bare reqwest",
        ours: Figure::millis(median_ms(&ours)),
        reference: Figure::millis(median_ms(&bare_calls)),
        budget: Budget::Ratio(1.2),
    })
}
