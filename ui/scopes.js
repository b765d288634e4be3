// The scopes this app knows by name, in the order the sign-in screen lists them, with what each
// means in English and Chinese: one data file, scope-catalogue.json, which the emulator's consent
// page reads too. Any other scope is shown by name alone.

import catalogue from './scope-catalogue.json' with { type: 'json' };
import { getLang } from './i18n.js';

export const KNOWN_SCOPES = catalogue.map((entry) => entry.name);

/** Without it Feishu issues no refresh token, so it is on unless the settings say otherwise. */
export const OFFLINE_ACCESS = 'offline_access';

export function describeScope(scope) {
  const entry = catalogue.find((known) => known.name === scope);
  return entry ? entry[getLang()] ?? entry.en : null;
}

/**
 * Whether `text` is usable as one scope: Feishu scopes are words like `contact:user.base:readonly`;
 * spaces would split it in the `scope` parameter and quotes have no business in one.
 */
export function isScope(text) {
  return /^[A-Za-z0-9_.:\-\/]+$/.test(text);
}
