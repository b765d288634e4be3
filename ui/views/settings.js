// The settings dialog: App ID, App Secret (write-only), brand, redirect URI and default scopes.
// It shows what is saved now. A field whose value is set elsewhere (by an environment variable,
// or locked by the organisation's system file) is read-only, with the value in effect and the
// reason. The form is checked here
// before saving, by the same rules as the Rust side, and each problem is shown beside its field in
// the person's language; so is any the Rust side still returns, with its own text under Details.

// Copying shown text needs no state, so this view calls the command itself.
import { api } from '../api.js';
import { $, h, setButton } from '../dom.js';
import { t } from '../i18n.js';
import { isScope } from '../scopes.js';

/**
 * The form's fields in the order they appear: the input, and the names the Rust side gives the
 * setting in a config error ("invalid setting `FEISHU_APP_ID / app_id`: …").
 */
const FIELDS = {
  appId: { input: 'settings-app-id', settings: ['app_id', 'FEISHU_APP_ID'] },
  appSecret: { input: 'settings-app-secret', settings: ['app_secret', 'FEISHU_APP_SECRET'] },
  brand: { input: 'settings-brand', settings: ['brand', 'FEISHU_BRAND'] },
  redirectUri: { input: 'settings-redirect-uri', settings: ['redirect_uri', 'FEISHU_REDIRECT_URI'] },
  scopes: { input: 'settings-scopes', settings: ['scopes', 'FEISHU_SCOPES'] },
};

/**
 * Why a field is read-only, in words, for each reason the SettingsView can give (`readOnly[].reason`).
 */
const READ_ONLY_REASONS = {
  env: (lock) => t('settings.readOnly.env', { source: lock.source }),
  managed: () => t('settings.readOnly.managed'),
};

/** What the core accepts as an App ID, with Feishu's `cli_` in front (config.rs). */
const APP_ID = /^cli_[A-Za-z0-9_-]+$/;
/** Hosts a loopback redirect may name (redirect.rs). */
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];
/** Feishu's limit on the scopes of one request (scope.rs). */
const MAX_SCOPES = 50;
/** How long "Copied" stays beside a Copy button. */
const COPIED_MS = 2000;

let actions = null;
let saving = false;
let shown = null; // the SettingsView the form was filled from
let opener = null;
let locks = new Map(); // field → its readOnly entry
let fieldErrors = new Map(); // field → { key, vars, raw }: kept as keys, so a language switch rewords them
let formError = null; // { key, raw }
const copyTimers = new WeakMap(); // Copy button's note → the timer that clears it

export function mount(given) {
  actions = given;
  const dialog = $('settings-dialog');
  $('settings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    save();
  });
  $('close-settings').addEventListener('click', close);
  $('cancel-settings').addEventListener('click', close);
  // Escape closes a modal dialog by itself; tidy up the same way as the buttons do.
  dialog.addEventListener('close', cleanUp);
  for (const field of Object.keys(FIELDS)) {
    $(FIELDS[field].input).addEventListener('input', () => clearFieldError(field));
  }
  for (const button of dialog.querySelectorAll('[data-copy]')) {
    button.addEventListener('click', () => copy(button));
  }
}

/** Opens the dialog with the settings as saved now. */
export async function open() {
  const dialog = $('settings-dialog');
  if (dialog.open) return;
  opener = document.activeElement;
  clearErrors();
  try {
    fill(await actions.loadSettings());
  } catch (error) {
    // Still open: the user may be here to fix what stops the settings from loading.
    fill(actions.currentSettings());
    formError = { key: 'settings.loadFailed', raw: error.message };
    renderErrors();
  }
  dialog.showModal();
  $('settings-app-id').focus();
}

/** Re-applies what depends on the language: the read-only reasons, the problems, placeholders. */
export function render() {
  if (!$('settings-dialog').open || !shown) return;
  renderLocks();
  renderErrors();
}

