// What the buttons do: call a command, then record the outcome in the state.
// Events from the Rust side (session, progress, activity) land here too, so the rules for
// combining an answer with an event that raced it live in one place. Each carries an identity
// the Rust side gives it: a session state its revision (the newest wins), a sign-in's progress
// its flow id (an ended sign-in stays ended), an activity entry its sequence number.

import { api, listen, toShellError } from './api.js';
import { getLang } from './i18n.js';
import { OFFLINE_ACCESS } from './scopes.js';
import { state, update } from './state.js';

const TERMINAL_STAGES = new Set(['signedIn', 'failed', 'cancelled']);
// Endings that are the person's own doing: told calmly in the sign-in card, not as a failure.
const OUTCOME_OF_KIND = { cancelled: 'cancelled', declined: 'declined' };
const COPIED_FOR_MS = 2000;
const KEEPS_ERROR = new Set(['copyText', 'copyLink', 'openAgain']);

// Our own `sign_in` call is in flight: its promise reports the outcome, so progress events
// only move the stage along. Without it (say the page reloaded mid sign-in) events do it all.
let signInPending = false;
// The last sign-in request, so Retry and "Sign in again" repeat what the user chose.
let lastRequest = null;
// The revision of the session shown: a state at or below it is old news.
let shownRevision = 0;
// The newest sign-in whose outcome is shown: its late events, and older sign-ins', are ignored.
let finishedFlow = 0;
let listening = false;
let noticeId = 0;

/**
 * Shows the state the window was made with at once, if the Rust side put one in (see
 * `src-tauri/src/window.rs`), and only after that first paint subscribes to the events and asks
 * again, so the first view waits for no IPC and nothing that changed in between is missed.
 * Without it (a reload of an older page, the UI mock), subscribes and asks first.
 */
export function start() {
  const initial = window.__FEISHU_SIGNIN_INITIAL__;
  delete window.__FEISHU_SIGNIN_INITIAL__;
  if (!initial) {
    init();
    return;
  }
  apply([initial.session, initial.settings, initial.activity]);
  // Two frames on, so the IPC it takes (handled on the app's main thread) does not hold up the
  // first frame or the startup report that follows it.
  requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(init, 0)));
}

/** Subscribes to the events, then loads the session, settings and activity. */
export async function init() {
  try {
    if (!listening) {
      // Subscribe before asking, so nothing that happens in between is missed.
      await Promise.all([
        // Bells (src-tauri/src/events.rs): each says what changed, its command says how.
        listen('session://changed', pullSession),
        listen('sign-in://progress', onProgress),
        listen('activity://added', pullActivity),
        listen('profiles://changed', pullProfiles),
      ]);
      listening = true;
    }
  } catch (error) {
    update({ loaded: true });
    showError('load', error, init);
    return;
  }
  await load();
}

async function load() {
  // Each separately: unreadable settings should not hide a good session, nor the reverse.
  apply(await Promise.allSettled([api.session(), api.settings(), api.activity()]), load);
  await Promise.all([loadProfiles(), loadKeepalive(), loadStorage(), state.fonts ? null : checkFonts()]);
}

/** The switcher's list; a failure leaves the one shown as it was. */
async function loadProfiles() {
  try {
    onProfiles(await api.profiles());
  } catch (error) {
    showError('profiles', error, loadProfiles);
  }
}

/** Whether the shown profile is kept signed in while the app is closed; unknown hides the choice. */
async function loadKeepalive() {
  try {
    update({ keepalive: await api.keepalive() });
  } catch {
    update({ keepalive: null });
  }
}

/** Where the shown profile's tokens are kept; unknown hides the line. */
async function loadStorage() {
  try {
    update({ storage: await api.storage() });
  } catch {
    update({ storage: null });
  }
}

/** "Keep me signed in while the app is closed": installs or removes the systemd timer. */
export async function setKeepalive(enabled) {
  const answer = await run('keepalive', () => api.setKeepalive(enabled));
  if (answer === undefined) {
    update({}); // the checkbox goes back to what is true
    return;
  }
  update({ keepalive: answer });
  notify(answer.enabled ? 'notice.keepaliveOn' : 'notice.keepaliveOff');
}

/** The switcher's list; one the same as shown (most sessions' changes leave it so) is no change. */
function onProfiles(profiles) {
  if (Array.isArray(profiles) && JSON.stringify(profiles) !== JSON.stringify(state.profiles)) update({ profiles });
}

