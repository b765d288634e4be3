// This run's activity, newest first: time, what happened (icon and label), the message, the code.

import { $, h } from '../dom.js';
import { formatDateTime, formatTime, parseInstant } from '../format.js';
import { getLang, has, t } from '../i18n.js';
import { icon } from '../icons.js';

const ICONS = {
  started: 'login',
  browserOpened: 'external',
  callbackReceived: 'callback',
  exchanged: 'key',
  refreshed: 'refresh',
  signedOut: 'logout',
  failed: 'alert',
  cancelled: 'cancelled',
  info: 'info',
};

let renderedList = null;
let renderedLang = '';

export function render(state) {
  $('activity-card').hidden = !state.loaded;
  // Entries never change once added, so repaint only when the list or the language does.
  if (state.activity === renderedList && getLang() === renderedLang) return;
  renderedList = state.activity;
  renderedLang = getLang();

  const entries = [...state.activity].reverse();
  $('activity').replaceChildren(...entries.map(item));
  $('activity-empty').hidden = entries.length > 0;
}

function item(entry) {
  const at = parseInstant(entry.at);
  const kind = entry.kind in ICONS ? entry.kind : 'info';
  const label = has(`activity.kind.${kind}`) ? t(`activity.kind.${kind}`) : kind;
  return h(
    'li',
    { class: `activity-item kind-${kind}`, dataset: { kind } },
    h('time', { class: 'activity-time mono', datetime: Number.isFinite(at) ? new Date(at).toISOString() : null, title: formatDateTime(at), text: formatTime(at) }),
    h('span', { class: 'activity-kind' }, icon(ICONS[kind], 'icon activity-icon'), h('span', { text: label })),
    h('span', { class: 'activity-message', text: entry.message ?? '' }),
    entry.code != null ? h('span', { class: 'code-badge small', text: String(entry.code) }) : null,
  );
}
