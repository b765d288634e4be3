// A fake `window.__TAURI__` for looking at the UI in an ordinary browser: the IPC contract's
// commands and events over an in-memory session, settings and activity log.
//
// Query flags (combine freely):
//   scenario=signed-out|signed-in   the starting state (default signed-out)
//   sandbox=0                       a configured App ID (default: sandbox)
//   lang=en|zh  theme=light|dark    preferences, as if saved earlier
//   fail=20002                      sign_in fails with that Feishu code (20002 = bad App Secret)
//   refreshFail=20037               refresh fails with that code (signInRequired for 20037)
//   hold=1                          sign_in waits in the browser until cancelled
//   stepMs=700                      time between sign-in stages
//   expiring=1                      the session must be re-authorized within days
//   expired=1                       the access token has expired
//   noRefresh=1                     no refresh token (offline_access not granted)
//   avatar=1                        the profile has an avatar picture
//   minimal=1                       the profile has only the required fields
//   env=1                           some settings come from environment variables
//   activity=1                      a few activity entries already happened
//   loadFail=1                      the `session` command fails
//   unsealed=1                      no desktop keyring: the tokens are stored unsealed
// window.__mock exposes emit() and the state for poking from the console.

(function () {
  'use strict';

  // The query flags, mutable at run time through window.__mock.options (the self-test does).
  const options = Object.fromEntries(new URLSearchParams(location.search));
  const params = {
    has: (name) => options[name] !== undefined && options[name] !== null,
    get: (name) => (options[name] === undefined ? null : String(options[name])),
  };
  const flag = (name) => params.has(name) && params.get(name) !== '0';
  const number = (name, fallback) => (params.has(name) ? Number(params.get(name)) : fallback);

  for (const pref of ['lang', 'theme']) {
    if (params.has(pref)) localStorage.setItem(`feishu-signin.${pref}`, params.get(pref));
    else localStorage.removeItem(`feishu-signin.${pref}`);
  }

  const MINUTE = 60_000;
  const HOUR = 60 * MINUTE;
  const DAY = 24 * HOUR;

  /** RFC 3339 as chrono writes it: nanoseconds and a numeric offset, to exercise the parser. */
  function rfc3339(ms) {
    return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1456789+00:00');
  }

  const ERRORS = {
    20002: {
      kind: 'feishu',
      code: 20002,
      message: 'Feishu rejected the token request: error 20002 (invalid_client): The client secret is invalid.',
      meaning: 'The client secret is invalid.',
      hint: 'App authentication failed: check that the App ID (client_id) and App Secret (client_secret) are correct.',
      hintZh: '应用认证失败，请检查提供的 client_id 与 client_secret 是否正确',
    },
    20037: {
      kind: 'signInRequired',
      code: 20037,
      message: 'The refresh token has expired: sign in again.',
      meaning: 'The refresh token has expired.',
      hint: 'The refresh token has expired: sign in again to get a new one.',
      hintZh: 'refresh_token 已过期，请重新发起授权',
    },
  };
  const feishuError = (code) =>
    ERRORS[code] ?? { kind: 'feishu', code, message: `Feishu answered with error ${code}.`, meaning: `Error ${code}.` };

  let keepaliveOn = false;
  const settings = {
    sandbox: params.get('sandbox') !== '0',
    appId: params.get('sandbox') === '0' ? 'cli_a5f3d2e1b0c94d7e' : null,
    appSecretSet: params.get('sandbox') === '0',
    appSecretStorage: params.get('sandbox') === '0' ? (flag('unsealed') ? 'config' : 'keyring') : null,
    brand: 'feishu',
    redirectUri: 'http://127.0.0.1:48653/callback',
    loopbackRedirectUri: 'http://127.0.0.1:48653/callback',
    deepLinkRedirectUri: 'feishu-signin://callback',
    scopes: ['offline_access', 'contact:user.base:readonly', 'contact:user.email:readonly'],
    configPath: '/home/zhou/.config/feishu-signin/config.toml',
    dataDir: '/home/zhou/.local/share/dev.feishu-signin.FeishuSignIn',
    overriddenByEnv: flag('env') ? ['FEISHU_BRAND', 'FEISHU_SCOPES', 'FEISHU_ACCOUNTS_URL'] : [],
    // `?firstrun` shows the window as an employee meets an app nobody has set up.
    demo: !flag('firstrun'),
    deepLinkHandler: { state: 'thisApp', desktopFile: 'feishu-signin.desktop' },
    // The fields the environment sets, read-only in the window, with the value in effect.
    readOnly: flag('env')
      ? [
          { field: 'brand', reason: 'env', source: 'FEISHU_BRAND', value: 'lark' },
          { field: 'scopes', reason: 'env', source: 'FEISHU_SCOPES', value: 'offline_access contact:user.base:readonly' },
        ]
      : [],
  };
  // What the settings file itself holds (a save sends these back for the read-only fields).
  settings.inFile = {
    appId: settings.appId,
    appSecretSet: settings.appSecretSet,
    brand: 'feishu',
    redirectUri: null,
    scopes: settings.scopes.join(' '),
  };

  const AVATAR =
    'data:image/svg+xml;base64,' +
    btoa('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#7aa7ff"/><stop offset="1" stop-color="#3370ff"/></linearGradient></defs><rect width="64" height="64" fill="url(#g)"/><circle cx="32" cy="25" r="11" fill="#fff" opacity=".9"/><path d="M12 58c3-12 11-18 20-18s17 6 20 18z" fill="#fff" opacity=".9"/></svg>');

  function makeSession(scopes, now = Date.now()) {
    const full = !flag('minimal');
    const offline = scopes.includes('offline_access') && !flag('noRefresh');
    const access = flag('expired') ? now - 3 * MINUTE : now + 2 * HOUR - 1000;
    const reauth = flag('expiring') ? now + 5 * DAY + 3 * HOUR : now + 365 * DAY;
    return {
      brand: settings.sandbox ? 'sandbox' : settings.brand,
      profile: {
        name: '周小北',
        enName: full ? 'Beibei Zhou' : null,
        avatarUrl: flag('avatar') ? AVATAR : null,
        openId: 'ou_7d8a6e6df7621556ce0d21922b676706',
        unionId: full ? 'on_8ed6aa67826108097d9ee143816345' : null,
        tenantKey: full ? '736588c9260f175d' : null,
        email: full && scopes.includes('contact:user.email:readonly') ? 'beibei.zhou@example.com' : null,
        enterpriseEmail: full ? 'zhoubeibei@corp.example.com' : null,
        mobile: full && scopes.includes('contact:user.phone:readonly') ? '+8613800138000' : null,
        userId: full ? '5d9bdxxx' : null,
        employeeNo: full ? 'E10086' : null,
      },
      scopes: [...scopes],
      accessTokenExpiresAt: rfc3339(access),
      refreshTokenExpiresAt: offline ? rfc3339(now + 30 * DAY) : null,
      reauthorizeBy: rfc3339(offline ? reauth : access),
      tokenStatus: flag('expired') ? 'expired' : 'valid',
      refreshMarginSeconds: 300,
    };
  }

  let session = params.get('scenario') === 'signed-in' ? makeSession(settings.scopes) : null;
  const activity = [];
  const listeners = new Map();
  let pending = null; // the sign-in under way: { cancel() }
  // The identities the app gives its events (src-tauri/src/events.rs).
  let revision = 1;
  let seq = 0;
  let flows = 0;

  function emit(event, payload) {
    for (const callback of listeners.get(event) ?? []) callback({ event, id: 0, payload: clone(payload) });
  }

  // An activity entry: a kind with parameters, as the app sends it.
  function log(kind, params, code) {
    seq += 1;
    const entry = { seq, at: rfc3339(Date.now()), kind, ...(params ? { params } : {}) };
    if (code !== undefined) entry.code = code;
    activity.push(entry);
    emit('activity://added', null);
  }

  function sessionState() {
    return { revision, session };
  }

  function setSession(next) {
    session = next;
    revision += 1;
    emit('session://changed', null);
  }

  const clone = (value) => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  if (flag('activity')) {
    const t0 = Date.now() - 7 * MINUTE;
    const entries = [
      [t0 + 4000, 'started', { redirectUri: 'http://127.0.0.1:28283/callback' }],
      [t0 + 4600, 'browserOpened'],
      [t0 + 21000, 'callbackReceived'],
      [t0 + 21400, 'signInFailed', { detail: 'Feishu error 20002: The client secret is invalid.' }, 20002],
      [t0 + 60000, 'signedIn', { name: '周小北', scopes: ['offline_access'] }],
      [t0 + 5 * MINUTE, 'backgroundRefreshed'],
    ];
    for (const [at, kind, params, code] of entries) {
      seq += 1;
      activity.push({ seq, at: rfc3339(at), kind, ...(params ? { params } : {}), ...(code ? { code } : {}) });
    }
  }

  function checkSettings(input) {
    const fail = (message) => Promise.reject({ kind: 'config', message });
    if (!input || typeof input !== 'object') return fail('save_settings needs { settings }');
    if (input.appId && !/^cli_[0-9a-z]{8,}$/.test(input.appId)) {
      return fail(`Invalid App ID "${input.appId}": an App ID starts with cli_ (setting app_id).`);
    }
    if (input.redirectUri && !/^(http:\/\/127\.0\.0\.1:\d+\/|feishu-signin:\/\/)/.test(input.redirectUri)) {
      return fail(`Invalid redirect URI "${input.redirectUri}": use http://127.0.0.1:<port>/… or feishu-signin://… (setting redirect_uri).`);
    }
    if (!['feishu', 'lark'].includes(input.brand)) return fail(`Invalid brand "${input.brand}" (setting brand).`);
    if (!Array.isArray(input.scopes)) return fail('scopes must be a list (setting scopes).');
    return null;
  }

  const commands = {
    async session() {
      if (flag('loadFail')) throw { kind: 'store', message: 'Could not read /home/zhou/.local/share/dev.feishu-signin.FeishuSignIn/session.json: permission denied' };
      return sessionState();
    },
    async settings() {
      return settings;
    },
    async activity(args) {
      const after = args?.after ?? 0;
      return activity.filter((entry) => entry.seq > after);
    },

    async sign_in(args) {
      if (!['loopback', 'deepLink'].includes(args.route) || !Array.isArray(args.scopes)) {
        throw { kind: 'internal', message: `mock: bad sign_in args ${JSON.stringify(args)}` };
      }
      // A newer sign-in ends the one under way, as the app's does.
      pending?.cancel();
      const route = args.route;
      const deadline = rfc3339(Date.now() + 5 * MINUTE);
      flows += 1;
      const flow = flows;
      const progress = (stage, error) => emit('sign-in://progress', { flow, stage, route, deadline, ...(error ? { error } : {}) });

      let cancelled = false;
      let wake = null;
      pending = {
        cancel() {
          cancelled = true;
          wake?.();
        },
      };
      // Sleeps, but wakes early on cancel.
      const pause = (ms) =>
        new Promise((resolve) => {
          wake = resolve;
          if (Number.isFinite(ms)) setTimeout(resolve, ms);
        });
      const stopIfCancelled = () => {
        if (!cancelled) return;
        pending = null;
        progress('cancelled', { kind: 'cancelled', message: 'the sign-in was cancelled' });
        log('cancelled');
        throw { kind: 'cancelled', message: 'The sign-in was cancelled.', flow };
      };

      progress('started');
      log('started', { redirectUri: route === 'loopback' ? settings.loopbackRedirectUri : settings.deepLinkRedirectUri });
      await pause(number('stepMs', 700) / 2);
      stopIfCancelled();
      progress('browserOpened');
      log('browserOpened');
      await pause(number('stepMs', 700) / 2);
      stopIfCancelled();
      progress('waiting');
      await pause(flag('hold') ? Infinity : number('stepMs', 700) * 2);
      stopIfCancelled();
      progress('callbackReceived');
      log('callbackReceived');
      await pause(number('stepMs', 700));
      stopIfCancelled();
      progress('exchanging');
      await pause(number('stepMs', 700));
      stopIfCancelled();
      pending = null;

      if (params.has('fail')) {
        const error = feishuError(Number(params.get('fail')));
        progress('failed', error);
        log('signInFailed', { detail: error.message }, error.code);
        throw clone({ ...error, flow });
      }
      setSession(makeSession(args.scopes));
      progress('signedIn');
      log('signedIn', { name: session.profile.name, scopes: [...args.scopes] });
      return clone({ flow, ...sessionState() });
    },

    async cancel_sign_in() {
      pending?.cancel();
      return null;
    },

    async refresh() {
      if (!session) throw { kind: 'signedOut', message: 'Not signed in.' };
      await sleep(600);
      if (params.has('refreshFail')) {
        const error = feishuError(Number(params.get('refreshFail')));
        log('refreshFailed', { detail: error.message }, error.code);
        throw clone(error);
      }
      const now = Date.now();
      setSession({ ...session, accessTokenExpiresAt: rfc3339(now + 2 * HOUR), tokenStatus: 'valid' });
      log('refreshed');
      return clone(sessionState());
    },

    async sign_out() {
      await sleep(200);
      const name = session?.profile?.name;
      setSession(null);
      log(name ? 'signedOut' : 'nothingToSignOut', name ? { name, revoked: true } : undefined);
      return clone({ revoked: Boolean(name), ...sessionState() });
    },

    async copy_access_token() {
      if (!session) throw { kind: 'signedOut', message: 'Not signed in.' };
      return null;
    },

    async copy_text() {
      return null;
    },

    async copy_sign_in_link() {
      return null;
    },

    async open_sign_in_page() {
      return null;
    },

    async try_demo() {
      settings.demo = true;
      return clone(settings);
    },

    async fonts() {
      return { chinese: true };
    },

    async keepalive() {
      return { enabled: keepaliveOn, notStarted: null };
    },

    async storage() {
      const unsealed = flag('unsealed');
      return { tokens: unsealed ? 'file' : 'keyring', appSecret: settings.sandbox ? null : unsealed ? 'config' : 'keyring' };
    },

    async set_keepalive(args) {
      await sleep(150);
      keepaliveOn = Boolean(args?.enabled);
      return { enabled: keepaliveOn, notStarted: null };
    },

    async save_settings(args) {
      const input = args?.settings;
      const invalid = checkSettings(input);
      if (invalid) return invalid;
      await sleep(250);
      settings.appId = input.appId;
      settings.sandbox = !input.appId;
      if (input.appSecret !== null) settings.appSecretSet = input.appSecret !== '';
      settings.brand = input.brand;
      settings.redirectUri = input.redirectUri ?? settings.loopbackRedirectUri;
      settings.scopes = input.scopes;
      settings.inFile = {
        appId: input.appId,
        appSecretSet: input.appId ? settings.appSecretSet : false,
        brand: input.brand,
        redirectUri: input.redirectUri,
        scopes: input.scopes.join(' ') || null,
      };
      log('settingsSaved', { sandbox: settings.sandbox });
      return clone(settings);
    },
  };

  window.__TAURI__ = {
    core: {
      async invoke(command, args) {
        const handler = commands[command];
        if (!handler) throw `command ${command} not found`; // what Tauri itself rejects with
        console.debug('mock invoke', command, args ?? '');
        return clone(await handler(args ?? {}));
      },
    },
    event: {
      async listen(event, callback) {
        if (!listeners.has(event)) listeners.set(event, new Set());
        listeners.get(event).add(callback);
        return () => listeners.get(event).delete(callback);
      },
    },
  };

  window.__mock = { options, emit, log, commands, settings, get session() { return session; }, setSession, makeSession };
})();
