// Signed out: the sign-in button, and under Advanced the callback route and the scopes to
// request. While signing in, the same card shows the steps, a countdown to the deadline, Open
// again and Copy link (told when the browser did not open), and Cancel (also Escape).

import { $, h, setButton, setText } from '../dom.js';
import { formatClock, parseInstant } from '../format.js';
import { getLang, t } from '../i18n.js';
import { describeScope, isScope, KNOWN_SCOPES, OFFLINE_ACCESS } from '../scopes.js';

// Which step of the four (browser, approve, return, tokens) each stage is at; 4 = all done.
const STEP_OF_STAGE = { started: 0, browserOpened: 1, waiting: 1, callbackReceived: 2, exchanging: 3, signedIn: 4 };

const selected = new Set(); // the ticked scopes
const added = []; // scopes the user typed, listed even when unticked
let seededFrom = null; // the settings scopes the selection was last reset to
let routeChosen = false; // the user picked a route: settings changes no longer move it
let renderedListKey = '';

let startSignIn = null;
let lastState = null;

export function mount({ signIn, cancelSignIn, openAgain, copyLink }) {
  startSignIn = () => signIn({ route: currentRoute(), scopes: selectedScopes() });
  $('sign-in').addEventListener('click', startSignIn);
  $('sign-in-phone').addEventListener('click', () => signIn({ route: 'phone', scopes: selectedScopes() }));
  $('cancel-sign-in').addEventListener('click', cancelSignIn);
  $('open-again').addEventListener('click', openAgain);
  $('copy-link').addEventListener('click', copyLink);
  document.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape' || !lastState?.signIn || event.defaultPrevented) return;
    // A dialog open above handles its own Escape.
    if (document.querySelector('dialog[open]')) return;
    event.preventDefault();
    cancelSignIn();
  });
  for (const radio of document.querySelectorAll('input[name="route"]')) {
    radio.addEventListener('change', () => {
      routeChosen = true;
      if (lastState) render(lastState);
    });
  }
  $('scope-choices').addEventListener('change', (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox') return;
    if (box.checked) selected.add(box.value);
    else selected.delete(box.value);
    renderOfflineWarning();
  });
  $('scope-add').addEventListener('submit', (event) => {
    event.preventDefault();
    addScopes($('scope-add-input').value);
  });
  $('scope-add-input').addEventListener('input', () => showAddError(null));
}

/** Signs in over `route` (the error panel's "Use the deep link"). */
export function useRoute(route) {
  routeChosen = true;
  $(route === 'deepLink' ? 'route-deep-link' : 'route-loopback').checked = true;
  startSignIn?.();
}

