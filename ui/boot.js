// Runs first, before the stylesheet is even requested (a classic script, not a module, so it is
// not deferred): applies the saved theme, so a dark-theme user never sees a white flash, and marks
// Linux (WebKitGTK), whose fonts styles.css picks differently.
if (/Linux/.test(navigator.platform)) document.documentElement.setAttribute('data-os', 'linux');
(function () {
  try {
    var theme = window.localStorage.getItem('feishu-signin.theme');
    if (theme === 'light' || theme === 'dark') document.documentElement.setAttribute('data-theme', theme);
  } catch (e) {
    // No storage: follow the system theme.
  }
})();
