// Drives the UI over the mock through the flows the end-to-end tests will use, by the same
// element ids, and reports into <html data-selftest="pass|fail"> and a <pre id="selftest-result">.
// Run: chromium --headless --dump-dom --virtual-time-budget=60000 '…/index.html?selftest=1&stepMs=200'

const results = [];
const mock = window.__mock;
const $ = (id) => document.getElementById(id);
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const text = (id) => $(id)?.textContent.trim() ?? '';
const visible = (id) => {
  const el = $(id);
  return Boolean(el) && el.closest('[hidden]') === null && el.getClientRects().length > 0;
};

function check(name, ok, detail = '') {
  results.push(`${ok ? 'PASS' : 'FAIL'} ${name}${ok || !detail ? '' : ` — ${detail}`}`);
}

async function until(name, predicate, timeout = 8000) {
  const start = Date.now();
  while (Date.now() - start < timeout) {
    if (predicate()) return true;
    await wait(25);
  }
  check(`${name} (timed out)`, false);
  throw new Error(`timed out: ${name}`);
}

const state = () => document.body.dataset.state;

function type(id, value) {
  const el = $(id);
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

async function run() {
  // Both languages have every string, with the same placeholders.
  const [{ en }, { zh }] = await Promise.all([import('../../ui/strings/en.js'), import('../../ui/strings/zh.js')]);
  const STRINGS = { en, zh };
  const holes = (s) => (s.match(/\{\w+\}/g) ?? []).sort().join();
  const keys = new Set([...Object.keys(STRINGS.en), ...Object.keys(STRINGS.zh)]);
  const bad = [...keys].filter((key) => !(key in STRINGS.en) || !(key in STRINGS.zh) || holes(STRINGS.en[key]) !== holes(STRINGS.zh[key]));
  check('strings complete in both languages', bad.length === 0, bad.join(' '));

  await until('loaded', () => state() === 'signed-out');
  check('sandbox badge shown', visible('sandbox-badge'));
  check('loopback is the default route', $('route-loopback').checked && !$('route-deep-link').checked);
  check('error panel hidden', !visible('error'));
  const ticked = [...document.querySelectorAll('#scope-choices input:checked')].map((box) => box.value);
  check('scopes pre-selected from settings', ticked.join(' ') === mock.settings.scopes.join(' '), ticked.join(' '));
  check('loopback redirect URI shown', text('route-loopback-uri') === mock.settings.loopbackRedirectUri);

  // Add a scope by hand; a bad one is refused with a message.
  type('scope-add-input', 'bad scope"');
  $('scope-add-button').click();
  await wait(50);
  check('bad scope refused', visible('scope-add-error'));
  type('scope-add-input', 'calendar:calendar:readonly');
  $('scope-add-button').click();
  await wait(50);
  const added = [...document.querySelectorAll('#scope-choices input')].find((box) => box.value === 'calendar:calendar:readonly');
  check('custom scope added and ticked', Boolean(added?.checked));

  // Sign in through the deep link.
  $('route-deep-link').click();
  $('sign-in').click();
  await until('signing-in state', () => state() === 'signing-in');
  await until('countdown running', () => /^\d+:\d\d$/.test(text('countdown')));
  check('status text shown', text('sign-in-status') !== '', text('sign-in-status'));
  check('cancel button shown', visible('cancel-sign-in'));
  await until('signed in', () => state() === 'signed-in');
  check('profile name', text('profile-name') === '周小北', text('profile-name'));
  check('English name', text('profile-en-name') === 'Beibei Zhou');
  check('open_id', text('profile-open-id') === mock.session.profile.openId);
  const granted = [...$('scopes').querySelectorAll('li')].map((li) => li.textContent);
  check('granted scopes listed', granted.includes('calendar:calendar:readonly') && granted.includes('offline_access'), granted.join(' '));
  check('access expiry shown', /\d/.test(text('access-expires')), text('access-expires'));
  check('refresh expiry shown', /\d/.test(text('refresh-expires')), text('refresh-expires'));
  check('token status valid', text('token-status') === 'Valid', text('token-status'));
  const before = text('access-countdown');
  await wait(1100);
  check('countdown ticks', text('access-countdown') !== before, `${before} → ${text('access-countdown')}`);

  $('copy-token').click();
  await until('copied feedback', () => text('copy-token') === 'Copied');
  $('refresh').click();
  await until('refresh busy', () => $('refresh').disabled);
  await until('refresh done', () => !$('refresh').disabled);
  check('no error after refresh', !visible('error'));

  // A failing refresh shows the code, and Retry repeats it.
  mock.options.refreshFail = '20002';
  $('refresh').click();
  await until('refresh error shown', () => visible('error'));
  check('error code', text('error-code') === '20002', text('error-code'));
  check('error message is the meaning', text('error-message') === 'The client secret is invalid.', text('error-message'));
  delete mock.options.refreshFail;
  $('error-retry').click();
  await until('retry cleared the error', () => !visible('error'));
  await until('retried refresh done', () => !$('refresh').disabled);

  // An expired refresh token: the panel offers to sign in again.
  mock.options.refreshFail = '20037';
  $('refresh').click();
  await until('sign-in-required error', () => visible('error'));
  check('retry says sign in again', text('error-retry') === 'Sign in again', text('error-retry'));
  delete mock.options.refreshFail;
  $('error-dismiss').click();
  await wait(50);
  check('dismiss hides the panel', !visible('error'));

  $('sign-out').click();
  await until('signed out', () => state() === 'signed-out');
  check('focus moved to the sign-in button', document.activeElement === $('sign-in'), document.activeElement?.id);

  // A sign-in that fails with 20002, retried into success.
  mock.options.fail = '20002';
  $('sign-in').click();
  await until('sign-in error', () => visible('error') && state() === 'signed-out');
  check('sign-in error code', text('error-code') === '20002');
  check('hint in English', text('error-hint-text').startsWith('App authentication failed'), text('error-hint-text'));
  delete mock.options.fail;
  $('error-retry').click();
  await until('retry signs in', () => state() === 'signed-in');
  $('sign-out').click();
  await until('signed out again', () => state() === 'signed-out');

  // Cancel a sign-in.
  mock.options.hold = '1';
  $('sign-in').click();
  await until('waiting', () => state() === 'signing-in' && /approve/i.test(text('sign-in-status')));
  $('cancel-sign-in').click();
  await until('cancelled', () => state() === 'signed-out');
  check('cancel shows no error', !visible('error'));
  check('cancel status', text('sign-in-status') === 'Sign-in cancelled.', text('sign-in-status'));
  delete mock.options.hold;

  // Settings: a config error lands beside the App ID; a good one leaves the sandbox.
  $('open-settings').click();
  await until('settings open', () => $('settings-dialog').open);
  check('secret field empty', $('settings-app-secret').value === '');
  check('secret placeholder', $('settings-app-secret').placeholder === 'Not set', $('settings-app-secret').placeholder);
  type('settings-app-id', 'not-an-id');
  $('save-settings').click();
  await until('inline config error', () => $('settings-app-id').getAttribute('aria-invalid') === 'true');
  check('config error text shown', visible('settings-app-id-error'));
  type('settings-app-id', 'cli_a1b2c3d4e5f6');
  type('settings-app-secret', 's3cret');
  $('save-settings').click();
  await until('settings closed', () => !$('settings-dialog').open);
  check('secret cleared from the DOM', $('settings-app-secret').value === '');
  check('sandbox badge gone', !visible('sandbox-badge'));
  check('brand badge shown', visible('brand-badge') && text('brand-badge') === 'Feishu', text('brand-badge'));
  $('open-settings').click();
  await until('settings open again', () => $('settings-dialog').open);
  check('secret placeholder says stored', /stored/i.test($('settings-app-secret').placeholder), $('settings-app-secret').placeholder);
  $('cancel-settings').click();
  await until('settings closed again', () => !$('settings-dialog').open);

  // Language switch.
  $('lang-toggle').click();
  await wait(50);
  check('Chinese after the switch', text('signed-out-title') === '登录飞书' && document.documentElement.lang === 'zh-CN', text('signed-out-title'));
  $('lang-toggle').click();
  await wait(50);
  check('English again', text('signed-out-title') === 'Sign in to Feishu', text('signed-out-title'));

  // Activity entries arrived.
  check('activity listed', $('activity').children.length >= 5, String($('activity').children.length));

  // Every id the end-to-end tests rely on exists.
  const hooks = ['sign-in', 'cancel-sign-in', 'sign-in-status', 'countdown', 'route-loopback', 'route-deep-link', 'profile-name',
    'profile-en-name', 'profile-open-id', 'scopes', 'access-expires', 'refresh-expires', 'token-status', 'refresh', 'copy-token',
    'sign-out', 'error', 'error-code', 'error-message', 'activity', 'sandbox-badge', 'open-settings', 'settings-app-id',
    'settings-app-secret', 'settings-brand', 'settings-redirect-uri', 'settings-scopes', 'save-settings'];
  const missing = hooks.filter((id) => !$(id));
  check('all test hooks present', missing.length === 0, missing.join(' '));
}

try {
  await run();
} catch (error) {
  results.push(`FAIL aborted: ${error.message}`);
}
const failed = results.some((line) => line.startsWith('FAIL'));
document.documentElement.dataset.selftest = failed ? 'fail' : 'pass';
const pre = document.createElement('pre');
pre.id = 'selftest-result';
pre.textContent = results.join('\n');
document.body.append(pre);
console.log(`selftest ${failed ? 'FAILED' : 'passed'}\n${results.join('\n')}`);
