// Runs first, before the stylesheet is even requested (a classic script, not a module, so it is
// not deferred): applies the saved theme, so a dark-theme user never sees a white flash, and marks
// Linux (WebKitGTK), whose fonts styles.css picks differently: the bundled Latin font, fetched
// from here at once so that it is in hand when the first layout needs it.
if (/Linux/.test(navigator.platform)) {
  document.documentElement.setAttribute('data-os', 'linux');
  for (const weight of [400, 700]) {
    const link = document.createElement('link');
    link.rel = 'preload';
    link.as = 'font';
    link.type = 'font/woff2';
    link.crossOrigin = '';
    // Beside this script, as styles.css sees them (the UI mock loads ui/ from elsewhere).
    link.href = new URL('fonts/dejavu-sans-latin-' + weight + '.woff2', document.currentScript.src).href;
    document.head.append(link);
  }
}
(function () {
  try {
    var theme = window.localStorage.getItem('feishu-signin.theme');
    if (theme === 'light' || theme === 'dark') document.documentElement.setAttribute('data-theme', theme);
  } catch (e) {
    // No storage: follow the system theme.
  }
})();
