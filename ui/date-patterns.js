// Date formats learned from Intl and replayed without it.
//
// The first Intl object of a run costs WebKit about 7 ms (ICU loads its data and JavaScriptCore
// builds its table of available locales), and the signed-in view shows three dates, so that was
// 7 ms of every start before the first paint. A format (a locale and a set of options) is taken
// apart here with formatToParts instead: the order of its fields, the literals between them, its
// month names, day periods, clock and padding. The result is plain data, kept by format.js between
// runs, and replaying it needs only Date's own getters. It is accepted only if it reproduces Intl
// exactly on dates chosen to reach every month, both halves of the day, midnight and noon, and
// one- and two-digit days; a format it cannot replay (weekdays, eras, another calendar or other
// digits) is left to Intl.

/** The fields a pattern can replay (besides literals). */
const FIELDS = new Set(['year', 'month', 'day', 'hour', 'minute', 'second', 'dayPeriod']);

/** Local times, one- and two-digit in every field, in each month and both halves of the day. */
const PROBE = [2001, 0, 5, 3, 4, 5];
const CHECKS = [
  [1999, 11, 31, 23, 59, 59],
  [2000, 1, 29, 0, 0, 0],
  [2001, 0, 5, 3, 4, 5],
  [2009, 8, 9, 12, 0, 9],
  [2010, 9, 10, 11, 10, 10],
  [2024, 2, 1, 13, 30, 0],
  [2026, 10, 24, 21, 38, 7],
  [2038, 6, 4, 9, 5, 45],
  [2100, 3, 30, 15, 45, 1],
];

function local([year, month, day, hour, minute, second]) {
  return new Date(year, month, day, hour, minute, second).getTime();
}

/**
 * The pattern of `intl` (an Intl.DateTimeFormat) as JSON-safe data, or null when a pattern
 * cannot reproduce it.
 */
export function learnPattern(intl) {
  const { calendar, numberingSystem, hourCycle } = intl.resolvedOptions();
  if (calendar !== 'gregory' || numberingSystem !== 'latn') return null;
  const parts = intl.formatToParts(local(PROBE));
  if (parts.some(({ type }) => type !== 'literal' && !FIELDS.has(type))) return null;
  const monthName = (month) => intl.formatToParts(local([2001, month, 5, 3, 4, 5])).find((p) => p.type === 'month')?.value;
  const dayPeriod = (hour) => intl.formatToParts(local([2001, 0, 5, hour, 4, 5])).find((p) => p.type === 'dayPeriod')?.value;
  // The literals as format() writes them, which need not be as formatToParts gives them: V8's
  // format() has a plain space where formatToParts has U+202F before "AM".
  const written = intl.format(local(PROBE));
  let at = 0;
  const pattern = {
    // A numeric field's width in the probe, where every value is a single digit: 2 means padded.
    parts: parts.map(({ type, value }) => {
      const part = type === 'literal' ? { literal: written.slice(at, at + value.length) } : { field: type, width: value.length };
      at += value.length;
      return part;
    }),
    hourCycle: hourCycle ?? 'h23',
    months: Array.from({ length: 12 }, (_, month) => monthName(month) ?? ''),
    // By hour: some locales have more than two (zh-TW: 凌晨, 清晨, 上午, 中午, 下午, 晚上).
    dayPeriods: Array.from({ length: 24 }, (_, hour) => dayPeriod(hour) ?? ''),
  };
  const faithful = CHECKS.every((check) => formatPattern(pattern, local(check)) === intl.format(local(check)));
  return faithful ? pattern : null;
}

/** `ms` (since the epoch) in local time, as the Intl format that `pattern` was learned from. */
export function formatPattern(pattern, ms) {
  const date = new Date(ms);
  let text = '';
  for (const part of pattern.parts) {
    text += 'literal' in part ? part.literal : field(pattern, part, date);
  }
  return text;
}

function field(pattern, { field: name, width }, date) {
  switch (name) {
    case 'year': {
      const year = String(date.getFullYear());
      return width === 2 ? year.slice(-2) : year;
    }
    case 'month':
      return pattern.months[date.getMonth()];
    case 'day':
      return pad(date.getDate(), width);
    case 'hour':
      return pad(clockHour(date.getHours(), pattern.hourCycle), width);
    case 'minute':
      return pad(date.getMinutes(), width);
    case 'second':
      return pad(date.getSeconds(), width);
    case 'dayPeriod':
      return pattern.dayPeriods[date.getHours()];
    default:
      return '';
  }
}

/** The hour as the clock shows it: h12 is 12, 1…11; h11 is 0…11; h24 is 1…24. */
function clockHour(hour, hourCycle) {
  switch (hourCycle) {
    case 'h12':
      return hour % 12 || 12;
    case 'h11':
      return hour % 12;
    case 'h24':
      return hour || 24;
    default:
      return hour;
  }
}

function pad(value, width) {
  return String(value).padStart(width, '0');
}

/** Whether `value` (parsed from storage) has a pattern's shape, so a damaged one is ignored. */
export function isPattern(value) {
  return (
    value != null &&
    Array.isArray(value.parts) &&
    value.parts.every((p) => typeof p?.literal === 'string' || (FIELDS.has(p?.field) && Number.isInteger(p?.width))) &&
    typeof value.hourCycle === 'string' &&
    Array.isArray(value.months) &&
    value.months.length === 12 &&
    value.months.every((m) => typeof m === 'string') &&
    Array.isArray(value.dayPeriods) &&
    value.dayPeriods.length === 24 &&
    value.dayPeriods.every((d) => typeof d === 'string')
  );
}
