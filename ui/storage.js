// Preferences (language, theme) live in localStorage. Access can throw (storage disabled, quota),
// and a preference is never worth an error, so both helpers swallow failures.

const PREFIX = 'feishu-signin.';

export function loadPref(name) {
  try {
    return window.localStorage.getItem(PREFIX + name);
  } catch {
    return null;
  }
}

export function savePref(name, value) {
  try {
    if (value == null) window.localStorage.removeItem(PREFIX + name);
    else window.localStorage.setItem(PREFIX + name, value);
  } catch {
    // Not persisted; the choice still applies to this window.
  }
}
