// The sluice web console: plain JavaScript, no framework, no build step. Views are chosen by the
// URL's hash (#/topics, #/topics/NAME, #/messages/NAME?…, #/groups, #/connectors, #/throughput)
// and read sluice's data API (/api/…) and Kafka Connect's REST API (/connectors…).
'use strict';

(() => {
  // ---------------------------------------------------------------------------------------------
  // Helpers

  const $ = (sel, root = document) => root.querySelector(sel);
  const enc = encodeURIComponent;

  // el('div', {class: 'x', onclick: fn, 'data-test': 'y'}, child, 'text', [more]) builds DOM
  // nodes; strings become text nodes (never HTML).
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') e.className = v;
      else if (k === 'html') e.innerHTML = v;
      else if (k === 'value') e.value = v;
      else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? '' : v);
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({
      '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
    }[c]));
  }

  const nf = new Intl.NumberFormat('en-US');
  const fmtNum = (n) => (n === null || n === undefined ? '–' : nf.format(n));
  function fmtBytes(n) {
    if (n === null || n === undefined) return '–';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let i = 0;
    let v = n;
    while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return `${i === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
  }
  function fmtRate(v) {
    if (!isFinite(v)) return '–';
    if (v >= 1e6) return `${(v / 1e6).toFixed(1)}M/s`;
    if (v >= 1e4) return `${(v / 1e3).toFixed(1)}k/s`;
    if (v >= 100) return `${Math.round(v)}/s`;
    if (v >= 10) return `${v.toFixed(1)}/s`;
    return `${v.toFixed(2).replace(/\.?0+$/, '') || '0'}/s`;
  }
  const pad = (n, w = 2) => String(n).padStart(w, '0');
  function fmtTime(ms) {
    const d = new Date(ms);
    if (isNaN(d)) return String(ms);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ` +
      `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
  }
  // The value a datetime-local input shows for ms (local time, to the second).
  function toLocalInput(ms) {
    const d = new Date(ms);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T` +
      `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }

  // Calls the API; never throws. {ok, status, data, error}: error is the API's message.
  async function api(method, path, body) {
    const opts = { method, headers: { Accept: 'application/json' } };
    if (body !== undefined) {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = typeof body === 'string' ? body : JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, opts);
    } catch (e) {
      return { ok: false, status: 0, data: null, error: `Cannot reach sluice: ${e.message}` };
    }
    const text = await res.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch { data = text; }
    }
    let error = null;
    if (!res.ok) {
      error = (data && typeof data === 'object' && data.message) ||
        (typeof data === 'string' && data) || `HTTP ${res.status} ${res.statusText}`;
    }
    return { ok: res.ok, status: res.status, data, error };
  }

  function toast(text, kind = '') {
    const t = el('div', { class: `toast ${kind}`, 'data-test': 'toast' }, text);
    $('#toasts').append(t);
    setTimeout(() => t.remove(), kind === 'error' ? 7000 : 3500);
  }

  const banner = (text, kind = 'error', test = 'error') =>
    el('div', { class: `banner ${kind}`, 'data-test': test, role: kind === 'error' ? 'alert' : null }, text);

  const th = (text, cls) => el('th', { class: cls }, text);
  const td = (content, cls) => el('td', { class: cls }, content);
  const badge = (state, test) => el('span', { class: `badge ${state}`, 'data-test': test }, state);

  // ---------------------------------------------------------------------------------------------
  // Views and routing: each view renders into #view; its timers stop when another view opens.

  const current = { timers: [], gen: 0, cleanup: [] };
  function every(ms, fn) { current.timers.push(setInterval(fn, ms)); }
  function onLeave(fn) { current.cleanup.push(fn); }
  function leaveView() {
    current.timers.forEach(clearInterval);
    current.cleanup.forEach((fn) => fn());
    current.timers = [];
    current.cleanup = [];
    current.gen++;
  }
  const stillHere = (gen) => gen === current.gen;

  function parseHash() {
    const h = location.hash.replace(/^#\/?/, '');
    const q = h.indexOf('?');
    const path = q < 0 ? h : h.slice(0, q);
    const parts = path.split('/').filter(Boolean).map((s) => {
      try { return decodeURIComponent(s); } catch { return s; }
    });
    return { parts, query: new URLSearchParams(q < 0 ? '' : h.slice(q + 1)) };
  }

  const views = {};

  async function route() {
    leaveView();
    const gen = current.gen;
    const { parts, query } = parseHash();
    const name = parts[0] || 'topics';
    document.querySelectorAll('#nav a').forEach((a) =>
      a.classList.toggle('active', a.dataset.view === name));
    const root = $('#view');
    root.replaceChildren();
    root.dataset.view = name;
    const fn = views[name];
    if (!fn) {
      root.append(banner(`No page called "${name}".`, 'info'));
      return;
    }
    try {
      await fn(root, parts.slice(1), query, gen);
    } catch (e) {
      if (stillHere(gen)) root.append(banner(`Something went wrong: ${e.message}`));
      console.error(e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Cluster line in the top bar

  async function refreshOverview() {
    const r = await api('GET', '/api/overview');
    const box = $('#cluster');
    if (!r.ok) {
      box.textContent = r.error;
      return;
    }
    const o = r.data;
    const plural = (n, w) => `${fmtNum(n)} ${w}${n === 1 ? '' : 's'}`;
    box.replaceChildren(
      'Kafka ', el('b', null, o.kafka_listener || '–'),
      ` · ${plural(o.topics, 'topic')} · ${o.groups === null ? '?' : plural(o.groups, 'group')}` +
      ` · ${plural(o.connectors, 'connector')} · v${o.version}`);
  }

  // ---------------------------------------------------------------------------------------------
  // Topics

  views.topics = async (root, args, query, gen) => {
    if (args[0]) return topicDetail(root, args[0], gen);
    const filter = el('input', {
      type: 'search', placeholder: 'Filter topics', id: 'topic-filter', 'data-test': 'topic-filter',
    });
    const internal = el('input', { type: 'checkbox', id: 'show-internal', 'data-test': 'show-internal' });
    const wrap = el('div', { class: 'wrap-panel' });
    const errors = el('div');
    root.append(
      el('div', { class: 'page-head' }, el('h1', null, 'Topics'),
        el('div', { class: 'tools' }, filter,
          el('label', { class: 'check' }, internal, 'Show internal topics'))),
      errors, wrap);
    let topics = null;
    const draw = () => {
      const q = filter.value.trim().toLowerCase();
      const rows = (topics || []).filter((t) =>
        (internal.checked || !t.internal) && t.name.toLowerCase().includes(q));
      const table = el('table', { class: 'grid', id: 'topics-table', 'data-test': 'topics-table' },
        el('thead', null, el('tr', null, th('Name'), th('Partitions', 'num'), th('Messages', 'num'),
          th('Size', 'num'), th(''))),
        el('tbody', null, rows.length ? rows.map((t) => el('tr', {
          class: 'clickable', 'data-test': 'topic-row', 'data-topic': t.name,
          onclick: () => { location.hash = `#/topics/${enc(t.name)}`; },
        },
        td([el('a', { href: `#/topics/${enc(t.name)}`, 'data-test': 'topic-link' }, t.name),
          t.internal ? el('span', { class: 'tag' }, 'internal') : null]),
        td(fmtNum(t.partition_count), 'num'), td(fmtNum(t.messages), 'num'),
        td(fmtBytes(t.size_bytes), 'num'),
        td(el('a', {
          class: 'btn small', href: `#/messages/${enc(t.name)}`, 'data-test': 'topic-messages',
          onclick: (e) => e.stopPropagation(),
        }, 'Messages'), 'actions')))
          : el('tr', null, el('td', { colspan: 5, class: 'empty' },
            topics === null ? 'Loading…' : topics.length ? 'No topic matches the filter.'
              : 'No topics yet. Create a connector or produce to a topic.'))));
      wrap.replaceChildren(table);
    };
    filter.addEventListener('input', draw);
    internal.addEventListener('change', draw);
    const load = async () => {
      const r = await api('GET', '/api/topics');
      if (!stillHere(gen)) return;
      errors.replaceChildren(r.ok ? '' : banner(r.error));
      if (r.ok) topics = r.data;
      draw();
    };
    draw();
    await load();
    every(5000, load);
  };

  async function topicDetail(root, name, gen) {
    const head = el('div');
    const body = el('div');
    root.append(head, body);
    let onlyOverrides = false;
    const load = async () => {
      const r = await api('GET', `/api/topics/${enc(name)}`);
      if (!stillHere(gen)) return;
      if (!r.ok) {
        head.replaceChildren(el('div', { class: 'crumbs' }, el('a', { href: '#/topics' }, 'Topics'), ' / ', name));
        body.replaceChildren(banner(r.error));
        return;
      }
      const t = r.data;
      head.replaceChildren(
        el('div', { class: 'crumbs' }, el('a', { href: '#/topics' }, 'Topics'), ' / ', t.name),
        el('div', { class: 'page-head' },
          el('h1', { 'data-test': 'topic-title' }, t.name,
            t.internal ? el('span', { class: 'tag' }, 'internal') : null),
          el('div', { class: 'tools' },
            el('a', { class: 'btn primary', href: `#/messages/${enc(t.name)}`, 'data-test': 'browse-messages' },
              'Browse messages'))));
      const cards = el('div', { class: 'cards' },
        [['Partitions', fmtNum(t.partition_count)], ['Messages', fmtNum(t.messages)],
          ['Size', fmtBytes(t.size_bytes)],
          ['Overrides', fmtNum(t.configs.filter((c) => c.source === 'DYNAMIC_TOPIC_CONFIG').length)]]
          .map(([l, v]) => el('div', { class: 'card' }, el('div', { class: 'label' }, l),
            el('div', { class: 'value' }, v))));
      const parts = el('div', { class: 'panel flush' }, el('h2', null, 'Partitions'),
        el('table', { class: 'grid', 'data-test': 'partitions-table' },
          el('thead', null, el('tr', null, th('Partition'), th('Start offset', 'num'),
            th('End offset', 'num'), th('Messages', 'num'), th('Size', 'num'), th(''))),
          el('tbody', null, t.partitions.map((p) => el('tr', { 'data-test': 'partition-row' },
            td(p.partition), td(fmtNum(p.start_offset), 'num'), td(fmtNum(p.end_offset), 'num'),
            td(fmtNum(p.messages), 'num'), td(fmtBytes(p.size_bytes), 'num'),
            td(el('a', { class: 'btn small', href: `#/messages/${enc(t.name)}?partition=${p.partition}` },
              'Messages'), 'actions'))))));
      const toggle = el('input', {
        type: 'checkbox', checked: onlyOverrides, 'data-test': 'only-overrides',
        onchange: (e) => { onlyOverrides = e.target.checked; drawConfigs(); },
      });
      const configTable = el('div');
      const drawConfigs = () => {
        const rows = t.configs.filter((c) => !onlyOverrides || !c.is_default);
        configTable.replaceChildren(el('table', { class: 'grid', 'data-test': 'configs-table' },
          el('thead', null, el('tr', null, th('Name'), th('Value'), th('Source'))),
          el('tbody', null, rows.map((c) => el('tr', {
            class: c.is_default ? '' : 'override', 'data-test': 'config-row', 'data-config': c.name,
          },
          td(el('span', { class: 'mono' }, c.name)), td(el('span', { class: 'mono' }, c.value)),
          td([el('span', { class: 'muted' }, c.source),
            c.supported === false ? el('span', { class: 'tag', title: 'accepted, not acted on' }, 'described only') : null]))))));
      };
      drawConfigs();
      const configs = el('div', { class: 'panel flush' },
        el('h2', null, 'Configs', el('label', { class: 'check', style: 'margin-left:auto;font-weight:400;font-size:13px' },
          toggle, 'Only values that are not defaults')),
        configTable);
      body.replaceChildren(cards, parts, configs);
    };
    await load();
  }

  // ---------------------------------------------------------------------------------------------
  // Messages

  const isEnvelope = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) &&
    'schema' in v && 'payload' in v && Object.keys(v).length === 2 &&
    (v.schema === null || typeof v.schema === 'object');

  // Pretty JSON as HTML with token classes; `changed` marks keys of this object whose values
  // differ from the before-image (Debezium updates).
  function jsonHtml(v, indent = '', changed = null) {
    const next = `${indent}  `;
    if (v === null) return '<span class="j-z">null</span>';
    if (typeof v === 'string') return `<span class="j-s">${escapeHtml(JSON.stringify(v))}</span>`;
    if (typeof v === 'number') return `<span class="j-n">${v}</span>`;
    if (typeof v === 'boolean') return `<span class="j-b">${v}</span>`;
    if (Array.isArray(v)) {
      if (!v.length) return '[]';
      return `[\n${v.map((x) => next + jsonHtml(x, next)).join(',\n')}\n${indent}]`;
    }
    const keys = Object.keys(v);
    if (!keys.length) return '{}';
    const inner = keys.map((k) => {
      let sub = null;
      if (k === 'after' && v.before && v.after && typeof v.before === 'object' && typeof v.after === 'object') {
        sub = new Set(Object.keys(v.after).filter((f) =>
          JSON.stringify(v.after[f]) !== JSON.stringify(v.before[f])));
      }
      const cls = changed && changed.has(k) ? 'j-k j-changed' : 'j-k';
      return `${next}<span class="${cls}">${escapeHtml(JSON.stringify(k))}</span>: ${jsonHtml(v[k], next, sub)}`;
    });
    return `{\n${inner.join(',\n')}\n${indent}}`;
  }

  function parseField(text, base64) {
    if (text === null || text === undefined) return { kind: 'null' };
    if (base64) return { kind: 'binary', text };
    const s = text.trim();
    if (s && '{["-0123456789tfn'.includes(s[0])) {
      try { return { kind: 'json', value: JSON.parse(s), text }; } catch { /* plain text */ }
    }
    return { kind: 'text', text };
  }

  const pre = (html, test) => el('pre', { class: 'json', html, 'data-test': test });

  // A key or value: JSON pretty-printed, with a Kafka Connect envelope's schema folded.
  function renderField(f, what, truncated) {
    const out = [];
    if (truncated) out.push(el('div', { class: 'muted' }, `(cut: ${fmtBytes(truncated)} in all)`));
    if (f.kind === 'null') {
      out.push(el('span', { class: 'j-z mono', 'data-test': `${what}-null` },
        what === 'value' ? 'null (tombstone)' : 'null'));
    } else if (f.kind === 'binary') {
      out.push(el('div', { class: 'muted' }, 'binary, shown as base64'), pre(escapeHtml(f.text)));
    } else if (f.kind === 'text') {
      out.push(pre(escapeHtml(f.text), `${what}-text`));
    } else if (isEnvelope(f.value)) {
      const s = f.value.schema;
      const desc = s ? [s.type, s.name].filter(Boolean).join(' · ') : 'null';
      out.push(
        el('details', { class: 'schema', 'data-test': `${what}-schema` },
          el('summary', null, 'schema ', el('span', { class: 'mono' }, desc)),
          pre(jsonHtml(s))),
        el('div', { class: 'payload', 'data-test': `${what}-payload` },
          el('div', { class: 'label' }, 'payload'), pre(jsonHtml(f.value.payload))));
    } else {
      out.push(pre(jsonHtml(f.value), `${what}-json`));
    }
    return out;
  }

  const OPS = { c: 'CREATE', u: 'UPDATE', d: 'DELETE', r: 'READ', t: 'TRUNCATE', m: 'MESSAGE' };

  function messageCard(m) {
    const key = parseField(m.key, m.key_base64);
    const value = parseField(m.value, m.value_base64);
    const payload = value.kind === 'json' ? (isEnvelope(value.value) ? value.value.payload : value.value) : null;
    const op = payload && typeof payload === 'object' && typeof payload.op === 'string' ? payload.op : null;
    const src = payload && payload.source && typeof payload.source === 'object' ? payload.source : null;
    const card = el('div', {
      class: 'msg', 'data-test': 'message', 'data-partition': m.partition, 'data-offset': m.offset,
    },
    el('div', { class: 'msg-head' },
      el('span', { class: 'pos' }, `Partition ${m.partition} · Offset ${fmtNum(m.offset)}`),
      el('span', { class: 'ts', title: `${m.timestamp_type} ${m.timestamp}` }, fmtTime(m.timestamp)),
      op ? el('span', { class: `op ${op}`, 'data-test': 'op' }, OPS[op] || op) : null,
      src && src.table ? el('span', { class: 'src' }, [src.db, src.schema, src.table].filter(Boolean).join('.')) : null),
    el('div', { class: 'msg-body' },
      el('div', { class: 'msg-part', 'data-test': 'message-key' },
        el('div', { class: 'label' }, 'Key'), renderField(key, 'key', m.key_truncated && m.key_size)),
      el('div', { class: 'msg-part', 'data-test': 'message-value' },
        el('div', { class: 'label' }, 'Value'), renderField(value, 'value', m.value_truncated && m.value_size)),
      m.headers && m.headers.length ? el('div', { class: 'msg-headers', 'data-test': 'message-headers' },
        el('div', { class: 'label muted' }, 'Headers'),
        el('table', null, m.headers.map((h) => el('tr', null, el('td', null, h.key),
          el('td', null, h.value === null ? 'null' : h.value))))) : null));
    return card;
  }

  views.messages = async (root, args, query, gen) => {
    const topicsRes = await api('GET', '/api/topics');
    if (!stillHere(gen)) return;
    const topics = topicsRes.ok ? topicsRes.data : [];
    const topic = args[0] || '';
    const info = topics.find((t) => t.name === topic);

    const st = {
      partition: query.get('partition') ?? '',
      mode: query.get('mode') || 'newest',
      offset: query.get('offset') ?? '',
      time: query.get('time') ?? '',
      order: query.get('order') || '',
      limit: query.get('limit') || '50',
      live: query.get('live') !== null ? query.get('live') === '1' : (query.get('mode') || 'newest') === 'newest',
    };
    if (!st.order) st.order = st.mode === 'newest' ? 'desc' : 'asc';

    const option = (value, text, sel) => el('option', { value, selected: sel }, text);
    const topicSel = el('select', { id: 'msg-topic', 'data-test': 'msg-topic' },
      option('', 'Choose a topic…', !topic),
      topics.filter((t) => !t.internal || t.name === topic).map((t) => option(t.name, t.name, t.name === topic)));
    const partSel = el('select', { id: 'msg-partition', 'data-test': 'msg-partition' },
      option('', 'All partitions', st.partition === ''),
      (info ? info.partitions : []).map((p) => option(String(p.partition), `Partition ${p.partition}`,
        String(p.partition) === st.partition)));
    const modeSel = el('select', { id: 'msg-mode', 'data-test': 'msg-mode' },
      [['newest', 'Latest messages'], ['oldest', 'From the beginning'], ['offset', 'Jump to offset'],
        ['time', 'Jump to time']].map(([v, t]) => option(v, t, v === st.mode)));
    const offsetIn = el('input', {
      type: 'number', min: 0, id: 'msg-offset', 'data-test': 'msg-offset', placeholder: 'offset',
      value: st.offset, style: 'width:120px',
    });
    const timeIn = el('input', {
      type: 'datetime-local', step: 1, id: 'msg-time', 'data-test': 'msg-time',
      value: st.time ? toLocalInput(Number(st.time)) : '',
    });
    const orderSel = el('select', { id: 'msg-order', 'data-test': 'msg-order' },
      option('desc', 'Newest first', st.order === 'desc'), option('asc', 'Oldest first', st.order === 'asc'));
    const limitSel = el('select', { id: 'msg-limit', 'data-test': 'msg-limit' },
      ['20', '50', '100', '200', '500'].map((n) => option(n, n, n === st.limit)));
    const liveBox = el('input', { type: 'checkbox', id: 'msg-live', 'data-test': 'msg-live', checked: st.live });
    const go = el('button', { class: 'primary', type: 'submit', id: 'msg-go', 'data-test': 'msg-go' }, 'Show');
    const offsetField = el('label', { class: 'field' }, el('span', null, 'Offset'), offsetIn);
    const timeField = el('label', { class: 'field' }, el('span', null, 'Time (local)'), timeIn);
    const liveField = el('label', { class: 'check', title: 'Refresh every 2 seconds' }, liveBox, 'Live');
    const syncFields = () => {
      offsetField.hidden = modeSel.value !== 'offset';
      timeField.hidden = modeSel.value !== 'time';
      liveField.hidden = modeSel.value !== 'newest';
    };
    modeSel.addEventListener('change', () => {
      orderSel.value = modeSel.value === 'newest' ? 'desc' : 'asc';
      if (modeSel.value === 'offset' && partSel.value === '' && partSel.options.length > 1) partSel.selectedIndex = 1;
      if (modeSel.value === 'time' && !timeIn.value) timeIn.value = toLocalInput(Date.now() - 3600e3);
      syncFields();
    });
    syncFields();

    const form = el('form', { class: 'panel toolbar', id: 'messages-form', 'data-test': 'messages-form' },
      el('label', { class: 'field' }, el('span', null, 'Topic'), topicSel),
      el('label', { class: 'field' }, el('span', null, 'Partition'), partSel),
      el('label', { class: 'field' }, el('span', null, 'Start'), modeSel),
      offsetField, timeField,
      el('label', { class: 'field' }, el('span', null, 'Order'), orderSel),
      el('label', { class: 'field' }, el('span', null, 'Limit'), limitSel),
      go, liveField);
    const status = el('div', { class: 'msg-info', 'data-test': 'messages-info' });
    const errors = el('div', { 'data-test': 'messages-error-box' });
    const list = el('div', { id: 'messages-list', 'data-test': 'messages-list' });
    const more = el('div', { class: 'more' });
    root.append(el('div', { class: 'page-head' }, el('h1', null, 'Messages'),
      topic ? el('a', { href: `#/topics/${enc(topic)}`, class: 'muted' }, `topic details →`) : null),
    form, errors, status, list, more);

    const hashFor = () => {
      const q = new URLSearchParams();
      if (partSel.value !== '') q.set('partition', partSel.value);
      q.set('mode', modeSel.value);
      if (modeSel.value === 'offset') q.set('offset', offsetIn.value);
      if (modeSel.value === 'time' && timeIn.value) q.set('time', String(new Date(timeIn.value).getTime()));
      q.set('order', orderSel.value);
      q.set('limit', limitSel.value);
      if (modeSel.value === 'newest') q.set('live', liveBox.checked ? '1' : '0');
      return `#/messages/${enc(topicSel.value)}?${q}`;
    };
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const h = hashFor();
      if (location.hash === h) route(); else location.hash = h;
    });
    topicSel.addEventListener('change', () => {
      partSel.value = '';
      location.hash = hashFor();
    });
    liveBox.addEventListener('change', () => history.replaceState(null, '', hashFor()));

    if (!topic) {
      list.append(banner(topics.length ? 'Choose a topic to read its messages.' : 'There are no topics yet.', 'info', 'messages-hint'));
      return;
    }
    if (!info) {
      errors.append(banner(`Topic ${topic} not found`));
      return;
    }

    const params = new URLSearchParams();
    if (st.partition !== '') params.set('partition', st.partition);
    if (st.mode === 'offset') {
      if (st.partition === '') {
        errors.append(banner('Choose a partition to jump to an offset.'));
        return;
      }
      params.set('offset', st.offset || '0');
    } else if (st.mode === 'time') {
      if (!st.time) {
        errors.append(banner('Choose a time to jump to.'));
        return;
      }
      params.set('timestamp', st.time);
    } else {
      params.set('position', st.mode === 'oldest' ? 'oldest' : 'newest');
    }
    params.set('order', st.order);
    params.set('limit', st.limit);
    const base = `/api/topics/${enc(topic)}/messages`;
    let shown = []; // [partition, offset] of the messages on the page
    let firstKey = null;

    const describe = (d, count) => {
      const ranges = d.partitions.map((p) => `p${p.partition}: ${fmtNum(p.start_offset)}–${fmtNum(p.end_offset)}`);
      status.textContent = `${fmtNum(count)} message${count === 1 ? '' : 's'} shown · ` +
        `offsets ${ranges.join(', ')}${d.partial ? ' · stopped early (read limit)' : ''}`;
    };
    const moreButton = (d) => {
      more.replaceChildren();
      if (d.next_offset === null || d.next_offset === undefined) return;
      more.append(el('button', {
        'data-test': 'load-more',
        onclick: async (e) => {
          e.target.disabled = true;
          const q = new URLSearchParams(params);
          q.delete('position');
          q.delete('timestamp');
          q.set('offset', String(d.next_offset));
          const r = await api('GET', `${base}?${q}`);
          if (!stillHere(gen)) return;
          if (!r.ok) { errors.replaceChildren(banner(r.error)); return; }
          r.data.messages.forEach((m) => list.append(messageCard(m)));
          shown = shown.concat(r.data.messages.map((m) => [m.partition, m.offset]));
          describe(r.data, shown.length);
          moreButton(r.data);
        },
      }, st.order === 'desc' ? 'Older messages' : 'Newer messages'));
    };
    const load = async (quiet) => {
      const r = await api('GET', `${base}?${params}`);
      if (!stillHere(gen)) return;
      if (!r.ok) {
        errors.replaceChildren(banner(r.error));
        return;
      }
      errors.replaceChildren();
      const d = r.data;
      const key = d.messages.length ? `${d.messages[0].partition}:${d.messages[0].offset}:${d.messages.length}` : '';
      if (quiet && key === firstKey) return; // nothing new
      firstKey = key;
      // Keep the schema sections the user opened.
      const open = new Set([...list.querySelectorAll('.msg')].flatMap((card) =>
        [...card.querySelectorAll('details[open]')].map((det) =>
          `${card.dataset.partition}:${card.dataset.offset}:${det.dataset.test}`)));
      list.replaceChildren(...(d.messages.length ? d.messages.map(messageCard)
        : [el('div', { class: 'panel empty', 'data-test': 'no-messages' }, 'No messages here.')]));
      list.querySelectorAll('.msg').forEach((card) => card.querySelectorAll('details').forEach((det) => {
        if (open.has(`${card.dataset.partition}:${card.dataset.offset}:${det.dataset.test}`)) det.open = true;
      }));
      shown = d.messages.map((m) => [m.partition, m.offset]);
      describe(d, shown.length);
      moreButton(d);
    };
    await load(false);
    if (st.mode === 'newest' && st.live) every(2000, () => load(true));
  };

  // ---------------------------------------------------------------------------------------------
  // Consumer groups

  views.groups = async (root, args, query, gen) => {
    const filter = el('input', { type: 'search', placeholder: 'Filter groups', 'data-test': 'group-filter' });
    const box = el('div', { 'data-test': 'groups' });
    root.append(el('div', { class: 'page-head' }, el('h1', null, 'Consumer groups'),
      el('div', { class: 'tools' }, filter)), box);
    let groups = null;
    let error = null;
    const draw = () => {
      if (error) { box.replaceChildren(banner(error)); return; }
      if (groups === null) { box.replaceChildren(el('p', { class: 'muted' }, 'Loading…')); return; }
      const q = filter.value.trim().toLowerCase();
      const rows = groups.filter((g) => g.group_id.toLowerCase().includes(q));
      if (!rows.length) {
        box.replaceChildren(el('div', { class: 'panel empty', 'data-test': 'no-groups' },
          groups.length ? 'No group matches the filter.' : 'No consumer groups yet.'));
        return;
      }
      box.replaceChildren(...rows.map((g) => {
        const maxLag = Math.max(1, ...g.offsets.map((o) => o.lag || 0));
        return el('div', { class: 'panel flush group', 'data-test': 'group', 'data-group': g.group_id },
          el('div', { class: 'group-head' },
            el('span', { class: 'gid' }, g.group_id), badge(g.state, 'group-state'),
            g.protocol_type ? el('span', { class: 'muted' }, `${g.protocol_type}${g.protocol ? ` · ${g.protocol}` : ''}`) : null,
            el('span', { class: 'muted' }, `${g.members.length} member${g.members.length === 1 ? '' : 's'}`),
            el('span', { style: 'margin-left:auto' }, 'Total lag ',
              el('b', { 'data-test': 'group-lag' }, fmtNum(g.lag)))),
          el('div', { class: 'group-body' },
            el('div', null, el('h3', null, 'Lag per partition'),
              el('table', { class: 'grid', 'data-test': 'group-offsets' },
                el('thead', null, el('tr', null, th('Topic'), th('Partition', 'num'), th('Committed', 'num'),
                  th('End offset', 'num'), th('Lag'))),
                el('tbody', null, g.offsets.length ? g.offsets.map((o) => el('tr', {
                  'data-test': 'group-offset', 'data-topic': o.topic, 'data-partition': o.partition,
                },
                td(el('a', { href: `#/topics/${enc(o.topic)}` }, o.topic)), td(o.partition, 'num'),
                td(o.committed === null ? '–' : fmtNum(o.committed), 'num'),
                td(fmtNum(o.end_offset), 'num'),
                td([el('span', { 'data-test': 'lag' }, o.lag === null ? '–' : fmtNum(o.lag)),
                  o.lag ? el('span', { class: 'lagbar', style: `width:${Math.max(2, Math.round(80 * o.lag / maxLag))}px` }) : null])))
                  : el('tr', null, el('td', { colspan: 5, class: 'empty' }, 'No committed offsets'))))),
            el('div', null, el('h3', null, 'Members'),
              el('table', { class: 'grid', 'data-test': 'group-members' },
                el('thead', null, el('tr', null, th('Client'), th('Host'), th('Assigned'))),
                el('tbody', null, g.members.length ? g.members.map((m) => el('tr', { 'data-test': 'group-member' },
                  td([el('div', null, m.client_id), el('div', { class: 'muted mono', style: 'font-size:11px' }, m.member_id)]),
                  td(m.host),
                  td(m.assignments.length ? m.assignments.map((a) => el('div', { class: 'mono' },
                    `${a.topic}: ${a.partitions.join(', ')}`)) : el('span', { class: 'muted' }, 'none')))) :
                  el('tr', null, el('td', { colspan: 3, class: 'empty' }, 'No active members')))))));
      }));
    };
    filter.addEventListener('input', draw);
    const load = async () => {
      const r = await api('GET', '/api/groups');
      if (!stillHere(gen)) return;
      error = r.ok ? null : r.error;
      if (r.ok) groups = r.data;
      draw();
    };
    draw();
    await load();
    every(3000, load);
  };

  // ---------------------------------------------------------------------------------------------
  // Connectors (Kafka Connect's REST API)

  const PG_CLASS = 'io.debezium.connector.postgresql.PostgresConnector';

  // The create form: Debezium PostgreSQL properties most connectors set, then free-form extras.
  const FORM_FIELDS = [
    { prop: 'name', label: 'Name', required: true, placeholder: 'inventory-connector', top: true },
    { prop: 'connector.class', label: 'Connector class', options: [PG_CLASS] },
    { prop: 'database.hostname', label: 'Database host', value: '127.0.0.1', required: true },
    { prop: 'database.port', label: 'Database port', value: '5432', type: 'number' },
    { prop: 'database.user', label: 'User', value: 'postgres', required: true },
    { prop: 'database.password', label: 'Password', type: 'password' },
    { prop: 'database.dbname', label: 'Database', value: 'postgres', required: true },
    { prop: 'topic.prefix', label: 'Topic prefix', required: true, placeholder: 'dbserver1' },
    { prop: 'plugin.name', label: 'Plugin', options: ['pgoutput', 'decoderbufs'] },
    { prop: 'table.include.list', label: 'Tables', placeholder: 'public.orders,public.customers' },
    { prop: 'schema.include.list', label: 'Schemas', placeholder: 'public' },
    { prop: 'snapshot.mode', label: 'Snapshot mode', options: ['initial', 'no_data', 'initial_only', 'when_needed', 'always'] },
    { prop: 'decimal.handling.mode', label: 'Decimals', options: ['precise', 'string', 'double'] },
    { prop: 'slot.name', label: 'Replication slot', placeholder: 'debezium' },
    { prop: 'publication.name', label: 'Publication', placeholder: 'dbz_publication' },
    { prop: 'publication.autocreate.mode', label: 'Auto-create', options: ['all_tables', 'filtered', 'disabled', 'no_tables'] },
  ];

  function connectorForm(onCreated, showError) {
    const inputs = {};
    const fields = FORM_FIELDS.map((f) => {
      const attrs = {
        'data-test': `cf-${f.prop}`, id: `cf-${f.prop.replace(/\./g, '-')}`, required: f.required,
        placeholder: f.placeholder,
      };
      const input = f.options
        ? el('select', attrs, f.options.map((o) => el('option', { value: o }, o)))
        : el('input', { ...attrs, type: f.type || 'text', value: f.value || '' });
      inputs[f.prop] = input;
      return el('label', { class: 'field' },
        el('span', { class: 'lbl' }, el('span', null, f.label),
          f.prop === 'name' ? null : el('code', { title: f.prop }, f.prop)), input);
    });
    const extra = el('textarea', {
      rows: 4, 'data-test': 'cf-extra', id: 'cf-extra',
      placeholder: 'More properties, one per line: property=value\ne.g. tombstones.on.delete=false',
    });
    const submit = el('button', { class: 'primary', type: 'submit', 'data-test': 'cf-submit' }, 'Create connector');
    const form = el('form', { id: 'connector-form', 'data-test': 'connector-form' },
      el('div', { class: 'form-grid' }, fields,
        el('label', { class: 'field wide' }, el('span', null, 'Other properties'), extra)),
      el('div', { class: 'form-actions' }, submit,
        el('span', { class: 'muted' }, 'Posted to ', el('code', null, 'POST /connectors'), ' as Kafka Connect expects.')));
    // The plugins sluice offers, when the API lists them.
    api('GET', '/connector-plugins').then((r) => {
      if (!r.ok || !Array.isArray(r.data) || !r.data.length) return;
      const sel = inputs['connector.class'];
      const have = new Set([...sel.options].map((o) => o.value));
      r.data.forEach((p) => {
        if (p.class && !have.has(p.class)) sel.append(el('option', { value: p.class }, p.class));
      });
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const config = {};
      for (const [prop, input] of Object.entries(inputs)) {
        if (prop === 'name') continue;
        const v = input.value.trim();
        if (v !== '') config[prop] = v;
      }
      for (const [i, raw] of extra.value.split('\n').entries()) {
        const line = raw.trim();
        if (!line || line.startsWith('#')) continue;
        const eq = line.indexOf('=');
        if (eq <= 0) {
          showError(`Other properties, line ${i + 1}: expected property=value, got "${line}"`);
          return;
        }
        config[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
      }
      const name = inputs.name.value.trim();
      submit.disabled = true;
      const r = await api('POST', '/connectors', { name, config });
      submit.disabled = false;
      if (!r.ok) { showError(r.error); return; }
      onCreated(name);
    });
    return form;
  }

  function jsonForm(onCreated, showError) {
    const text = el('textarea', {
      rows: 14, 'data-test': 'cj-text', id: 'cj-text', spellcheck: 'false',
      placeholder: JSON.stringify({
        name: 'postgres-connector',
        config: {
          'connector.class': PG_CLASS, 'topic.prefix': 'cdc', 'database.hostname': '127.0.0.1',
          'database.user': 'postgres', 'database.password': 'postgres', 'database.dbname': 'financial_db',
          'plugin.name': 'pgoutput', 'decimal.handling.mode': 'string',
        },
      }, null, 2),
    });
    const submit = el('button', { class: 'primary', type: 'submit', 'data-test': 'cj-submit' }, 'Create connector');
    const form = el('form', { id: 'connector-json-form', 'data-test': 'connector-json-form' },
      el('label', { class: 'field' }, el('span', null,
        'Connector JSON, as posted to Kafka Connect: {"name": …, "config": {…}} or the flat properties with "name"'), text),
      el('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      let body;
      try {
        body = JSON.parse(text.value);
      } catch (err) {
        showError(`That is not valid JSON: ${err.message}`);
        return;
      }
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        showError('The JSON must be an object: {"name": …, "config": {…}}');
        return;
      }
      if (!('config' in body)) { // the flat form
        const { name, ...config } = body;
        body = { name, config };
      }
      submit.disabled = true;
      const r = await api('POST', '/connectors', body);
      submit.disabled = false;
      if (!r.ok) { showError(r.error); return; }
      onCreated(body.name);
    });
    return form;
  }

  // Connectors with status and config: expanded when the API supports it, else one by one.
  async function loadConnectors() {
    const r = await api('GET', '/connectors?expand=status&expand=info');
    if (!r.ok) return r;
    if (Array.isArray(r.data)) {
      const out = {};
      await Promise.all(r.data.map(async (n) => {
        const [s, i] = await Promise.all([api('GET', `/connectors/${enc(n)}/status`), api('GET', `/connectors/${enc(n)}`)]);
        out[n] = { status: s.ok ? s.data : null, info: i.ok ? i.data : null };
      }));
      return { ok: true, data: out };
    }
    return r;
  }

  views.connectors = async (root, args, query, gen) => {
    const errors = el('div', { 'data-test': 'connector-errors' });
    const listBox = el('div', { class: 'wrap-panel' });
    const formError = el('div', { 'data-test': 'create-error-box' });
    const openConfigs = new Set();
    const confirming = new Map(); // connector -> timer while its Delete waits for a second click

    const showError = (msg) => formError.replaceChildren(banner(msg, 'error', 'create-error'));
    const created = (name) => {
      formError.replaceChildren();
      toast(`Connector ${name} created`);
      load();
    };
    let tab = 'form';
    const tabs = el('div', { class: 'tabs' });
    const formBox = el('div');
    const drawTabs = () => {
      tabs.replaceChildren(
        el('button', { type: 'button', class: tab === 'form' ? 'active' : '', 'data-test': 'tab-form', onclick: () => { tab = 'form'; drawTabs(); } }, 'Form'),
        el('button', { type: 'button', class: tab === 'json' ? 'active' : '', 'data-test': 'tab-json', onclick: () => { tab = 'json'; drawTabs(); } }, 'Paste JSON'));
      formBox.replaceChildren(tab === 'form' ? forms.form : forms.json);
    };
    const forms = { form: connectorForm(created, showError), json: jsonForm(created, showError) };
    drawTabs();

    root.append(
      el('div', { class: 'page-head' }, el('h1', null, 'Connectors')),
      errors, listBox,
      el('div', { class: 'panel', id: 'new-connector' }, el('h2', null, 'New connector'), tabs, formError, formBox));

    const act = async (name, what) => {
      const calls = {
        pause: ['PUT', `/connectors/${enc(name)}/pause`],
        resume: ['PUT', `/connectors/${enc(name)}/resume`],
        restart: ['POST', `/connectors/${enc(name)}/restart?includeTasks=true&onlyFailed=false`],
        stop: ['PUT', `/connectors/${enc(name)}/stop`],
        delete: ['DELETE', `/connectors/${enc(name)}`],
      };
      const r = await api(...calls[what]);
      if (!stillHere(gen)) return;
      if (!r.ok) {
        errors.replaceChildren(banner(`${what} ${name}: ${r.error}`, 'error', 'connector-error'));
      } else {
        errors.replaceChildren();
        toast(`${name}: ${what} requested`);
      }
      load();
    };

    const row = (name, c) => {
      const st = c.status || {};
      const state = (st.connector && st.connector.state) || 'UNKNOWN';
      const tasks = st.tasks || [];
      const config = (c.info && c.info.config) || {};
      const traces = [st.connector && st.connector.trace, ...tasks.map((t) => t.trace)].filter(Boolean);
      const type = st.type || (c.info && c.info.type) || '';
      const delBtn = el('button', {
        class: `small danger${confirming.has(name) ? ' confirm' : ''}`, 'data-test': 'connector-delete',
        onclick: () => {
          if (!confirming.has(name)) {
            confirming.set(name, setTimeout(() => { confirming.delete(name); draw(); }, 4000));
            draw();
            return;
          }
          clearTimeout(confirming.get(name));
          confirming.delete(name);
          act(name, 'delete');
        },
      }, confirming.has(name) ? 'Confirm delete' : 'Delete');
      const cfgOpen = openConfigs.has(name);
      const rows = [el('tr', { 'data-test': 'connector-row', 'data-connector': name },
        td([el('b', null, name), el('div', { class: 'muted mono', style: 'font-size:11.5px' }, config['connector.class'] || '')]),
        td(type),
        td(badge(state, 'connector-state')),
        td(tasks.length ? tasks.map((t) => el('div', null, `#${t.id} `, badge(t.state, 'task-state'))) : el('span', { class: 'muted' }, '–')),
        td(el('span', { class: 'mono' }, config['topic.prefix'] || '')),
        td(el('span', { class: 'mono' }, [config['database.hostname'], config['database.port']].filter(Boolean).join(':') +
          (config['database.dbname'] ? `/${config['database.dbname']}` : ''))),
        td(el('span', { class: 'row-actions' },
          el('button', { class: 'small', 'data-test': 'connector-pause', disabled: state === 'PAUSED', onclick: () => act(name, 'pause') }, 'Pause'),
          el('button', { class: 'small', 'data-test': 'connector-resume', disabled: state === 'RUNNING', onclick: () => act(name, 'resume') }, 'Resume'),
          el('button', { class: 'small', 'data-test': 'connector-restart', onclick: () => act(name, 'restart') }, 'Restart'),
          el('button', {
            class: 'small', 'data-test': 'connector-config-toggle',
            onclick: () => { if (cfgOpen) openConfigs.delete(name); else openConfigs.add(name); draw(); },
          }, cfgOpen ? 'Hide config' : 'Config'),
          delBtn), 'actions'))];
      if (traces.length || cfgOpen) {
        rows.push(el('tr', { 'data-test': 'connector-detail', 'data-connector': name },
          el('td', { colspan: 7 },
            traces.map((t) => el('pre', { class: 'trace', 'data-test': 'connector-trace' }, t)),
            cfgOpen ? el('pre', { class: 'config json', 'data-test': 'connector-config', html: jsonHtml(config) }) : null)));
      }
      return rows;
    };

    let data = null;
    const draw = () => {
      if (data === null) { listBox.replaceChildren(el('p', { class: 'muted', style: 'padding:12px 16px' }, 'Loading…')); return; }
      const names = Object.keys(data).sort();
      listBox.replaceChildren(el('table', { class: 'grid', id: 'connectors-table', 'data-test': 'connectors-table' },
        el('thead', null, el('tr', null, th('Name'), th('Type'), th('State'), th('Tasks'), th('Topic prefix'),
          th('Database'), th(''))),
        el('tbody', null, names.length ? names.map((n) => row(n, data[n]))
          : el('tr', null, el('td', { colspan: 7, class: 'empty', 'data-test': 'no-connectors' },
            'No connectors yet. Create one below.')))));
    };
    const load = async () => {
      const r = await loadConnectors();
      if (!stillHere(gen)) return;
      if (!r.ok) {
        errors.replaceChildren(banner(r.status === 404
          ? 'This sluice serves no Kafka Connect API (GET /connectors answered 404).'
          : `Cannot list connectors: ${r.error}`, 'error', 'connector-error'));
        data = data || {};
      } else {
        data = r.data;
      }
      draw();
    };
    onLeave(() => confirming.forEach((t) => clearTimeout(t)));
    draw();
    await load();
    every(2000, load);
  };

  // ---------------------------------------------------------------------------------------------
  // Throughput: /api/metrics sampled every 2 s from page load, rates charted on <canvas>.

  const SAMPLE_MS = 2000;
  const KEEP = 180; // samples (6 minutes)
  const samples = [];
  const PALETTE = ['#2563eb', '#16a34a', '#ea580c', '#9333ea', '#0891b2', '#db2777', '#ca8a04',
    '#4b5563', '#dc2626', '#65a30d'];
  const colors = new Map();
  const colorOf = (name) => {
    if (!colors.has(name)) colors.set(name, PALETTE[colors.size % PALETTE.length]);
    return colors.get(name);
  };
  const sampleListeners = new Set();

  async function sample() {
    const r = await api('GET', '/api/metrics');
    if (!r.ok) return;
    const m = r.data;
    const s = { t: m.time_ms, topics: {}, connectors: {}, states: {} };
    for (const [n, v] of Object.entries(m.topics || {})) s.topics[n] = v.messages;
    for (const [n, v] of Object.entries(m.connectors || {})) {
      s.connectors[n] = v.records_written;
      s.states[n] = v.state;
    }
    samples.push(s);
    if (samples.length > KEEP) samples.shift();
    sampleListeners.forEach((fn) => fn());
  }

  // Rates per name between consecutive samples: [{name, points: [{t, v}]}].
  function rates(kind, include) {
    const out = new Map();
    for (let i = 1; i < samples.length; i++) {
      const a = samples[i - 1];
      const b = samples[i];
      const dt = (b.t - a.t) / 1000;
      if (dt <= 0) continue;
      for (const [n, v] of Object.entries(b[kind])) {
        if (!include(n) || !(n in a[kind])) continue;
        const d = v - a[kind][n];
        if (!out.has(n)) out.set(n, []);
        out.get(n).push({ t: b.t, v: d > 0 ? d / dt : 0 });
      }
    }
    return [...out.entries()].map(([name, points]) => ({ name, points, color: colorOf(name) }));
  }

  function niceMax(v) {
    if (v <= 0) return 1;
    const p = 10 ** Math.floor(Math.log10(v));
    for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  // A line chart of series over the last `windowMs`; sets data-points to the points drawn.
  function drawChart(canvas, series, windowMs) {
    const dpr = window.devicePixelRatio || 1;
    const w = canvas.clientWidth || 600;
    const h = canvas.clientHeight || 280;
    if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
    }
    const g = canvas.getContext('2d');
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, w, h);
    const L = 64; const R = 14; const T = 12; const B = 28;
    const now = samples.length ? samples[samples.length - 1].t : Date.now();
    const t0 = now - windowMs;
    const X = (t) => L + ((t - t0) / windowMs) * (w - L - R);
    let max = 0;
    for (const s of series) for (const p of s.points) if (p.t >= t0) max = Math.max(max, p.v);
    const ymax = niceMax(max * 1.1);
    const Y = (v) => T + (1 - v / ymax) * (h - T - B);

    g.font = '11px system-ui, sans-serif';
    g.lineWidth = 1;
    // Horizontal grid with rate labels.
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const v = (ymax * i) / 4;
      const y = Math.round(Y(v)) + 0.5;
      g.strokeStyle = i === 0 ? '#cfd5dd' : '#eceff3';
      g.beginPath(); g.moveTo(L, y); g.lineTo(w - R, y); g.stroke();
      g.fillStyle = '#677285';
      g.fillText(fmtRate(v), L - 8, y);
    }
    // Time axis: a tick each minute.
    g.textAlign = 'center';
    g.textBaseline = 'top';
    const step = 60000;
    for (let t = Math.ceil(t0 / step) * step; t <= now; t += step) {
      const x = Math.round(X(t)) + 0.5;
      g.strokeStyle = '#f1f3f6';
      g.beginPath(); g.moveTo(x, T); g.lineTo(x, h - B); g.stroke();
      const d = new Date(t);
      g.fillStyle = '#677285';
      g.fillText(`${pad(d.getHours())}:${pad(d.getMinutes())}`, x, h - B + 8);
    }
    let drawn = 0;
    g.lineWidth = 2;
    g.lineJoin = 'round';
    for (const s of series) {
      const pts = s.points.filter((p) => p.t >= t0);
      if (!pts.length) continue;
      // A light wash under the line, then the line.
      g.beginPath();
      pts.forEach((p, i) => (i ? g.lineTo(X(p.t), Y(p.v)) : g.moveTo(X(p.t), Y(p.v))));
      g.lineTo(X(pts[pts.length - 1].t), Y(0));
      g.lineTo(X(pts[0].t), Y(0));
      g.closePath();
      g.globalAlpha = 0.07;
      g.fillStyle = s.color;
      g.fill();
      g.globalAlpha = 1;
      g.strokeStyle = s.color;
      g.beginPath();
      pts.forEach((p, i) => (i ? g.lineTo(X(p.t), Y(p.v)) : g.moveTo(X(p.t), Y(p.v))));
      g.stroke();
      if (pts.length === 1) {
        g.fillStyle = s.color;
        g.beginPath(); g.arc(X(pts[0].t), Y(pts[0].v), 2.5, 0, 2 * Math.PI); g.fill();
      }
      drawn += pts.length;
    }
    if (!drawn) {
      g.fillStyle = '#8a94a3';
      g.textAlign = 'center';
      g.textBaseline = 'middle';
      g.font = '13px system-ui, sans-serif';
      g.fillText(samples.length < 2 ? 'Collecting samples…' : 'Nothing to chart yet', (L + w - R) / 2, (T + h - B) / 2);
    }
    canvas.dataset.points = String(drawn);
    canvas.dataset.series = String(series.length);
  }

  function legend(box, series, unit) {
    box.replaceChildren(...series.map((s) => {
      const last = s.points.length ? s.points[s.points.length - 1].v : 0;
      return el('span', { 'data-test': 'legend-item', 'data-name': s.name },
        el('span', { class: 'sw', style: `background:${s.color}` }), s.name,
        el('span', { class: 'rate' }, `${fmtRate(last)} ${unit}`));
    }));
    if (!series.length) box.append(el('span', { class: 'muted' }, 'None yet.'));
  }

  views.throughput = async (root, args, query, gen) => {
    const internal = el('input', { type: 'checkbox', 'data-test': 'chart-internal' });
    const windowSel = el('select', { 'data-test': 'chart-window' },
      [['60000', 'Last minute'], ['180000', 'Last 3 minutes'], ['360000', 'Last 6 minutes']]
        .map(([v, t]) => el('option', { value: v, selected: v === '180000' }, t)));
    const topicCanvas = el('canvas', { class: 'chart', id: 'chart-topics', 'data-test': 'chart-topics' });
    const connCanvas = el('canvas', { class: 'chart', id: 'chart-connectors', 'data-test': 'chart-connectors' });
    const topicLegend = el('div', { class: 'legend', 'data-test': 'legend-topics' });
    const connLegend = el('div', { class: 'legend', 'data-test': 'legend-connectors' });
    root.append(
      el('div', { class: 'page-head' }, el('h1', null, 'Throughput'),
        el('div', { class: 'tools' }, windowSel, el('label', { class: 'check' }, internal, 'Include internal topics'))),
      el('p', { class: 'muted', style: 'margin-top:-6px' },
        `Sampled from /api/metrics every ${SAMPLE_MS / 1000} s while the console is open.`),
      el('div', { class: 'panel' }, el('h2', null, 'Topics · messages per second'),
        el('div', { class: 'chart-wrap' }, topicCanvas), topicLegend),
      el('div', { class: 'panel' }, el('h2', null, 'Connectors · records per second'),
        el('div', { class: 'chart-wrap' }, connCanvas), connLegend));
    const redraw = () => {
      if (!stillHere(gen)) return;
      const win = Number(windowSel.value);
      const ts = rates('topics', (n) => internal.checked || !n.startsWith('_'));
      const cs = rates('connectors', () => true);
      drawChart(topicCanvas, ts, win);
      drawChart(connCanvas, cs, win);
      legend(topicLegend, ts, 'msg');
      legend(connLegend, cs, 'rec');
    };
    internal.addEventListener('change', redraw);
    windowSel.addEventListener('change', redraw);
    sampleListeners.add(redraw);
    window.addEventListener('resize', redraw);
    onLeave(() => {
      sampleListeners.delete(redraw);
      window.removeEventListener('resize', redraw);
    });
    redraw();
  };

  // ---------------------------------------------------------------------------------------------
  // Start

  window.addEventListener('hashchange', () => {
    route();
    refreshOverview();
  });
  if (!location.hash) history.replaceState(null, '', '#/topics');
  route();
  refreshOverview();
  setInterval(refreshOverview, 10000);
  sample();
  setInterval(sample, SAMPLE_MS);
})();
