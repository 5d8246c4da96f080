// shortlink's page: creates links through the JSON API, shows a link's
// state and visits to its owner, and changes it. No framework, no inline
// script, no innerHTML (the page's CSP requires Trusted Types for every
// HTML sink, and this file uses none): the DOM is built node by node.
'use strict';

(() => {
  const $ = (id) => document.getElementById(id);
  const SVG = 'http://www.w3.org/2000/svg';
  const HOUR = 3600e3;
  const DAY = 24 * HOUR;
  const keyRequired = document.body.dataset.keyRequired === 'true';
  // The server's lifetimes: MAX_TTL in seconds and in words, "never" when
  // links may live for ever (then no bound, and "never" is offered).
  const maxTTLWords = document.body.dataset.maxTtl || '';
  const foreverAllowed = maxTTLWords === 'never';
  const maxTTLSeconds = foreverAllowed ? 0 : Number(document.body.dataset.maxTtlSeconds) || 0;

  // What the page holds in memory only: the API key (when the service wants
  // one), the token of the link just created, and the link being managed.
  let apiKey = '';
  let created = null; // {short_url, manage_token}
  let session = null; // {code, token, info}

  // The workspace key the visitor signed in with lives in sessionStorage:
  // this tab only, gone when it closes; never in lasting storage or a URL.
  const keyItem = 'shortlink.workspaceKey';
  let workspaceKey = '';
  const stored = {
    get() { try { return sessionStorage.getItem(keyItem) || ''; } catch { return ''; } },
    set(v) { try { sessionStorage.setItem(keyItem, v); } catch { /* storage off: memory only */ } },
    forget() { try { sessionStorage.removeItem(keyItem); } catch { /* nothing kept */ } },
  };

  // api calls the JSON API and returns {status, data}; status 0 means the
  // service could not be reached. Credentials go only in Authorization.
  async function api(method, path, body, bearer) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (bearer) headers.Authorization = 'Bearer ' + bearer;
    let resp;
    try {
      resp = await fetch(path, {
        method, headers, credentials: 'omit', cache: 'no-store', redirect: 'manual',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      return { status: 0, data: { error: 'The service could not be reached. Check the connection and try again.' } };
    }
    if (resp.status === 204) return { status: 204, data: {} };
    try {
      const envelope = await resp.json();
      return { status: resp.status, data: (envelope && envelope.data) || {} };
    } catch {
      return { status: resp.status, data: { error: `Unexpected answer from the service (HTTP ${resp.status}).` } };
    }
  }

  // ---- what errors say -----------------------------------------------------

  // words are the page's messages for the API's error reasons, for people.
  // The page chooses them, and where they go, by reason and field, never by
  // the API's message, which is shown only for a reason the page does not
  // know (docs/reasons.md lists them all).
  const words = {
    missing_field: (data) => (data.field === 'url' ? 'Enter the address to shorten.' : ''),
    invalid_url: 'Enter a full web address, starting with http:// or https://.',
    url_too_long: 'That address is too long to shorten.',
    own_host: 'That is already a link of this service: shorten the address it leads to instead.',
    invalid_domain: 'Pick one of the domains in the list.',
    denied_host: 'Links to that site are not allowed here.',
    invalid_alias: 'An alias may have only letters, digits and hyphens (not first or last), at most 32 of them.',
    reserved_alias: 'That alias is a word the service keeps for itself — try another.',
    alias_taken: 'That alias is taken — try another.',
    invalid_expires_at: 'Enter a date and a time.',
    expires_at_in_past: 'That time has passed — choose a later one.',
    expires_at_too_far: () => (maxTTLSeconds > 0
      ? `A link can last at most ${maxTTLWords}: until ${formatTime(new Date(Date.now() + maxTTLSeconds * 1e3))} at the latest — choose an earlier date.`
      : 'That is too far ahead — choose an earlier date.'),
    invalid_code: 'That is not a short URL of this service.',
    not_found: 'No link has this short URL. Check that it is complete.',
    gone: 'This link was deleted; it cannot change any more.',
    link_expired: 'This link has expired; it cannot change any more.',
    forbidden: 'This is not the manage token of this link.',
    taken_down: 'An administrator took this link down; only an administrator can change or delete it.',
    rate_limited: 'Too many requests from here in a short time — wait a minute and try again.',
    unavailable: 'The service is unavailable for a moment — try again shortly.',
    internal: 'Something went wrong on the service — try again shortly.',
    invalid_title: 'A title may have at most 200 characters, and no invisible ones.',
    invalid_tag: 'A tag is 1–32 letters, digits, hyphens, underscores or dots.',
    too_many_tags: 'A link may have at most 10 tags.',
    invalid_password: 'A password has 8 to 128 characters.',
    invalid_rules: 'A rule needs a language code such as fr, or a country code such as FR, and an address.',
    feature_not_enabled: 'This service does not take passwords yet: its operator has not finished the upgrade that turns them on. ' +
      'Leave the password empty to make the link without one.',
    invalid_cursor: 'The list changed under the page — show the links again from the start.',
    invalid_filter: 'That is not a state a link can be in.',
  };

  // say is what the page says for the error answer r: its words for r's
  // reason (own's first, then the page's), else the API's message, else
  // fallback.
  function say(r, own, fallback) {
    const said = lookup(own, r.data.reason) || lookup(words, r.data.reason);
    const text = typeof said === 'function' ? said(r.data) : said;
    return text || r.data.error || fallback;
  }

  // placeOf is the input an error belongs next to: the one of the field at
  // fault, else the one its reason is about; null puts it at the form.
  function placeOf(data, byField, byReason) {
    return lookup(byField, data.field) || lookup(byReason, data.reason) || null;
  }

  // lookup is table[key] for the table's own keys only ("constructor" is
  // no reason, whatever an object inherits).
  const lookup = (table, key) => (table && typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined);

  // ---- small DOM helpers --------------------------------------------------

  function node(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
    el.append(...children);
    return el;
  }

  function svg(tag, attrs, ...children) {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    el.append(...children);
    return el;
  }

  function showError(id, message) {
    const el = $(id);
    el.textContent = message;
    el.hidden = !message;
  }

  // fieldError shows message next to the input with id, marks the input
  // invalid, and returns the input (to focus the first one).
  function fieldError(inputId, message) {
    const input = $(inputId);
    input.setAttribute('aria-invalid', 'true');
    showError(inputId + '-error', message);
    return input;
  }

  function clearErrors(container) {
    for (const el of container.querySelectorAll('.error, .form-error')) showError(el.id, '');
    for (const el of container.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  }

  // busy runs work with button marked busy; a second press meanwhile does
  // nothing and gets null. The button is not disabled, which would take the focus away
  // from a keyboard user.
  async function busy(button, work) {
    if (button.getAttribute('aria-disabled') === 'true') return null;
    button.setAttribute('aria-disabled', 'true');
    try {
      return await work();
    } finally {
      button.removeAttribute('aria-disabled');
    }
  }

  // ---- time ---------------------------------------------------------------

  // rfc3339 is an instant in RFC 3339 with Z, to the second.
  const rfc3339 = (date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

  // localInput is an instant as a datetime-local input value.
  function localInput(date) {
    const p = (n) => String(n).padStart(2, '0');
    return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}`;
  }

  // fromLocalInput reads a datetime-local value as local time; null when empty.
  function fromLocalInput(value) {
    if (!value) return null;
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }

  // formatTime says an instant in the visitor's time zone, with the zone's
  // name, in the page's English: "14 Dec 2026, 10:30 CET".
  const timeFormat = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
  });
  const formatTime = (date) => timeFormat.format(date);

  // zoneWords names the visitor's time zone: "Europe/Berlin, CET".
  function zoneWords() {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || '';
    const part = timeFormat.formatToParts(new Date()).find((p) => p.type === 'timeZoneName');
    const short = part ? part.value : '';
    return [zone, short].filter(Boolean).filter((v, i, all) => all.indexOf(v) === i).join(', ');
  }

  // setTime shows an instant of the API (RFC 3339), or, for null, that
  // there is none: a permanent link never expires.
  function setTime(el, iso) {
    el.dateTime = iso || '';
    el.textContent = iso ? formatTime(new Date(iso)) : 'never';
  }

  function boundExpiryInputs() {
    const now = new Date();
    for (const id of ['expires', 'extend-to']) {
      $(id).min = localInput(new Date(now.getTime() + 60e3));
      if (maxTTLSeconds > 0) $(id).max = localInput(new Date(now.getTime() + maxTTLSeconds * 1e3));
    }
  }

  // ---- create -------------------------------------------------------------

  // The inputs of the create form, by the field or reason of an error.
  const createFields = {
    url: 'url', alias: 'alias', expires_at: 'expires', title: 'title', tags: 'tags', password: 'password',
    domain: 'domain',
  };
  const createReasons = {
    unauthorized: 'api-key', feature_not_enabled: 'password', invalid_password: 'password',
    invalid_title: 'title', invalid_tag: 'tags', too_many_tags: 'tags',
  };
  const createWords = {
    unauthorized: 'Enter a valid API key: this service needs one to create links.',
  };

  // ---- redirect rules -----------------------------------------------------

  // addRule appends a row to the rules editor: who (a select; a language or
  // country takes a code) and where to.
  const ruleKinds = [
    ['os:ios', 'on iPhone or iPad (iOS)'], ['os:android', 'on Android'], ['device:mobile', 'on a phone'],
    ['device:tablet', 'on a tablet'], ['device:desktop', 'on a desktop computer'],
    ['language', 'whose browser prefers the language…'], ['country', 'in the country…'],
  ];

  function addRule() {
    const kind = node('select', { class: 'rule-kind', 'aria-label': 'Visitors' },
      ...ruleKinds.map(([value, text]) => node('option', { value }, text)));
    const value = node('input', { class: 'rule-value', type: 'text', 'aria-label': 'Language (fr) or country (FR) code',
      placeholder: 'fr', size: '4', autocomplete: 'off', spellcheck: 'false' });
    value.hidden = true;
    const url = node('input', { class: 'rule-url', type: 'text', inputmode: 'url', 'aria-label': 'go to this address',
      placeholder: 'https://…', autocomplete: 'off', spellcheck: 'false' });
    const remove = node('button', { type: 'button', class: 'secondary remove-rule' }, 'Remove');
    const row = node('li', { class: 'rule' }, kind, value, url, remove);
    kind.addEventListener('change', () => {
      value.hidden = kind.value !== 'language' && kind.value !== 'country';
      value.placeholder = kind.value === 'country' ? 'FR' : 'fr';
    });
    row.querySelector('.remove-rule').addEventListener('click', () => row.remove());
    $('rule-list').append(row);
    kind.focus();
  }

  // rulesOfForm are the editor's rows with an address, as the API takes
  // them; each address is completed as the long URL is, and shown so.
  function rulesOfForm() {
    const rules = [];
    for (const row of $('rule-list').children) {
      const urlInput = row.querySelector('.rule-url');
      const url = completeURL(urlInput.value.trim());
      if (!url) continue;
      urlInput.value = url;
      const kind = row.querySelector('.rule-kind').value;
      const value = row.querySelector('.rule-value').value.trim();
      const [name, word] = kind.includes(':') ? kind.split(':') : [kind, value];
      rules.push({ when: { [name]: [word] }, url });
    }
    return rules;
  }

  // completeURL adds https:// to an address typed without a scheme
  // ("example.com/x", "//example.com/x"); anything with one, or empty, is
  // left for the API to judge. "localhost:8080/x" has no scheme: a port.
  function completeURL(text) {
    if (!text || /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return text;
    if (text.startsWith('//')) return 'https:' + text;
    const scheme = /^([a-z][a-z0-9+.-]*):(.*)$/i.exec(text);
    if (scheme && !/^\d+(?:[/?#]|$)/.test(scheme[2])) return text; // mailto:, javascript:, …
    return 'https://' + text;
  }

  async function create(event) {
    event.preventDefault();
    const form = $('create-form');
    clearErrors(form);
    const typed = $('url').value.trim();
    const url = completeURL(typed);
    $('url').value = url; // what is sent is what the field shows
    const body = { url };
    const alias = $('alias').value.trim();
    if (alias) body.alias = alias;
    if (!$('domain-field').hidden && $('domain').value) body.domain = $('domain').value;
    if (foreverAllowed && $('never').checked) {
      body.expires_at = 'never';
    } else {
      const expires = fromLocalInput($('expires').value);
      if (expires === undefined) {
        fieldError('expires', words.invalid_expires_at).focus();
        return;
      }
      if (expires) body.expires_at = rfc3339(expires);
    }
    if (workspaceKey) {
      const title = $('title').value.trim();
      if (title) body.title = title;
      const tags = tagsOf($('tags').value);
      if (tags.length) body.tags = tags;
    }
    if ($('forward-query').checked) body.forward_query = true;
    const password = $('password').value;
    if (password) body.password = password;
    const rules = rulesOfForm();
    if (rules.length) body.rules = rules;
    if (!$('key-field').hidden) apiKey = $('api-key').value.trim();

    const r = await busy($('create-submit'), () => api('POST', '/v1/shortlink', body, workspaceKey || apiKey));
    if (!r) return;
    if (r.status === 201) {
      showCreated(r.data, url !== typed);
      clearCreateForm();
      if (workspaceKey) listLinks(false);
      return;
    }
    const message = say(r, createWords, `The link could not be made (HTTP ${r.status}).`);
    let place = placeOf(r.data, createFields, createReasons);
    if (typeof r.data.field === 'string' && r.data.field.startsWith('rules')) place = 'rules';
    if (r.data.reason === 'feature_not_enabled' && body.rules && !body.password) place = 'rules';
    if (!place) {
      showError('create-error', message);
      return;
    }
    if (place === 'password' || place === 'rules') $('more-options').open = true;
    if (place === 'api-key') $('key-field').hidden = false;
    fieldError(place, message).focus();
  }

  // clearCreateForm empties the link's fields after a create, so that a
  // second press is a new link, not the same alias again (409); the API
  // key stays.
  function clearCreateForm() {
    for (const id of ['url', 'alias', 'expires', 'title', 'tags', 'password']) $(id).value = '';
    $('rule-list').replaceChildren();
    $('never').checked = false;
    $('forward-query').checked = false;
    $('expires').disabled = false;
  }

  function showCreated(data, completed) {
    created = { short_url: data.short_url, manage_token: data.manage_token, code: data.code };
    $('result-url').textContent = data.url;
    $('result-completed').hidden = !completed;
    setTime($('result-expires'), data.expires_at);
    $('short-url').value = data.short_url;
    $('token-out').value = data.manage_token || '';
    $('token-box').hidden = !data.manage_token;
    $('manage-new').hidden = !data.manage_token;
    $('copy-status').textContent = '';
    showQR(data.code, data.short_url);
    $('result').hidden = false;
    $('result-heading').focus();
  }

  // showQR shows the QR code route's SVG; if the service has none, the
  // figure stays hidden.
  function showQR(code, shortURL) {
    const figure = $('qr-figure');
    figure.hidden = true;
    const old = $('qr');
    if (old) old.remove();
    const img = node('img', {
      id: 'qr', width: '160', height: '160',
      alt: 'QR code that opens ' + shortURL,
      src: '/v1/shortlink/' + encodeURIComponent(code) + '/qr?format=svg&size=320',
    });
    img.addEventListener('load', () => { figure.hidden = false; });
    img.addEventListener('error', () => { figure.hidden = true; });
    figure.prepend(img);
  }

  async function copyFrom(button) {
    const input = $(button.dataset.copy);
    const what = input.id === 'token-out' ? 'the manage token' : 'the short URL';
    let ok = false;
    try {
      await navigator.clipboard.writeText(input.value);
      ok = true;
    } catch {
      input.select();
      try { ok = document.execCommand('copy'); } catch { ok = false; }
    }
    $('copy-status').textContent = ok
      ? `Copied ${what}.`
      : `Could not copy ${what}: it is selected, copy it with your keyboard or menu.`;
  }

  // ---- manage -------------------------------------------------------------

  // codeOf takes a pasted short URL (also its preview URL, ending in +) or
  // a bare code and returns the code.
  function codeOf(text) {
    let s = text.trim();
    try {
      s = new URL(s).pathname;
    } catch { /* not a URL: a code, or host/code */ }
    const parts = s.split('/').filter(Boolean);
    let code = parts.length ? parts[parts.length - 1] : '';
    if (code.endsWith('+')) code = code.slice(0, -1);
    return code;
  }

  const codePattern = /^[0-9A-Za-z](?:[0-9A-Za-z-]{0,30}[0-9A-Za-z])?$/;

  // The inputs of the manage form, by the field or reason of an error.
  const manageFields = { code: 'link' };
  const manageReasons = { not_found: 'link', gone: 'link', unauthorized: 'token', forbidden: 'token' };
  const manageWords = {
    unauthorized: 'Enter the manage token you got when the link was made.',
  };

  async function openLink(event) {
    if (event) event.preventDefault();
    const form = $('manage-form');
    clearErrors(form);
    const code = codeOf($('link').value);
    const token = $('token').value.trim();
    let first = null;
    if (!$('link').value.trim()) {
      first = fieldError('link', 'Enter the short URL, or just its code.');
    } else if (!codePattern.test(code)) {
      first = fieldError('link', 'This is not a short URL of this service: a code is 1–32 letters, digits and inner hyphens.');
    }
    if (!token) {
      const input = fieldError('token', 'Enter the manage token you got when the link was made.');
      first = first || input;
    }
    if (first) {
      first.focus();
      return;
    }
    await showLink(code, token, $('manage-submit'), (r) => {
      const message = say(r, manageWords, `The link could not be read (HTTP ${r.status}).`);
      const place = placeOf(r.data, manageFields, manageReasons);
      if (place) fieldError(place, message).focus();
      else showError('manage-error', message);
    });
  }

  // showLink reads the link with code using token (its manage token or the
  // workspace key) and shows it and its visits; failed(r) says why not.
  async function showLink(code, token, button, failed) {
    const r = await busy(button, () => api('GET', '/v1/shortlink/' + encodeURIComponent(code) + '/info', undefined, token));
    if (!r) return;
    if (r.status !== 200) {
      $('link-view').hidden = true;
      failed(r);
      return;
    }
    session = { code, token, info: r.data };
    showInfo(r.data);
    showError('action-error', '');
    $('action-status').textContent = '';
    $('link-view').hidden = false;
    $('link-heading').focus();
    loadStats();
  }

  const stateWords = {
    active: 'active: it redirects',
    disabled: 'disabled: it answers 410 Gone',
    expired: 'expired: it answers 404 Not Found',
    deleted: 'deleted: it answers 410 Gone for good',
  };

  function showInfo(info) {
    session.info = info;
    $('link-heading').textContent = 'Link ' + info.code;
    $('info-short-url').textContent = info.short_url;
    $('info-url').textContent = info.url || '(erased)';
    const state = $('info-state');
    state.textContent = stateWords[info.state] || info.state;
    state.className = 'state-' + info.state;
    state.dataset.state = info.state;
    setTime($('info-created'), info.created_at);
    setTime($('info-expires'), info.expires_at);
    $('info-expires-label').textContent = expiryLabels[info.state] || 'Expires';
    const tags = Array.isArray(info.tags) ? info.tags : [];
    $('info-title').textContent = info.title || '';
    $('info-tags').textContent = tags.join(', ');
    for (const [id, shown] of [['info-title', !!info.title], ['info-tags', tags.length > 0]]) {
      $(id).hidden = !shown;
      $(id + '-label').hidden = !shown;
    }

    const live = info.state === 'active' || info.state === 'disabled';
    $('actions').hidden = info.state === 'deleted';
    $('toggle-disabled').hidden = !live;
    $('toggle-disabled').textContent = info.state === 'disabled' ? 'Enable' : 'Disable';
    $('extend-to').closest('.field').hidden = !live;
    $('extend-never').checked = foreverAllowed && live && !info.expires_at;
    $('extend-to').disabled = $('extend-never').checked;
    $('delete-confirm').hidden = true;
    $('delete').hidden = false;
    boundExpiryInputs();
    $('extend-to').value = info.expires_at ? localInput(new Date(info.expires_at)) : '';
  }

  // expiryLabels name the link view's expiry by the link's state: a deleted
  // link's is when it was deleted.
  const expiryLabels = { active: 'Expires', disabled: 'Expires', expired: 'Expired', deleted: 'Deleted at' };

  // change sends a PATCH or DELETE with the session's token and shows the
  // link's new state, or the error next to the input of its field.
  async function change(button, method, body, done) {
    const actions = $('actions');
    clearErrors(actions);
    $('action-status').textContent = '';
    const path = '/v1/shortlink/' + encodeURIComponent(session.code);
    const r = await busy(button, () => api(method, path, body, session.token));
    if (!r) return;
    if (r.status === 200 || r.status === 204) {
      let info = r.data;
      if (r.status === 204) {
        const again = await api('GET', path + '/info', undefined, session.token);
        info = again.status === 200 ? again.data : { ...session.info, state: 'deleted', url: '' };
      }
      showInfo(info);
      $('action-status').textContent = done(info);
      if (workspaceKey && session.token === workspaceKey) listLinks(false); // the row shows the new state
      if (button.hidden || button.closest('[hidden]')) $('link-heading').focus();
      return;
    }
    const message = say(r, changeWords, `The change failed (HTTP ${r.status}).`);
    const place = placeOf(r.data, { expires_at: 'extend-to' }, {});
    if (place) fieldError(place, message).focus();
    else showError('action-error', message);
  }

  // changeWords word the errors of a change: a later expiry is bounded by
  // the link's creation, and the page says until when, in local time.
  const changeWords = {
    expires_at_too_far: () => {
      const created = session && Date.parse(session.info.created_at);
      if (!maxTTLSeconds || Number.isNaN(created)) return '';
      return `This link can last until ${formatTime(new Date(created + maxTTLSeconds * 1e3))} at the latest ` +
        `(${maxTTLWords} after it was made) — choose an earlier date.`;
    },
  };

  function toggleDisabled() {
    const disable = session.info.state !== 'disabled';
    change($('toggle-disabled'), 'PATCH', { disabled: disable }, () => (disable
      ? 'Disabled: the short URL now answers 410 Gone. Enable it to make it work again.'
      : 'Enabled: the short URL redirects again.'));
  }

  function extend() {
    const done = (info) => (info.expires_at ? 'The link now expires ' + formatTime(new Date(info.expires_at)) + '.' : 'The link now never expires.');
    if (foreverAllowed && $('extend-never').checked) {
      change($('extend'), 'PATCH', { expires_at: 'never' }, done);
      return;
    }
    const date = fromLocalInput($('extend-to').value);
    if (!date) {
      clearErrors($('actions'));
      fieldError('extend-to', words.invalid_expires_at).focus();
      return;
    }
    change($('extend'), 'PATCH', { expires_at: rfc3339(date) }, done);
  }

  function askDelete() {
    $('delete-confirm').hidden = false;
    $('delete').hidden = true;
    $('delete-no').focus();
  }

  function cancelDelete() {
    $('delete-confirm').hidden = true;
    $('delete').hidden = false;
    $('delete').focus();
  }

  function confirmDelete() {
    change($('delete-yes'), 'DELETE', undefined,
      () => 'Deleted: the short URL answers 410 Gone for good. Its visits stay readable below.');
  }

  // ---- stats --------------------------------------------------------------

  const periods = {
    '24h': { interval: 'hour', count: 24, step: HOUR, words: 'the last 24 hours' },
    '7d': { interval: 'day', count: 7, step: DAY, words: 'the last 7 days' },
    '30d': { interval: 'day', count: 30, step: DAY, words: 'the last 30 days' },
  };

  const statsWords = { no_route: 'This service does not keep visit statistics.' };

  async function loadStats() {
    if (!session) return;
    const period = periods[$('period').value] || periods['7d'];
    const now = Date.now();
    const first = Math.floor(now / period.step) * period.step - (period.count - 1) * period.step;
    const query = new URLSearchParams({
      from: rfc3339(new Date(first)), to: rfc3339(new Date(now)), interval: period.interval,
      dimensions: dimensionLists.map((d) => d.name).join(','),
    });
    showError('stats-error', '');
    const r = await busy($('refresh'), () => api('GET', '/v1/shortlink/' + encodeURIComponent(session.code) + '/stats?' + query, undefined, session.token));
    if (!r) return;
    if (r.status !== 200) {
      clearStats();
      showError('stats-error', say(r, statsWords, `The visits could not be read (HTTP ${r.status}).`));
      return;
    }
    showStats(r.data, period, first);
  }

  function clearStats() {
    $('stats-summary').textContent = '';
    $('chart').replaceChildren();
    $('chart-figure').hidden = true;
    $('stats-rows').replaceChildren();
    $('referrers').replaceChildren();
    $('referrers').hidden = true;
    $('referrers-heading').hidden = true;
    for (const list of document.querySelectorAll('#dimensions section')) list.remove();
    $('dimensions').hidden = true;
  }

  // buckets is the series with a zero entry for every period of the window
  // the API left out, in time order.
  function buckets(series, period, first) {
    const byStart = new Map();
    for (let i = 0; i < period.count; i++) byStart.set(first + i * period.step, { humans: 0, bots: 0 });
    for (const s of series || []) {
      const t = Date.parse(s.start);
      if (Number.isNaN(t)) continue;
      byStart.set(t, { humans: Number(s.humans) || 0, bots: Number(s.bots) || 0 });
    }
    return [...byStart.entries()].sort((a, b) => a[0] - b[0])
      .map(([start, v]) => ({ start, humans: v.humans, bots: v.bots, total: v.humans + v.bots }));
  }

  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  // label names a period start in UTC: "27 Nov" for a day, "14:00" for an hour.
  function label(start, interval) {
    const d = new Date(start);
    if (interval === 'hour') return String(d.getUTCHours()).padStart(2, '0') + ':00';
    return d.getUTCDate() + ' ' + months[d.getUTCMonth()];
  }

  function longLabel(start, interval) {
    const iso = new Date(start).toISOString();
    return interval === 'hour' ? iso.slice(0, 13).replace('T', ' ') + ':00 UTC' : iso.slice(0, 10) + ' (UTC)';
  }

  const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

  function showStats(stats, period, first) {
    clearStats();
    const humans = Number(stats.humans) || 0;
    const bots = Number(stats.bots) || 0;
    const total = Number(stats.total) || humans + bots;
    // Dimensions and unique visitors are counted only with VISIT_DIMENSIONS,
    // which also places every visit in a country: no countries, no figures.
    const counted = ((stats.dimensions || {}).country || []).length > 0;
    const uniques = Number(stats.unique_visitors) || 0;
    $('stats-summary').textContent =
      `${plural(total, 'visit')} in ${period.words}: ${plural(humans, 'human')}, ${plural(bots, 'bot')}.` +
      (counted ? ` ${uniques} daily unique ${uniques === 1 ? 'visitor' : 'visitors'}.` : '');
    const rows = buckets(stats.series, period, first);
    const interval = stats.interval || period.interval;
    $('stats-caption').textContent = `Visits per ${interval} in ${period.words}, times in UTC`;
    for (const b of rows) {
      $('stats-rows').append(node('tr', {},
        node('th', { scope: 'row' }, longLabel(b.start, interval)),
        node('td', {}, String(b.humans)), node('td', {}, String(b.bots)), node('td', {}, String(b.total))));
    }
    $('chart').append(chart(rows, interval, period, { total, humans, bots }));
    $('chart-figure').hidden = false;
    showReferrers(stats.referrers || []);
    if (counted) showDimensions(stats.dimensions);
  }

  // dimensionLists are the dimensions the page asks for, in the order it
  // shows them, with their headings and how to name a value.
  const dimensionLists = [
    { name: 'country', heading: 'Countries', say: countryName },
    { name: 'device', heading: 'Devices', say: (v) => ({ desktop: 'Desktop', mobile: 'Phone', tablet: 'Tablet', bot: 'Bot', other: 'Other' })[v] || v },
    { name: 'browser', heading: 'Browsers', say: (v) => (v === 'other' ? 'Other' : v) },
    { name: 'os', heading: 'Operating systems', say: (v) => (v === 'other' ? 'Other' : v) },
    { name: 'utm_campaign', heading: 'Campaigns (utm_campaign)', say: (v) => ({ none: 'No campaign', other: 'Other campaigns' })[v] || v },
    { name: 'utm_source', heading: 'Campaign sources (utm_source)', say: (v) => ({ none: 'No source', other: 'Other sources' })[v] || v },
  ];

  let regionNames = null;
  try {
    regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
  } catch (e) {
    regionNames = null; // an old browser: codes only
  }

  // countryName names an ISO 3166 alpha-2 code in English, with the code:
  // "Germany (DE)"; XX is a place no database knows (private addresses too).
  function countryName(code) {
    if (code === 'XX') return 'Unknown (XX)';
    if (code === 'other') return 'Other countries';
    let name = '';
    try {
      name = regionNames ? regionNames.of(code) : '';
    } catch (e) {
      name = '';
    }
    return name && name !== code ? `${name} (${code})` : code;
  }

  // showDimensions lists each dimension's top values as bars with their
  // counts written out, like the referrers: readable without colour.
  function showDimensions(dimensions) {
    const box = $('dimensions');
    for (const d of dimensionLists) {
      const values = dimensions[d.name] || [];
      if (values.length === 0) continue;
      const id = 'dimension-' + d.name.replace('_', '-');
      const list = node('ol', { class: 'referrers', id, 'aria-labelledby': id + '-heading' });
      fillBars(list, values.map((v) => ({ name: d.say(String(v.value)), visits: Number(v.visits) || 0 })));
      box.append(node('section', { 'aria-labelledby': id + '-heading' }, node('h5', { id: id + '-heading' }, d.heading), list));
    }
    box.hidden = false;
  }

  // fillBars appends to list one item per entry: its name, a bar as long as
  // its share of the most visits, and its visits as text.
  function fillBars(list, entries) {
    const most = Math.max(1, ...entries.map((e) => e.visits));
    for (const e of entries) {
      const bar = node('span', { class: 'bar' });
      bar.style.width = ((e.visits / most) * 100).toFixed(1) + '%'; // CSSOM, which the CSP allows
      list.append(node('li', {},
        node('span', { class: 'host' }, e.name),
        node('span', { class: 'track', 'aria-hidden': 'true' }, bar),
        node('span', { class: 'count' }, String(e.visits), node('span', { class: 'visually-hidden' }, e.visits === 1 ? ' visit' : ' visits'))));
    }
  }

  // niceCeiling rounds up to 1, 2 or 5 times a power of ten.
  function niceCeiling(n) {
    if (n <= 1) return 1;
    const p = 10 ** Math.floor(Math.log10(n));
    for (const m of [1, 2, 5, 10]) if (m * p >= n) return m * p;
    return 10 * p;
  }

  // chart draws stacked bars, humans solid at the bottom and bots striped on
  // top, with each bar's total written above it: readable without colour.
  function chart(rows, interval, period, sums) {
    const W = 640;
    const H = 220;
    const left = 34;
    const right = 8;
    const top = 18;
    const bottom = 26;
    const plotW = W - left - right;
    const plotH = H - top - bottom;
    const max = niceCeiling(Math.max(0, ...rows.map((b) => b.total)));
    const y = (v) => top + plotH - (v / max) * plotH;
    const slot = plotW / Math.max(1, rows.length);
    const barW = Math.max(2, Math.min(40, slot * 0.7));
    const every = Math.ceil(rows.length / 8);

    const title = svg('title', { id: 'chart-title' },
      `Visits per ${interval} in ${period.words}: ${sums.total} in all, ${sums.humans} humans, ${sums.bots} bots`);
    const root = svg('svg', {
      viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-title', id: 'chart-svg',
    }, title);
    for (const v of max % 2 === 0 ? [0, max / 2, max] : [0, max]) { // whole numbers only
      root.append(
        svg('line', { class: 'grid', x1: left, x2: W - right, y1: y(v), y2: y(v) }),
        svg('text', { class: 'axis', x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, String(v)));
    }
    rows.forEach((b, i) => {
      const x = left + i * slot + (slot - barW) / 2;
      const g = svg('g', { class: 'bar', 'data-start': new Date(b.start).toISOString() },
        svg('title', {}, `${longLabel(b.start, interval)}: ${plural(b.humans, 'human')}, ${plural(b.bots, 'bot')}`));
      if (b.humans > 0) {
        g.append(svg('rect', { class: 'humans', x, width: barW, y: y(b.humans), height: y(0) - y(b.humans), fill: '#1d4f91' }));
      }
      if (b.bots > 0) {
        g.append(svg('rect', {
          class: 'bots', x, width: barW, y: y(b.total), height: y(b.humans) - y(b.total),
          fill: 'url(#stripes)', stroke: '#a64b00', 'stroke-width': 1,
        }));
      }
      if (b.total > 0) {
        g.append(svg('text', { class: 'value', x: x + barW / 2, y: y(b.total) - 4, 'text-anchor': 'middle' }, String(b.total)));
      }
      if (i % every === 0) {
        g.append(svg('text', { class: 'axis', x: x + barW / 2, y: H - 8, 'text-anchor': 'middle' }, label(b.start, interval)));
      }
      root.append(g);
    });
    root.append(svg('line', { class: 'baseline', stroke: '#8a929c', x1: left, x2: W - right, y1: y(0), y2: y(0) }));
    return root;
  }

  function showReferrers(referrers) {
    const list = $('referrers');
    fillBars(list, referrers.map((r) => ({
      name: r.host === 'direct' ? 'direct (no referrer)' : String(r.host), visits: Number(r.visits) || 0,
    })));
    list.hidden = referrers.length === 0;
    $('referrers-heading').hidden = referrers.length === 0;
  }

  // ---- signing in and the links view --------------------------------------

  // tagsOf splits what the tags field holds at commas and spaces.
  const tagsOf = (text) => [...new Set(text.toLowerCase().split(/[\s,]+/).filter(Boolean))];

  const signinWords = {
    unauthorized: 'This key is not valid, or was revoked: check it, or ask the workspace\'s owner for a new one.',
    forbidden: 'This key may not list links: sign in with a key of a workspace.',
  };

  let cursor = null; // the next page of the list, null on the last

  // linksQuery is the list's filters (and the cursor) as a query string.
  function linksQuery(more) {
    const query = new URLSearchParams({ limit: '20' });
    const q = $('filter-q').value.trim();
    if (q) query.set('q', q);
    for (const tag of tagsOf($('filter-tag').value)) query.append('tag', tag);
    if ($('filter-state').value) query.set('state', $('filter-state').value);
    if (more && cursor) query.set('cursor', cursor);
    return query;
  }

  async function signIn(event) {
    event.preventDefault();
    clearErrors($('signin-form'));
    const key = $('signin-key').value.trim();
    if (!key) {
      fieldError('signin-key', 'Enter your workspace key.').focus();
      return;
    }
    const r = await busy($('signin-submit'), () => api('GET', '/v1/shortlinks?limit=20', undefined, key));
    if (!r) return;
    if (r.status !== 200) {
      const message = say(r, signinWords, `The key could not be checked (HTTP ${r.status}).`);
      if (r.status === 401 || r.status === 403) fieldError('signin-key', message).focus();
      else showError('signin-error', message);
      return;
    }
    stored.set(key);
    $('signin-key').value = '';
    signedIn(key, r.data);
    $('filter-q').focus();
  }

  // signedIn shows the links view for key, with the first page when the
  // sign-in already read it.
  function signedIn(key, firstPage) {
    workspaceKey = key;
    $('signin-form').hidden = true;
    $('links-view').hidden = false;
    $('workspace-fields').hidden = false;
    $('key-field').hidden = true;
    const id = /^slk_([^_]+)_/.exec(key);
    $('signed-in-as').textContent = id ? `Signed in with key ${id[1]}.` : 'Signed in with a key.';
    if (firstPage) showLinks(firstPage, false);
    else listLinks(false);
    loadDomains();
  }

  function forgetKey() {
    const key = workspaceKey;
    stored.forget();
    workspaceKey = '';
    cursor = null;
    $('links').replaceChildren();
    $('links-status').textContent = '';
    showError('links-error', '');
    importKeys = null;
    $('import-file').value = '';
    clearErrors($('import-form'));
    $('import-status').textContent = '';
    $('import-refused').replaceChildren();
    $('import-refused').hidden = true;
    for (const id of ['filter-q', 'filter-tag', 'title', 'tags']) $(id).value = '';
    $('filter-state').value = '';
    $('links-view').hidden = true;
    $('workspace-fields').hidden = true;
    $('key-field').hidden = !keyRequired;
    if (session && session.token === key) { // the link the key opened
      session = null;
      $('link-view').hidden = true;
    }
    $('signin-form').hidden = false;
    $('signin-key').focus();
  }

  // listLinks reads the first page (more false) or the next one.
  async function listLinks(more) {
    clearErrors($('filter-form'));
    showError('links-error', '');
    const button = more ? $('load-more') : $('filter-submit');
    const r = await busy(button, () => api('GET', '/v1/shortlinks?' + linksQuery(more), undefined, workspaceKey));
    if (!r) return;
    if (r.status !== 200) {
      const message = say(r, signinWords, `The links could not be read (HTTP ${r.status}).`);
      const place = placeOf(r.data, { q: 'filter-q', tag: 'filter-tag' }, { invalid_tag: 'filter-tag' });
      if (place) fieldError(place, message).focus();
      else showError('links-error', message);
      return;
    }
    showLinks(r.data, more);
  }

  function showLinks(data, more) {
    const list = $('links');
    if (!more) list.replaceChildren();
    const items = Array.isArray(data.items) ? data.items : [];
    const first = list.children.length;
    for (const item of items) list.append(linkRow(item));
    cursor = data.next_cursor || null;
    $('load-more').hidden = !cursor;
    const n = list.children.length;
    $('links-status').textContent = n === 0 ? 'No links match.'
      : `${plural(n, 'link')} shown${cursor ? ', more to load' : ''}.`;
    if (more && list.children[first]) list.children[first].querySelector('button').focus();
  }

  // linkRow is one link of the list: its code (a button that opens it in
  // the manage view), where it goes, its state, title and tags.
  function linkRow(item) {
    const open = node('button', { type: 'button', class: 'link-open' }, String(item.code));
    open.addEventListener('click', () => openFromList(item, open));
    const details = node('span', { class: 'link-details' },
      node('span', { class: 'link-title' }, item.title ? String(item.title) : ''),
      node('code', { class: 'link-url' }, String(item.url || '(erased)')),
      node('span', { class: 'link-meta' },
        node('span', { class: 'state-' + item.state }, String(item.state || '')),
        (Array.isArray(item.tags) && item.tags.length ? ' · ' + item.tags.join(', ') : '')));
    if (!item.title) details.firstChild.remove();
    return node('li', { 'data-code': String(item.code) }, open, details);
  }

  // exportLinks downloads every link the list's filters match, in format
  // (csv or ndjson), with the signed-in key: the key goes in a header, so
  // the page fetches the export and hands it to the browser as a file.
  async function exportLinks(format, button) {
    showError('links-error', '');
    const query = linksQuery(false);
    query.delete('limit');
    query.set('format', format);
    const r = await busy(button, async () => {
      let resp;
      try {
        resp = await fetch('/v1/shortlinks/export?' + query, {
          headers: { Authorization: 'Bearer ' + workspaceKey }, credentials: 'omit', cache: 'no-store', redirect: 'manual',
        });
      } catch {
        return { status: 0, data: { error: 'The service could not be reached. Check the connection and try again.' } };
      }
      if (resp.status !== 200) {
        try {
          const envelope = await resp.json();
          return { status: resp.status, data: (envelope && envelope.data) || {} };
        } catch {
          return { status: resp.status, data: {} };
        }
      }
      try {
        const name = /filename="([^"]+)"/.exec(resp.headers.get('Content-Disposition') || '');
        return { status: 200, blob: await resp.blob(), name: name ? name[1] : 'shortlinks.' + format };
      } catch { // the service cut the connection: the file would be incomplete
        return { status: 0, data: { error: 'The export was cut short. Try again.' } };
      }
    });
    if (!r) return;
    if (r.status !== 200) {
      showError('links-error', say(r, signinWords, `The links could not be exported (HTTP ${r.status}).`));
      return;
    }
    const url = URL.createObjectURL(r.blob);
    const a = node('a', { href: url, download: r.name, hidden: '' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    $('links-status').textContent = `Exported as ${r.name}.`;
  }

  // importKeys are the Idempotency-Keys of the chosen file, one for its
  // check (a dry run) and one for its import, drawn afresh for each file
  // chosen: a double press, or a retry after a cut connection, replays the
  // first answer instead of importing the file twice.
  let importKeys = null;

  function randomKey() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  function chooseImportFile() {
    importKeys = { check: randomKey(), import: randomKey() };
    clearErrors($('import-form'));
    $('import-status').textContent = '';
    $('import-refused').replaceChildren();
    $('import-refused').hidden = true;
  }

  const importWords = {
    idempotency_in_progress: 'This file is still being imported — wait a moment, then press again: it will not be imported twice.',
  };
  const shownRefused = 100; // rows listed; the count says how many more

  // importLinks sends the chosen CSV file to POST /v1/shortlinks/import
  // with the signed-in key, as a check (dryRun: nothing is created) or for
  // real, and says what was (or would be) imported and each refused row by
  // its line. After an import the list is read again.
  async function importLinks(dryRun, button) {
    clearErrors($('import-form'));
    const file = $('import-file').files[0];
    if (!file) {
      fieldError('import-file', 'Choose a CSV file first.').focus();
      return;
    }
    if (!importKeys) chooseImportFile();
    const send = async () => {
      let resp;
      try {
        resp = await fetch('/v1/shortlinks/import?format=csv' + (dryRun ? '&dry_run=true' : ''), {
          method: 'POST', credentials: 'omit', cache: 'no-store', redirect: 'manual', body: file,
          headers: {
            Accept: 'application/json', 'Content-Type': 'text/csv', Authorization: 'Bearer ' + workspaceKey,
            'Idempotency-Key': dryRun ? importKeys.check : importKeys.import,
          },
        });
      } catch {
        return { status: 0, data: { error: 'The service could not be reached, or the file could not be read. Check both and try again: the file will not be imported twice.' } };
      }
      try {
        const envelope = await resp.json();
        return { status: resp.status, data: (envelope && envelope.data) || {}, replayed: resp.headers.get('Idempotent-Replayed') === 'true' };
      } catch {
        return { status: resp.status, data: { error: `Unexpected answer from the service (HTTP ${resp.status}).` } };
      }
    };
    const r = await busy(button, async () => {
      const first = await send();
      if (first.status !== 422 || first.data.reason !== 'idempotency_key_reused') return first;
      // The key went with another body: the file changed on disk since it
      // was chosen. This body was never sent with it, so a new key is safe.
      importKeys = { check: randomKey(), import: randomKey() };
      return send();
    });
    if (!r) return;
    if (r.status !== 200) {
      showError('import-error', say(r, { ...signinWords, ...importWords }, `The file could not be imported (HTTP ${r.status}).`));
      return;
    }
    const imported = Number(r.data.imported) || 0;
    const refused = Array.isArray(r.data.refused) ? r.data.refused : [];
    $('import-status').textContent = dryRun
      ? `${plural(imported, 'row')} would be imported, ${refused.length} refused (nothing imported yet).`
      : `${imported} imported, ${refused.length} refused${r.replayed ? ' (imported before: this is the same answer)' : ''}.`;
    // Each row: its line, the reason as the API names it, the field, and
    // the API's message, which names the row's own fault (the page's
    // words for a reason speak to the create form, not to a file).
    const list = $('import-refused');
    list.replaceChildren(...refused.slice(0, shownRefused).map((row) => node('li', {},
      `line ${Number(row.line) || '?'}: `, node('code', {}, String(row.reason || '')),
      row.field ? ` (${String(row.field)})` : '', ' — ', String(row.error || ''))));
    if (refused.length > shownRefused) {
      list.append(node('li', {}, `and ${plural(refused.length - shownRefused, 'more refused row')} (the first ${shownRefused} are listed).`));
    }
    list.hidden = refused.length === 0;
    if (!dryRun && imported > 0) listLinks(false);
  }

  async function openFromList(item, button) {
    $('link').value = item.short_url || item.code;
    $('token').value = '';
    clearErrors($('manage-form'));
    await showLink(String(item.code), workspaceKey, button, (r) => {
      showError('links-error', say(r, manageWords, `The link could not be read (HTTP ${r.status}).`));
    });
  }

  // ---- wiring -------------------------------------------------------------

  // loadDomains offers the short domains the caller may use, when there is
  // more than one (GET /v1/domains): the default one first, selected, and
  // sent as no domain at all.
  async function loadDomains() {
    const r = await api('GET', '/v1/domains', undefined, workspaceKey);
    const items = (r.status === 200 && Array.isArray(r.data.items)) ? r.data.items : [];
    const select = $('domain');
    select.replaceChildren();
    for (const d of items) {
      const option = document.createElement('option');
      option.value = d.default ? '' : d.host;
      option.textContent = d.host;
      select.append(option);
    }
    $('domain-field').hidden = items.length < 2;
  }

  function start() {
    if (keyRequired) $('key-field').hidden = false;
    loadDomains();
    const zone = zoneWords();
    for (const el of document.querySelectorAll('.zone')) el.textContent = zone ? ', ' + zone : '';
    $('never-field').hidden = !foreverAllowed;
    $('extend-never-field').hidden = !foreverAllowed;
    for (const [box, input] of [['never', 'expires'], ['extend-never', 'extend-to']]) {
      $(box).addEventListener('change', () => { $(input).disabled = $(box).checked; });
    }
    boundExpiryInputs();
    $('create-form').addEventListener('submit', create);
    $('add-rule').addEventListener('click', addRule);
    $('manage-form').addEventListener('submit', openLink);
    for (const b of document.querySelectorAll('button[data-copy]')) b.addEventListener('click', () => copyFrom(b));
    $('manage-new').addEventListener('click', () => {
      if (!created) return;
      $('link').value = created.short_url;
      $('token').value = created.manage_token;
      openLink();
    });
    $('toggle-disabled').addEventListener('click', toggleDisabled);
    $('extend').addEventListener('click', extend);
    $('delete').addEventListener('click', askDelete);
    $('delete-no').addEventListener('click', cancelDelete);
    $('delete-yes').addEventListener('click', confirmDelete);
    $('refresh').addEventListener('click', loadStats);
    $('signin-form').addEventListener('submit', signIn);
    $('forget-key').addEventListener('click', forgetKey);
    $('filter-form').addEventListener('submit', (event) => { event.preventDefault(); listLinks(false); });
    $('load-more').addEventListener('click', () => listLinks(true));
    for (const format of ['csv', 'ndjson']) {
      const button = $('export-' + format);
      button.addEventListener('click', () => exportLinks(format, button));
    }
    $('import-file').addEventListener('change', chooseImportFile);
    $('import-check').addEventListener('click', () => importLinks(true, $('import-check')));
    $('import-form').addEventListener('submit', (event) => { event.preventDefault(); importLinks(false, $('import-submit')); });
    const key = stored.get();
    if (key) signedIn(key, null);
    $('period').addEventListener('change', loadStats);
    document.documentElement.dataset.ready = 'true';
  }

  start();
})();
