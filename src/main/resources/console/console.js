/*
 * The break-glass console. Plain JavaScript, no build step, nothing loaded from elsewhere.
 * Signs in with the authorization code flow and PKCE (S256) through the realm's own login pages,
 * then only calls the user API (/realms/{realm}/break-glass) and the admin API
 * (/admin/realms/{realm}/break-glass): the server decides what each person may see and do.
 * Every server value is put into the page as text (textContent), never as markup.
 */
(function () {
  'use strict';

  var root = document.documentElement.dataset;
  var CONSOLE = root.consolePath;
  var REALM_PATH = root.realmPath;
  var ADMIN = root.adminPath + '/break-glass';
  var USER_API = REALM_PATH + '/break-glass';
  var OIDC = REALM_PATH + '/protocol/openid-connect';
  var ACTIVATE = /\/activate\/?$/.test(location.pathname);
  var CLIENT = ACTIVATE ? 'ops-console' : 'break-glass-console';
  var REDIRECT = location.origin + CONSOLE + (ACTIVATE ? '/activate' : '');
  var STORE = 'bg-console.' + CLIENT + '.';
  var LANGS = ['en', 'de'];

  var messages = {};
  var lang = 'en';
  var tokens = null;
  var claims = null;
  var refreshTimer = null;
  var tickers = [];
  var state = {};

  // ---- text -------------------------------------------------------------------------------

  function t(key) {
    var text = Object.prototype.hasOwnProperty.call(messages, key) ? messages[key] : key;
    for (var i = 1; i < arguments.length; i++) {
      text = text.split('{' + (i - 1) + '}').join(String(arguments[i]));
    }
    return text;
  }

  function pickLanguage() {
    var asked = new URLSearchParams(location.search).get('ui_locales');
    var candidates = [];
    if (asked) candidates = candidates.concat(asked.split(' '));
    var stored = sessionStorage.getItem('bg-console.lang');
    if (stored) candidates.push(stored);
    candidates = candidates.concat(navigator.languages || [navigator.language || 'en']);
    for (var i = 0; i < candidates.length; i++) {
      var code = String(candidates[i] || '').toLowerCase().split('-')[0];
      if (LANGS.indexOf(code) >= 0) return code;
    }
    return 'en';
  }

  function loadMessages(code) {
    return fetch(CONSOLE + '/messages/' + code, { credentials: 'omit' })
      .then(function (r) { if (!r.ok) throw new Error('messages ' + r.status); return r.json(); })
      .then(function (json) {
        messages = json;
        lang = code;
        document.documentElement.lang = code;
        sessionStorage.setItem('bg-console.lang', code);
        document.querySelectorAll('[data-i18n]').forEach(function (node) {
          node.textContent = t(node.dataset.i18n);
        });
        document.getElementById('bg-lang').value = code;
        document.title = t(ACTIVATE ? 'activateTitle' : 'productName');
        document.getElementById('bg-title').textContent = t(ACTIVATE ? 'activateTitle' : 'productName');
      });
  }

  function when(iso) {
    if (!iso) return '—';
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    return d.toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
  }

  function left(untilMillis) {
    var s = Math.max(0, Math.floor((untilMillis - Date.now()) / 1000));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    var sec = s % 60;
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return (h > 0 ? h + ':' + pad(m) : m) + ':' + pad(sec);
  }

  // ---- DOM (text only) --------------------------------------------------------------------

  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === undefined || value === null || value === false) return;
      if (name === 'text') node.textContent = value;
      else if (name === 'class') node.className = value;
      else if (name.indexOf('on') === 0) node.addEventListener(name.substring(2), value);
      else node.setAttribute(name, value === true ? '' : value);
    });
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
    node.appendChild(typeof child === 'string' || typeof child === 'number'
      ? document.createTextNode(String(child)) : child);
  }

  function dl(rows) {
    var list = el('dl', { class: 'bg-dl' });
    rows.forEach(function (row) {
      if (!row) return;
      list.appendChild(el('dt', { text: row[0] }));
      list.appendChild(el('dd', {}, row[1] === undefined || row[1] === null || row[1] === '' ? '—' : row[1]));
    });
    return list;
  }

  function button(label, onclick, kind, extra) {
    var attrs = { type: 'button', class: 'pf-v5-c-button ' + (kind || 'pf-m-secondary'), text: label, onclick: onclick };
    Object.keys(extra || {}).forEach(function (k) { attrs[k] = extra[k]; });
    return el('button', attrs);
  }

  var fieldSeq = 0;
  function field(label, input) {
    var id = input.id || ('bg-field-' + (++fieldSeq));
    input.id = id;
    if (!input.className) input.className = 'bg-input';
    return el('div', { class: 'bg-field' }, el('label', { for: id, class: 'pf-v5-c-form__label', text: label }), input);
  }

  function statusLabel(status) {
    return el('span', { class: 'bg-label ' + (status || ''), text: t('status.' + status) === 'status.' + status ? status : t('status.' + status) });
  }

  function say(text) {
    var live = document.getElementById('bg-live');
    live.textContent = '';
    if (text) live.appendChild(el('div', { class: 'pf-v5-c-alert pf-m-success pf-m-inline' }, el('p', { class: 'pf-v5-c-alert__title', text: text })));
  }

  function complain(text) {
    var box = document.getElementById('bg-errors');
    box.textContent = '';
    if (text) box.appendChild(el('div', { class: 'pf-v5-c-alert pf-m-danger pf-m-inline' }, el('p', { class: 'pf-v5-c-alert__title', text: text })));
  }

  function clearNotes() { say(''); complain(''); }

  // ---- PKCE sign-in -----------------------------------------------------------------------

  function b64url(bytes) {
    var s = '';
    new Uint8Array(bytes).forEach(function (b) { s += String.fromCharCode(b); });
    return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }

  function random() {
    var bytes = new Uint8Array(32);
    crypto.getRandomValues(bytes);
    return b64url(bytes);
  }

  function decode(jwt) {
    var part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    while (part.length % 4) part += '=';
    var bin = atob(part);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return JSON.parse(new TextDecoder().decode(bytes));
  }

  function signIn() {
    var verifier = random();
    var st = random();
    var nonce = random();
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)).then(function (hash) {
      sessionStorage.setItem(STORE + 'verifier', verifier);
      sessionStorage.setItem(STORE + 'state', st);
      sessionStorage.setItem(STORE + 'nonce', nonce);
      var params = new URLSearchParams({
        client_id: CLIENT,
        redirect_uri: REDIRECT,
        response_type: 'code',
        response_mode: 'fragment',
        scope: 'openid',
        state: st,
        nonce: nonce,
        code_challenge: b64url(hash),
        code_challenge_method: 'S256',
        ui_locales: lang
      });
      location.assign(OIDC + '/auth?' + params.toString());
    });
  }

  /** The code from the fragment, exchanged once; null when this page load is no callback. */
  function callback() {
    var hash = new URLSearchParams(location.hash.replace(/^#/, ''));
    if (!hash.get('state')) return Promise.resolve(null);
    history.replaceState(null, '', location.pathname + location.search);
    var expected = sessionStorage.getItem(STORE + 'state');
    var verifier = sessionStorage.getItem(STORE + 'verifier');
    var nonce = sessionStorage.getItem(STORE + 'nonce');
    ['state', 'verifier', 'nonce'].forEach(function (k) { sessionStorage.removeItem(STORE + k); });
    if (!expected || hash.get('state') !== expected) {
      return Promise.reject(new Error(t('error.state')));
    }
    if (hash.get('error')) {
      return Promise.reject(new Error(t('error.signIn', hash.get('error_description') || hash.get('error'))));
    }
    return tokenRequest({
      grant_type: 'authorization_code',
      code: hash.get('code') || '',
      redirect_uri: REDIRECT,
      client_id: CLIENT,
      code_verifier: verifier
    }).then(function (set) {
      if (set.id_token && decode(set.id_token).nonce !== nonce) throw new Error(t('error.state'));
      return set;
    });
  }

  function tokenRequest(form) {
    return fetch(OIDC + '/token', {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString()
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (json) {
        if (!r.ok || !json.access_token) {
          throw new Error(t('error.token', json.error_description || json.error || r.status));
        }
        return json;
      });
    });
  }

  function keep(set) {
    tokens = set;
    claims = decode(set.access_token);
    sessionStorage.setItem(STORE + 'tokens', JSON.stringify(set));
    if (refreshTimer) clearTimeout(refreshTimer);
    if (!ACTIVATE && set.refresh_token) {
      // Refresh half a minute before the access token runs out.
      var wait = Math.max(5000, claims.exp * 1000 - Date.now() - 30000);
      refreshTimer = setTimeout(refresh, wait);
    }
  }

  function stored() {
    try {
      var set = JSON.parse(sessionStorage.getItem(STORE + 'tokens') || 'null');
      if (set && decode(set.access_token).exp * 1000 > Date.now() + 5000) return set;
    } catch (e) { /* a broken entry is as good as none */ }
    sessionStorage.removeItem(STORE + 'tokens');
    return null;
  }

  function refresh() {
    if (!tokens || !tokens.refresh_token) return Promise.reject(new Error('no refresh token'));
    return tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: CLIENT })
      .then(keep)
      .catch(function () { signedOut(t('sessionEnded')); });
  }

  function signOut() {
    var idToken = tokens && tokens.id_token;
    sessionStorage.removeItem(STORE + 'tokens');
    tokens = null;
    var params = new URLSearchParams({ client_id: CLIENT });
    // The console's own client may come back to a signed-out page; ops-console ends on Keycloak's.
    if (!ACTIVATE) params.set('post_logout_redirect_uri', REDIRECT + '?signedOut');
    if (idToken) params.set('id_token_hint', idToken);
    location.assign(OIDC + '/logout?' + params.toString());
  }

  function signedOut(why) {
    tokens = null;
    sessionStorage.removeItem(STORE + 'tokens');
    stopTickers();
    var app = document.getElementById('bg-app');
    app.textContent = '';
    app.appendChild(el('div', { class: 'bg-card' },
      el('p', { text: why || t('signInPrompt') }),
      el('div', { class: 'bg-actions' }, button(t('signIn'), signIn, 'pf-m-primary', { id: 'bg-signin' }))));
    document.getElementById('bg-signout').hidden = true;
    document.getElementById('bg-user').textContent = '';
  }

  // ---- API --------------------------------------------------------------------------------

  /** A call with the bearer token: {status, ok, json, text}; a 401 refreshes once. */
  function call(method, url, body, retried) {
    var headers = { Authorization: 'Bearer ' + tokens.access_token, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(url, {
      method: method,
      credentials: 'omit',
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      if (r.status === 401 && !retried && !ACTIVATE && tokens.refresh_token) {
        return refresh().then(function () { return tokens ? call(method, url, body, true) : { status: 401, ok: false }; });
      }
      return r.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        return { status: r.status, ok: r.ok, json: json, text: text };
      });
    });
  }

  function problem(result) {
    var j = result.json || {};
    var said = j.error || j.errorMessage || j.error_description || '';
    return t('error.status', result.status, said || t('error.noMessage'));
  }

  /** Runs an action: announces success, or the server's refusal with its status. */
  function act(promise, success, after) {
    clearNotes();
    return promise.then(function (result) {
      if (result.ok) {
        say(success);
        if (after) return after(result);
      } else {
        complain(problem(result));
      }
    }).catch(function (e) { complain(t('error.network', e.message)); });
  }

  // ---- countdowns ---------------------------------------------------------------------------

  function ticker(node, untilMillis, onDone) {
    var update = function () {
      node.textContent = left(untilMillis);
      if (untilMillis <= Date.now() && onDone) { var done = onDone; onDone = null; done(); }
    };
    update();
    tickers.push(setInterval(update, 1000));
  }

  function stopTickers() {
    tickers.forEach(clearInterval);
    tickers = [];
  }

  // ---- the activation page ----------------------------------------------------------------

  function showToken() {
    var app = document.getElementById('bg-app');
    app.textContent = '';
    var roles = (claims.realm_access && claims.realm_access.roles) || [];
    var grant = claims.break_glass || null;
    var exp = claims.exp * 1000;
    var countdown = el('span', { class: 'bg-countdown', id: 'bg-token-left', role: 'timer' });
    var card = el('section', { class: 'bg-card bg-grant', 'aria-labelledby': 'bg-token-h', id: 'bg-token' },
      el('h2', { class: 'pf-v5-c-title pf-m-xl', id: 'bg-token-h', tabindex: '-1', text: grant ? t('token.heading') : t('token.noGrant') }),
      dl([
        [t('token.user'), claims.preferred_username],
        [t('token.roles'), el('span', { id: 'bg-token-roles', text: roles.join(', ') })],
        [t('token.exp'), el('span', { id: 'bg-token-exp', text: when(new Date(exp).toISOString()) })],
        [t('token.left'), countdown],
        [t('token.acr'), el('span', { id: 'bg-token-acr', text: claims.acr || '' })],
        grant ? [t('token.grant'), el('span', { id: 'bg-token-grant', text: grant.grant_id })] : null,
        grant ? [t('token.grantRoles'), (grant.roles || []).join(', ')] : null,
        grant ? [t('token.ticket'), el('span', { id: 'bg-token-ticket', text: '…' })] : null,
        grant ? [t('token.endsAt'), el('span', { id: 'bg-token-ends', text: when(grant.expires_at) })] : null
      ]));
    app.appendChild(card);
    // The time left is the grant's; the token's own (shorter) lifetime is the row above.
    ticker(countdown, grant && grant.expires_at ? Date.parse(grant.expires_at) : exp);
    if (grant) {
      var actions = el('div', { class: 'bg-actions' });
      card.appendChild(actions);
      endNow(actions, function () {
        card.classList.add('bg-ok');
        document.getElementById('bg-token-h').textContent = t('token.ended');
      });
      call('GET', USER_API + '/me').then(function (r) {
        var ticket = document.getElementById('bg-token-ticket');
        if (ticket) ticket.textContent = r.ok && r.json && r.json.active ? r.json.active.ticket : '—';
      });
    }
    app.appendChild(el('p', {}, el('a', { href: CONSOLE, text: t('openConsole') })));
    document.getElementById('bg-token-h').focus();
  }

  /** An End-now button with an inline confirmation; {@code ended} runs after the release. */
  function endNow(container, ended) {
    var start = button(t('endNow'), null, 'pf-m-danger', { id: 'bg-end-now' });
    var confirmBox = el('div', { class: 'bg-actions', hidden: true, role: 'group', 'aria-labelledby': 'bg-end-q' },
      el('p', { id: 'bg-end-q', text: t('endNow.confirm') }));
    var yes = button(t('endNow.yes'), function () {
      yes.disabled = true;
      act(call('POST', USER_API + '/me/release'), t('endNow.done'), function () {
        confirmBox.hidden = true;
        start.hidden = true;
        stopTickers();
        ended();
      }).then(function () { yes.disabled = false; });
    }, 'pf-m-danger', { id: 'bg-end-yes' });
    var no = button(t('cancel'), function () { confirmBox.hidden = true; start.hidden = false; start.focus(); }, 'pf-m-link');
    confirmBox.appendChild(yes);
    confirmBox.appendChild(no);
    start.addEventListener('click', function () { start.hidden = true; confirmBox.hidden = false; yes.focus(); });
    container.appendChild(start);
    container.appendChild(confirmBox);
  }

  // ---- the console ------------------------------------------------------------------------

  function section(id, title) {
    return el('section', { class: 'bg-card', id: id, 'aria-labelledby': id + '-h' },
      el('h2', { class: 'pf-v5-c-title pf-m-xl', id: id + '-h', text: title }));
  }

  function showConsole() {
    stopTickers();
    var app = document.getElementById('bg-app');
    app.textContent = '';
    var mine = section('bg-mine', t('mine.heading'));
    var approvals = section('bg-approvals', t('approvals.heading'));
    approvals.hidden = true;
    var admin = el('div', { id: 'bg-admin', hidden: true });
    app.appendChild(mine);
    app.appendChild(approvals);
    app.appendChild(admin);
    var loads = [loadMine(mine), loadApprovals(approvals), loadAdmin(admin)];
    return Promise.all(loads);
  }

  function loadMine(box) {
    return call('GET', USER_API + '/me').then(function (r) {
      if (!r.ok) { box.appendChild(el('p', { text: problem(r) })); return; }
      var me = r.json;
      if (me.active) {
        var g = me.active;
        var countdown = el('span', { class: 'bg-countdown', id: 'bg-mine-left', role: 'timer' });
        var card = el('div', { class: 'bg-card bg-grant', id: 'bg-mine-active' },
          el('h3', { class: 'pf-v5-c-title pf-m-lg', id: 'bg-mine-active-h', tabindex: '-1', text: t('mine.active') }),
          dl([
            [t('token.left'), countdown],
            [t('grant.roles'), (g.roles || []).join(', ')],
            [t('grant.reason'), g.reason],
            [t('grant.ticket'), g.ticket],
            [t('token.endsAt'), when(g.expiresAt)]
          ]));
        var actions = el('div', { class: 'bg-actions' });
        card.appendChild(actions);
        // Releasing ends every session of the holder, this one too.
        endNow(actions, function () { signedOut(t('endNow.done')); });
        box.appendChild(card);
        ticker(countdown, Date.parse(g.expiresAt), function () { loadAgain(); });
      } else {
        box.appendChild(el('p', { id: 'bg-mine-none', text: t('mine.none') }));
      }
      if (me.pending) {
        box.appendChild(el('div', { class: 'bg-card' },
          el('h3', { class: 'pf-v5-c-title pf-m-lg', text: t('mine.pending') }),
          dl([[t('grant.roles'), (me.pending.roles || []).join(', ')], [t('grant.reason'), me.pending.reason], [t('grant.ticket'), me.pending.ticket]])));
      }
      if (me.attestationsPending && me.attestationsPending.length) {
        var list = el('ul', { class: 'pf-v5-c-list' });
        me.attestationsPending.forEach(function (g) {
          list.appendChild(el('li', { text: t('mine.attestItem', g.ticket || '—', when(g.endedAt)) }));
        });
        box.appendChild(el('div', { class: 'bg-card', id: 'bg-mine-attest' },
          el('h3', { class: 'pf-v5-c-title pf-m-lg', text: t('mine.attest') }), list,
          el('p', {}, el('a', { href: REALM_PATH + '/account/', text: t('mine.attestLink') }))));
      }
      box.appendChild(el('p', {}, el('a', { class: 'pf-v5-c-button pf-m-link pf-m-inline', id: 'bg-activate-link', href: CONSOLE + '/activate', text: t('mine.activate') })));
    });
  }

  var again = null;
  function loadAgain() {
    if (again) return;
    again = setTimeout(function () { again = null; showConsole(); }, 1500);
  }

  function loadApprovals(box) {
    return call('GET', USER_API + '/approvals').then(function (r) {
      if (!r.ok || !Array.isArray(r.json) || r.json.length === 0) return;
      box.hidden = false;
      r.json.forEach(function (p) {
        var comment = el('input', { type: 'text', maxlength: '1000', 'aria-describedby': 'bg-c-help-' + p.id });
        var card = el('div', { class: 'bg-card bg-request', 'data-id': p.id },
          el('h3', { class: 'pf-v5-c-title pf-m-lg', text: t('approvals.from', p.requester) }),
          dl([
            [t('grant.reason'), p.reason],
            [t('grant.ticket'), p.ticket],
            [t('grant.roles'), (p.roles || []).join(', ')],
            [t('approvals.duration'), t('minutes', p.durationMinutes)],
            [t('approvals.requestedAt'), when(p.requestedAt)],
            [t('approvals.timesOutAt'), when(p.timesOutAt)]
          ]),
          field(t('approvals.comment'), comment),
          el('p', { id: 'bg-c-help-' + p.id, class: 'bg-muted', text: t('approvals.commentHelp') }));
        var decide = function (verb, success) {
          return function () {
            var body = comment.value.trim() ? { comment: comment.value.trim() } : undefined;
            if (verb === 'reject' && !body) {
              complain(t('approvals.commentNeeded'));
              comment.setAttribute('aria-invalid', 'true');
              comment.focus();
              return;
            }
            act(call('POST', USER_API + '/approvals/' + encodeURIComponent(p.id) + '/' + verb, body), success, function () {
              showConsole();
            });
          };
        };
        card.appendChild(el('div', { class: 'bg-actions' },
          button(t('approvals.approve'), decide('approve', t('approvals.approved', p.requester)), 'pf-m-primary', { class: 'pf-v5-c-button pf-m-primary bg-approve' }),
          button(t('approvals.reject'), decide('reject', t('approvals.rejected', p.requester)), 'pf-m-danger', { class: 'pf-v5-c-button pf-m-danger bg-reject' })));
        box.appendChild(card);
      });
    });
  }

  // ---- administration (view-users reads, manage-users changes) ----------------------------

  function loadAdmin(box) {
    return call('GET', ADMIN + '/policy').then(function (r) {
      if (!r.ok) return; // not an administrator or auditor of this realm: no admin views
      box.hidden = false;
      state.canManage = !!(r.json && r.json.canManage);
      var grants = section('bg-grants', t('grants.heading'));
      var audit = section('bg-audit', t('audit.heading'));
      var drills = section('bg-drills', t('drills.heading'));
      var report = section('bg-report', t('report.heading'));
      var changes = section('bg-changes', t('changes.heading'));
      var policy = section('bg-policy', t('policy.heading'));
      [grants, audit, drills, report, changes, policy].forEach(function (s) { box.appendChild(s); });
      grantsView(grants);
      auditView(audit);
      drillsView(drills);
      reportView(report);
      changesView(changes);
      policyView(policy, r.json);
    });
  }

  var STATUSES = ['', 'ACTIVE', 'PENDING', 'ENDED', 'CLOSED', 'REJECTED'];

  function grantsView(box) {
    var status = el('select', { id: 'bg-filter-status' });
    STATUSES.forEach(function (s) { status.appendChild(el('option', { value: s, text: s ? t('status.' + s) : t('grants.any') })); });
    var user = el('input', { type: 'text', id: 'bg-filter-user', autocomplete: 'off' });
    var results = el('div', { id: 'bg-grant-list', 'aria-live': 'polite' });
    var form = el('form', { class: 'bg-actions', role: 'search', 'aria-label': t('grants.filters') },
      field(t('grants.status'), status), field(t('grants.user'), user),
      el('button', { type: 'submit', class: 'pf-v5-c-button pf-m-secondary', id: 'bg-filter-apply', text: t('grants.apply') }));
    form.addEventListener('submit', function (e) { e.preventDefault(); list(); });
    box.appendChild(form);
    box.appendChild(results);
    function list() {
      var q = new URLSearchParams({ max: '50' });
      if (status.value) q.set('status', status.value);
      if (user.value.trim()) q.set('user', user.value.trim());
      return call('GET', ADMIN + '/grants?' + q.toString()).then(function (r) {
        results.textContent = '';
        if (!r.ok) { results.appendChild(el('p', { text: problem(r) })); return; }
        if (!r.json.length) { results.appendChild(el('p', { text: t('grants.none') })); return; }
        r.json.forEach(function (g) { results.appendChild(grantCard(g, list)); });
      });
    }
    state.listGrants = list;
    return list();
  }

  function grantCard(g, relist) {
    var card = el('article', { class: 'bg-card bg-admin-grant', 'data-id': g.id, 'aria-labelledby': 'bg-g-' + g.id },
      el('h3', { class: 'pf-v5-c-title pf-m-md', id: 'bg-g-' + g.id }, g.username + ' ', statusLabel(g.status), g.drill ? ' ' + t('grants.drill') : ''),
      dl([
        [t('grant.roles'), (g.roles || []).join(', ')],
        [t('grant.reason'), el('span', { class: 'bg-reason', text: g.reason })],
        [t('grant.ticket'), g.ticket],
        [t('grant.activatedAt'), when(g.activatedAt)],
        [t('grant.expiresAt'), when(g.expiresAt)],
        g.endedAt ? [t('grant.endedAt'), when(g.endedAt)] : null,
        g.endReason ? [t('grant.endReason'), g.endReason] : null,
        [t('grant.id'), g.id]
      ]));
    var actions = el('div', { class: 'bg-actions' });
    var timeline = el('div', { class: 'bg-evidence' });
    var evidenceButton = button(t('grants.evidence'), function () {
      var open = evidenceButton.getAttribute('aria-expanded') === 'true';
      evidenceButton.setAttribute('aria-expanded', String(!open));
      timeline.textContent = '';
      if (open) return;
      call('GET', ADMIN + '/grants/' + encodeURIComponent(g.id) + '/evidence').then(function (r) {
        if (!r.ok) { timeline.appendChild(el('p', { text: problem(r) })); return; }
        timeline.appendChild(evidence(r.json));
      });
    }, 'pf-m-secondary', { 'aria-expanded': 'false', class: 'pf-v5-c-button pf-m-secondary bg-evidence-button' });
    actions.appendChild(evidenceButton);
    if (state.canManage && (g.status === 'ACTIVE' || g.status === 'PENDING')) {
      var reason = el('input', { type: 'text', maxlength: '500', class: 'bg-input bg-revoke-reason' });
      actions.appendChild(field(t('grants.revokeReason'), reason));
      actions.appendChild(button(t('grants.revoke'), function () {
        act(call('POST', ADMIN + '/grants/' + encodeURIComponent(g.id) + '/revoke', { reason: reason.value.trim() }),
          t('grants.revoked', g.username), function () { return relist(); });
      }, 'pf-m-danger', { class: 'pf-v5-c-button pf-m-danger bg-revoke' }));
    }
    card.appendChild(actions);
    card.appendChild(timeline);
    return card;
  }

  function evidence(json) {
    var list = el('ol', { class: 'bg-timeline', 'aria-label': t('grants.timeline') });
    (json.records || []).forEach(function (rec) {
      var details = rec.details ? Object.keys(rec.details).map(function (k) {
        var v = rec.details[k];
        return k + ': ' + (typeof v === 'object' ? JSON.stringify(v) : v);
      }).join('; ') : '';
      // Long details (a whole policy before and after) are cut for the timeline; the export has all.
      if (details.length > 280) details = details.substring(0, 280) + '…';
      list.appendChild(el('li', {},
        el('div', { class: 'bg-type', text: rec.type }),
        el('div', { class: 'bg-muted', text: when(rec.time) + (rec.username ? ' · ' + rec.username : '') }),
        details ? el('div', { text: details }) : null));
    });
    var chain = json.chain || {};
    return el('div', {}, list,
      el('p', { text: chain.valid ? t('audit.chainOk', chain.records) : t('audit.chainBroken', chain.problem || '') }));
  }

  function auditView(box) {
    var result = el('div', { id: 'bg-verify-result' });
    box.appendChild(el('div', { class: 'bg-actions' },
      button(t('audit.verify'), function () {
        result.textContent = '';
        call('GET', ADMIN + '/audit/verify').then(function (r) {
          if (!r.ok) { complain(problem(r)); return; }
          var v = r.json;
          var text = v.valid ? t('audit.verifyOk', v.records) : t('audit.verifyBroken', v.firstBrokenSeq, v.problem || '');
          result.appendChild(el('div', { class: 'pf-v5-c-alert pf-m-inline ' + (v.valid ? 'pf-m-success' : 'pf-m-danger') },
            el('p', { class: 'pf-v5-c-alert__title', text: text })));
          say(text);
        });
      }, 'pf-m-secondary', { id: 'bg-verify' }),
      button(t('audit.exportJson'), function () { download('json'); }, 'pf-m-secondary', { id: 'bg-export-json' }),
      button(t('audit.exportCsv'), function () { download('csv'); }, 'pf-m-secondary', { id: 'bg-export-csv' })));
    box.appendChild(result);
  }

  function download(format) {
    clearNotes();
    fetch(ADMIN + '/audit?max=1000&format=' + format, {
      credentials: 'omit', headers: { Authorization: 'Bearer ' + tokens.access_token }
    }).then(function (r) {
      if (!r.ok) { return r.text().then(function (text) { var j = null; try { j = JSON.parse(text); } catch (e) { j = null; } complain(problem({ status: r.status, json: j })); }); }
      return r.blob().then(function (blob) {
        var a = el('a', { href: URL.createObjectURL(blob), download: 'break-glass-audit.' + format, hidden: true });
        document.body.appendChild(a);
        a.click();
        setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
        say(t('audit.downloaded', 'break-glass-audit.' + format));
      });
    }).catch(function (e) { complain(t('error.network', e.message)); });
  }

  function drillsView(box) {
    var results = el('div', { id: 'bg-drill-list' });
    if (state.canManage) {
      var user = el('input', { type: 'text', id: 'bg-drill-user', autocomplete: 'off' });
      var form = el('form', { class: 'bg-actions' }, field(t('drills.user'), user),
        el('button', { type: 'submit', class: 'pf-v5-c-button pf-m-secondary', id: 'bg-drill-start', text: t('drills.start') }));
      form.addEventListener('submit', function (e) {
        e.preventDefault();
        act(call('POST', ADMIN + '/drills', { user: user.value.trim() }), t('drills.started', user.value.trim()), list);
      });
      box.appendChild(form);
    }
    box.appendChild(results);
    function list() {
      return call('GET', ADMIN + '/drills?max=20').then(function (r) {
        results.textContent = '';
        if (!r.ok) { results.appendChild(el('p', { text: problem(r) })); return; }
        if (!r.json.length) { results.appendChild(el('p', { text: t('drills.none') })); return; }
        r.json.forEach(function (d) {
          var rep = d.report;
          var checks = el('ul', { class: 'pf-v5-c-list' });
          ((rep && rep.checks) || []).forEach(function (c) {
            checks.appendChild(el('li', { text: (c.passed ? '✓ ' : '✗ ') + c.name + (c.detail ? ' — ' + c.detail : '') }));
          });
          results.appendChild(el('article', { class: 'bg-card' },
            el('h3', { class: 'pf-v5-c-title pf-m-md', text: d.username + ' · ' + d.status }),
            dl([[t('drills.scheduledAt'), when(d.scheduledAt)], [t('drills.scheduledBy'), d.scheduledBy],
              [t('drills.result'), rep ? (rep.passed ? t('drills.passed') : t('drills.failed')) : t('drills.noReport')]]),
            checks));
        });
      });
    }
    return list();
  }

  function reportView(box) {
    return call('GET', ADMIN + '/report').then(function (r) {
      if (!r.ok) { box.appendChild(el('p', { text: problem(r) })); return; }
      var rep = r.json;
      var byStatus = (rep.grants && rep.grants.byStatus) || {};
      box.appendChild(el('p', { class: 'bg-muted', text: t('report.period', when(rep.from), when(rep.to)) }));
      box.appendChild(dl([
        [t('report.grants'), String((rep.grants && rep.grants.total) || 0)],
        [t('report.byStatus'), Object.keys(byStatus).map(function (k) { return k + ' ' + byStatus[k]; }).join(', ')],
        [t('report.medianDuration'), rep.durationMinutes && rep.durationMinutes.median != null ? t('minutes', rep.durationMinutes.median) : '—'],
        [t('report.attested'), rep.attestation ? rep.attestation.attested + ' / ' + rep.attestation.ended : '—'],
        [t('report.overdue'), String(rep.overdueNow != null ? rep.overdueNow : '—')],
        [t('report.drift'), String(rep.driftDetections != null ? rep.driftDetections : '—')],
        [t('report.drills'), rep.drills ? String(rep.drills.total) : '—']
      ]));
    });
  }

  function changesView(box) {
    return call('GET', ADMIN + '/audit?max=1000').then(function (r) {
      if (!r.ok) { box.appendChild(el('p', { text: problem(r) })); return; }
      var changes = r.json.filter(function (rec) { return rec.type === 'BREAK_GLASS_GOVERNANCE_CHANGED'; }).reverse().slice(0, 10);
      if (!changes.length) { box.appendChild(el('p', { text: t('changes.none') })); return; }
      box.appendChild(evidence({ records: changes, chain: { valid: true, records: r.json.length } }).firstChild);
    });
  }

  function policyView(box, json) {
    var config = json.config || {};
    if (!json.valid) {
      box.appendChild(el('div', { class: 'pf-v5-c-alert pf-m-danger pf-m-inline' },
        el('p', { class: 'pf-v5-c-alert__title', text: t('policy.invalid', (json.errors || []).map(function (e) { return e.message; }).join(' ')) })));
    }
    box.appendChild(dl(Object.keys(config).map(function (k) {
      return [k, String(config[k]).split('##').join(', ')];
    })));
    box.appendChild(el('p', {}, t('policy.where') + ' ',
      el('a', { href: root.root + 'admin/' + encodeURIComponent(root.realm) + '/console/#/' + encodeURIComponent(root.realm) + '/authentication/required-actions', text: t('policy.link') })));
  }

  // ---- start ------------------------------------------------------------------------------

  function signedIn() {
    document.getElementById('bg-user').textContent = claims.preferred_username || '';
    var out = document.getElementById('bg-signout');
    out.hidden = false;
    return ACTIVATE ? showToken() : showConsole();
  }

  function start() {
    var select = document.getElementById('bg-lang');
    select.addEventListener('change', function () {
      loadMessages(select.value).then(function () { if (tokens) signedIn(); else if (!ACTIVATE) signedOut(); });
    });
    document.getElementById('bg-signout').addEventListener('click', signOut);
    loadMessages(pickLanguage()).then(callback).then(function (set) {
      if (set) { keep(set); return signedIn(); }
      var kept = stored();
      // The activation link always starts a fresh break-glass sign-in unless a token is on show.
      if (kept) { keep(kept); return signedIn(); }
      if (ACTIVATE) return signIn();
      if (new URLSearchParams(location.search).has('signedOut')) return signedOut();
      return signIn();
    }).catch(function (e) {
      signedOut();
      complain(e.message);
    });
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