/**
 * What answers a bell, asked one at a time: a bell that rings while the answer is on its way asks
 * once more after it, so the last change is never missed and a burst of bells asks twice, not
 * once each.
 */
function puller(ask) {
  let asking = false;
  let again = false;
  return async function pull() {
    if (asking) {
      again = true;
      return;
    }
    asking = true;
    try {
      do {
        again = false;
        await ask();
      } while (again);
    } finally {
      asking = false;
    }
  };
}

/** `session://changed`: the session as it is now (an older revision than shown changes nothing). */
const pullSession = puller(async () => {
  try {
    applySession(await api.session());
  } catch (error) {
    showError('load', error, pullSession);
  }
});

/** `activity://added`: the entries after the newest shown. */
const pullActivity = puller(async () => {
  try {
    const entries = await api.activity(state.activity.at(-1)?.seq ?? 0);
    if (Array.isArray(entries) && entries.length > 0) update({ activity: mergeActivity(state.activity, entries) });
  } catch {
    // The list is this run's record, not the state: the next entry brings what this one missed.
  }
});

/** `profiles://changed`: the switcher's list. */
const pullProfiles = puller(loadProfiles);

/**
 * Shows another profile: its session at once (the answer's revision is newer than the shown
 * one), then its settings and the list.
 */
export async function switchProfile(name) {
  const answer = await run('profile', () => api.switchProfile(name));
  if (answer === undefined) return;
  applySession(answer);
  update({ signInOutcome: null });
  await Promise.allSettled([loadSettings(), loadProfiles(), loadKeepalive(), loadStorage()]);
}

/** Removes a profile (signed out and revoked first); `default` is shown if it was. */
export async function removeProfile(name) {
  const answer = await run('profile', () => api.removeProfile(name));
  if (answer === undefined) return;
  applySession(answer);
  await Promise.allSettled([loadSettings(), loadProfiles(), loadKeepalive(), loadStorage()]);
  notify('notice.profileRemoved', { name });
}

/** Adds a profile and shows it; resolves to whether it was added. */
export async function addProfile(name) {
  const answer = await run('profile', () => api.addProfile(name));
  if (answer === undefined) return false;
  applySession(answer);
  update({ signInOutcome: null });
  await Promise.allSettled([loadSettings(), loadProfiles(), loadKeepalive(), loadStorage()]);
  return true;
}

/**
 * Puts the session, settings and activity answers (each `{ status, value | reason }`, as
 * `Promise.allSettled` gives them) into the state; a session older than the one shown is not.
 */
function apply([session, settings, activity], retry = load) {
  const patch = { loaded: true };
  if (session.status === 'fulfilled') applySession(session.value);
  if (settings.status === 'fulfilled') patch.settings = settings.value;
  if (activity.status === 'fulfilled') patch.activity = mergeActivity(activity.value ?? [], state.activity);
  update(patch);
  const failure = [session, settings, activity].find((result) => result.status === 'rejected');
  if (failure) showError('load', failure.reason, retry);
  else clearError('load');
}

/** Fetches the settings again (the dialog shows what is on disk now) and keeps them. */
export async function loadSettings() {
  const settings = await api.settings();
  update({ settings });
  return settings;
}

/** Saves settings; a rejection is left to the settings dialog, which shows it beside the field. */
export async function saveSettings(settings) {
  const saved = await api.saveSettings(settings);
  update({ settings: saved });
  notify('notice.saved');
  return saved;
}

/**
 * "Request more scopes": the signed-in account signs in again asking for what it holds plus
 * `extra`; the session is replaced only if that same account approves.
 */
export function requestScopes(extra) {
  const granted = state.session?.scopes ?? [];
  const settings = state.settings;
  const deepLink = Boolean(settings?.redirectUri) && settings.redirectUri === settings.deepLinkRedirectUri;
  const scopes = [...granted, ...extra.filter((scope) => !granted.includes(scope))];
  return signIn({ route: deepLink ? 'deepLink' : 'loopback', scopes, addScopes: true });
}

