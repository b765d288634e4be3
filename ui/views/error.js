// The error panel: the last failed action's Feishu code, what it means, what to do, and
// Retry (the same action again) or Dismiss. Hidden while there is no error.

import { $ } from '../dom.js';
import { getLang, has, t } from '../i18n.js';

let shownError = null;

export function mount({ retry, dismiss, openSettings }) {
  $('error-retry').addEventListener('click', retry);
  $('error-dismiss').addEventListener('click', dismiss);
  $('error-settings').addEventListener('click', () => {
    dismiss();
    openSettings();
  });
}

export function render(state) {
  const panel = $('error');
  const current = state.error;
  panel.hidden = !current;
  if (!current) {
    shownError = null;
    return;
  }
  const { context, error } = current;

  $('error-title').textContent = t(has(`error.title.${context}`) ? `error.title.${context}` : 'error.title.generic');

  const hasCode = error.code !== undefined && error.code !== null;
  $('error-code-badge').hidden = !hasCode;
  $('error-code').textContent = hasCode ? String(error.code) : '';

  // The documented meaning reads better than the whole message; keep the message as detail
  // when it says more (Feishu's own description, the field or URL that failed).
  const meaning = error.meaning?.trim();
  $('error-message').textContent = meaning || error.message;
  const detail = $('error-detail');
  detail.hidden = !meaning || error.message === meaning;
  detail.textContent = detail.hidden ? '' : error.message;

  $('error-hint-text').textContent = hintFor(error);

  $('error-retry').hidden = !current.retry;
  $('error-retry').querySelector('.label').textContent = t(current.retryLabel ?? 'error.retry');
  $('error-settings').hidden = error.kind !== 'config';

  // A new error scrolls into view: it may be above a long page.
  if (shownError !== error) {
    shownError = error;
    panel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }
}

/** The suggestion in the page's language, falling back to the other one, then to the kind's. */
function hintFor(error) {
  const preferred = getLang() === 'zh' ? [error.hintZh, error.hint] : [error.hint, error.hintZh];
  const hint = preferred.find((h) => typeof h === 'string' && h.trim() !== '');
  if (hint) return hint;
  return t(has(`error.kind.${error.kind}`) ? `error.kind.${error.kind}` : 'error.kind.internal');
}
