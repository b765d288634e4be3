// Signed in: who (and that the app keeps the session fresh), the opaque IDs under Details with
// Copy, the tokens' expiry with live countdowns and status (and a failing background refresh,
// with Retry), the granted scopes with what each means, and how scripts use the session.

import { $, afterNextPaint, h, setButton, setText } from '../dom.js';
import {
  countdownChangesIn,
  DAYS,
  formatCountdown,
  formatDateTime,
  formatDuration,
  formatMargin,
  parseInstant,
  untilNext,
} from '../format.js';
import { getLang, t } from '../i18n.js';
import { icon } from '../icons.js';
import { describeScope, KNOWN_SCOPES } from '../scopes.js';
import { hasChinese } from './setup.js';

// Warn this long before the session can no longer be renewed.
const REAUTH_WARNING_MS = 14 * DAYS;
const STATUS_RANK = { valid: 0, needsRefresh: 1, expired: 2 };
const AVATAR_COLOURS = 6;

// The profile fields a person reads, under the name, each only when present.
const FACTS = [
  ['email', 'profile.email', 'profile-email'],
  ['enterpriseEmail', 'profile.enterpriseEmail', 'profile-enterprise-email'],
  ['mobile', 'profile.mobile', 'profile-mobile'],
  ['employeeNo', 'profile.employeeNo', 'profile-employee-no'],
];
// The opaque IDs a developer or a helpdesk asks for: under Details, each with Copy.
const IDS = [
  ['openId', 'profile.openId', 'profile-open-id'],
  ['unionId', 'profile.unionId', 'profile-union-id'],
  ['userId', 'profile.userId', 'profile-user-id'],
  ['tenantKey', 'profile.tenant', 'profile-tenant'],
];

let avatarKey = '';
let copyValue = null;

export function mount({ refresh, copyToken, signOut, signInAgain, copyText, setKeepalive, requestScopes }) {
  copyValue = copyText;
  $('request-scopes').addEventListener('click', () => {
    const chosen = [...document.querySelectorAll('#more-scope-choices input:checked')].map((box) => box.value);
    if (chosen.length) requestScopes(chosen);
  });
  $('more-scope-choices').addEventListener('change', () => {
    $('request-scopes').disabled = !document.querySelector('#more-scope-choices input:checked');
  });
  $('keepalive').addEventListener('change', (event) => setKeepalive(event.target.checked));
  $('refresh').addEventListener('click', refresh);
  $('refresh-retry').addEventListener('click', refresh);
  $('copy-token').addEventListener('click', copyToken);
  $('sign-out').addEventListener('click', signOut);
  $('sign-in-again').addEventListener('click', signInAgain);
  $('copy-command').addEventListener('click', () =>
    copyText($('scripts-command').textContent, 'notice.commandCopied'),
  );
}

