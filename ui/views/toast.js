// A short confirmation at the bottom of the window ("Copied", "Signed out"). It is a polite live
// region, so screen readers announce it too; it fades by itself.

import { $ } from '../dom.js';

const VISIBLE_MS = 2600;
let shownId = 0;
let timer = 0;

export function render(state) {
  const notice = state.notice;
  if (!notice || notice.id === shownId) return;
  shownId = notice.id;
  const toast = $('toast');
  toast.textContent = notice.text;
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