export function render(state) {
  lastState = state;
  const settings = state.settings;
  const brand = settings?.sandbox ? 'sandbox' : settings?.brand ?? 'feishu';
  setText($('signed-out-title'), t(`signedOut.title.${brand}`));
  setText($('signed-out-lede'), t(`signedOut.lede.${brand}`));
  const routeBlocked = renderDeepLinkNote(settings);
  setButton($('sign-in'), {
    label: t('signIn.button'),
    disabled: !state.loaded || Boolean(state.signIn) || routeBlocked,
  });
  // One primary button at a time: while an error offers its own way out, that one.
  $('sign-in').classList.toggle('primary', !state.error);
  setButton($('sign-in-phone'), { label: t('signIn.phone'), disabled: !state.loaded || Boolean(state.signIn) });

  if (settings) {
    setText($('route-loopback-uri'), settings.loopbackRedirectUri ?? '');
    setText($('route-deep-link-uri'), settings.deepLinkRedirectUri ?? '');
    // Start on the route the configured redirect URI belongs to; loopback otherwise.
    if (!routeChosen) {
      const deepLink = settings.redirectUri && settings.redirectUri === settings.deepLinkRedirectUri;
      $(deepLink ? 'route-deep-link' : 'route-loopback').checked = true;
      renderDeepLinkNote(settings);
    }
    seedScopes(settings.scopes);
  } else if (seededFrom === null) {
    seedScopes([]);
  }
  renderScopeList();

  const signingIn = Boolean(state.signIn);
  $('sign-in-idle').hidden = signingIn;
  $('sign-in-progress').hidden = !signingIn;
  // While the browser is busy, the live status replaces the lede and the options step aside:
  // the screen shows only what is happening and how to stop it.
  $('signed-out-lede').hidden = signingIn;
  $('sign-in-options').hidden = signingIn;
  $('route-fieldset').disabled = signingIn;
  $('scope-fieldset').disabled = signingIn;
  setButton($('cancel-sign-in'), { label: t('signIn.cancel'), busy: Boolean(state.busy.cancel) });
  const failed = Boolean(state.signIn?.browserFailed);
  const phone = state.signIn?.route === 'phone';
  $('browser-failed').hidden = !failed;
  $('browser-hint').hidden = failed || phone;
  $('sign-in-steps').hidden = phone;
  $('open-again').hidden = phone;
  $('copy-link').hidden = phone;
  renderDevice(phone ? state.signIn.device : null);
  // When the browser did not open, opening it again is what to do next.
  $('open-again').classList.toggle('primary', failed);
  setButton($('open-again'), { label: t('signIn.openAgain'), busy: Boolean(state.busy.openAgain) });
  setButton($('copy-link'), { label: t('signIn.copyLink'), busy: Boolean(state.busy.copyLink) });

  if (signingIn) {
    // A browser that did not open leaves the first step to do.
    const step = state.signIn.browserFailed ? 0 : STEP_OF_STAGE[state.signIn.stage] ?? 0;
    for (const li of $('sign-in-steps').children) {
      const index = Number(li.dataset.step);
      li.classList.toggle('done', index < step);
      li.classList.toggle('current', index === step);
      if (index === step) li.setAttribute('aria-current', 'step');
      else li.removeAttribute('aria-current');
    }
  }
  setText($('sign-in-status'), statusText(state));
  tick(state, Date.now());
}

/** The phone's QR code and code, once issued; nothing before, or for the browser. */
function renderDevice(device) {
  $('device-panel').hidden = !device;
  if (!device) return;
  const qr = $('device-qr');
  if (qr.getAttribute('src') !== device.qr) qr.setAttribute('src', device.qr);
  qr.alt = t('device.qrAlt');
  // The address the code holds, for a test (or a person) to read without a camera.
  qr.dataset.verification = device.verificationUriComplete;
  setText($('device-uri'), device.verificationUri);
  setText($('device-user-code'), device.userCode);
}

/**
 * Moves the sign-in's countdown and its bar, which count seconds while a sign-in waits. Returns
 * how long until they read differently (Infinity: no sign-in, nothing moves).
 */
export function tick(state, now) {
  if (!state.signIn) return Infinity;
  const deadline = parseInstant(state.signIn.deadline);
  const meter = $('countdown-meter');
  if (!Number.isFinite(deadline)) {
    setText($('countdown'), '–:––');
    meter.value = meter.max;
    return Infinity;
  }
  const left = deadline - now;
  setText($('countdown'), formatClock(left));
  const total = Math.max(1, deadline - state.signIn.startedAt);
  meter.value = Math.round(meter.max * Math.min(1, Math.max(0, left / total)));
  $('countdown').classList.toggle('urgent', left < 30_000);
  return left > 0 ? 1000 - (now % 1000) : Infinity;
}

/** Where keyboard focus goes when this view appears. */
export function focusTarget(state) {
  return state.signIn ? $('cancel-sign-in') : $('sign-in');
}

function statusText(state) {
  if (state.signIn?.browserFailed) return t('stage.browserNotOpened');
  // On the phone, waiting is for the phone, not the browser.
  if (state.signIn?.route === 'phone' && state.signIn.stage === 'waiting') return t('stage.deviceCode');
  if (state.signIn) return t(`stage.${state.signIn.stage}`);
  // A failure is told by the error panel; repeating "Sign-in failed." here would only echo it.
  if (state.signInOutcome === 'cancelled') return t('stage.cancelled');
  if (state.signInOutcome === 'declined') return t('signedOut.declined');
  if (state.signInOutcome === 'ended') return t('signedOut.ended');
  return '';
}

