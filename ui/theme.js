// Light, dark, or the system's choice. The stylesheet follows prefers-color-scheme unless
// <html data-theme> forces one; boot.js applies the saved choice before first paint.

import { loadPref, savePref } from './storage.js';

const ORDER = ['system', 'light', 'dark'];

export function getTheme() {
  const saved = loadPref('theme');
  return ORDER.includes(saved) ? saved : 'system';
}

export function setTheme(theme) {
  savePref('theme', theme === 'system' ? null : theme);
  applyTheme(theme);
}

/** The next theme in the toggle's cycle: system → light → dark → system. */
export function nextTheme(theme) {
  return ORDER[(ORDER.indexOf(theme) + 1) % ORDER.length];
}

export function applyTheme(theme) {
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}
