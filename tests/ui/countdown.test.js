// ui/format.js's countdowns against the clock that drives them: the text changes only at the
// instants `countdownChangesIn` names (so the window's clock, which sleeps until then, never shows
// a stale text), once a minute far from the target, every second in its last two minutes.
// Run: node --test tests/ui/countdown.test.js

import assert from 'node:assert/strict';
import test from 'node:test';

// The page's globals the strings read (Node 20 has no `navigator`): English.
Object.defineProperty(globalThis, 'navigator', { value: { language: 'en' }, configurable: true });
const { countdownChangesIn, formatCountdown } = await import('../../ui/format.js');

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Walks `now` millisecond by millisecond from `from` for `span`, checking every text change. */
function walk(target, from, span) {
  let now = from;
  let text = formatCountdown(target, now);
  let wake = now + countdownChangesIn(target, now);
  const changes = [];
  for (; now < from + span; now += 1) {
    const next = formatCountdown(target, now);
    if (next !== text) {
      assert.ok(now >= wake, `"${text}" became "${next}" at ${now - from} ms, before the clock's wake at ${wake - from} ms`);
      changes.push(now);
      text = next;
    }
    if (now >= wake) wake = now + countdownChangesIn(target, now);
  }
  return changes;
}

test('far from its target a countdown changes once a minute, on the minute, without seconds', () => {
  const from = Date.UTC(2026, 5, 1, 10, 0, 17, 300);
  const target = from + 2 * 60 * MINUTE + 41_123;
  assert.equal(formatCountdown(target, from), 'in 2 h 0 min');
  const changes = walk(target, from, 5 * MINUTE);
  assert.equal(changes.length, 5);
  for (const at of changes) assert.equal(at % MINUTE, 0);
  assert.ok(countdownChangesIn(target, from) <= MINUTE);
});

test('in its last two minutes and its first ones past, it counts seconds', () => {
  const target = Date.UTC(2026, 5, 1, 12, 0, 0, 0) + 417;
  const from = target - 3 * MINUTE;
  const changes = walk(target, from, 6 * MINUTE);
  const beforeSeconds = changes.filter((at) => at < target - 2 * MINUTE);
  assert.ok(beforeSeconds.length <= 1, `${beforeSeconds.length} changes before the last two minutes`);
  assert.ok(changes.length > 4 * 60 - 5, `${changes.length} changes`);
  assert.match(formatCountdown(target, target - 30 * SECOND), /s$/);
  assert.match(formatCountdown(target, target + 5 * MINUTE), /^expired [45] min ago$/, "minutes again, counted on the clock's minute");
});
