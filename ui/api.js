// The only module that talks to the Rust side. Command names and argument shapes follow the IPC
// contract exactly; every rejection comes out as a ShellError so callers handle one shape.

function tauri() {
  const tauri = window.__TAURI__;
  if (!tauri?.core?.invoke || !tauri?.event?.listen) {
    throw { kind: 'internal', message: 'The Tauri IPC bridge is missing: this page only works inside the app.' };
  }
  return tauri;
}

/**
 * A ShellError from whatever a command rejected with: the Rust side sends the object, but Tauri
 * itself rejects with a plain string (e.g. an unknown command), and a bug may throw an Error.
 */
export function toShellError(error) {
  if (error && typeof error === 'object' && typeof error.kind === 'string') {
    return { ...error, message: String(error.message ?? error.kind) };
  }
  if (typeof error === 'string') return { kind: 'internal', message: error };
  return { kind: 'internal', message: String(error?.message ?? error) };
}

async function call(command, args) {
  try {
    return await tauri().core.invoke(command, args);
  } catch (error) {
    throw toShellError(error);
  }
}

export const api = {
  session: () => call('session'),
  signIn: (route, scopes, language, addScopes = false) => call('sign_in', { route, scopes, language, addScopes }),
  cancelSignIn: () => call('cancel_sign_in'),
  refresh: () => call('refresh'),
  signOut: () => call('sign_out'),
  copyAccessToken: () => call('copy_access_token'),
  copyText: (text) => call('copy_text', { text }),
  copySignInLink: () => call('copy_sign_in_link'),
  openSignInPage: () => call('open_sign_in_page'),
  tryDemo: () => call('try_demo'),
  fonts: () => call('fonts'),
  settings: () => call('settings'),
  saveSettings: (settings) => call('save_settings', { settings }),
  // `after`: only the entries numbered after it.
  activity: (after) => call('activity', after ? { after } : {}),
  firstRender: (view) => call('first_render', { view }),
  profiles: () => call('profiles'),
  switchProfile: (name) => call('switch_profile', { name }),
  addProfile: (name) => call('add_profile', { name }),
  removeProfile: (name) => call('remove_profile', { name }),
  keepalive: () => call('keepalive'),
  setKeepalive: (enabled) => call('set_keepalive', { enabled }),
  storage: () => call('storage'),
};

/** Subscribes to a Rust event; `handler` gets the payload. Resolves once subscribed. */
export async function listen(event, handler) {
  try {
    return await tauri().event.listen(event, (message) => handler(message.payload));
  } catch (error) {
    throw toShellError(error);
  }
}
