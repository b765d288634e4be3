// The scopes this app knows by name, in the order the sign-in screen lists them.
// Their descriptions are the `scope.<name>` strings; any other scope is shown by name alone.

import { has, t } from './i18n.js';

export const KNOWN_SCOPES = [
  'offline_access',
  'contact:user.base:readonly',
  'contact:user.email:readonly',
  'contact:user.employee_id:readonly',
  'contact:user.employee:readonly',
  'contact:user.phone:readonly',
];

/** Without it Feishu issues no refresh token, so it is on unless the settings say otherwise. */
export const OFFLINE_ACCESS = 'offline_access';

export function describeScope(scope) {
  return has(`scope.${scope}`) ? t(`scope.${scope}`) : null;
}

/**
 * Whether `text` is usable as one scope: Feishu scopes are words like `contact:user.base:readonly`;
 * spaces would split it in the `scope` parameter and quotes have no business in one.
 */
export function isScope(text) {
  return /^[A-Za-z0-9_.:\-\/]+$/.test(text);
}