function fill(settings) {
  shown = settings;
  locks = new Map((settings?.readOnly ?? []).map((lock) => [lock.field, lock]));
  const effective = (field, value) => (locks.get(field)?.value ?? value) || '';
  $('settings-app-id').value = effective('appId', settings?.appId);
  // Write-only: the secret is never sent to the page, and the field starts empty every time.
  $('settings-app-secret').value = '';
  $('settings-brand').value = settings?.brand === 'lark' ? 'lark' : 'feishu';
  $('settings-redirect-uri').value = effective('redirectUri', settings?.redirectUri);
  $('settings-redirect-uri').placeholder = settings?.loopbackRedirectUri ?? '';
  $('settings-scopes').value = effective('scopes', (settings?.scopes ?? []).join(' '));
  $('settings-loopback-uri').textContent = settings?.loopbackRedirectUri ?? '';
  $('settings-deep-link-uri').textContent = settings?.deepLinkRedirectUri ?? '';
  $('settings-config-path').textContent = settings?.configPath ?? '';
  $('settings-data-dir').textContent = settings?.dataDir ?? '';
  for (const note of $('settings-dialog').querySelectorAll('.copy-note')) note.textContent = '';
  // Shown only when they are not the brand's own hosts (a proxy, an emulator): where the App
  // Secret and the tokens go should never be a surprise.
  const custom = Boolean(settings?.accountsUrl || settings?.openUrl);
  $('settings-accounts-url').textContent = settings?.accountsUrl ?? '';
  $('settings-open-url').textContent = settings?.openUrl ?? '';
  for (const el of document.querySelectorAll('[data-endpoint]')) el.hidden = !custom;
  renderLocks();
}

/** The element that shows `field` now: for a read-only brand, the text box standing in for the list. */
function control(field) {
  if (field === 'brand' && locks.has('brand')) return $('settings-brand-shown');
  return $(FIELDS[field].input);
}

/** Every field read-only or not, with its reason; the notes the environment sets but no field shows. */
function renderLocks() {
  const settings = shown;
  $('settings-sandbox-note').hidden = !settings?.sandbox;

  for (const field of Object.keys(FIELDS)) {
    const lock = locks.get(field);
    const input = $(FIELDS[field].input);
    if (field === 'brand') {
      // A <select> has no read-only state, so a read-only text box shows the brand instead.
      const stand = $('settings-brand-shown');
      input.hidden = Boolean(lock);
      stand.hidden = !lock;
      input.closest('.field').querySelector('label').htmlFor = lock ? stand.id : input.id;
      if (lock) stand.value = brandName(lock.value ?? settings?.brand);
      setNote(lock ? input : stand, 'lock', null);
    } else {
      input.readOnly = Boolean(lock);
    }
    setNote(control(field), 'lock', lock ? (READ_ONLY_REASONS[lock.reason]?.(lock) ?? lock.reason) : null);
  }

  const secretLock = locks.get('appSecret');
  const secretStored = settings?.inFile?.appSecretSet ?? settings?.appSecretSet;
  const secretKey = !secretLock
    ? secretStored
      ? settings?.appSecretStorage === 'keyring'
        ? 'settings.appSecret.setKeyring'
        : 'settings.appSecret.set'
      : 'settings.appSecret.unset'
    : secretLock.reason === 'managed'
      ? 'settings.appSecret.managed'
      : 'settings.appSecret.env';
  $('settings-app-secret').placeholder = t(secretKey);

  // The variables that set something no field shows (the base URLs) are listed once.
  const shownSources = new Set([...locks.values()].filter((lock) => lock.reason === 'env').map((lock) => lock.source));
  const others = (settings?.overriddenByEnv ?? []).filter((name) => !shownSources.has(name));
  const note = $('settings-env-other');
  note.hidden = others.length === 0;
  note.textContent = others.length ? t('settings.envOther', { names: others.join(', ') }) : '';
}

function brandName(value) {
  return value === 'feishu' || value === 'lark' ? t(`settings.brand.${value}`) : (value ?? '');
}

async function save() {
  if (saving) return;
  clearErrors();
  const form = collect();
  const found = problems(form);
  if (found.length) {
    for (const problem of found) fieldErrors.set(problem.field, problem);
    renderErrors();
    control(found[0].field).focus();
    return;
  }
  saving = true;
  setButton($('save-settings'), { label: t('settings.saving'), busy: true });
  try {
    await actions.saveSettings(form);
    close();
  } catch (error) {
    showSaveError(error, form);
  } finally {
    saving = false;
    setButton($('save-settings'), { label: t('settings.save') });
  }
}

/**
 * The form as `save_settings` wants it: empty means "none" (or, for the secret, "keep"). A
 * read-only field sends back what the settings file holds, so that a value set elsewhere is
 * never copied into the file.
 */
