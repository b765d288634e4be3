// The entry point: wires the views to the actions, renders on every state change, and runs the
// clock of the countdowns.

import * as actions from './actions.js';
import { api } from './api.js';
import { $, afterNextPaint, focusIsLost } from './dom.js';
import { onFormatsChanged } from './format.js';
import { applyStatic, onLangChange } from './i18n.js';
import { icon } from './icons.js';
import { state, subscribe, update } from './state.js';
import * as activity from './views/activity.js';
import * as errorPanel from './views/error.js';
import * as header from './views/header.js';
import * as profiles from './views/profiles.js';
import * as settings from './views/settings.js';
import * as setup from './views/setup.js';
import * as signedIn from './views/signed-in.js';
import * as signedOut from './views/signed-out.js';
import * as toast from './views/toast.js';

const openSettings = () => settings.open();
let shownView = null;

// The fields only one view reads: a change to them alone draws only that view. A refresh brings
// an activity entry and the profiles' list besides its session, and drawing every view for each
// made garbage enough that the page's heap grew by its collector's first threshold (README
// "Performance", row 9a).
const OWNED = { activity, profiles, notice: toast };
// The state as the last render saw it, field by field.
let seen = null;

function render(s) {
  const changed = seen ? Object.keys(s).filter((key) => s[key] !== seen[key]) : [];
  seen = { ...s };
  // `update({})` (a language, the date formats, the copied moment) changes no field: all is drawn.
  if (changed.length > 0 && changed.every((key) => key in OWNED)) {
    for (const key of new Set(changed)) OWNED[key].render(s);
    return;
  }
  const view = !s.loaded
    ? null
    : s.signIn
      ? 'signing-in'
      : s.session
        ? 'signed-in'
        : setup.notSetUp(s)
          ? 'not-set-up'
          : 'signed-out';
  if (view) document.body.dataset.state = view;
  $('loading').hidden = s.loaded;
  $('view-not-set-up').hidden = view !== 'not-set-up';
  $('view-signed-out').hidden = view !== 'signed-out' && view !== 'signing-in';
  $('view-signed-in').hidden = view !== 'signed-in';

  header.render(s);
  setup.render(s);
  profiles.render(s);
  errorPanel.render(s);
  // The sign-in card is drawn only while it shows: it is drawn again when it comes back.
  if (view !== 'signed-in') signedOut.render(s);
  signedIn.render(s, { recentlyCopied: actions.recentlyCopied });
  activity.render(s);
  toast.render(s);
  settings.render();
  clock.wind();

  // When a view replaces the one holding keyboard focus (the button just pressed vanished),
  // carry focus to the new view's natural starting point instead of dropping it on <body>.
  if (view !== shownView) {
    const first = shownView === null;
    shownView = view;
    if (!first && view && focusIsLost()) {
      const target = { 'signed-in': signedIn.focusTarget, 'not-set-up': setup.focusTarget }[view];
      (target ? target() : signedOut.focusTarget(s)).focus();
    }
    if (first && view) reportFirstRender(view);
  }
}

/**
 * Tells the Rust side once that the first real view is on screen (after the next paint), so the
 * startup time can be logged and measured by the benchmark. A frame painted while a web font
 * (Linux: the bundled Latin font) is still loading shows no text, so that frame does not count.
 */
function reportFirstRender(view) {
  document.fonts.ready.then(() => afterNextPaint(() => api.firstRender(view).catch(() => {})));
}

/**
 * The clock of the countdowns: it wakes only when some text on screen will read differently
 * (each view's `tick` says when: each second only while a sign-in waits or a countdown is in its
 * last minutes, else on the minute), and not at all while the window is hidden or minimized. A
 * state change may move the deadlines, so every render winds it again.
 */
const clock = {
  timer: null,
  wind() {
    clearTimeout(this.timer);
    this.timer = null;
    if (document.hidden) return;
    const now = Date.now();
    const next = Math.min(signedOut.tick(state, now), signedIn.tick(state, now));
    // setTimeout takes at most 2^31 ms; a later change is met by the next wind.
    if (Number.isFinite(next)) this.timer = setTimeout(() => this.wind(), Math.min(Math.max(next, 0), HOUR_MS) + 5);
  },
};
const HOUR_MS = 60 * 60 * 1000;

function start() {
  for (const slot of document.querySelectorAll('[data-icon]')) slot.append(icon(slot.dataset.icon));
  applyStatic();

  header.mount({ openSettings });
  profiles.mount({ openSettings });
  setup.mount({ openSettings, tryDemo: actions.tryDemo });
  errorPanel.mount({
    retry: actions.retry,
    dismiss: actions.dismissError,
    openSettings,
    copyText: actions.copyText,
    useRoute: signedOut.useRoute,
  });
  signedOut.mount({
    signIn: actions.signIn,
    cancelSignIn: actions.cancelSignIn,
    openAgain: actions.openSignInPageAgain,
    copyLink: actions.copySignInLink,
  });
  signedIn.mount({
    refresh: actions.refresh,
    copyToken: actions.copyToken,
    signOut: actions.signOut,
    signInAgain: actions.signInAgain,
    copyText: actions.copyText,
    setKeepalive: actions.setKeepalive,
    requestScopes: actions.requestScopes,
  });
  settings.mount({
    loadSettings: actions.loadSettings,
    saveSettings: actions.saveSettings,
    currentSettings: () => state.settings,
  });

  subscribe(render);
  // A language switch re-renders everything built in JS (static texts are done by i18n); so does
  // a date format that turned out to have changed since the last run.
  onLangChange(() => update({}));
  onFormatsChanged(() => update({}));
  update({});
  document.addEventListener('visibilitychange', () => clock.wind());
  bundledFontsLoaded().then(() => actions.start());
}

/**
 * On Linux the text is set in the bundled fonts (styles.css), which index.html preloads. A layout
 * before they have arrived would first set every size and weight in fallback fonts, each found
 * through fontconfig (about 2 ms apiece), then lay out again; so the view waits for them, which it
 * seldom has to. Elsewhere they are never used. A font that fails to load is not waited for.
 */
function bundledFontsLoaded() {
  if (document.documentElement.dataset.os !== 'linux') return Promise.resolve();
  const sans = '"DejaVu Sans (bundled)"';
  return Promise.all([
    document.fonts.load(`14px ${sans}`),
    document.fonts.load(`bold 14px ${sans}`),
    document.fonts.load('bold 14px "Noto Sans SC (language button)"', '中文'),
    document.fonts.load('12px "DejaVu Sans Mono (bundled)"'),
  ]).catch(() => {});
}

start();