export function render(state, { recentlyCopied }) {
  const session = state.session;
  if (!session) return;
  const profile = session.profile ?? {};

  // Without a font for Chinese the name would be blank: the English name stands in meanwhile.
  const blankName = state.fonts?.chinese === false && hasChinese(profile.name) && present(profile.enName);
  setText($('profile-name'), blankName ? profile.enName : profile.name || profile.enName || profile.openId || '');
  const enName = $('profile-en-name');
  setText(enName, !blankName && profile.enName && profile.enName !== profile.name ? profile.enName : '');
  enName.hidden = enName.textContent === '';
  renderAvatar(profile);

  // Drawn again only when what they show changes: every render would otherwise make them anew
  // (a thousand refreshes, a thousand copies for the collector, and a layout each).
  const factsKey = `${getLang()}|${[...FACTS, ...IDS].map(([field]) => profile[field] ?? '').join('|')}`;
  if ($('profile-facts').dataset.key !== factsKey) {
    $('profile-facts').dataset.key = factsKey;
    $('profile-facts').replaceChildren(
      ...FACTS.filter(([field]) => present(profile[field])).map(([field, label, id]) =>
        h('div', { class: 'fact' }, h('dt', { text: t(label) }), h('dd', { id, text: profile[field] })),
      ),
    );
    $('profile-id-list').replaceChildren(
      ...IDS.filter(([field]) => present(profile[field])).map(([field, label, id]) => idRow(profile[field], label, id)),
    );
  }
  $('profile-ids').hidden = !IDS.some(([field]) => present(profile[field]));
  const freshKey = state.refreshTrouble ? 'fresh.trouble' : session.refreshTokenExpiresAt ? 'fresh.note' : 'fresh.noRefresh';
  setText($('fresh-note-text'), t(freshKey));
  $('fresh-note').classList.toggle('trouble', freshKey !== 'fresh.note');
  swapIcon($('fresh-note'), freshKey === 'fresh.note' ? 'check' : 'warning');

  setDate($('access-expires'), session.accessTokenExpiresAt);
  if (session.refreshTokenExpiresAt) setDate($('refresh-expires'), session.refreshTokenExpiresAt);
  else {
    setText($('refresh-expires'), t('tokens.noRefresh'));
    $('refresh-expires').removeAttribute('datetime');
  }
  setDate($('reauthorize-by'), session.reauthorizeBy);

  const scopes = Array.isArray(session.scopes) ? session.scopes : [];
  // What the settings ask for that the session does not hold: requested, not granted.
  const requested = Array.isArray(state.settings?.scopes) ? state.settings.scopes : [];
  const missing = requested.filter((scope) => !scopes.includes(scope));
  const item = (scope, granted) => {
    const description = describeScope(scope);
    return h(
      'li',
      { class: granted ? 'scope-item' : 'scope-item not-granted' },
      description ? h('span', { class: 'scope-desc', text: description }) : null,
      h('code', { class: 'scope-name', text: scope }),
      granted ? null : h('span', { class: 'badge', text: t('scopes.notGranted') }),
    );
  };
  // Drawn again only when what it shows changes (not at every render: the clock ticks).
  const scopesKey = `${getLang()}|${scopes.join(' ')}|${missing.join(' ')}`;
  if ($('scopes').dataset.key !== scopesKey) {
    $('scopes').dataset.key = scopesKey;
    $('scopes').replaceChildren(...scopes.map((scope) => item(scope, true)), ...missing.map((scope) => item(scope, false)));
  }
  $('scopes-empty').hidden = scopes.length > 0;
  renderMoreScopes(scopes, Boolean(state.signIn));

  setButton($('refresh'), {
    label: t(state.busy.refresh ? 'tokens.refreshing' : 'tokens.refresh'),
    busy: Boolean(state.busy.refresh),
  });
  const copied = recentlyCopied();
  setButton($('copy-token'), {
    label: t(state.busy.copy ? 'tokens.copying' : copied ? 'tokens.copied' : 'tokens.copy'),
    busy: Boolean(state.busy.copy),
    disabled: Boolean(state.busy.copy) || copyBlocked(state, Date.now()),
  });
  $('copy-token').classList.toggle('copied', copied);
  // One primary button at a time: while an error offers its own way out, that one.
  $('copy-token').classList.toggle('primary', !state.error);
  swapIcon($('copy-token'), copied ? 'check' : 'copy');
  setButton($('sign-out'), {
    label: t(state.busy.signOut ? 'tokens.signingOut' : 'tokens.signOut'),
    busy: Boolean(state.busy.signOut),
  });

  renderKeepalive(state);
  renderStorage(state);
  tick(state, Date.now());
}

/** Where the tokens are kept: sealed by the keyring, or said plainly that they are not. */
function renderStorage(state) {
  const tokens = state.storage?.tokens;
  $('storage-row').hidden = !tokens;
  if (!tokens) return;
  const sealed = tokens === 'keyring';
  const note = $('storage-note');
  setText(note, t(sealed ? 'storage.keyring' : 'storage.file'));
  note.classList.toggle('unsealed', !sealed);
}

/** "Request more scopes": the known scopes not granted yet, to tick and ask for. */
function renderMoreScopes(granted, busy) {
  const offered = KNOWN_SCOPES.filter((scope) => !granted.includes(scope));
  const list = $('more-scope-choices');
  const key = offered.join(' ');
  if (list.dataset.key !== key) {
    list.dataset.key = key;
    list.replaceChildren(
      ...offered.map((scope, index) => {
        const id = `more-scope-${index}`;
        return h(
          'li',
          { class: 'scope-choice' },
          h('input', { type: 'checkbox', id, value: scope }),
          h(
            'label',
            { for: id },
            h('span', { class: 'choice-title', text: describeScope(scope) ?? scope }),
            h('code', { class: 'scope-name', text: scope }),
          ),
        );
      }),
    );
  }
  $('more-scopes-fieldset').hidden = offered.length === 0;
  $('more-scopes-none').hidden = offered.length > 0;
  $('request-scopes').hidden = offered.length === 0;
  $('request-scopes').disabled = busy || !list.querySelector('input:checked');
}