/** Starts a sign-in and waits for it; the progress events fill in the stages meanwhile. */
export async function signIn(request) {
  if (signInPending) return;
  signInPending = true;
  lastRequest = request;
  update({
    signIn: { stage: 'started', flow: null, route: request.route, deadline: null, startedAt: Date.now() },
    signInOutcome: null,
    error: null,
  });
  try {
    const answer = await api.signIn(request.route, request.scopes, getLang(), Boolean(request.addScopes));
    applySession(answer);
    finishSignIn(answer?.flow, 'signedIn');
    notify('notice.signedIn', { name: answer?.session?.profile?.name ?? '' });
  } catch (error) {
    const shellError = toShellError(error);
    const outcome = OUTCOME_OF_KIND[shellError.kind] ?? 'failed';
    finishSignIn(shellError.flow, outcome);
    if (outcome === 'failed') showError('signIn', shellError, () => signIn(request));
  } finally {
    signInPending = false;
  }
}

/**
 * Ends sign-in `flow` in the state, unless a newer one is shown; its late events, and those of
 * every older sign-in, are ignored from now on.
 */
function finishSignIn(flow, outcome) {
  const id = typeof flow === 'number' ? flow : state.signIn?.flow ?? 0;
  finishedFlow = Math.max(finishedFlow, id);
  if (state.signIn?.flow != null && state.signIn.flow > id) return;
  update({ signIn: null, signInOutcome: outcome });
}

/** Shows a session state if it is newer than the one shown; says whether it was. */
function applySession(sessionState) {
  if (typeof sessionState?.revision !== 'number' || sessionState.revision <= shownRevision) return false;
  shownRevision = sessionState.revision;
  const patch = { session: sessionState.session ?? null, refreshTrouble: sessionState.refreshTrouble ?? null };
  // The session could not be renewed and is gone: "Your session ended", not a crash.
  if (sessionState.ended) patch.signInOutcome = 'ended';
  update(patch);
  return true;
}

/** Runs the shown profile in the demo ("Try the demo"). */
export async function tryDemo() {
  const settings = await run('demo', () => api.tryDemo());
  if (settings === undefined) return;
  update({ settings, signInOutcome: null });
  await load();
}

/** Opens the waiting sign-in's page in the browser again. */
export async function openSignInPageAgain() {
  const done = await run('openAgain', () => api.openSignInPage().then(() => true));
  if (done && state.signIn) update({ signIn: { ...state.signIn, browserFailed: false } });
}

/** Puts the waiting sign-in's link on the clipboard (Rust copies it; the page never holds it). */
export async function copySignInLink() {
  const done = await run('copyLink', () => api.copySignInLink().then(() => true));
  if (done) notify('notice.linkCopied');
}

/** Copies text the page shows (an ID, the scripts' command, an error's details). */
export async function copyText(text, noticeKey, vars) {
  const done = await run('copyText', () => api.copyText(text).then(() => true));
  if (done) notify(noticeKey, vars);
}

/** Looks up once whether a Chinese font is installed (for the notice when none is). */
export async function checkFonts() {
  try {
    update({ fonts: await api.fonts() });
  } catch {
    // Unknown: nothing is said.
  }
}

/** Signs in again with the last request, or the configured defaults when there was none. */
export function signInAgain() {
  const scopes = state.settings?.scopes?.length ? state.settings.scopes : [OFFLINE_ACCESS];
  return signIn(lastRequest ?? { route: 'loopback', scopes });
}

export async function cancelSignIn() {
  await run('cancel', () => api.cancelSignIn());
}

export async function refresh() {
  const answer = await run('refresh', () => api.refresh());
  if (answer === undefined) return;
  applySession(answer);
  notify('notice.refreshed');
}

export async function copyToken() {
  const done = await run('copy', () => api.copyAccessToken().then(() => true));
  if (!done) return;
  update({ copiedAt: Date.now() });
  notify('notice.copied');
  // Repaint once the "Copied" moment is over.
  setTimeout(() => update({}), COPIED_FOR_MS + 50);
}

export async function signOut() {
  const answer = await run('signOut', () => api.signOut());
  if (answer === undefined) return;
  applySession(answer);
  update({ signInOutcome: null });
  notify(answer.revoked ? 'notice.signedOut' : 'notice.signedOutHere');
}

/** Whether the copy button should still say "Copied". */
export function recentlyCopied(now = Date.now()) {
  return now - state.copiedAt < COPIED_FOR_MS;
}

export function dismissError() {
  update({ error: null });
}

