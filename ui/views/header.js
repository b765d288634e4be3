// The header: app name, the brand or "Sandbox" badge, and the language, theme and settings buttons.

import { $, setText } from '../dom.js';
import { getLang, setLang, t } from '../i18n.js';
import { icon } from '../icons.js';
import { applyTheme, getTheme, nextTheme, setTheme } from '../theme.js';

const THEME_ICONS = { system: 'auto', light: 'sun', dark: 'moon' };

export function mount({ openSettings }) {
  $('lang-toggle').addEventListener('click', () => setLang(getLang() === 'zh' ? 'en' : 'zh'));
  $('theme-toggle').addEventListener('click', () => {
    setTheme(nextTheme(getTheme()));
    renderTheme();
  });
  $('open-settings').addEventListener('click', openSettings);
  applyTheme(getTheme());
}

export function render(state) {
  // The session's brand when signed in (it is what the tokens belong to), else the configured one.
  const brand = state.session?.brand ?? (state.settings?.sandbox ? 'sandbox' : state.settings?.brand);
  // Not set up yet, there is nothing to badge: the window says so itself.
  const notSetUp = !state.session && state.settings?.sandbox === true && !state.settings.demo && !state.signIn;
  const sandbox = !notSetUp && (brand === 'sandbox' || (!state.session && state.settings?.sandbox === true));
  $('sandbox-badge').hidden = !sandbox;
  const brandBadge = $('brand-badge');
  brandBadge.hidden = sandbox || notSetUp || !brand;
  if (brand && !sandbox) setText(brandBadge, t(`brand.${brand}`));
  $('lang-toggle').querySelector('.label').lang = getLang() === 'zh' ? 'en' : 'zh';
  renderTheme();
}

function renderTheme() {
  const theme = getTheme();
  const button = $('theme-toggle');
  const label = t(`theme.${theme}`);
  if (button.title !== label) {
    button.setAttribute('aria-label', label);
    button.title = label;
  }
  if (button.dataset.theme !== theme) {
    button.dataset.theme = theme;
    button.replaceChildren(icon(THEME_ICONS[theme]));
  }
}