function collect() {
  const file = shown?.inFile ?? {};
  const text = (field) => $(FIELDS[field].input).value.trim();
  const value = (field, fromFile) => (locks.has(field) ? (fromFile ?? null) : text(field) || null);
  return {
    appId: value('appId', file.appId),
    appSecret: locks.has('appSecret') ? null : text('appSecret') || null,
    // A brand locked by the organisation is sent back as it is in effect (the core keeps the file's).
    brand: locks.has('brand')
      ? (file.brand ?? (locks.get('brand').reason === 'managed' ? locks.get('brand').value : null) ?? 'feishu')
      : $(FIELDS.brand.input).value === 'lark' ? 'lark' : 'feishu',
    redirectUri: value('redirectUri', file.redirectUri),
    scopes: (value('scopes', file.scopes) ?? '').split(/\s+/).filter(Boolean),
  };
}

/** What is wrong with the editable fields of `form`, in the order they appear: `{ field, key, vars }`. */
function problems(form) {
  const found = [];
  for (const field of Object.keys(FIELDS)) {
    if (locks.has(field)) continue;
    const problem = check(field, form);
    if (problem) found.push({ field, ...problem });
  }
  return found;
}

/** The problem with one field of `form`, if any: `{ key, vars }`. */
function check(field, form) {
  switch (field) {
    case 'appId':
      return form.appId && !APP_ID.test(form.appId) ? { key: 'settings.invalid.appId' } : null;
    case 'appSecret': {
      const stored = shown?.inFile?.appSecretSet ?? shown?.appSecretSet;
      return form.appId && !form.appSecret && !stored ? { key: 'settings.invalid.appSecretNeeded' } : null;
    }
    case 'redirectUri':
      return form.redirectUri ? redirectProblem(form.redirectUri) : null;
    case 'scopes':
      return scopesProblem(form.scopes);
    default:
      return null;
  }
}

/**
 * A redirect URI the app can receive: `http://` on a loopback host with an explicit port, or the
 * app's own deep link; no fragment, no credentials (as `RedirectUri::parse` in redirect.rs).
 */
function redirectProblem(value) {
  const example = shown?.loopbackRedirectUri || 'http://127.0.0.1:28283/callback';
  const deepLink = shown?.deepLinkRedirectUri || 'dev.feishu-signin.app:/callback';
  const scheme = deepLink.slice(0, deepLink.indexOf(':'));
  // `127.0.0.1:28283/callback` and `localhost:28283/callback` lack only the scheme.
  if (/^[\w.-]+:\d+(\/|$)/.test(value) || /^\[[\d:a-f]+\]/i.test(value)) {
    return { key: 'settings.invalid.redirect.noScheme', vars: { example } };
  }
  let url;
  try {
    url = new URL(value);
  } catch {
    return { key: 'settings.invalid.redirect.notUrl', vars: { example } };
  }
  if (value.includes('#') || url.username || url.password) return { key: 'settings.invalid.redirect.extra' };
  const protocol = url.protocol.slice(0, -1).toLowerCase();
  if (protocol === 'http') {
    if (!LOOPBACK_HOSTS.includes(url.hostname)) return { key: 'settings.invalid.redirect.remote', vars: { example } };
    if (!url.port) return { key: 'settings.invalid.redirect.noPort', vars: { example } };
    return null;
  }
  if (protocol === 'https') return { key: 'settings.invalid.redirect.https', vars: { example } };
  if (protocol === scheme) return null;
  return { key: 'settings.invalid.redirect.scheme', vars: { scheme, example: deepLink } };
}

/** Each scope a name the sign-in screen accepts too, and no more than Feishu takes at once. */
function scopesProblem(scopes) {
  for (const scope of scopes) {
    if (isScope(scope)) continue;
    const key = /[,;，；、]/.test(scope) ? 'settings.invalid.scopeSeparator' : 'settings.invalid.scope';
    return { key, vars: { scope } };
  }
  const count = new Set(scopes).size;
  return count > MAX_SCOPES ? { key: 'settings.invalid.tooManyScopes', vars: { count, max: MAX_SCOPES } } : null;
}

/**
 * A save the Rust side refused: beside the field its config error names, in the person's words
 * (this window's own check of that field, else a general one), with the Rust text under Details.
 */
