// ui/date-patterns.js against the Intl it learns from: every format the app uses, in the locales
// its two languages resolve to, in time zones with and without daylight saving, must come out
// character for character as Intl writes it; what a pattern cannot replay must be refused.
// Run: node --test tests/ui/date-patterns.test.js

import assert from 'node:assert/strict';
import test from 'node:test';

import { formatPattern, isPattern, learnPattern } from '../../ui/date-patterns.js';

/** The app's formats (ui/format.js STYLES) and a few more shapes. */
const OPTIONS = [
  { dateStyle: 'medium', timeStyle: 'short' },
  { dateStyle: 'long' },
  { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
  { dateStyle: 'short', timeStyle: 'medium' },
  { year: '2-digit', month: '2-digit', day: '2-digit', hour: 'numeric', minute: '2-digit', hour12: true },
  { month: 'long', day: 'numeric', hour: 'numeric', hourCycle: 'h11' },
  { hour: 'numeric', minute: '2-digit', hourCycle: 'h24' },
];

/** What `locale()` in ui/i18n.js can return: the system's variant of English or Chinese. */
const LOCALES = ['en-US', 'en-GB', 'en-AU', 'en-CA', 'en-IN', 'en-SG', 'zh-CN', 'zh-TW', 'zh-HK', 'zh-SG', 'zh-Hant'];

const ZONES = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'UTC'];

/** Instants from 1970 to 2100, the same on every run. */
function instants(count) {
  let seed = 20261124;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  return Array.from({ length: count }, () => Math.floor(next() * Date.UTC(2100, 0, 1)));
}

test('a learned pattern writes every date exactly as Intl does', () => {
  const dates = instants(400);
  for (const zone of ZONES) {
    process.env.TZ = zone;
    for (const locale of LOCALES) {
      for (const options of OPTIONS) {
        const intl = new Intl.DateTimeFormat(locale, options);
        const learned = learnPattern(intl);
        const label = `${locale} ${JSON.stringify(options)} in ${zone}`;
        assert.ok(learned, `no pattern for ${label}`);
        // Kept as JSON between runs: what comes back must still be a pattern and still faithful.
        const pattern = JSON.parse(JSON.stringify(learned));
        assert.ok(isPattern(pattern), label);
        for (const ms of dates) assert.equal(formatPattern(pattern, ms), intl.format(ms), `${label} at ${ms}`);
      }
    }
  }
  delete process.env.TZ;
});

test('a format a pattern cannot replay is left to Intl', () => {
  const refused = [
    ['en-US', { weekday: 'long', hour: 'numeric' }],
    ['en-US', { era: 'short', year: 'numeric' }],
    ['en-US', { timeStyle: 'full' }], // a time zone name
    ['en-US', { hour: 'numeric', fractionalSecondDigits: 2 }],
    ['ar-EG', { dateStyle: 'medium' }], // Arabic-Indic digits
    ['th-TH-u-ca-buddhist', { dateStyle: 'medium' }], // another calendar
  ];
  for (const [locale, options] of refused) {
    assert.equal(learnPattern(new Intl.DateTimeFormat(locale, options)), null, `${locale} ${JSON.stringify(options)}`);
  }
});

test('damaged stored data is not taken for a pattern', () => {
  const good = learnPattern(new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' }));
  assert.ok(isPattern(good));
  const damaged = [
    null,
    {},
    [],
    'pattern',
    { ...good, months: good.months.slice(1) },
    { ...good, dayPeriods: ['AM', 'PM'] },
    { ...good, parts: [{ field: 'weekday', width: 1 }] },
    { ...good, parts: [{ field: 'day', width: '2' }] },
    { ...good, parts: [null] },
    { ...good, hourCycle: undefined },
  ];
  for (const value of damaged) assert.equal(isPattern(value), false, JSON.stringify(value));
});
