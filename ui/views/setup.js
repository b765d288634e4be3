// The first run and the demo: with no App ID and the demo not chosen, the app says it is not set
// up yet (Open Settings, or Try the demo); while in the demo a banner says its tokens are not
// Feishu's. Also the notice that no font can show Chinese, told in English with the fix.

import { $, setText } from '../dom.js';
import { getLang, t } from '../i18n.js';

export function mount({ openSettings, tryDemo }) {
  $('setup-open-settings').addEventListener('click', openSettings);
  $('try-demo').addEventListener('click', tryDemo);
  $('demo-set-up').addEventListener('click', openSettings);
}

/** Whether the app has nothing to sign in to yet: no App ID, and the demo not chosen. */
export function notSetUp(state) {
  const settings = state.settings;
  return Boolean(settings?.sandbox && !settings.demo && !state.session && !state.signIn);
}

/** Whether what is shown is the demo: a sandbox session, or the sandbox chosen on purpose. */
export function inDemo(state) {
  if (state.session) return state.session.brand === 'sandbox';
  return Boolean(state.settings?.sandbox && (state.settings.demo || state.signIn));
}

export function render(state) {
  $('demo-banner').hidden = !state.loaded || !inDemo(state);
  setBusy($('try-demo'), Boolean(state.busy.demo));
  renderFontNotice(state);
}

export function focusTarget() {
  return $('not-set-up-title');
}

function setBusy(button, busy) {
  button.disabled = busy;
  button.setAttribute('aria-busy', String(busy));
}

/** Said when a font for Chinese is missing and Chinese is needed: the interface, or the name. */
function renderFontNotice(state) {
  const missing = state.fonts?.chinese === false;
  const needed = getLang() === 'zh' || hasChinese(state.session?.profile?.name);
  const notice = $('font-notice');
  notice.hidden = !(missing && needed);
  if (!notice.hidden) setText($('font-notice-text'), t('font.missing'));
}

export function hasChinese(text) {
  return typeof text === 'string' && /[\u3400-\u9fff\uf900-\ufaff]/.test(text);
}