/** The keepalive choice: what is true on disk, and what it means. */
function renderKeepalive(state) {
  const keepalive = state.keepalive;
  $('keepalive-block').hidden = !keepalive;
  if (!keepalive) return;
  const box = $('keepalive');
  box.checked = Boolean(keepalive.enabled);
  box.disabled = Boolean(state.busy.keepalive);
  const key = !keepalive.enabled ? 'keepalive.off' : keepalive.notStarted ? 'keepalive.onNextLogin' : 'keepalive.on';
  setText($('keepalive-note'), t(key));
}

/** An ID with its Copy button. */
function idRow(value, label, id) {
  const name = t(label);
  return h(
    'div',
    { class: 'fact id-fact' },
    h('dt', { text: name }),
    h(
      'dd',
      {},
      h('span', { id, class: 'mono', text: value }),
      h(
        'button',
        {
          class: 'icon-button',
          type: 'button',
          'aria-label': t('profile.copy', { label: name }),
          title: t('profile.copy', { label: name }),
          onclick: () => copyValue?.(value, 'notice.valueCopied', { label: name }),
        },
        icon('copy'),
      ),
    ),
  );
}

/**
 * An expired token cannot be copied while the refresh that would renew it is failing: the
 * button would only fail too. Copy refreshes first otherwise.
 */
function copyBlocked(state, now) {
  const access = parseInstant(state.session?.accessTokenExpiresAt);
  return Boolean(state.refreshTrouble) && Number.isFinite(access) && now >= access;
}

/**
 * The countdowns, the status and the re-authorize warning move with the clock. Returns how long
 * until any of it reads differently (Infinity: never), which is when the clock calls again.
 */
export function tick(state, now) {
  const session = state.session;
  if (!session) return Infinity;
  const access = parseInstant(session.accessTokenExpiresAt);
  const refreshAt = parseInstant(session.refreshTokenExpiresAt);
  const reauth = parseInstant(session.reauthorizeBy);

  setText($('access-countdown'), formatCountdown(access, now));
  setText($('refresh-countdown'), session.refreshTokenExpiresAt ? formatCountdown(refreshAt, now) : '');
  setText($('reauthorize-countdown'), formatCountdown(reauth, now));

  const status = liveStatus(session, access, now);
  const pill = $('token-status');
  // A live region (role=status): its text changes only when the status does, so that a screen
  // reader announces "Expired" once, not at every tick.
  setText(pill, t(`status.${status}`));
  const pillClass = `status-pill status-${status}`;
  if (pill.className !== pillClass) pill.className = pillClass;
  const pillLabel = `${t('tokens.status')}: ${t(`status.${status}`)}`;
  if (pill.getAttribute('aria-label') !== pillLabel) pill.setAttribute('aria-label', pillLabel);
  if (pill.dataset.status !== status) pill.dataset.status = status;
  $('access-countdown').classList.toggle('past', now >= access);

  const troubleChangesIn = renderTrouble(state, now);
  const blocked = copyBlocked(state, now);
  if ($('copy-token').disabled !== (blocked || Boolean(state.busy.copy))) $('copy-token').disabled = blocked || Boolean(state.busy.copy);
  const note = blocked
    ? t('tokens.copyExpired')
    : `${t('tokens.note', { margin: formatMargin(session.refreshMarginSeconds) })} ${t('tokens.copyNote')}`;
  setText($('copy-token-note'), note);

  const warning = $('reauth-warning');
  const past = Number.isFinite(reauth) && now >= reauth;
  const soon = Number.isFinite(reauth) && reauth - now < REAUTH_WARNING_MS;
  if (warning.hidden !== !soon) warning.hidden = !soon;
  warning.classList.toggle('danger', past);
  warning.classList.toggle('warning', !past);
  if (soon) setText($('reauth-warning-text'), past ? t('tokens.reauthPast') : t('tokens.reauthSoon', { date: formatDateTime(reauth) }));

  const margin = (Number(session.refreshMarginSeconds) || 0) * 1000;
  return Math.min(
    countdownChangesIn(access, now),
    session.refreshTokenExpiresAt ? countdownChangesIn(refreshAt, now) : Infinity,
    countdownChangesIn(reauth, now),
    // The status, the copy button and the warning turn at these.
    untilNext([access - margin, access, reauth - REAUTH_WARNING_MS, reauth], now),
    troubleChangesIn,
  );
}