function showSaveError(error, form) {
  const field = error.kind === 'config' ? fieldOfSetting(error.message ?? '') : null;
  if (!field) {
    formError = { key: 'settings.saveFailed', raw: error.message };
    renderErrors();
    // It stands first in the dialog: bring it into view.
    $('settings-form-error').closest('.dialog-body').scrollTop = 0;
    return;
  }
  // The only App Secret the core refuses is a missing one.
  const problem = field === 'appSecret' ? { key: 'settings.invalid.appSecretNeeded' } : check(field, form);
  fieldErrors.set(field, { field, key: 'settings.rejected', ...problem, raw: error.message });
  renderErrors();
  control(field).focus();
}

/** The form field a config error is about, from the setting it names, if it is one of the form's. */
function fieldOfSetting(message) {
  const named = /invalid setting `([^`]+)`/.exec(message);
  if (!named) return null;
  const names = named[1].split('/').map((name) => name.trim());
  return Object.keys(FIELDS).find((field) => FIELDS[field].settings.some((name) => names.includes(name))) ?? null;
}

function renderErrors() {
  for (const field of Object.keys(FIELDS)) {
    const problem = fieldErrors.get(field);
    const input = control(field);
    if (problem) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
    setNote(input, 'error', problem ? t(problem.key, problem.vars) : null, problem?.raw);
  }
  const box = $('settings-form-error');
  box.hidden = !formError;
  if (!formError) {
    box.replaceChildren();
    return;
  }
  // Rewritten in place, so an open Details stays open across a language switch.
  let text = document.getElementById('settings-form-error-text');
  if (!text) {
    text = h('p', { id: 'settings-form-error-text' });
    box.replaceChildren(h('div', { class: 'form-error-body' }, text));
  }
  text.textContent = t(formError.key);
  setDetails(text, formError.raw);
}

function clearErrors() {
  fieldErrors = new Map();
  formError = null;
  renderErrors();
}

function clearFieldError(field) {
  if (!fieldErrors.delete(field)) return;
  renderErrors();
}

/**
 * Shows or removes a note (`lock` or `error`) right under a field's control, the reason it is
 * read-only first, and keeps the control's aria-describedby in step, so a screen reader reads the
 * note with the field. An error's own text (`raw`), when there is one, goes under Details.
 */
function setNote(input, kind, text, raw = null) {
  const noteId = `${input.id}-${kind}`;
  let note = document.getElementById(noteId);
  if (!text) {
    if (note) {
      setDetails(note, null);
      note.remove();
    }
  } else {
    if (!note) {
      note = h('p', { id: noteId, class: kind === 'error' ? 'field-error' : 'field-readonly' });
      const lockNote = document.getElementById(`${input.id}-lock`);
      (kind === 'error' && lockNote ? lockNote : input).after(note);
    }
    if (note.textContent !== text) note.textContent = text;
    setDetails(note, raw);
  }
  const ours = [`${input.id}-lock`, `${input.id}-error`];
  const others = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((id) => id && !ours.includes(id));
  const ids = [...ours.filter((id) => document.getElementById(id)), ...others];
  if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
  else input.removeAttribute('aria-describedby');
}

/** A collapsed "Details" with `raw` (the Rust side's own text) after `anchor`, or none. */
function setDetails(anchor, raw) {
  const id = `${anchor.id}-details`;
  let details = document.getElementById(id);
  if (!raw) {
    details?.remove();
    return;
  }
  if (!details) {
    details = h('details', { id, class: 'error-details' }, h('summary'), h('code'));
    anchor.after(details);
  }
  details.querySelector('summary').textContent = t('settings.details');
  details.querySelector('code').textContent = raw;
}

/** Copies the text a Copy button stands beside, and says so beside it for a moment. */
async function copy(button) {
  const note = button.nextElementSibling;
  let copied = false;
  try {
    await api.copyText($(button.dataset.copy).textContent);
    copied = true;
  } catch {
    copied = false;
  }
  note.textContent = t(copied ? 'settings.copied' : 'settings.copyFailed');
  note.dataset.result = copied ? 'copied' : 'failed';
  clearTimeout(copyTimers.get(note));
  copyTimers.set(note, setTimeout(() => {
    note.textContent = '';
  }, COPIED_MS));
}

function close() {
  const dialog = $('settings-dialog');
  // The `close` event comes a task later; clear the secret now rather than then.
  $('settings-app-secret').value = '';
  if (dialog.open) dialog.close();
}

function cleanUp() {
  // Never leave a typed secret lying in the DOM.
  $('settings-app-secret').value = '';
  clearErrors();
  if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
  opener = null;
}
