// A short confirmation at the bottom of the window ("Copied", "Signed out"). It is a polite live
// region, so screen readers announce it too; it fades by itself. It holds a string key, worded
// at each render, so a language switch while it shows switches it too.

import { $ } from '../dom.js';
import { t } from '../i18n.js';

const VISIBLE_MS = 2600;
let shownId = 0;
let timer = 0;

export function render(state) {
  const notice = state.notice;
  const toast = $('toast');
  if (!notice) return;
  if (notice.id === shownId) {
    // The same notice: reworded if the language changed meanwhile.
    if (toast.classList.contains('visible')) {
      const text = t(notice.key, notice.vars);
      if (toast.textContent !== text) toast.textContent = text;
    }
    return;
  }
  shownId = notice.id;
  toast.textContent = t(notice.key, notice.vars);
  toast.classList.add('visible');
  clearTimeout(timer);
  timer = setTimeout(() => {
    toast.classList.remove('visible');
    // Empty it after the fade, so the region doesn't hold stale text for a screen reader.
    setTimeout(() => {
      if (!toast.classList.contains('visible')) toast.textContent = '';
    }, 300);
  }, VISIBLE_MS);
}
