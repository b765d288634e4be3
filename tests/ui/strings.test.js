// The string tables, ui/strings/en.js and ui/strings/zh.js: both languages have the same keys, no
// empty string, and the same `{name}` placeholders; every key the UI asks for exists, whether in
// ui/index.html (`data-i18n`, `data-i18n-attr`, as `applyStatic` in ui/i18n.js reads them) or in
// ui/**/*.js (the string literals given to `t()` and `has()`, and every other literal shaped like a
// key of the tables, such as the labels of a table of fields). A key built in a template literal,
// `scope.${name}`, must match at least one key. The sources are read as text, with a small tokenizer.
// Run: node --test tests/ui/strings.test.js

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import test from 'node:test';
import { fileURLToPath } from 'node:url';

import { en } from '../../ui/strings/en.js';
import { zh } from '../../ui/strings/zh.js';

const STRINGS = { en, zh };
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const UI = join(ROOT, 'ui');
/** The tables themselves are not uses of keys. */
const TABLES = join(UI, 'strings');

/** The placeholders `t()` fills: the same pattern as ui/i18n.js. */
const placeholders = (text) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

/** Fails with one line per offence, under a heading, when there are any. */
function report(heading, offences) {
  assert.ok(offences.length === 0, `${heading} (${offences.length}):\n  ${offences.join('\n  ')}`);
}

function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return path === TABLES ? [] : jsFiles(path);
    return entry.name.endsWith('.js') ? [path] : [];
  });
}

// ---- A tokenizer for the UI's own JavaScript: enough to find calls and string literals, and to
// skip comments, regular expressions and the text of strings. Tokens: { type: 'ident' | 'str' |
// 'tpl' | 'punct' | 'num' | 'regex', value, line }; a template literal is a 'tpl' whose `quasis` are its
// static parts, followed by the tokens of its `${…}` expressions between '${' and '}' puncts.

const REGEX_AFTER_WORDS = new Set(['return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'new', 'delete', 'void', 'throw', 'yield', 'await']);

function tokenize(src) {
  const tokens = [];
  let i = 0;
  let line = 1;
  const push = (type, value, extra = {}) => tokens.push({ type, value, line, ...extra });
  const regexCanStart = () => {
    const prev = tokens.at(-1);
    if (!prev) return true;
    if (prev.type === 'punct') return !/^[)\]}]$/.test(prev.value);
    return prev.type === 'ident' && REGEX_AFTER_WORDS.has(prev.value);
  };
  const readString = (quote) => {
    let value = '';
    for (i++; i < src.length && src[i] !== quote; i++) {
      if (src[i] === '\n') throw new Error(`line ${line}: a string runs past the end of the line`);
      if (src[i] === '\\') value += src[++i];
      else value += src[i];
    }
    i++;
    return value;
  };
  // Templates nest (`${`a${b}`}`): `braces` counts the open braces of each `${` being read.
  const braces = [];
  const readTemplatePart = () => {
    // At the character after '`' or after the '}' that closes a `${`; returns the static text and
    // whether a `${` follows.
    let text = '';
    while (i < src.length && src[i] !== '`') {
      if (src[i] === '\\') {
        text += src[i + 1];
        i += 2;
      } else if (src[i] === '$' && src[i + 1] === '{') {
        return { text, open: true };
      } else {
        if (src[i] === '\n') line++;
        text += src[i++];
      }
    }
    i++;
    return { text, open: false };
  };
  // The template whose `${…}` is being read, innermost last.
  const templates = [];
  const continueTemplate = (tpl) => {
    const part = readTemplatePart();
    tpl.quasis.push(part.text);
    if (part.open) {
      i += 2;
      push('punct', '${');
      templates.push(tpl);
      braces.push(0);
    }
  };
  while (i < src.length) {
    const c = src[i];
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (src.startsWith('//', i)) while (i < src.length && src[i] !== '\n') i++;
    else if (src.startsWith('/*', i)) {
      const end = src.indexOf('*/', i + 2);
      line += (src.slice(i, end).match(/\n/g) ?? []).length;
      i = end + 2;
    } else if (c === "'" || c === '"') push('str', readString(c));
    else if (c === '`') {
      const tpl = { type: 'tpl', quasis: [], line };
      tokens.push(tpl);
      i++;
      continueTemplate(tpl);
    } else if (c === '{' && braces.length) {
      braces[braces.length - 1]++;
      push('punct', c);
      i++;
    } else if (c === '}' && braces.length && braces.at(-1) === 0) {
      braces.pop();
      push('punct', '}');
      i++;
      continueTemplate(templates.pop());
    } else if (c === '}' && braces.length) {
      braces[braces.length - 1]--;
      push('punct', c);
      i++;
    } else if (c === '/' && regexCanStart()) {
      let inClass = false;
      for (i++; i < src.length && (inClass || src[i] !== '/'); i++) {
        if (src[i] === '\n') throw new Error(`line ${line}: a regular expression runs past the end of the line`);
        if (src[i] === '\\') i++;
        else if (src[i] === '[') inClass = true;
        else if (src[i] === ']') inClass = false;
      }
      for (i++; /[a-z]/.test(src[i] ?? ''); i++);
      push('regex', '');
    } else if (/[A-Za-z_$]/.test(c)) {
      const word = /^[\w$]+/.exec(src.slice(i))[0];
      push('ident', word);
      i += word.length;
    } else if (/[0-9]/.test(c)) {
      const number = /^[\w.]+/.exec(src.slice(i))[0];
      push('num', number);
      i += number.length;
    } else {
      push('punct', c);
      i++;
    }
  }
  if (braces.length) throw new Error('a template literal is not closed');
  return tokens;
}

