// The error panel: the last failed action as a short title, one cause and one action in the
// person's language (chosen by the error's kind and, where it matters, the context), the raw
// text (code, documented meaning, the core's message) under Details with Copy, and one primary
// button: Retry, or what fits the case better (the other callback route for a busy port).

import { $, setText } from '../dom.js';
import { getLang, has, t } from '../i18n.js';

let shownError = null;
let handlers = null;

export function mount({ retry, dismiss, openSettings, copyText, useRoute }) {
  handlers = { useRoute };
  $('error-retry').addEventListener('click', retry);
  $('error-dismiss').addEventListener('click', dismiss);
  $('error-settings').addEventListener('click', () => {
    dismiss();
    openSettings();
  });
  $('error-alternative').addEventListener('click', () => {
    const route = $('error-alternative').dataset.route;
    dismiss();
    if (route) handlers.useRoute(route);
  });
  $('error-copy').addEventListener('click', () => {
    if (shownError) copyText(rawText(shownError), 'notice.detailsCopied');
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
  const words = wordsFor(error, context, state);
  setText($('error-title'), words.title);
  setText($('error-message'), words.cause);
  setText($('error-hint-text'), words.action);

  const hasCode = error.code !== undefined && error.code !== null;
  $('error-code-row').hidden = !hasCode;
  setText($('error-code'), hasCode ? String(error.code) : '');
  const meaning = error.meaning?.trim() ?? '';
  $('error-meaning-row').hidden = meaning === '';
  setText($('error-meaning'), meaning);
  setText($('error-detail'), error.message ?? '');

  // One primary button: the alternative route when it is the better way out, else Retry.
  const alternative = alternativeRoute(error, state);
  const retryShown = Boolean(current.retry);
  $('error-retry').hidden = !retryShown;
  $('error-retry').querySelector('.label').textContent = t(current.retryLabel ?? 'error.retry');
  $('error-alternative').hidden = !alternative;
  if (alternative) {
    $('error-alternative').dataset.route = alternative;
    const label = alternative === 'deepLink' ? 'error.useDeepLink' : 'error.useLoopback';
    $('error-alternative').querySelector('.label').textContent = t(label);
  }
  $('error-alternative').classList.toggle('primary', Boolean(alternative));
  $('error-retry').classList.toggle('primary', !alternative);
  $('error-settings').hidden = error.kind !== 'config';

  // A new error scrolls into view (it may be above a long page), with its Details closed.
  if (shownError !== error) {
    shownError = error;
    $('error-details').open = false;
    panel.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }
}

/** The title, cause and action for `error` in `context`, in the page's language. */
function wordsFor(error, context, state) {
  const kind = has(`error.${error.kind}.title`) ? error.kind : 'internal';
  const vars = { code: error.code ?? '', port: error.port ?? '' };
  let title = t(`error.${kind}.title`, vars);
  let cause = t(`error.${kind}.cause`, vars);
  let action = t(actionKey(kind, state), vars);
  if (kind === 'feishu') {
    if (has(`error.feishu.title.${context}`)) title = t(`error.feishu.title.${context}`);
    // Feishu documents what each code means (in English) and what to do (in both languages).
    if (getLang() === 'en' && error.meaning) cause = `${error.meaning.trim()} (${t('error.code')} ${error.code})`;
    const hint = getLang() === 'zh' ? error.hintZh : error.hint;
    if (typeof hint === 'string' && hint.trim() !== '') action = hint.trim();
  }
  return { title, cause, action };
}

/** The action's key: some depend on where the app runs. */
function actionKey(kind, state) {
  if (kind === 'timeout' && state.settings?.sandbox) return 'error.timeout.action.sandbox';
  if (kind === 'portInUse' && !deepLinkUsable(state)) return 'error.portInUse.action.noDeepLink';
  return `error.${kind}.action`;
}

/** The route to offer instead, when the error is the route's own (a busy loopback port). */
function alternativeRoute(error, state) {
  if (error.kind === 'portInUse' && deepLinkUsable(state)) return 'deepLink';
  return null;
}

function deepLinkUsable(state) {
  return state.settings?.deepLinkHandler?.state === 'thisApp';
}

/** The raw details as copied: every field a helpdesk asks for. */
function rawText(error) {
  return [
    error.code != null ? `code: ${error.code}` : null,
    error.meaning ? `meaning: ${error.meaning}` : null,
    `kind: ${error.kind}`,
    `message: ${error.message ?? ''}`,
  ]
    .filter(Boolean)
    .join('\n');
}
