// The profile switcher in the header: every profile with its user (or "not signed in") and its
// token status; choosing one shows its session at once; "Add profile" adds one and opens its
// Settings.

import * as actions from '../actions.js';
import { $, h, setText } from '../dom.js';
import { t } from '../i18n.js';

let renderedKey = '';

export function mount({ openSettings }) {
  const button = $('profile-button');
  const menu = $('profile-menu');
  const close = () => {
    menu.hidden = true;
    button.setAttribute('aria-expanded', 'false');
  };
  button.addEventListener('click', () => {
    menu.hidden = !menu.hidden;
    button.setAttribute('aria-expanded', String(!menu.hidden));
    if (!menu.hidden) menu.querySelector('.profile-item')?.focus();
  });
  menu.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      close();
      button.focus();
    }
  });
  document.addEventListener('click', (event) => {
    if (!menu.hidden && !event.target.closest('.profile-switcher')) close();
  });
  $('profile-list').addEventListener('click', async (event) => {
    const remove = event.target.closest('[data-remove]');
    if (remove) {
      // Two clicks: the first asks, the second removes (signing out and revoking first).
      if (remove.dataset.armed !== 'true') {
        remove.dataset.armed = 'true';
        remove.textContent = t('profile.remove.confirm', { name: remove.dataset.remove });
        return;
      }
      close();
      await actions.removeProfile(remove.dataset.remove);
      return;
    }
    const item = event.target.closest('[data-profile]');
    if (!item) return;
    close();
    if (item.getAttribute('aria-current') !== 'true') await actions.switchProfile(item.dataset.profile);
  });
  $('profile-add').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = $('profile-add-name');
    if (!input.checkValidity()) return;
    close();
    if (await actions.addProfile(input.value.trim())) {
      input.value = '';
      openSettings();
    }
  });
}

export function render(state) {
  const shown = state.profiles.find((p) => p.shown);
  setText($('profile-button-label'), shown?.label ?? shown?.name ?? state.settings?.profile ?? '');
  $('profile-button').hidden = !state.loaded;
  const key = JSON.stringify(state.profiles) + document.documentElement.lang;
  if (key === renderedKey) return;
  renderedKey = key;
  $('profile-list').replaceChildren(...state.profiles.map(item));
}

/** The user's picture, over their initial (shown should the picture not load). */
function avatar(profile) {
  const initial = (profile.user?.name ?? profile.name).slice(0, 1).toUpperCase();
  const picture = profile.user?.avatarUrl
    ? h('img', { class: 'profile-picture', src: profile.user.avatarUrl, alt: '', onerror: (event) => event.target.remove() })
    : null;
  return h('span', { class: 'profile-initial', 'aria-hidden': 'true' }, initial, picture);
}

function item(profile) {
  const who = profile.error ? t('profile.unreadable') : profile.user?.name ?? t('profile.signedOut');
  const status = profile.tokenStatus ?? 'signedOut';
  // `default` is where a single-profile installation keeps its settings: it is never removed.
  const remove =
    profile.name === 'default'
      ? null
      : h('button', {
          type: 'button',
          class: 'profile-remove',
          dataset: { remove: profile.name },
          'aria-label': t('profile.remove', { name: profile.label ?? profile.name }),
          title: t('profile.remove', { name: profile.label ?? profile.name }),
          text: '×',
        });
  return h(
    'li',
    { class: 'profile-row' },
    h(
      'button',
      {
        type: 'button',
        class: 'profile-item',
        'aria-current': String(profile.shown),
        dataset: { profile: profile.name },
      },
      avatar(profile),
      h('span', { class: 'profile-text' }, h('span', { class: 'profile-name', text: profile.label ?? profile.name }), h('span', { class: 'profile-user', text: who })),
      h('span', { class: `status-dot status-${status}`, title: t(`profile.status.${status}`) }),
    ),
    remove,
  );
}