const OPEN = new Set(['(', '[', '{', '${']);
const CLOSE = new Set([')', ']', '}']);

/** The arguments of the call whose '(' is at `tokens[open]`: a list of token lists. */
function callArguments(tokens, open) {
  const args = [[]];
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const token = tokens[k];
    if (token.type === 'punct' && OPEN.has(token.value)) depth++;
    if (token.type === 'punct' && CLOSE.has(token.value)) depth--;
    if (depth === 0) return args.filter((arg, n) => arg.length || n === 0);
    if (k === open) continue;
    if (depth === 1 && token.type === 'punct' && token.value === ',') args.push([]);
    else args.at(-1).push(token);
  }
  throw new Error(`unclosed call at line ${tokens[open].line}`);
}

/** The names an object literal gives (`{ a: 1, b }`), or null if the tokens are not one or spread. */
function objectKeys(tokens) {
  if (tokens[0]?.value !== '{' || tokens.at(-1)?.value !== '}') return null;
  const names = [];
  let depth = 0;
  let start = true;
  for (const [k, token] of tokens.entries()) {
    if (token.type === 'punct' && OPEN.has(token.value)) depth++;
    if (token.type === 'punct' && CLOSE.has(token.value)) depth--;
    if (depth !== 1) continue;
    if (token.value === '{' && k === 0) continue;
    if (token.type === 'punct' && token.value === ',') start = true;
    else if (start) {
      if (token.type === 'punct' && token.value === '.') return null; // a spread
      names.push(token.value);
      start = false;
    }
  }
  return names;
}

/** A template literal as a pattern for keys: its static parts, anything between. */
const templatePattern = (tpl) => new RegExp(`^${tpl.quasis.map((q) => q.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+')}$`);
const templateText = (tpl) => tpl.quasis.join('${…}');

/** Every key the JavaScript uses, each with where: { key } or { pattern, text }, and `vars`. */
function keysInJs() {
  const namespaces = new Set(Object.keys(en).map((key) => key.split('.')[0]));
  const uses = [];
  for (const file of jsFiles(UI)) {
    const where = (token) => `${relative(ROOT, file)}:${token.line}`;
    let tokens;
    try {
      tokens = tokenize(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new Error(`${relative(ROOT, file)}: cannot read the source for keys: ${error.message}`);
    }
    const inCalls = new Set();
    for (const [k, token] of tokens.entries()) {
      // t(…) and has(…), not someSet.has(…) or a definition.
      if (token.type !== 'ident' || !['t', 'has'].includes(token.value)) continue;
      if (tokens[k + 1]?.value !== '(' || tokens[k - 1]?.value === '.' || tokens[k - 1]?.value === 'function') continue;
      const [first = [], second] = callArguments(tokens, k + 1);
      const literals = first.filter((arg) => arg.type === 'str' || arg.type === 'tpl');
      for (const literal of literals) {
        inCalls.add(literal);
        if (literal.type === 'str' || literal.quasis.length === 1) {
          const key = literal.type === 'str' ? literal.value : literal.quasis[0];
          // The placeholders given, when the key is the whole argument and they are spelled out.
          const vars = first.length === 1 ? (second ? objectKeys(second) : []) : null;
          uses.push({ key, where: where(literal), call: token.value, vars });
        } else uses.push({ pattern: templatePattern(literal), text: templateText(literal), where: where(literal) });
      }
    }
    // Keys held elsewhere on their way to t(): 'profile.email' in a table, 'error.retry' in a state.
    for (const token of tokens) {
      if (inCalls.has(token) || token.type !== 'str') continue;
      if (/^[a-z]\w*(\.[\w:-]+)+$/.test(token.value) && namespaces.has(token.value.split('.')[0])) {
        uses.push({ key: token.value, where: where(token), call: null, vars: null });
      }
    }
  }
  return uses;
}

/** Every key ui/index.html uses, as `applyStatic` reads them. */
function keysInHtml() {
  // Comments out, their lines kept, so that the line numbers stay right.
  const html = readFileSync(join(UI, 'index.html'), 'utf8').replace(/<!--[^]*?-->/g, (comment) => comment.replace(/[^\n]/g, ''));
  const lineOf = (index) => html.slice(0, index).split('\n').length;
  const uses = [];
  for (const m of html.matchAll(/\sdata-i18n="([^"]*)"/g)) uses.push({ key: m[1], where: `ui/index.html:${lineOf(m.index)} data-i18n` });
  for (const m of html.matchAll(/\sdata-i18n-attr="([^"]*)"/g)) {
    for (const pair of m[1].split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (!attr || !key) uses.push({ key: `(unreadable pair "${pair}")`, where: `ui/index.html:${lineOf(m.index)} data-i18n-attr` });
      else uses.push({ key, where: `ui/index.html:${lineOf(m.index)} data-i18n-attr ${attr}` });
    }
  }
  return uses;
}