/** "Can't reach Feishu. Retrying in 30 s.", with Retry, while the background refresh fails. */
function renderTrouble(state, now) {
  const trouble = state.refreshTrouble;
  const box = $('refresh-trouble');
  if (box.hidden !== !trouble) box.hidden = !trouble;
  if (!trouble) return Infinity;
  const error = trouble.error ?? {};
  const cause =
    error.kind === 'network'
      ? t('tokens.trouble.network')
      : error.kind === 'feishu'
        ? t('tokens.trouble.feishu', { code: error.code })
        : t('tokens.trouble.other');
  const retryAt = parseInstant(trouble.retryAt);
  const left = retryAt - now;
  const text =
    Number.isFinite(left) && left >= 1000
      ? t('tokens.trouble', { cause, d: formatDuration(left, { dropZeros: true }) })
      : t('tokens.trouble.now', { cause });
  setText($('refresh-trouble-text'), text);
  setButton($('refresh-retry'), { label: t('tokens.retry'), busy: Boolean(state.busy.refresh) });
  // "Retrying in 12 s" counts in seconds until the retry.
  return Number.isFinite(left) && left >= 1000 ? 1000 - (now % 1000) : Infinity;
}

export function focusTarget() {
  return $('profile-name');
}

/**
 * The status now: the Rust side's answer is a snapshot, and the clock keeps moving, so take the
 * worse of it and what the expiry and refresh margin say (a refresh event brings it back).
 */
function liveStatus(session, access, now) {
  const margin = (Number(session.refreshMarginSeconds) || 0) * 1000;
  let computed = 'valid';
  if (Number.isFinite(access)) {
    if (now >= access) computed = 'expired';
    else if (now >= access - margin) computed = 'needsRefresh';
  }
  const reported = session.tokenStatus in STATUS_RANK ? session.tokenStatus : 'valid';
  return STATUS_RANK[reported] >= STATUS_RANK[computed] ? reported : computed;
}

function setDate(el, iso) {
  const ms = parseInstant(iso);
  setText(el, formatDateTime(ms));
  const datetime = Number.isFinite(ms) ? new Date(ms).toISOString() : null;
  if (el.getAttribute('datetime') === datetime) return;
  if (datetime) el.setAttribute('datetime', datetime);
  else el.removeAttribute('datetime');
}

function present(value) {
  return typeof value === 'string' ? value.trim() !== '' : value != null;
}

function renderAvatar(profile) {
  const key = `${profile.avatarUrl ?? ''}|${profile.name ?? ''}|${profile.openId ?? ''}`;
  if (key === avatarKey) return;
  avatarKey = key;
  const avatar = $('avatar');
  avatar.className = `avatar avatar-c${hash(profile.openId ?? profile.name ?? '') % AVATAR_COLOURS}`;
  // The name is right beside it, so the picture itself is decorative.
  avatar.setAttribute('aria-hidden', 'true');
  avatar.replaceChildren(h('span', { class: 'avatar-initials', text: initials(profile.name || profile.enName || '?') }));
  if (!profile.avatarUrl) return;
  // The picture (fetched from Feishu's CDN for a real account) takes the initials' place once it
  // has loaded and decoded, and a picture that fails to load leaves the initials. It is only asked
  // for after the initials are on screen: decoding runs on the page's own thread, and an SVG
  // avatar (the sandbox's) lays out its text with fonts of its own, which cost the first paint
  // about 10 ms when it started at once (README "Performance").
  afterNextPaint(() => {
    if (avatarKey !== key) return;
    const img = h('img', { src: profile.avatarUrl, alt: '', width: 56, height: 56, referrerpolicy: 'no-referrer' });
    img.decode().then(
      () => {
        if (avatarKey === key) avatar.replaceChildren(img);
      },
      () => {},
    );
  });
}

/** Chinese names show their last two characters (as Feishu does); others their first letters. */
function initials(name) {
  const trimmed = name.trim();
  if (/[\u3400-\u9fff]/.test(trimmed)) return [...trimmed.replace(/\s+/g, '')].slice(-2).join('');
  const words = trimmed.split(/\s+/).filter(Boolean);
  return words.slice(0, 2).map((word) => [...word][0]).join('').toUpperCase() || '?';
}

function hash(text) {
  let value = 0;
  for (const ch of text) value = (value * 31 + ch.codePointAt(0)) >>> 0;
  return value;
}

function swapIcon(button, name) {
  if (button.dataset.iconName === name) return;
  button.dataset.iconName = name;
  const old = button.querySelector('svg');
  const fresh = icon(name);
  if (old) old.replaceWith(fresh);
  else button.prepend(fresh);
}
