// The UI as release builds ship it (tauri.release.conf.json runs this before `tauri build`):
// ui/main.js and every module it imports as one minified classic script, loaded with `defer`,
// beside the rest of ui/ (boot.js and styles.css), and an index.html without the module preloads.
//
// Why: each ES module is its own request through the tauri:// protocol and its own compile, and
// nineteen of them took about 20 ms of the cold start before the first render could begin; one
// module took about 8, and one classic script starts about 10 ms sooner still, since WebKit runs
// it without the module loader's round of promises (README "Performance"). A deferred script
// runs when a module would: in order, after the document is parsed, before DOMContentLoaded.
// Dev and test builds load ui/ as it is, so a change to the UI needs no build step there; the
// bundle is the same code, only joined.
import { build } from 'esbuild';
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'ui');
const out = join(root, 'target', 'ui-release');

await rm(out, { recursive: true, force: true });
// Everything but the modules, which the bundle replaces.
await cp(src, out, {
  recursive: true,
  filter: (path) => !path.endsWith('.js') || basename(path) === 'boot.js',
});

await build({
  entryPoints: [join(src, 'main.js')],
  outfile: join(out, 'main.js'),
  bundle: true,
  format: 'iife',
  minify: true,
  // The modules were strict; a classic script is so only when it says so.
  banner: { js: '"use strict";' },
  // WebKitGTK 2.40 (Debian 12) and newer: the syntax ui/ is written in passes through as is.
  target: 'safari16',
  legalComments: 'none',
  logLevel: 'warning',
});

const html = await readFile(join(src, 'index.html'), 'utf8');
const unpreloaded = html.replace(/^\s*<link rel="modulepreload"[^>]*>\n/gm, '');
if (unpreloaded === html) throw new Error('ui/index.html: no <link rel="modulepreload"> lines to drop');
const MODULE_TAG = '<script type="module" src="main.js"></script>';
if (!unpreloaded.includes(MODULE_TAG)) throw new Error(`ui/index.html: no ${MODULE_TAG}`);
await writeFile(join(out, 'index.html'), unpreloaded.replace(MODULE_TAG, '<script defer src="main.js"></script>'));
console.log(`bundle-ui: ${out}`);
