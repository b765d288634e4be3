// The settings dialog: App ID, App Secret (write-only), brand, redirect URI and default scopes.
// It shows what is saved now, notes the values the environment overrides, and puts a config
// error beside the field it names.

import { $, setButton } from '../dom.js';
import { t } from '../i18n.js';

// Which environment variable overrides which field (the shared environment contract).
const ENV_FIELDS = {
  FEISHU_APP_ID: 'appId',
  FEISHU_APP_SECRET: 'appSecret',
  FEISHU_BRAND: 'brand',
  FEISHU_REDIRECT_URI: 'redirectUri',
  FEISHU_SCOPES: 'scopes',
};

const INPUTS = {
  appId: 'settings-app-id',
  appSecret: 'settings-app-secret',
  brand: 'settings-brand',
  redirectUri: 'settings-redirect-uri',
  scopes: 'settings-scopes',
};

// A config error names the setting in words; these find the field it is about. When several
// match, the one named first in the message wins (messages start with what failed).
const FIELD_PATTERNS = [
  ['appSecret', /secret|FEISHU_APP_SECRET/i],
  ['appId', /app[\s_-]?id|client_id|FEISHU_APP_ID/i],
  ['brand', /brand|FEISHU_BRAND/i],
  ['redirectUri', /redirect|FEISHU_REDIRECT_URI/i],
  ['scopes', /scope|FEISHU_SCOPES/i],
];

let actions = null;
let saving = false;
let shown = null; // the SettingsView the form was filled from
let opener = null;

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
  for (const id of Object.values(INPUTS)) $(id).addEventListener('input', () => clearFieldError(id));
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
    showFormError(t('settings.loadFailed', { message: error.message }));
  }
  dialog.showModal();
  $('settings-app-id').focus();
}

/** Re-applies texts that depend on the language (the placeholder, the env notes). */
export function render() {
  if ($('settings-dialog').open && shown) renderNotes(shown);
}

function fill(settings) {
  shown = settings;
  $('settings-app-id').value = settings?.appId ?? '';
  // Write-only: the secret is never sent to the page, and the field starts empty every time.
  $('settings-app-secret').value = '';
  $('settings-brand').value = settings?.brand === 'lark' ? 'lark' : 'feishu';
  $('settings-redirect-uri').value = settings?.redirectUri ?? '';
  $('settings-redirect-uri').placeholder = settings?.loopbackRedirectUri ?? '';
  $('settings-scopes').value = (settings?.scopes ?? []).join(' ');
  $('settings-loopback-uri').textContent = settings?.loopbackRedirectUri ?? '';
  $('settings-deep-link-uri').textContent = settings?.deepLinkRedirectUri ?? '';
  $('settings-config-path').textContent = settings?.configPath ?? '';
  $('settings-data-dir').textContent = settings?.dataDir ?? '';
  // Shown only when they are not the brand's own hosts (a proxy, an emulator): where the App
  // Secret and the tokens go should never be a surprise.
  const custom = Boolean(settings?.accountsUrl || settings?.openUrl);
  $('settings-accounts-url').textContent = settings?.accountsUrl ?? '';
  $('settings-open-url').textContent = settings?.openUrl ?? '';
  for (const el of document.querySelectorAll('[data-endpoint]')) el.hidden = !custom;
  renderNotes(settings);
}

function renderNotes(settings) {
  $('settings-sandbox-note').hidden = !settings?.sandbox;
  $('settings-app-secret').placeholder = t(settings?.appSecretSet ? 'settings.appSecret.set' : 'settings.appSecret.unset');

  const overridden = settings?.overriddenByEnv ?? [];
  for (const [field, id] of Object.entries(INPUTS)) {
    const variable = Object.keys(ENV_FIELDS).find((name) => ENV_FIELDS[name] === field && overridden.includes(name));
    setNote($(id), 'env', variable ? t('settings.env', { name: variable }) : null);
  }
  const others = overridden.filter((name) => !(name in ENV_FIELDS));
  const note = $('settings-env-other');
  note.hidden = others.length === 0;
  note.textContent = others.length ? t('settings.envOther', { names: others.join(', ') }) : '';
}

async function save() {
  if (saving) return;
  clearErrors();
  const payload = collect();
  saving = true;
  setButton($('save-settings'), { label: t('settings.saving'), busy: true });
  try {
    await actions.saveSettings(payload);
    close();
  } catch (error) {
    showError(error);
  } finally {
    saving = false;
    setButton($('save-settings'), { label: t('settings.save') });
  }
}

/** The form as `save_settings` wants it: empty means "none" (or, for the secret, "keep"). */
function collect() {
  const text = (id) => $(id).value.trim();
  return {
    appId: text(INPUTS.appId) || null,
    appSecret: text(INPUTS.appSecret) || null,
    brand: $(INPUTS.brand).value === 'lark' ? 'lark' : 'feishu',
    redirectUri: text(INPUTS.redirectUri) || null,
    scopes: text(INPUTS.scopes).split(/\s+/).filter(Boolean),
  };
}

function showError(error) {
  const field = error.kind === 'config' ? fieldNamedIn(`${error.message ?? ''} ${error.meaning ?? ''}`) : null;
  if (!field) return showFormError(error.message);
  const input = $(INPUTS[field]);
  setNote(input, 'error', error.message);
  input.setAttribute('aria-invalid', 'true');
  input.focus();
}

function fieldNamedIn(text) {
  let best = null;
  for (const [field, pattern] of FIELD_PATTERNS) {
    const at = text.search(pattern);
    if (at !== -1 && (best === null || at < best.at)) best = { field, at };
  }
  return best?.field ?? null;
}

function showFormError(message) {
  const box = $('settings-form-error');
  box.textContent = message;
  box.hidden = false;
}

function clearErrors() {
  $('settings-form-error').hidden = true;
  for (const id of Object.values(INPUTS)) clearFieldError(id);
}

function clearFieldError(id) {
  const input = $(id);
  input.removeAttribute('aria-invalid');
  setNote(input, 'error', null);
}

/**
 * Shows or removes a note (`env` or `error`) under a field and keeps the input's
 * aria-describedby in step, so a screen reader reads the note with the field.
 */
function setNote(input, kind, text) {
  const field = input.closest('.field');
  const noteId = `${input.id}-${kind}`;
  let note = document.getElementById(noteId);
  if (!text) {
    note?.remove();
  } else {
    if (!note) {
      note = document.createElement('p');
      note.id = noteId;
      note.className = kind === 'error' ? 'field-error' : 'field-env';
      field.append(note);
    }
    note.textContent = text;
  }
  const ids = (input.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((id) => id && id !== noteId);
  if (text) ids.push(noteId);
  input.setAttribute('aria-describedby', ids.join(' '));
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