export function retry() {
  const action = state.error?.retry;
  update({ error: null });
  action?.();
}

/**
 * Runs one command with its button marked busy; a failure goes to the error panel with a Retry
 * that runs it again. Resolves to the command's answer, or undefined when it failed.
 */
async function run(context, command) {
  if (state.busy[context]) return undefined;
  // Copying or reopening beside an error (its details, the sign-in link) leaves the error shown.
  const patch = KEEPS_ERROR.has(context) ? {} : { error: null };
  update({ busy: { ...state.busy, [context]: true }, ...patch });
  try {
    return await command();
  } catch (error) {
    showError(context, error, () => runAgain(context));
    return undefined;
  } finally {
    update({ busy: { ...state.busy, [context]: false } });
  }
}

function runAgain(context) {
  const actions = { cancel: cancelSignIn, refresh, copy: copyToken, signOut, demo: tryDemo };
  return actions[context]?.();
}

function showError(context, error, retryAction) {
  const shellError = toShellError(error);
  // These two cannot be fixed by trying the same thing again: only a new sign-in helps.
  const needsSignIn = shellError.kind === 'signInRequired' || shellError.kind === 'signedOut';
  update({
    error: {
      context,
      error: shellError,
      retry: needsSignIn && context !== 'signIn' ? signInAgain : retryAction,
      retryLabel: needsSignIn && context !== 'signIn' ? 'error.signInAgain' : 'error.retry',
    },
  });
}

function clearError(context) {
  if (state.error?.context === context) update({ error: null });
}

/** A toast: its key and parameters, worded when shown, so it follows a language switch. */
function notify(key, vars) {
  noticeId += 1;
  update({ notice: { key, vars, id: noticeId } });
}

function onProgress(progress) {
  if (!progress || typeof progress.stage !== 'string' || typeof progress.flow !== 'number') return;
  // An ended sign-in, or one older than the one shown.
  if (progress.flow <= finishedFlow) return;
  const previous = state.signIn;
  if (previous?.flow != null && progress.flow < previous.flow) return;
  if (TERMINAL_STAGES.has(progress.stage)) {
    if (signInPending) {
      // Our `sign_in` answer ends it; meanwhile say "Signed in." / "Cancelled.".
      if (previous?.flow === progress.flow) update({ signIn: { ...previous, stage: progress.stage } });
      return;
    }
    // Not ours (the page was reloaded mid sign-in): the event is all there is.
    finishSignIn(progress.flow, progress.stage);
    if (progress.stage === 'failed' && progress.error && !(progress.error.kind in OUTCOME_OF_KIND)) {
      showError('signIn', progress.error, signInAgain);
    } else if (progress.error?.kind === 'declined') {
      update({ signInOutcome: 'declined' });
    }
    return;
  }
  const same = previous?.flow === progress.flow || (previous && previous.flow == null);
  // The browser did not open: the stage moves on to waiting, the notice stays until it opens.
  const browserFailed = progress.stage === 'browserNotOpened' || (same && previous?.browserFailed && progress.stage === 'waiting');
  update({
    signIn: {
      browserFailed: Boolean(browserFailed),
      browserError: browserFailed ? progress.error ?? previous?.browserError ?? null : null,
      stage: progress.stage === 'browserNotOpened' ? 'waiting' : progress.stage,
      flow: progress.flow,
      route: progress.route ?? previous?.route ?? 'loopback',
      deadline: progress.deadline ?? null,
      // The phone's code stays shown while the later stages come.
      device: progress.device ?? (same ? previous?.device : null) ?? null,
      // The countdown bar measures from when this window first saw the sign-in.
      startedAt: same ? previous.startedAt : Date.now(),
    },
    signInOutcome: null,
  });
}

/** The newest entries the window keeps: as many as the Rust side (src-tauri/src/activity_log.rs). */
const ACTIVITY_KEPT = 200;

/**
 * The union of two activity lists in the order the Rust side numbered them (an entry added while
 * the `activity` command was answering arrives both in its answer and as an event), the newest
 * [ACTIVITY_KEPT]: a window open for weeks does not grow with every refresh it lists.
 */
function mergeActivity(a, b) {
  const bySeq = new Map();
  for (const entry of [...a, ...b]) {
    if (typeof entry?.seq === 'number') bySeq.set(entry.seq, entry);
  }
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq).slice(-ACTIVITY_KEPT);
}
