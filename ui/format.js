// Dates, times and countdowns. All instants arrive as RFC 3339 strings from the Rust side.

import { locale, t } from './i18n.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Milliseconds since the epoch, or NaN. Rust writes up to nine fractional digits
 * ("…:05.123456789Z") and WebKit's Date parser rejects more than three, so trim them first.
 */
export function parseInstant(text) {
  if (typeof text !== 'string' || text === '') return NaN;
  return Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
}

const STYLES = {
  dateTime: { dateStyle: 'medium', timeStyle: 'short' },
  date: { dateStyle: 'long' },
  time: { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
};

// Making an Intl.DateTimeFormat is costly (ICU builds its patterns each time) and every render
// formats several instants, the first one before the first paint: one formatter per locale and
// style, made when first needed.
const formatters = new Map();

function format(style, ms) {
  if (!Number.isFinite(ms)) return '—';
  const key = `${locale()}|${style}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat(locale(), STYLES[style]);
    formatters.set(key, formatter);
  }
  return formatter.format(ms);
}

/** A local date and time, e.g. "24 Nov 2025, 16:05" or "2025年11月24日 16:05". */
export function formatDateTime(ms) {
  return format('dateTime', ms);
}

/** A local date only, for far-away deadlines. */
export function formatDate(ms) {
  return format('date', ms);
}

/** A wall-clock time with seconds, for the activity list. */
export function formatTime(ms) {
  return format('time', ms);
}

/** A short clock for the sign-in countdown: "4:07", or "1:04:07" past an hour. */
export function formatClock(ms) {
  const total = Math.max(0, Math.ceil(ms / SECOND));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(s).padStart(2, '0')}`;
}

/**
 * A length of time in words, at most three units, most significant first: "1 h 59 min 12 s",
 * "29 d 23 h 5 min" (beside days, seconds would only be noise). Countdowns keep zero units so
 * their width stays steady; `dropZeros` leaves them out for fixed lengths ("5 min").
 */
export function formatDuration(ms, { dropZeros = false } = {}) {
  const abs = Math.abs(ms);
  const units = [
    [Math.floor(abs / DAY), 'unit.d'],
    [Math.floor((abs % DAY) / HOUR), 'unit.h'],
    [Math.floor((abs % HOUR) / MINUTE), 'unit.min'],
    [Math.floor((abs % MINUTE) / SECOND), 'unit.s'],
  ];
  const first = units.findIndex(([n]) => n > 0);
  if (first === -1) return `0 ${t('unit.s')}`;
  let shown = units.slice(first, first + 3);
  if (dropZeros) shown = shown.filter(([n]) => n > 0);
  return shown.map(([n, unit]) => `${n} ${t(unit)}`).join(' ');
}

/** "in 1 h 59 min" / "expired 3 min ago", relative to `now`. */
export function formatCountdown(targetMs, now) {
  if (!Number.isFinite(targetMs)) return '';
  const left = targetMs - now;
  if (Math.abs(left) < SECOND) return t('duration.now');
  return left > 0 ? t('duration.in', { d: formatDuration(left) }) : t('duration.ago', { d: formatDuration(left) });
}

/** A refresh margin: "5 min", "2 min 30 s". */
export function formatMargin(seconds) {
  const ms = Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds) * SECOND : 5 * MINUTE;
  return formatDuration(ms, { dropZeros: true });
}

export const DAYS = DAY;
