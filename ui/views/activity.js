// This run's activity, newest first: time, what happened (icon and label), the message, the code.
// Entries arrive as a kind with parameters; the words are the window's, in the person's language.

import { $, h } from '../dom.js';
import { formatDateTime, formatTime, parseInstant } from '../format.js';
import { getLang, has, t } from '../i18n.js';
import { icon } from '../icons.js';

// Each kind's look: its icon, and the class that colours it.
const LOOKS = {
  started: 'started',
  browserOpened: 'browserOpened',
  browserNotOpened: 'failed',
  callbackReceived: 'callbackReceived',
  signedIn: 'signedIn',
  cancelled: 'cancelled',
  signInFailed: 'failed',
  refreshed: 'refreshed',
  refreshFailed: 'failed',
  backgroundRefreshed: 'refreshed',
  backgroundRefreshFailed: 'failed',
  notSaved: 'failed',
  storeCorrupt: 'failed',
  signedOut: 'signedOut',
  nothingToSignOut: 'signedOut',
  otherAppLeft: 'info',
  tokenCopied: 'info',
  profileRemoved: 'signedOut',
  settingsSaved: 'info',
  settingsFileKept: 'info',
  settingsUnreadable: 'failed',
};
const ICONS = {
  started: 'login',
  browserOpened: 'external',
  callbackReceived: 'callback',
  signedIn: 'key',
  refreshed: 'refresh',
  signedOut: 'logout',
  failed: 'alert',
  cancelled: 'cancelled',
  info: 'info',
};

/** The string for a kind, or for its variant when a parameter changes the sentence. */
function variant(kind, params) {
  if (kind === 'settingsSaved' && params.sandbox) return 'activity.text.settingsSavedSandbox';
  if (kind === 'signedOut' && params.revoked === false) return 'activity.text.signedOutHere';
  if (kind === 'profileRemoved' && params.revoked === false) return 'activity.text.profileRemovedHere';
  return `activity.text.${kind}`;
}

/**
 * The entry in the person's language: its kind's sentence with the parameters filled in, then
 * the raw detail of a failure (the core's own text, as the logs have it).
 */
export function message(entry) {
  const params = entry.params ?? {};
  const key = variant(entry.kind, params);
  const vars = { ...params, scopes: Array.isArray(params.scopes) ? params.scopes.join(' ') : params.scopes };
  const text = has(key) ? t(key, vars) : '';
  if (!params.detail) return text;
  return text ? `${text}: ${params.detail}` : String(params.detail);
}

let renderedList = null;
let renderedLang = '';
/** The items on screen by their entry's sequence number. */
let shown = new Map();

export function render(state) {
  $('activity-card').hidden = !state.loaded;
  // Entries never change once added, so repaint only when the list or the language does; and
  // then only what changed: an entry added makes one item (and the oldest beyond the kept ones
  // goes), not the whole list again, which a window refreshed a thousand times would feel.
  if (state.activity === renderedList && getLang() === renderedLang) return;
  const list = $('activity');
  const wanted = new Set(state.activity.map((entry) => entry.seq));
  // Another language: every item is made again, in its words.
  if (getLang() !== renderedLang) {
    for (const li of shown.values()) li.remove();
    shown = new Map();
  }
  renderedList = state.activity;
  renderedLang = getLang();

  for (const [seq, li] of shown) {
    if (!wanted.has(seq)) {
      li.remove();
      shown.delete(seq);
    }
  }
  // Newest first: each entry goes before the next older one on screen.
  let after = null;
  for (const entry of state.activity) {
    let li = shown.get(entry.seq);
    if (!li) {
      li = item(entry);
      shown.set(entry.seq, li);
    }
    if (li.nextSibling !== after || li.parentNode !== list) list.insertBefore(li, after);
    after = li;
  }
  $('activity-empty').hidden = state.activity.length > 0;
}

function item(entry) {
  const at = parseInstant(entry.at);
  const look = LOOKS[entry.kind] ?? 'info';
  const label = has(`activity.kind.${entry.kind}`) ? t(`activity.kind.${entry.kind}`) : t('activity.kind.info');
  return h(
    'li',
    { class: `activity-item kind-${look}`, dataset: { kind: entry.kind, seq: String(entry.seq) } },
    h('time', { class: 'activity-time mono', datetime: Number.isFinite(at) ? new Date(at).toISOString() : null, title: formatDateTime(at), text: formatTime(at) }),
    h('span', { class: 'activity-kind' }, icon(ICONS[look], 'icon activity-icon'), h('span', { text: label })),
    h('span', { class: 'activity-message', text: message(entry) }),
    entry.code != null ? h('span', { class: 'code-badge small', text: String(entry.code) }) : null,
  );
}
