// Dates, times and countdowns. All instants arrive as RFC 3339 strings from the Rust side.

import { formatPattern, isPattern, learnPattern } from './date-patterns.js';
import { locale, t } from './i18n.js';
import { loadPref, savePref } from './storage.js';

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
// formats several instants: one formatter per locale and style, made when first needed. The first
// Intl object of a run costs more still (ICU starts up), so a start formats with the patterns
// learned in an earlier run (date-patterns.js), and Intl starts a moment after the first paint:
// it learns this run's formats again, keeps them for the next start, and has the view rendered
// again if a kept pattern no longer matched (a new ICU, another system locale).
const formatters = new Map();
const PATTERNS_PREF = 'date-patterns';
const REVIEW_DELAY_MS = 1000;
let patterns = null;
let reviewScheduled = false;
const changeListeners = new Set();

/** Calls `listener` when dates already on screen may read differently (see above). */
export function onFormatsChanged(listener) {
  changeListeners.add(listener);
}

function format(style, ms) {
  if (!Number.isFinite(ms)) return '—';
  return formatter(`${locale()}|${style}`).format(ms);
}

/** `{ format(ms), intl }` for `locale|style`; `intl` is null while a kept pattern stands in. */
function formatter(key) {
  let formatter = formatters.get(key);
  if (!formatter) {
    const pattern = keptPatterns()[key];
    formatter = pattern ? { format: (ms) => formatPattern(pattern, ms), intl: null } : intlFormatter(key);
    formatters.set(key, formatter);
    scheduleReview();
  }
  return formatter;
}

function intlFormatter(key) {
  const [tag, style] = key.split('|');
  const intl = new Intl.DateTimeFormat(tag, STYLES[style]);
  return { format: (ms) => intl.format(ms), intl };
}

/** The patterns kept by earlier runs, by `locale|style`; a damaged entry is ignored. */
function keptPatterns() {
  if (patterns === null) {
    patterns = {};
    try {
      const stored = JSON.parse(loadPref(PATTERNS_PREF) ?? '{}');
      for (const [key, value] of Object.entries(stored ?? {})) if (isPattern(value)) patterns[key] = value;
    } catch {
      // Unreadable: learned again at the review.
    }
  }
  return patterns;
}

function scheduleReview() {
  if (reviewScheduled) return;
  reviewScheduled = true;
  setTimeout(review, REVIEW_DELAY_MS);
}

/** Moves every format in use to Intl, and keeps its pattern (learned anew) for the next start. */
function review() {
  reviewScheduled = false;
  const kept = keptPatterns();
  let changed = false;
  for (const [key, current] of formatters) {
    const formatter = current.intl ? current : intlFormatter(key);
    const learned = learnPattern(formatter.intl);
    if (!current.intl && JSON.stringify(kept[key]) !== JSON.stringify(learned)) changed = true;
    if (learned) kept[key] = learned;
    else delete kept[key];
    formatters.set(key, formatter);
  }
  savePref(PATTERNS_PREF, JSON.stringify(kept));
  if (changed) for (const listener of changeListeners) listener();
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
 * their width stays steady; `dropZeros` leaves them out for fixed lengths ("5 min"); `seconds:
 * false` stops at minutes.
 */
export function formatDuration(ms, { dropZeros = false, seconds = true } = {}) {
  const abs = Math.abs(ms);
  const units = [
    [Math.floor(abs / DAY), 'unit.d'],
    [Math.floor((abs % DAY) / HOUR), 'unit.h'],
    [Math.floor((abs % HOUR) / MINUTE), 'unit.min'],
    [Math.floor((abs % MINUTE) / SECOND), 'unit.s'],
  ].slice(0, seconds ? 4 : 3);
  const first = units.findIndex(([n]) => n > 0);
  if (first === -1) return `0 ${t(seconds ? 'unit.s' : 'unit.min')}`;
  let shown = units.slice(first, first + 3);
  if (dropZeros) shown = shown.filter(([n]) => n > 0);
  return shown.map(([n, unit]) => `${n} ${t(unit)}`).join(' ');
}

/**
 * A countdown shows seconds only in its last minutes (and the first ones after its target): the
 * rest of the time its text changes once a minute, and so does the window.
 */
const SECONDS_SHOWN_UNDER = 2 * MINUTE;

/** The step a countdown to `targetMs` moves in at `now`: a second near the target, else a minute. */
function countdownStep(targetMs, now) {
  return Math.abs(targetMs - now) < SECONDS_SHOWN_UNDER ? SECOND : MINUTE;
}

/**
 * "in 1 h 59 min" / "expired 3 min ago", relative to `now`. Counted from the start of the clock's
 * current minute (second, near the target), so every countdown on screen changes at once, on the
 * clock's step.
 */
export function formatCountdown(targetMs, now) {
  if (!Number.isFinite(targetMs)) return '';
  const step = countdownStep(targetMs, now);
  const left = targetMs - Math.floor(now / step) * step;
  if (Math.abs(left) < SECOND) return t('duration.now');
  const d = formatDuration(left, { seconds: step === SECOND });
  return left > 0 ? t('duration.in', { d }) : t('duration.ago', { d });
}

/**
 * Milliseconds from `now` until `formatCountdown(targetMs, ·)` may read differently: the clock's
 * next step, or the moment the seconds appear or go. What the window's clock sleeps for.
 */
export function countdownChangesIn(targetMs, now) {
  if (!Number.isFinite(targetMs)) return Infinity;
  const step = countdownStep(targetMs, now);
  // The seconds appear on the first millisecond within the last minutes, and go when as much
  // time has passed the target.
  const thresholds = [targetMs - SECONDS_SHOWN_UNDER + 1, targetMs + SECONDS_SHOWN_UNDER];
  return Math.min(step - (now % step), untilNext(thresholds, now));
}

/** Milliseconds from `now` until the first of `instants` still ahead (Infinity: none is). */
export function untilNext(instants, now) {
  const ahead = instants.filter((at) => Number.isFinite(at) && at > now);
  return ahead.length ? Math.min(...ahead) - now : Infinity;
}

/** A refresh margin: "5 min", "2 min 30 s". */
export function formatMargin(seconds) {
  const ms = Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds) * SECOND : 5 * MINUTE;
  return formatDuration(ms, { dropZeros: true });
}

export const DAYS = DAY;
