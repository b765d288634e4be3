// Puts the real ui/index.html body into this page (so the mock exercises the real markup),
// then starts the real ui/main.js, then performs the clicks the `click` query flag asks for.

const params = new URLSearchParams(location.search);

const html = await (await fetch('../../ui/index.html')).text();
const doc = new DOMParser().parseFromString(html, 'text/html');
for (const attr of doc.body.attributes) document.body.setAttribute(attr.name, attr.value);
document.body.replaceChildren(...[...doc.body.childNodes].map((node) => document.adoptNode(node)));

await import('../../ui/main.js');

// ?click=sign-in,open-settings … clicks those ids in order once the app has loaded.
const clicks = (params.get('click') ?? '').split(',').filter(Boolean);
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
while (!document.body.dataset.state) await wait(20);
for (const id of clicks) {
  await wait(Number(params.get('clickDelay') ?? 250));
  const el = document.getElementById(id);
  if (!el) console.error(`mock: no #${id} to click`);
  else el.click();
}
// ?type=settings-app-id:abc types into a field after the clicks (for the settings error shot),
// once whatever the last click opened has filled itself in.
if (params.has('type')) await wait(300);
for (const pair of (params.get('type') ?? '').split(',').filter(Boolean)) {
  const [id, value] = pair.split(/:(.*)/s);
  const el = document.getElementById(id);
  if (el) {
    el.value = value;
    el.dispatchEvent(new Event('input', { bubbles: true }));
  }
}
if (params.get('submit')) {
  await wait(100);
  document.getElementById(params.get('submit'))?.click();
}
document.documentElement.dataset.mockReady = 'true';
if (params.has('selftest')) await import('./selftest.js');
