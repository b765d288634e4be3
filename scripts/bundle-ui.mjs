// The UI as release builds ship it (tauri.release.conf.json runs this before `tauri build`):
// ui/main.js and every module it imports as one script, beside the rest of ui/ (boot.js, a
// classic script, and styles.css) and an index.html without the module preloads.
//
// Why: each ES module is its own request through the tauri:// protocol and its own compile, and
// nineteen of them took about 20 ms of the cold start before the first render could begin; one
// bundle takes about 8 (README "Performance"). Dev and test builds load ui/ as it is, so a change
// to the UI needs no build step there; the bundle is the same code, only joined.
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
  format: 'esm',
  // WebKitGTK 2.40 (Debian 12) and newer: the syntax ui/ is written in passes through as is.
  target: 'safari16',
  legalComments: 'none',
  logLevel: 'warning',
});

const html = await readFile(join(src, 'index.html'), 'utf8');
const bundled = html.replace(/^\s*<link rel="modulepreload"[^>]*>\n/gm, '');
if (bundled === html) throw new Error('ui/index.html: no <link rel="modulepreload"> lines to drop');
await writeFile(join(out, 'index.html'), bundled);
console.log(`bundle-ui: ${out}`);