/**
 * The deep-link route works only where the desktop hands its scheme to this app: elsewhere it is
 * marked unavailable, and choosing it says why (and blocks the sign-in, which could not return).
 * Returns whether the chosen route is blocked.
 */
function renderDeepLinkNote(settings) {
  const handler = settings?.deepLinkHandler;
  const unavailable = Boolean(handler) && handler.state !== 'thisApp';
  const title = document.querySelector('label[for="route-deep-link"] .choice-title');
  const text = unavailable ? `${t('route.deepLink')} · ${t('route.deepLink.unavailable')}` : t('route.deepLink');
  if (title.textContent !== text) title.textContent = text;
  const chosen = $('route-deep-link').checked;
  const note = $('route-deep-link-note');
  note.hidden = !(unavailable && chosen);
  if (!note.hidden) {
    const scheme = (settings.deepLinkRedirectUri ?? '').split(':')[0];
    note.textContent = t(`route.deepLink.why.${handler.state}`, {
      scheme,
      program: handler.program ?? '',
      reason: handler.reason ?? '',
    });
  }
  return unavailable && chosen;
}

function currentRoute() {
  return $('route-deep-link').checked ? 'deepLink' : 'loopback';
}

/** The ticked scopes, in the order they are listed. */
function selectedScopes() {
  return allScopes().filter((scope) => selected.has(scope));
}

/** The known scopes, then the configured ones we don't know, then the user's own. */
function allScopes() {
  const list = [...KNOWN_SCOPES];
  for (const scope of [...(seededFrom ?? []), ...added]) if (!list.includes(scope)) list.push(scope);
  return list;
}

/** Resets the selection to the settings' scopes whenever those change (first load, a save). */
function seedScopes(scopes) {
  const list = Array.isArray(scopes) ? scopes.filter(Boolean) : [];
  if (seededFrom && list.join(' ') === seededFrom.join(' ')) return;
  seededFrom = list;
  selected.clear();
  // No configured scopes: offline_access alone, so the session can be kept fresh.
  for (const scope of list.length ? list : [OFFLINE_ACCESS]) selected.add(scope);
}

/** Adds one typed scope: one with a space inside is refused, not split in two. */
function addScopes(text) {
  const scope = text.trim();
  if (scope === '') return;
  if (/\s/.test(scope)) return showAddError(t('scopes.spaces'));
  if (!isScope(scope)) return showAddError(t('scopes.invalid'));
  const known = allScopes().includes(scope);
  selected.add(scope);
  if (!known) added.push(scope);
  renderScopeList();
  if (known) return showAddError(t('scopes.duplicate', { scope }));
  $('scope-add-input').value = '';
  showAddError(null);
}

function showAddError(message) {
  const error = $('scope-add-error');
  error.hidden = !message;
  setText(error, message ?? '');
  $('scope-add-input').toggleAttribute('aria-invalid', Boolean(message));
}

function renderScopeList() {
  const scopes = allScopes();
  const list = $('scope-choices');
  // Rebuild only when the list itself changes, so a focused checkbox keeps its focus.
  const key = `${getLang()}|${scopes.join(' ')}`;
  if (key !== renderedListKey) {
    renderedListKey = key;
    list.replaceChildren(...scopes.map(scopeItem));
  }
  for (const box of list.querySelectorAll('input[type="checkbox"]')) box.checked = selected.has(box.value);
  renderOfflineWarning();
}

function scopeItem(scope, index) {
  const id = `scope-choice-${index}`;
  const description = describeScope(scope) ?? (added.includes(scope) ? t('scopes.custom') : null);
  return h(
    'li',
    { class: 'scope-choice' },
    h('input', { type: 'checkbox', id, value: scope }),
    // The description leads (it is what a person reads); the scope's name follows, small.
    h(
      'label',
      { for: id },
      description ? h('span', { class: 'scope-desc', text: description }) : null,
      h('code', { class: 'scope-name', text: scope }),
    ),
  );
}

function renderOfflineWarning() {
  $('offline-warning').hidden = selected.has(OFFLINE_ACCESS);
}
