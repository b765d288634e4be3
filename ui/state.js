// The page's whole state in one object. Actions change it with `update`; views render from it.
// Renders are batched to one per microtask, so an action that updates twice paints once.

export const state = {
  loaded: false, // the first `session`/`settings` answer has arrived (or failed)
  session: null, // SessionView | null
  settings: null, // SettingsView | null
  signIn: null, // { stage, route, deadline, startedAt, browserFailed, browserError } while a sign-in is under way
  signInOutcome: null, // 'signedIn' | 'failed' | 'cancelled' | 'declined' after the last sign-in; 'ended' when the session could not be renewed
  refreshTrouble: null, // { error: ShellError, retryAt } while the background refresh is failing
  fonts: null, // { chinese: boolean | null } once looked up
  error: null, // { context, error: ShellError, retry?: () => void }
  activity: [], // ActivityEntry[], oldest first
  busy: {}, // { refresh?: true, copy?: true, signOut?: true, cancel?: true }
  copiedAt: 0, // when the token was last copied, for the button's "Copied" moment
  notice: null, // { text, id } for the toast
  profiles: [], // ProfileChoice[]: every profile, the shown one marked
  keepalive: null, // { enabled, notStarted } of the shown profile, once known
  storage: null, // { tokens: 'keyring' | 'file', appSecret } of the shown profile, once known
};

const listeners = new Set();
let scheduled = false;

export function update(patch) {
  Object.assign(state, patch);
  if (scheduled) return;
  scheduled = true;
  queueMicrotask(() => {
    scheduled = false;
    for (const listener of listeners) listener(state);
  });
}

export function subscribe(listener) {
  listeners.add(listener);
}