test('both languages have the same keys', () => {
  const lonely = [['en', 'zh'], ['zh', 'en']].flatMap(([lang, other]) =>
    Object.keys(STRINGS[lang])
      .filter((key) => !Object.hasOwn(STRINGS[other], key))
      .map((key) => `${key}: in ui/strings/${lang}.js, missing from ui/strings/${other}.js`));
  report('keys in one language only', lonely);
});

test('no string is empty', () => {
  const empty = Object.entries(STRINGS).flatMap(([lang, table]) =>
    Object.entries(table)
      .filter(([, text]) => typeof text !== 'string' || text.trim() === '')
      .map(([key, text]) => `${lang} ${key}: ${JSON.stringify(text)}`));
  report('empty or non-string values', empty);
});

test('both languages have the same placeholders', () => {
  const differing = Object.keys(en)
    .filter((key) => typeof zh[key] === 'string')
    .filter((key) => placeholders(en[key]).join() !== placeholders(zh[key]).join())
    .map((key) => `${key}: en {${placeholders(en[key]).join('}, {')}} · zh {${placeholders(zh[key]).join('}, {')}}`);
  report('keys whose placeholders differ between the languages', differing);
});

test('every key ui/index.html uses exists', () => {
  const uses = keysInHtml();
  assert.ok(uses.length > 20, `only ${uses.length} data-i18n keys found in ui/index.html: is the markup still read right?`);
  report('keys used in ui/index.html but in no table', uses.filter(({ key }) => !Object.hasOwn(en, key)).map(({ key, where }) => `${key} (${where})`));
});

test('every key the JavaScript uses exists', () => {
  const uses = keysInJs();
  assert.ok(uses.filter((use) => use.call === 't').length > 20, 'few t() calls found in ui/: is the source still read right?');
  report('keys used in ui/**/*.js but in no table', uses.filter((use) => use.key !== undefined && !Object.hasOwn(en, use.key)).map(({ key, where }) => `${key} (${where})`));
});

test('every key the JavaScript builds matches a key', () => {
  const unmatched = keysInJs().filter((use) => use.pattern && !Object.keys(en).some((key) => use.pattern.test(key)));
  report('keys built in ui/**/*.js that match no key in the tables', unmatched.map(({ text, where }) => `\`${text}\` (${where})`));
});

test('t() fills exactly the placeholders of its key', () => {
  // Checked where the key and the values are spelled out: t('key') or t('key', { a, b: … }). An
  // unfilled placeholder would be shown as `{name}`.
  const mismatched = keysInJs()
    .filter((use) => use.call === 't' && use.vars && Object.hasOwn(en, use.key))
    .filter((use) => use.vars.slice().sort().join() !== placeholders(en[use.key]).join())
    .map(({ key, vars, where }) => `${key} (${where}): given {${vars.join('}, {')}}, has {${placeholders(en[key]).join('}, {')}}`);
  report('t() calls that do not fill exactly the placeholders of their key', mismatched);
});

test('keys no use was found for are listed (not a failure)', (context) => {
  // A key may be used in a way this reading cannot see, so this only reports.
  const uses = [...keysInJs(), ...keysInHtml()];
  const unused = Object.keys(en).filter((key) => !uses.some((use) => use.key === key || use.pattern?.test(key)));
  if (unused.length) context.diagnostic(`keys no use was found for: ${unused.join(', ')}`);
});

test('the tokenizer finds keys where the UI puts them', () => {
  // A guard for the test itself: forms the UI uses, each of which must be found.
  const tokens = tokenize("const re = /['\"]/; // t('comment.not')\nx = t(a ? 'a.one' : `b.${c ? 'b.inner' : `d.${e}`}`, { n: 1, m });");
  const call = tokens.findIndex((token) => token.value === 't');
  const [first, second] = callArguments(tokens, call + 1);
  const literals = first.filter((token) => token.type === 'str' || token.type === 'tpl');
  assert.deepEqual(literals.map((token) => token.value ?? templateText(token)), ['a.one', 'b.${…}', 'b.inner', 'd.${…}']);
  assert.deepEqual(objectKeys(second), ['n', 'm']);
  assert.equal(tokens.filter((token) => token.value === 'comment.not').length, 0);
});
