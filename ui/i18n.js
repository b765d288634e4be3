// Language: Chinese or English. The saved choice wins, else `navigator.language` (zh* → Chinese).
// Static text in index.html carries `data-i18n` (text) or `data-i18n-attr="attr:key; attr:key"`;
// views call `t()` for what they build, and re-render on `onLangChange`. The strings are one
// file per language in ui/strings/.

import { loadPref, savePref } from './storage.js';
import { en } from './strings/en.js';
import { zh } from './strings/zh.js';

const STRINGS = { en, zh };
const listeners = new Set();
let lang = initialLang();

function initialLang() {
  const saved = loadPref('lang');
  if (saved === 'zh' || saved === 'en') return saved;
  return (navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function getLang() {
  return lang;
}

/** The BCP 47 tag for Intl: the system's own variant when it is in the chosen language. */
export function locale() {
  const system = navigator.language || '';
  if (system.toLowerCase().startsWith(lang)) return system;
  return lang === 'zh' ? 'zh-CN' : 'en-US';
}

/** The string for `key` in the current language, with `{name}` placeholders filled from `vars`. */
export function t(key, vars) {
  let text = STRINGS[lang][key] ?? STRINGS.en[key];
  if (text === undefined) {
    console.warn(`i18n: no string for ${key}`);
    return key;
  }
  if (vars) text = text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
  return text;
}

/** Whether `key` has a string (used for optional texts such as scope descriptions). */
export function has(key) {
  return key in STRINGS[lang] || key in STRINGS.en;
}

export function setLang(next) {
  if (next !== 'zh' && next !== 'en') return;
  lang = next;
  savePref('lang', next);
  applyStatic();
  for (const listener of listeners) listener(lang);
}

export function onLangChange(listener) {
  listeners.add(listener);
}

/** Fills the `data-i18n` texts and attributes under `root`, and the document's language. */
export function applyStatic(root = document) {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  document.title = t('app.name');
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}
