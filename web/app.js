// The rexian console: login, navigation by role, the call-taker's desk
// (话务台: search with department and type filters, document viewer,
// ticket form, assist, 一次办结 / 交办 with its deadline, or 申请审批 for a
// consult or leader dispatch), the supervisor's page (督办: overdue and
// due-soon tickets, dispatches awaiting approval, review of replies,
// supervision, the callback queue), the department's (承办: 签收, 答复,
// 退单, 申请延期), the admin's synonyms in use (管理) and 案例 (case
// search; trainers assemble casebooks from it and export them).
// Plain browser JavaScript, no build step; everything it shows from the
// server goes in as text nodes (snippets keep only the server's <mark>).
'use strict';

const TOKEN_KEY = 'rexian.token';
const DEBOUNCE_MS = 200;
const ASSIST_DEBOUNCE_MS = 120; // the panel follows the 诉求 as it is typed
const ASSIST_MAX_BYTES = 2000; // what POST /api/v1/assist reads
const SEARCH_MAX_BYTES = 1024; // what GET /api/v1/search accepts in q

// The pages, and the roles that may use them (the server checks every
// request all the same: hiding a link is a convenience, not the guard).
const PAGES = [
  { id: 'desk', label: '话务台', roles: ['agent', 'supervisor', 'admin'] },
  { id: 'supervise', label: '督办', roles: ['supervisor', 'admin'] },
  { id: 'department', label: '承办', roles: ['department', 'admin'] },
  { id: 'stats', label: '统计', roles: ['supervisor', 'trainer', 'admin'] },
  { id: 'cases', label: '案例', roles: ['supervisor', 'trainer', 'admin'] },
  { id: 'admin', label: '管理', roles: ['admin'] },
];

const TYPES = { policy: '政策文件', guide: '办事指南', notice: '通知公告', faq: '常见问题' };
const LEVELS = { immediate: '直接交办（一级）', consult: '会商交办（二级）', leader: '领导交办（三级）' };

const $ = (id) => document.getElementById(id);
const state = { me: null, ticket: null, opened: [], lastFocus: null };

// ---- the API ----

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function api(path, { method = 'GET', body, signal, token } = {}) {
  const headers = { Authorization: 'Bearer ' + (token || sessionStorage.getItem(TOKEN_KEY) || '') };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers, signal, body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    const err = (data && data.error) || {};
    if (res.status === 401 && !token) showLogin('登录已失效，请重新登录');
    throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || '请求失败（' + res.status + '）');
  }
  return data;
}

// ---- small DOM helpers ----

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) node.append(c);
  return node;
}

const ENTITIES = { '&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&#39;': "'", '&#x27;': "'" };
function unescapeHtml(s) {
  return s.replace(/&(lt|gt|amp|quot|#39|#x27);/g, (m) => ENTITIES[m]);
}

// A snippet from the server: text with matches in <mark>…</mark>, the rest
// HTML-escaped. Rebuilt as text nodes and <mark> elements, so that nothing
// else in it can ever become markup.
function snippetNodes(snippet) {
  const out = [];
  const parts = String(snippet || '').split(/(<mark>|<\/mark>)/);
  let inMark = false;
  for (const p of parts) {
    if (p === '<mark>') inMark = true;
    else if (p === '</mark>') inMark = false;
    else if (p) out.push(inMark ? el('mark', {}, unescapeHtml(p)) : document.createTextNode(unescapeHtml(p)));
  }
  return out;
}

// Simple Markdown (headings, lists, quotes, paragraphs, **bold**) as DOM
// nodes built from text: a document's body can never inject markup.
function inlineNodes(text) {
  const out = [];
  text.split(/(\*\*[^*]+\*\*)/).forEach((p) => {
    if (/^\*\*[^*]+\*\*$/.test(p)) out.push(el('strong', {}, p.slice(2, -2)));
    else if (p) out.push(document.createTextNode(p));
  });
  return out;
}

function renderMarkdown(body) {
  const frag = document.createDocumentFragment();
  let list = null, para = [];
  const flushPara = () => {
    if (para.length) frag.append(el('p', {}, ...inlineNodes(para.join(''))));
    para = [];
  };
  for (const raw of String(body || '').split('\n')) {
    const line = raw.trimEnd();
    let m;
    if (!line.trim()) { flushPara(); list = null; continue; }
    if ((m = line.match(/^(#{1,6})\s+(.*)$/))) {
      flushPara(); list = null;
      frag.append(el('h' + Math.min(6, m[1].length + 2), {}, ...inlineNodes(m[2])));
    } else if ((m = line.match(/^\s*(?:[-*+]|(\d+)[.、)])\s+(.*)$/))) {
      flushPara();
      const tag = m[1] ? 'ol' : 'ul';
      if (!list || list.tagName.toLowerCase() !== tag) { list = el(tag); frag.append(list); }
      list.append(el('li', {}, ...inlineNodes(m[2])));
    } else if ((m = line.match(/^>\s?(.*)$/))) {
      flushPara(); list = null;
      frag.append(el('blockquote', {}, ...inlineNodes(m[1])));
    } else {
      list = null;
      para.push(line.trim());
    }
  }
  flushPara();
  return frag;
}

function debounce(fn, ms) {
  let t = null;
  return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
}

// The hotline's date, in Asia/Shanghai (UTC+8, no daylight saving) as the
// server counts days, whatever zone the browser is set to.
function today() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
}

// ---- login and navigation ----

function showLogin(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  state.me = null;
  resetDesk();
  for (const id of ['sup-detail', 'dep-detail', 'case-detail', 'user-created']) $(id).replaceChildren();
  for (const id of ['nav', 'who', 'logout']) $(id).hidden = true;
  document.querySelectorAll('.page').forEach((p) => { p.hidden = true; });
  $('login').hidden = false;
  $('login-error').textContent = message || '';
  $('token').value = '';
  $('token').focus();
}

async function login(token) {
  try {
    const me = await api('/api/v1/me', { token });
    sessionStorage.setItem(TOKEN_KEY, token);
    start(me);
  } catch (e) {
    $('login-error').textContent = e.status === 401 ? '令牌无效' : '无法连接服务器：' + e.message;
    $('token').select();
  }
}

function start(me) {
  state.me = me;
  $('login').hidden = true;
  const nav = $('nav');
  nav.replaceChildren(...PAGES.filter((p) => p.roles.includes(me.role))
    .map((p) => el('a', { href: '#/' + p.id, 'data-page': p.id }, p.label)));
  nav.hidden = false;
  $('who').textContent = me.user + '（' + (me.label || me.role) + (me.department ? '，' + me.department : '') + '）';
  $('who').hidden = false;
  $('logout').hidden = false;
  route();
}

function route() {
  if (!state.me) return;
  const allowed = PAGES.filter((p) => p.roles.includes(state.me.role));
  const want = location.hash.replace(/^#\//, '');
  const page = allowed.find((p) => p.id === want) || allowed[0];
  document.querySelectorAll('#nav a').forEach((a) => {
    if (a.dataset.page === (page && page.id)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  document.querySelectorAll('.page').forEach((p) => { p.hidden = true; });
  if (!page) {
    $('soon-h').textContent = '没有可用的页面';
    $('page-soon').hidden = false;
  } else if (page.id === 'desk') {
    $('page-desk').hidden = false;
    $('q').focus();
  } else if (page.id === 'supervise') {
    $('page-supervise').hidden = false;
    loadSupervise();
  } else if (page.id === 'department') {
    $('page-department').hidden = false;
    loadDepartment();
  } else if (page.id === 'admin') {
    $('page-admin').hidden = false;
    loadUsers();
    loadSynonyms(syn.offset);
  } else if (page.id === 'stats') {
    $('page-stats').hidden = false;
    loadStats(); // stats.js
  } else if (page.id === 'cases') {
    $('page-cases').hidden = false;
    showCasebooks();
    $('case-q').focus();
  } else {
    $('soon-h').textContent = page.label;
    $('page-soon').hidden = false;
  }
}

// ---- search ----

let searchSeq = 0;
let searchAbort = null;
let shownQuery = ''; // the query (and filters) whose hits are on screen

// the query with the filters beside the box: what the hits on screen answer
function searchKey(q) {
  return q + '\u0000' + $('q-dept').value + '\u0000' + $('q-type').value;
}

async function search(q) {
  const seq = ++searchSeq;
  if (searchAbort) searchAbort.abort();
  if (!q.trim()) {
    $('hits').replaceChildren();
    $('not-sure').hidden = true;
    $('search-status').textContent = '';
    shownQuery = searchKey(q);
    return;
  }
  searchAbort = new AbortController();
  // a pasted text longer than the search accepts: its beginning is searched
  const sent = clipBytes(q, SEARCH_MAX_BYTES);
  const params = new URLSearchParams({ q: sent, limit: '10' });
  const key = searchKey(q);
  if ($('q-dept').value) params.set('department', $('q-dept').value);
  if ($('q-type').value) params.set('type', $('q-type').value);
  if (state.ticket && !state.ticket.done) params.set('ticket', state.ticket.id);
  try {
    const r = await api('/api/v1/search?' + params, { signal: searchAbort.signal });
    if (seq !== searchSeq) return;
    shownQuery = key;
    renderFilters(r);
    renderHits(r, sent === q ? 0 : [...sent].length);
  } catch (e) {
    if (e.name === 'AbortError' || seq !== searchSeq) return;
    $('search-status').textContent = '检索失败：' + e.message;
  }
}

function hitItem(h) {
  const meta = [h.department, TYPES[h.type] || h.type, h.effective ? h.effective + ' 起施行' : null]
    .filter(Boolean).join(' · ');
  return el('li', { class: 'hit' },
    docLink(h.id, h.title, 'hit-title'),
    el('div', { class: 'snippet' }, ...snippetNodes(h.snippet)),
    el('div', { class: 'muted small' }, meta));
}

// The filters' choices from the answer's facets, with their counts: a
// dimension already filtered keeps the choices it had (its facet would now
// name only the chosen value), and the chosen value is always offered.
function renderFilters(r) {
  const facets = r.facets || {};
  const fill = (select, counts, label, names) => {
    const chosen = select.value;
    if (chosen && select.options.length > 1) return;
    const keys = names ? Object.keys(names) : Object.keys(counts || {}).sort((a, b) => counts[b] - counts[a]);
    if (chosen && !keys.includes(chosen)) keys.unshift(chosen);
    select.replaceChildren(el('option', { value: '' }, label), ...keys.map((k) => el('option', { value: k },
      (names ? names[k] : k) + (counts && counts[k] !== undefined ? '（' + counts[k] + '）' : names ? '（0）' : ''))));
    select.value = chosen;
  };
  fill($('q-dept'), facets.department, '全部部门', null);
  fill($('q-type'), facets.type, '全部类型', TYPES);
}

function filterChanged() {
  const q = $('q').value;
  if (q.trim()) search(q);
}

// clipped: the number of characters searched when the query was cut, or 0
function renderHits(r, clipped = 0) {
  const hits = r.hits || [];
  const narrowed = [$('q-dept').value, TYPES[$('q-type').value]].filter(Boolean).join('、');
  $('search-status').textContent = (clipped ? '检索词过长，已按前 ' + clipped + ' 个字检索。' : '') +
    (r.pinyin ? '已按拼音理解检索（输入法可能未切换到中文）。' : '') +
    '共 ' + r.total + ' 条' + (narrowed ? '（筛选：' + narrowed + '）' : '') +
    '，用时 ' + Math.round(r.took_ms || 0) + ' 毫秒';
  const unsure = hits.length === 0 || r.confident === false;
  $('not-sure').hidden = !unsure;
  $('not-sure').textContent = hits.length === 0
    ? '没有把握：知识库中没有找到相关内容，请核实后交办。'
    : '没有把握：以下结果未必答复来电诉求，请核实，必要时交办。';
  $('hits').replaceChildren(...hits.map(hitItem));
}

// ---- the document viewer ----

// a link that opens document id in the viewer
function docLink(id, title, cls) {
  const attrs = { href: '#/doc/' + encodeURIComponent(id), 'data-doc': id, onclick: openFromLink };
  if (cls) attrs.class = cls;
  return el('a', attrs, title);
}

function openFromLink(ev) {
  ev.preventDefault();
  state.lastFocus = ev.currentTarget;
  openDoc(ev.currentTarget.dataset.doc);
}

async function openDoc(id) {
  let d;
  // opened during a call: recorded with its ticket (statistics by document)
  const during = state.ticket && !state.ticket.done ? '?ticket=' + encodeURIComponent(state.ticket.id) : '';
  try {
    d = await api('/api/v1/docs/' + encodeURIComponent(id) + during);
  } catch (e) {
    $('search-status').textContent = '无法打开文档：' + e.message;
    return;
  }
  if (state.ticket && !state.ticket.done && !state.opened.includes(d.id)) {
    state.opened.push(d.id);
    showOpened();
  }
  $('doc-title').textContent = d.title;
  $('doc-meta').textContent = [d.department, TYPES[d.type] || d.type, '编号 ' + d.id].filter(Boolean).join(' · ');
  const expired = d.expires && d.expires < today();
  $('doc-dates').replaceChildren(
    '生效日期：' + (d.effective || '未注明') + '　失效日期：' + (d.expires || '长期有效'),
    expired ? el('strong', { class: 'expired' }, '　已失效') : '');
  $('doc-body').replaceChildren(renderMarkdown(d.body));
  $('doc-effect').replaceChildren();
  if (d.type === 'policy' && d.effective && ['supervisor', 'trainer', 'admin'].includes(state.me.role)) {
    policyOnDoc(d.id); // stats.js
  }
  $('viewer').hidden = false;
  $('viewer-close').focus();
}

function closeDoc() {
  if ($('viewer').hidden) return;
  $('viewer').hidden = true;
  if (state.lastFocus && document.body.contains(state.lastFocus)) state.lastFocus.focus();
  else $('q').focus();
}

// ---- the ticket and its assist ----

function showOpened() {
  $('opened-note').textContent = state.opened.length
    ? '本次来电已查阅 ' + state.opened.length + ' 篇文档，一次办结时将一并记入工单。'
    : '一次办结前可先打开答复所依据的文档。';
}

async function createTicket(ev) {
  ev.preventDefault();
  $('ticket-error').textContent = '';
  const body = { channel: 'phone', content: $('t-content').value.trim() };
  for (const [k, id] of [['caller', 't-caller'], ['phone', 't-phone'], ['address', 't-address']]) {
    const v = $(id).value.trim();
    if (v) body[k] = v;
  }
  if (!body.content) {
    $('ticket-error').textContent = '请填写诉求内容';
    $('t-content').focus();
    return;
  }
  $('t-create').disabled = true;
  try {
    const t = await api('/api/v1/tickets', { method: 'POST', body });
    state.ticket = { id: t.id, done: false };
    newAssistRequest(); // a typed-text answer still in flight must not paint over it
    state.opened = [];
    $('ticket-status').textContent = '已创建工单 ' + t.id;
    for (const id of ['t-caller', 't-phone', 't-address', 't-content']) $(id).disabled = true;
    await loadAssist();
  } catch (e) {
    $('ticket-error').textContent = '创建失败：' + e.message;
    $('t-create').disabled = false;
  }
}

// The panel: from the 诉求 as it is typed (POST /api/v1/assist, before the
// ticket exists), then from the ticket (GET …/assist, with 一次办结 / 交办).
// Only the newest request may paint it: each bumps assistSeq and aborts
// the one before.
let assistSeq = 0;
let assistAbort = null;

function newAssistRequest() {
  const seq = ++assistSeq;
  if (assistAbort) assistAbort.abort();
  assistAbort = new AbortController();
  return { seq, signal: assistAbort.signal };
}

// the first max bytes of s in UTF-8, whole characters
function clipBytes(s, max) {
  const enc = new TextEncoder();
  if (enc.encode(s).length <= max) return s;
  let out = '', n = 0;
  for (const ch of s) {
    n += enc.encode(ch).length;
    if (n > max) break;
    out += ch;
  }
  return out;
}

async function typedAssist() {
  if (state.ticket) return; // the ticket's own assist is on screen
  const content = $('t-content').value.trim();
  const { seq, signal } = newAssistRequest();
  if (!content) {
    $('assist').hidden = true;
    return;
  }
  const body = { content: clipBytes(content, ASSIST_MAX_BYTES) };
  const address = $('t-address').value.trim();
  if (address) body.address = clipBytes(address, ASSIST_MAX_BYTES);
  try {
    const a = await api('/api/v1/assist', { method: 'POST', body, signal });
    if (seq !== assistSeq || state.ticket) return;
    renderAssist(a, false);
    $('assist').dataset.for = content;
  } catch (e) {
    if (e.name === 'AbortError' || seq !== assistSeq || state.ticket) return;
    $('assist-level').textContent = '辅助建议暂不可用：' + e.message;
  }
}

async function loadAssist() {
  const { seq, signal } = newAssistRequest();
  const a = await api('/api/v1/tickets/' + encodeURIComponent(state.ticket.id) + '/assist', { signal });
  if (seq !== assistSeq) return;
  renderAssist(a, true);
  $('assist').dataset.for = state.ticket.id;
}

const OUTCOMES = {
  first_contact: '一次办结', satisfied: '回访满意', basically_satisfied: '回访基本满意',
  unsatisfied: '回访不满意', closed: '已办结', open: '办理中',
};

// one similar past ticket: its text, who led it and how it ended
function similarItem(t) {
  const meta = [t.id, t.lead ? '主办：' + t.lead : null, OUTCOMES[t.outcome] || t.outcome,
    t.returns ? '曾退单 ' + t.returns + ' 次' : null].filter(Boolean).join(' · ');
  // a call resolved on the spot: the documents it was answered with
  const docs = (t.documents || []).flatMap((d, i) => [i ? '、' : '',
    docLink(d.id, d.title || d.id)]);
  return el('li', {}, el('div', {}, clip(t.content || '', 60)),
    el('div', { class: 'muted small' }, meta),
    t.reply ? el('div', { class: 'small' }, '答复：' + clip(t.reply, 80)) : '',
    docs.length ? el('div', { class: 'small' }, '答复依据：', ...docs) : '');
}

function renderAssist(a, forTicket) {
  $('assist-level').textContent = '建议交办级别：' + (LEVELS[a.level] || a.level) +
    (a.level_why && a.level_why.length ? '（' + a.level_why.join('；') + '）' : '');
  $('assist-unsure').hidden = a.confident !== false;
  $('assist-unsure').textContent = '没有把握：建议文档未必答复诉求，请核实。';
  $('assist-docs').replaceChildren(...(a.documents || []).slice(0, 5).map((h) =>
    el('li', {}, docLink(h.id, h.title),
      el('span', { class: 'muted small' }, ' · ' + (h.department || '')))));
  const deps = (a.departments || []).slice(0, 5);
  $('assist-deps').replaceChildren(...deps.map((d) =>
    el('li', {}, el('strong', {}, d.name), el('span', { class: 'why' }, '　' + (d.why || '')))));
  const similar = (a.similar || []).slice(0, 5);
  $('assist-similar').replaceChildren(...(similar.length ? similar.map(similarItem)
    : [el('li', { class: 'muted small' }, '没有相似的历史工单')]));
  const repeats = a.repeat_of || [];
  $('assist-repeat').hidden = repeats.length === 0;
  $('assist-repeat').textContent = repeats.length
    ? '重复来电：同一来电人或地点此前已有 ' + repeats.length + ' 张同类工单（' + repeats.slice(0, 3).join('、') +
      (repeats.length > 3 ? ' 等' : '') + '），请先核实其办理情况。'
    : '';
  $('d-level').value = a.level || 'immediate';
  $('d-lead').replaceChildren(...deps.map((d) => el('option', { value: d.name }, d.name)));
  $('d-co').replaceChildren(el('option', { value: '' }, '（无）'),
    ...deps.slice(1).map((d) => el('option', { value: d.name }, d.name)));
  if (a.level === 'consult' && deps.length > 1) $('d-co').value = deps[1].name;
  $('d-note').value = '';
  levelChanged();
  showOpened();
  $('assist-draft').hidden = forTicket;
  $('assist-actions').hidden = !forTicket;
  if (forTicket) {
    $('action-error').textContent = '';
    $('action-done').textContent = '';
    $('next-call').hidden = true;
  }
  $('assist').hidden = false;
}

// The default deadline of a level: the server's rules (GET /api/v1/me).
function defaultDays(level) {
  const d = state.me && state.me.deadline_days;
  return d && d[level] ? d[level] : '';
}

// immediate: 交办. consult, leader: a supervisor dispatches with 批准人 (their
// own name, pre-filled); an agent may not, and asks for approval instead
// (申请审批, with a note), which the supervisor gives on 督办.
function levelChanged() {
  const level = $('d-level').value;
  const needsApproval = level !== 'immediate';
  const mayApprove = state.me && state.me.role !== 'agent';
  const asks = needsApproval && !mayApprove;
  $('d-days').value = defaultDays(level);
  $('d-approved').hidden = !needsApproval || asks;
  $('d-approved-label').hidden = !needsApproval || asks;
  if (needsApproval && mayApprove && !$('d-approved').value) $('d-approved').value = state.me.user;
  for (const id of ['d-note', 'd-note-label', 'd-approval-hint', 'request-approval']) $(id).hidden = !asks;
  $('dispatch').hidden = asks;
}

// the level, lead, co-handler and deadline of the form, or null after
// saying what is missing
function dispatchFields() {
  const body = { level: $('d-level').value, lead: $('d-lead').value };
  if (!body.lead) { $('action-error').textContent = '请选择主办单位'; return null; }
  const co = $('d-co').value;
  if (co && co !== body.lead && body.level !== 'immediate') body.co = [co];
  const days = $('d-days').value.trim();
  if (days) {
    const n = Number(days);
    if (!Number.isInteger(n) || n < 1 || n > 365) {
      $('action-error').textContent = '办理时限须为 1 到 365 个工作日';
      $('d-days').focus();
      return null;
    }
    body.deadline_days = n;
  }
  return body;
}

async function act(body, done) {
  $('action-error').textContent = '';
  try {
    await api('/api/v1/tickets/' + encodeURIComponent(state.ticket.id) + '/actions', { method: 'POST', body });
    state.ticket.done = true;
    $('assist-actions').hidden = true;
    $('action-done').textContent = done;
    $('next-call').hidden = false;
    $('next-call').focus();
  } catch (e) {
    $('action-error').textContent = (e.status === 403 ? '无权操作：' : '操作失败：') + e.message;
  }
}

function resolve() {
  act({ action: 'resolve_first_contact', doc_ids: state.opened.slice() },
    '工单 ' + state.ticket.id + ' 已一次办结' + (state.opened.length ? '（依据 ' + state.opened.length + ' 篇文档）' : ''));
}

function dispatch() {
  $('action-error').textContent = '';
  const f = dispatchFields();
  if (!f) return;
  const body = { action: 'dispatch', ...f };
  if (body.level !== 'immediate') body.approved_by = $('d-approved').value.trim();
  act(body, '工单 ' + state.ticket.id + ' 已交办至 ' + body.lead +
    (body.deadline_days ? '，办理时限 ' + body.deadline_days + ' 个工作日' : ''));
}

function requestApproval() {
  $('action-error').textContent = '';
  const f = dispatchFields();
  if (!f) return;
  const body = { action: 'request_approval', ...f };
  const note = $('d-note').value.trim();
  if (note) body.note = note;
  act(body, '工单 ' + state.ticket.id + ' 已申请' + (LEVELS[body.level] || body.level) + '（拟主办：' + body.lead +
    '），等待值班长在督办页审批');
}

function nextCall() {
  resetDesk();
  $('t-caller').focus();
}

// An empty desk: no ticket, no caller's data, no hits (the next call, or
// a logout: the next user must not see the last caller).
function resetDesk() {
  state.ticket = null;
  newAssistRequest();
  delete $('assist').dataset.for;
  state.opened = [];
  $('ticket-form').reset();
  for (const id of ['t-caller', 't-phone', 't-address', 't-content']) $(id).disabled = false;
  $('t-create').disabled = false;
  $('ticket-status').textContent = '';
  $('assist').hidden = true;
  $('q').value = '';
  $('q-dept').value = '';
  $('q-type').value = '';
  search('');
}

// ---- tickets: lists, the detail with its timeline, and actions ----

const STATUS = {
  received: '已受理', dispatched: '已交办', accepted: '已签收', replied: '已答复',
  closed: '已办结', reopened: '二次办理', archived: '已归档',
};
const ACTION_LABELS = {
  create: '创建', resolve_first_contact: '一次办结', dispatch: '交办', return: '退单', accept: '签收',
  reply: '答复', approve: '审核通过', reject: '驳回重办', extend: '延期', supervise: '督办',
  callback: '回访', refer_discipline: '移交纪委监委', reopen: '重新办理',
  request_approval: '申请审批交办',
};
const SUPERVISION = { hotline: '热线督办', joint: '协同督办', media: '媒体督办', leader: '领导督办' };
const RESULTS = {
  satisfied: '满意', basically_satisfied: '基本满意', unsatisfied: '不满意', unreachable: '无法联系',
};
const ROLE_LABELS = { agent: '话务员', supervisor: '值班长', department: '承办单位', trainer: '培训师', admin: '管理员', system: '系统' };
const OPEN_STATUSES = ['received', 'dispatched', 'accepted', 'replied', 'reopened'];
const DUE_SOON_DAYS = 2;

// What each action needs, from which statuses and for which roles (the
// server's table, DESIGN.md "The ticket workflow"): the page offers only
// what the server would accept, and shows the server's refusal otherwise.
const ACTIONS = {
  approve: { label: '审核通过', from: ['replied'], roles: ['supervisor', 'admin'], fields: [] },
  reject: {
    label: '驳回重办', from: ['replied'], roles: ['supervisor', 'admin'],
    fields: [{ key: 'reason', label: '驳回理由', kind: 'textarea', required: true }],
  },
  supervise: {
    label: '督办', from: OPEN_STATUSES, roles: ['supervisor', 'admin'],
    fields: [
      { key: 'kind', label: '督办类型', kind: 'select', options: SUPERVISION },
      { key: 'note', label: '督办说明', kind: 'textarea' },
    ],
  },
  callback: {
    label: '提交回访', legend: '回访', from: ['closed'], roles: ['agent', 'supervisor', 'admin'],
    fields: [
      { key: 'result', label: '回访结果', kind: 'select', options: RESULTS },
      { key: 'note', label: '回访说明', kind: 'textarea' },
    ],
  },
  accept: { label: '签收', from: ['dispatched'], roles: ['department', 'admin'], fields: [] },
  reply: {
    label: '答复', from: ['accepted'], roles: ['department', 'admin'],
    fields: [{ key: 'text', label: '答复内容', kind: 'textarea', required: true }],
  },
  return: {
    label: '退单', from: ['dispatched'], roles: ['department', 'admin'],
    fields: [{ key: 'reason', label: '退单理由', kind: 'textarea', required: true }],
  },
  extend: {
    label: '申请延期', from: ['dispatched', 'accepted'], roles: ['supervisor', 'department', 'admin'],
    fields: [
      { key: 'deadline_days', label: '延期工作日数', kind: 'number', required: true },
      { key: 'reason', label: '延期理由', kind: 'textarea', required: true },
    ],
  },
};
const PAGE_ACTIONS = {
  supervise: ['approve', 'reject', 'supervise', 'callback'],
  department: ['accept', 'reply', 'return', 'extend'],
  cases: [],
};

function fmtTime(s) {
  return s ? String(s).replace('T', ' ').slice(0, 16) : '';
}

function clip(s, n) {
  s = String(s || '');
  return s.length > n ? s.slice(0, n) + '…' : s;
}

function daysUntil(date) {
  if (!date) return null;
  const [y, m, d] = date.split('-').map(Number);
  const [ty, tm, td] = today().split('-').map(Number);
  return Math.round((Date.UTC(y, m - 1, d) - Date.UTC(ty, tm - 1, td)) / 86400000);
}

// 已超期 / 即将到期 / the supervision under way, for a list row
function flags(t) {
  const out = [];
  const left = daysUntil(t.deadline);
  if (t.overdue) out.push(el('strong', { class: 'flag late' }, '已超期'));
  else if (left !== null && left <= DUE_SOON_DAYS && ['dispatched', 'accepted'].includes(t.status))
    out.push(el('span', { class: 'flag soon' }, left <= 0 ? '今日到期' : '即将到期（' + left + ' 天）'));
  if (t.supervision) out.push(el('span', { class: 'flag' }, SUPERVISION[t.supervision] || t.supervision));
  if (t.rework) out.push(el('span', { class: 'flag' }, '重办 ' + t.rework + ' 次'));
  return out;
}

async function fetchTickets(params) {
  const r = await api('/api/v1/tickets?' + new URLSearchParams({ limit: '100', ...params }));
  return r.tickets || [];
}

// A table body of tickets, each row's id a button that opens the ticket.
function fillTable(tbody, tickets, cells, open) {
  tbody.replaceChildren(...tickets.map((t) => el('tr', {},
    el('td', {}, el('button', { type: 'button', class: 'link-btn', 'data-ticket': t.id, onclick: () => open(t.id) }, t.id)),
    ...cells(t).map((c) => el('td', {}, ...(Array.isArray(c) ? c : [c]))))));
}

// The ticket detail: what it is, its timeline, and the actions this role
// may take from its status. host: the page's detail column; page: which
// actions belong on that page; reload: refreshes the page's lists.
async function openTicket(host, page, id, reload, keepMessage) {
  let t;
  try {
    t = await api('/api/v1/tickets/' + encodeURIComponent(id));
  } catch (e) {
    host.replaceChildren(el('p', { class: 'error', role: 'alert' }, '无法打开工单：' + e.message));
    return;
  }
  const alert = el('p', { class: 'error', role: 'alert' });
  const done = el('p', { class: 'ok', role: 'status' });
  if (keepMessage) done.textContent = keepMessage;
  const field = (k, v) => (v ? [el('dt', {}, k), el('dd', {}, v)] : []);
  const deadline = t.deadline ? t.deadline + (t.deadline_days ? '（' + t.deadline_days + ' 个工作日）' : '') : '';
  const facts = el('dl', { class: 'facts' },
    ...field('状态', STATUS[t.status] || t.status_label || t.status),
    ...field('来电人', t.caller), ...field('电话', t.phone), ...field('地址', t.address),
    ...field('分类', t.category),
    ...field('主办单位', t.lead), ...field('协办单位', (t.co || []).join('、')),
    ...field('办理期限', deadline),
    ...field('待审批交办', t.proposal ? proposalText(t.proposal) : ''),
    ...field('督办', t.supervision ? SUPERVISION[t.supervision] || t.supervision : ''),
    ...field('受理时间', fmtTime(t.created)));
  const timeline = el('ol', { class: 'timeline', 'aria-label': '办理过程' },
    ...(t.events || []).map(eventItem));
  const actions = el('div', { class: 'actions' });
  for (const name of PAGE_ACTIONS[page]) {
    const a = ACTIONS[name];
    if (!a.roles.includes(state.me.role) || !a.from.includes(t.status)) continue;
    actions.append(actionForm(t, name, a, alert, async (msg) => {
      await openTicket(host, page, id, reload, msg);
      reload();
    }));
  }
  if (page === 'supervise' && t.proposal && ['received', 'reopened'].includes(t.status) &&
      ['supervisor', 'admin'].includes(state.me.role)) {
    actions.prepend(approvalForm(t, alert, async (msg) => {
      await openTicket(host, page, id, reload, msg);
      reload();
    }));
  }
  const readOnly = !PAGE_ACTIONS[page].length;
  if (!actions.childElementCount) actions.append(el('p', { class: 'muted' }, '当前状态下没有需要您办理的操作。'));
  const region = el('section', { class: 'card detail', 'aria-labelledby': 'detail-h-' + page, role: 'region' },
    el('h2', { id: 'detail-h-' + page }, '工单详情'),
    el('p', { class: 'ticket-id' }, '工单 ' + t.id),
    el('p', { class: 'content' }, t.content || ''),
    t.reply ? el('p', { class: 'reply' }, el('strong', {}, '承办单位答复：'), t.reply) : null,
    facts,
    el('h3', {}, '办理过程'), timeline,
    readOnly ? null : el('h3', {}, '办理'), readOnly ? null : actions, alert, done);
  host.replaceChildren(region);
}

function eventItem(e) {
  const p = e.payload || {};
  const who = (e.who || e.actor || '') + (e.role ? '（' + (ROLE_LABELS[e.role] || e.role) + '）' : '');
  const move = e.from && e.to && e.from !== e.to ? '：' + (STATUS[e.from] || e.from) + ' → ' + (STATUS[e.to] || e.to)
    : e.to && !e.from ? '：' + (STATUS[e.to] || e.to) : '';
  const details = [];
  if (p.level && e.action !== 'create') details.push(LEVELS[p.level] || p.level);
  if (p.lead) details.push('主办 ' + p.lead);
  if (Array.isArray(p.co) && p.co.length) details.push('协办 ' + p.co.join('、'));
  if (p.approved_by) details.push('批准人 ' + p.approved_by);
  if (p.kind) details.push(SUPERVISION[p.kind] || p.kind);
  if (p.result) details.push(RESULTS[p.result] || p.result);
  if (p.deadline_days) details.push(p.deadline_days + ' 个工作日');
  for (const k of ['reason', 'text', 'note']) if (typeof p[k] === 'string' && p[k]) details.push(p[k]);
  return el('li', {},
    el('span', { class: 'muted small' }, fmtTime(e.when || e.at) + ' '),
    el('strong', {}, ACTION_LABELS[e.action] || e.action), move + ' · ' + who,
    details.length ? el('div', { class: 'small' }, details.join('；')) : null);
}

let formSeq = 0;
function actionForm(t, name, a, alert, after) {
  const inputs = {};
  const box = el('fieldset', { class: 'action' }, el('legend', {}, a.legend || a.label));
  for (const f of a.fields) {
    const id = 'f' + (++formSeq);
    let input;
    if (f.kind === 'select') {
      let keys = Object.keys(f.options);
      if (f.key === 'kind' && t.supervision) keys = keys.slice(Math.max(0, keys.indexOf(t.supervision)));
      input = el('select', { id }, ...keys.map((k) => el('option', { value: k }, f.options[k])));
    } else if (f.kind === 'number') {
      input = el('input', { id, type: 'number', min: '1', max: '365', value: '5' });
    } else {
      input = el('textarea', { id, rows: '2' });
    }
    inputs[f.key] = input;
    box.append(el('label', { for: id }, f.label), input);
  }
  const button = el('button', { type: 'button' }, a.label);
  button.addEventListener('click', async () => {
    alert.textContent = '';
    const body = { action: name };
    for (const f of a.fields) {
      const v = inputs[f.key].value.trim();
      if (f.required && !v) {
        alert.textContent = '请填写' + f.label;
        inputs[f.key].focus();
        return;
      }
      if (v) body[f.key] = f.kind === 'number' ? Number(v) : v;
    }
    button.disabled = true;
    try {
      const r = await api('/api/v1/tickets/' + encodeURIComponent(t.id) + '/actions', { method: 'POST', body });
      await after('已' + (name === 'callback' ? '回访' : a.label) + '：工单 ' + t.id + ' 现为“' + (STATUS[r.status] || r.status) + '”');
    } catch (e) {
      button.disabled = false;
      alert.textContent = (e.status === 403 ? '无权操作：' : '操作失败：') + e.message;
    }
  });
  box.append(button);
  return box;
}

// ---- 督办 ----

async function loadSupervise() {
  const view = $('sup-view').value;
  $('sup-status').textContent = '加载中…';
  try {
    let list;
    if (view === 'attention') {
      const [late, open] = await Promise.all([
        fetchTickets({ overdue: '1' }),
        fetchTickets({ status: 'dispatched,accepted' }),
      ]);
      const seen = new Set(late.map((t) => t.id));
      const soon = open.filter((t) => !seen.has(t.id) && !t.overdue &&
        daysUntil(t.deadline) !== null && daysUntil(t.deadline) <= DUE_SOON_DAYS);
      list = late.concat(soon);
    } else if (view === 'replied') {
      list = await fetchTickets({ status: 'replied' });
    } else {
      list = await fetchTickets({ status: OPEN_STATUSES.join(',') });
    }
    const open = (id) => openTicket($('sup-detail'), 'supervise', id, loadSupervise);
    fillTable($('sup-list').tBodies[0], list, (t) => [
      STATUS[t.status] || t.status, t.lead || '', t.deadline || '', flags(t), clip(t.content, 40)], open);
    $('sup-status').textContent = list.length ? '共 ' + list.length + ' 件' : '没有符合条件的工单';
  } catch (e) {
    $('sup-status').textContent = '加载失败：' + e.message;
  }
  loadApprovals();
  loadCallbacks();
}

function proposalText(p) {
  return [LEVELS[p.level] || p.level, '拟主办 ' + (p.lead || ''), p.co && p.co.length ? '协办 ' + p.co.join('、') : null,
    p.deadline_days ? p.deadline_days + ' 个工作日' : null, p.by ? '申请人 ' + p.by : null,
    p.note ? '说明：' + p.note : null].filter(Boolean).join('；');
}

// 待审批交办: consult and leader dispatches agents asked for
async function loadApprovals() {
  try {
    const list = await fetchTickets({ approval: '1' });
    const open = (id) => openTicket($('sup-detail'), 'supervise', id, loadSupervise);
    fillTable($('ap-list').tBodies[0], list, (t) => {
      const p = t.proposal || {};
      return [LEVELS[p.level] || p.level || '', p.lead || '', p.by || '', clip(t.content, 40)];
    }, open);
    $('ap-status').textContent = list.length ? '待审批 ' + list.length + ' 件' : '没有待审批的交办申请';
  } catch (e) {
    $('ap-status').textContent = '待审批交办加载失败：' + e.message;
  }
}

// The approval of a proposed dispatch: the proposal pre-filled (level,
// lead, co-handlers, deadline) with the supervisor as 批准人; 批准交办
// dispatches it as the form says, 改为直接交办 sends it on at the immediate
// level to the lead alone instead. Either clears the proposal.
function approvalForm(t, alert, after) {
  const p = t.proposal;
  const box = el('fieldset', { class: 'action' }, el('legend', {}, '审批交办'),
    el('p', { class: 'small' }, proposalText(p)));
  const field = (label, input) => {
    const id = 'f' + (++formSeq);
    input.id = id;
    box.append(el('label', { for: id }, label), input);
    return input;
  };
  const level = field('交办级别', el('select', {}, ...['consult', 'leader', 'immediate'].map((k) =>
    el('option', { value: k }, LEVELS[k]))));
  level.value = p.level || 'consult';
  const lead = field('主办单位', el('input', { autocomplete: 'off' }));
  lead.value = p.lead || '';
  const co = field('协办单位（多个用顿号分隔）', el('input', { autocomplete: 'off' }));
  co.value = (p.co || []).join('、');
  const days = field('办理时限（工作日）', el('input', { type: 'number', min: '1', max: '365' }));
  days.value = p.deadline_days || defaultDays(level.value);
  const approver = field('批准人', el('input', { autocomplete: 'off' }));
  approver.value = state.me.user;
  const send = async (button, body, what) => {
    alert.textContent = '';
    button.disabled = true;
    try {
      const r = await api('/api/v1/tickets/' + encodeURIComponent(t.id) + '/actions', { method: 'POST', body });
      await after(what + '：工单 ' + t.id + ' 已交办至 ' + r.lead + '（' + (LEVELS[r.level] || r.level) + '，' +
        r.deadline_days + ' 个工作日' + (r.approved_by ? '，批准人 ' + r.approved_by : '') + '）');
    } catch (e) {
      button.disabled = false;
      alert.textContent = (e.status === 403 ? '无权操作：' : '操作失败：') + e.message;
    }
  };
  const approve = el('button', { type: 'button' }, '批准交办');
  approve.addEventListener('click', () => {
    const body = { action: 'dispatch', level: level.value, lead: lead.value.trim(), version: t.version };
    const cos = co.value.split(/[、,，;；\s]+/).map((x) => x.trim()).filter(Boolean);
    if (body.level !== 'immediate') {
      body.co = cos;
      body.approved_by = approver.value.trim();
    }
    const n = Number(days.value);
    if (days.value.trim()) body.deadline_days = n;
    if (!body.lead) { alert.textContent = '请填写主办单位'; lead.focus(); return; }
    if (body.level !== 'immediate' && !body.approved_by) { alert.textContent = '请填写批准人'; approver.focus(); return; }
    send(approve, body, '已批准');
  });
  const instead = el('button', { type: 'button', class: 'secondary' }, '改为直接交办');
  instead.addEventListener('click', () => {
    const body = { action: 'dispatch', level: 'immediate', lead: lead.value.trim(), version: t.version };
    if (!body.lead) { alert.textContent = '请填写主办单位'; lead.focus(); return; }
    send(instead, body, '已改为直接交办');
  });
  box.append(el('div', {}, approve, ' ', instead));
  return box;
}

async function loadCallbacks() {
  try {
    const r = await api('/api/v1/callbacks?limit=100');
    const list = r.tickets || [];
    const open = (id) => openTicket($('sup-detail'), 'supervise', id, loadSupervise);
    fillTable($('cb-list').tBodies[0], list, (t) => [
      STATUS[t.status] || t.status, fmtTime(t.closed_at), String(t.callback_attempts || 0), clip(t.content, 40)], open);
    $('cb-status').textContent = list.length ? '待回访 ' + list.length + ' 件' : '没有待回访的工单';
  } catch (e) {
    $('cb-status').textContent = '回访队列加载失败：' + e.message;
  }
}

// ---- 承办 ----

async function loadDepartment() {
  const view = $('dep-view').value;
  $('dep-status').textContent = '加载中…';
  const params = view === 'todo' ? { status: 'dispatched,accepted' } : view === 'all' ? {} : { status: view };
  try {
    const list = await fetchTickets(params);
    const open = (id) => openTicket($('dep-detail'), 'department', id, loadDepartment);
    fillTable($('dep-list').tBodies[0], list, (t) => [
      STATUS[t.status] || t.status, t.deadline || '', flags(t), clip(t.content, 40)], open);
    $('dep-status').textContent = list.length ? '共 ' + list.length + ' 件' : '没有符合条件的工单';
  } catch (e) {
    $('dep-status').textContent = '加载失败：' + e.message;
  }
}

// ---- 管理: users and tokens, reindex ----

async function loadUsers() {
  try {
    const r = await api('/api/v1/admin/users');
    $('user-list').tBodies[0].replaceChildren(...(r.users || []).map((u) => el('tr', {},
      el('td', {}, u.name), el('td', {}, ROLE_LABELS[u.role] || u.role), el('td', {}, u.department || ''),
      el('td', {}, fmtTime(u.created)),
      el('td', {}, u.revoked ? '已吊销（' + fmtTime(u.revoked) + '）'
        : el('button', { type: 'button', class: 'link-btn', 'aria-label': '吊销 ' + u.name, onclick: () => revokeUser(u.name) }, '吊销令牌')))));
  } catch (e) {
    $('user-error').textContent = '用户列表加载失败：' + e.message;
  }
}

function roleChanged() {
  const dep = $('u-role').value === 'department';
  $('u-dep').hidden = !dep;
  $('u-dep-label').hidden = !dep;
}

async function createUser(ev) {
  ev.preventDefault();
  $('user-error').textContent = '';
  $('user-created').replaceChildren();
  const body = { name: $('u-name').value.trim(), role: $('u-role').value };
  if (!body.name) { $('user-error').textContent = '请填写姓名'; $('u-name').focus(); return; }
  if (body.role === 'department') {
    body.department = $('u-dep').value.trim();
    if (!body.department) { $('user-error').textContent = '请填写所属单位'; $('u-dep').focus(); return; }
  }
  try {
    const r = await api('/api/v1/admin/users', { method: 'POST', body });
    $('user-created').replaceChildren(
      el('p', {}, '已创建用户 ' + r.name + '（' + (ROLE_LABELS[r.role] || r.role) + (r.department ? '，' + r.department : '') + '）。令牌只显示这一次，请复制后交给本人：'),
      el('code', { class: 'token', 'aria-label': '新发放的登录凭据' }, r.token));
    $('user-form').reset();
    roleChanged();
    loadUsers();
  } catch (e) {
    $('user-error').textContent = '创建失败：' + e.message;
  }
}

async function revokeUser(name) {
  $('user-error').textContent = '';
  $('user-created').replaceChildren();
  if (!window.confirm('吊销 ' + name + ' 的令牌？吊销后立即失效。')) return;
  try {
    await api('/api/v1/admin/users/' + encodeURIComponent(name) + '/revoke', { method: 'POST', body: {} });
    $('user-created').textContent = '已吊销 ' + name + ' 的令牌';
    loadUsers();
  } catch (e) {
    $('user-error').textContent = '吊销失败：' + e.message;
  }
}

// ---- 管理: importing documents (upload, review side by side, publish) ----

const DOC_TYPES = [['policy', '政策文件'], ['guide', '办事指南'], ['notice', '通知公告']];
let draftSeq = 0;

async function uploadFile(file) {
  const res = await fetch('/api/v1/admin/imports?name=' + encodeURIComponent(file.name), {
    method: 'POST',
    headers: { Authorization: 'Bearer ' + (sessionStorage.getItem(TOKEN_KEY) || ''), 'Content-Type': 'application/octet-stream' },
    body: file,
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (!res.ok) {
    const err = (data && data.error) || {};
    if (res.status === 401) showLogin('登录已失效，请重新登录');
    throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || '上传失败（' + res.status + '）');
  }
  return data;
}

async function importFiles(ev) {
  ev.preventDefault();
  const files = [...$('import-files').files];
  $('import-error').textContent = '';
  if (!files.length) { $('import-error').textContent = '请先选择文件'; return; }
  const errors = [];
  for (const f of files) {
    try {
      $('import-drafts').prepend(draftCard(await uploadFile(f)));
    } catch (e) {
      errors.push(f.name + '：' + e.message);
    }
  }
  $('import-error').textContent = errors.length ? '未能导入：' + errors.join('；') : '';
  $('import-files').value = '';
}

// One converted file: the original's text beside the editable front
// matter and body; a guessed field carries 推测 until it is edited.
function draftCard(d) {
  const n = ++draftSeq;
  const guessed = new Set(d.guessed || []);
  const field = (key, label, input) => {
    input.id = 'dr' + n + '-' + key;
    const mark = guessed.has(key) ? el('span', { class: 'guess' }, '推测') : null;
    const lab = el('label', { for: input.id }, label, mark ? ' ' : null, mark);
    input.addEventListener('input', () => { if (mark) mark.remove(); });
    input.addEventListener('change', () => { if (mark) mark.remove(); });
    return el('div', {}, lab, input);
  };
  const id = el('input', { value: d.id || '' });
  const title = el('input', { value: d.title || '' });
  const dep = el('input', { value: d.department || '' });
  const type = el('select', {}, ...DOC_TYPES.map(([v, l]) => el('option', { value: v }, l)));
  type.value = d.type || 'policy';
  const tags = el('input', { value: (d.tags || []).join('，') });
  const eff = el('input', { type: 'date', value: d.effective || '' });
  const exp = el('input', { type: 'date', value: d.expires || '' });
  const body = el('textarea', { rows: '18' });
  body.value = d.body || '';
  const status = el('p', { role: 'status' });
  const error = el('p', { class: 'error', role: 'alert' });
  const sup = (d.supersedes || []).length ? el('div', { class: 'note', role: 'note' }, '发布后将取代：',
    ...d.supersedes.map((s) => el('span', { class: 'sup' }, `${s.id}《${s.title}》（${s.why}），有效期改至 ${s.expires_after}；`))) : null;
  const publish = el('button', { type: 'submit' }, '发布');
  const discard = el('button', { type: 'button', class: 'secondary' }, '放弃');
  const form = el('form', { class: 'draft-form' },
    el('div', { class: 'row' }, field('id', '编号', id), field('type', '类型', type)),
    field('title', '标题', title),
    field('department', '部门', dep),
    el('div', { class: 'row' }, field('effective', '施行日期', eff), field('expires', '有效期至', exp)),
    field('tags', '标签（用逗号分隔）', tags),
    field('body', '正文（Markdown）', body),
    sup, publish, ' ', discard, error, status);
  const card = el('section', { class: 'card draft', 'aria-label': '导入稿 ' + d.file },
    el('h3', {}, d.file + '（' + (d.format || '').toUpperCase() + (d.docno ? '，' + d.docno : '') + '）'),
    el('div', { class: 'side' },
      el('div', {}, el('h4', { id: 'dr' + n + '-src' }, '原文'),
        el('pre', { class: 'source', 'aria-labelledby': 'dr' + n + '-src', tabindex: '0' }, d.source_text || '')),
      el('div', {}, el('h4', {}, '转换结果'), form)));
  discard.addEventListener('click', () => card.remove());
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    publish.disabled = true;
    const payload = {
      title: title.value.trim(), department: dep.value.trim(), type: type.value,
      tags: tags.value.split(/[,，;；\s]+/).filter(Boolean), effective: eff.value,
      expires: exp.value || null, body: body.value, file: d.file,
    };
    if (!guessed.has('id') || id.value !== d.id) payload.id = id.value.trim();
    else payload.folder = d.folder;
    try {
      const r = await api('/api/v1/admin/imports/publish', { method: 'POST', body: payload });
      status.textContent = '已发布为 ' + r.id + '（' + r.path + '），正在更新索引…';
      for (const el2 of form.elements) el2.disabled = true;
      if (r.job) await followImport(r, status);
    } catch (e) {
      publish.disabled = false;
      error.textContent = '发布失败：' + e.message;
    }
  });
  return card;
}

async function followImport(r, status) {
  for (let k = 0; k < 600; k++) {
    let j;
    try { j = await api('/api/v1/admin/reindex/' + encodeURIComponent(r.job)); } catch (e) { break; }
    if (j.status === 'done') {
      const sup = (r.superseded || []).map((s) => s.id + ' 有效期至 ' + s.expires).join('，');
      status.textContent = '已发布：' + r.id + '，索引已更新（第 ' + (j.generation || '?') + ' 代），可以检索了' + (sup ? '；已取代 ' + sup : '');
      return;
    }
    if (j.status === 'failed') {
      status.textContent = '已写入知识库，但索引更新失败：' + (j.error || '未知原因');
      return;
    }
    await new Promise((res) => setTimeout(res, 200));
  }
}

let reindexTimer = null;
async function startReindex() {
  $('reindex-error').textContent = '';
  $('reindex-rejected').hidden = true;
  $('reindex-start').disabled = true;
  try {
    const r = await api('/api/v1/admin/reindex', { method: 'POST', body: { full: $('reindex-full').checked } });
    $('reindex-status').textContent = '任务 ' + r.job + ' 已开始…';
    pollReindex(r.job);
  } catch (e) {
    $('reindex-start').disabled = false;
    $('reindex-error').textContent = '无法开始：' + e.message;
  }
}

async function pollReindex(job) {
  clearTimeout(reindexTimer);
  let j;
  try {
    j = await api('/api/v1/admin/reindex/' + encodeURIComponent(job));
  } catch (e) {
    $('reindex-start').disabled = false;
    $('reindex-error').textContent = '无法查询进度：' + e.message;
    return;
  }
  const bar = $('reindex-progress');
  bar.hidden = false;
  bar.max = Math.max(1, j.files_total || 0);
  bar.value = j.files_done || 0;
  const files = '已处理 ' + (j.files_done || 0) + ' / ' + (j.files_total || 0) + ' 个文件';
  if (j.status === 'running') {
    $('reindex-status').textContent = '任务 ' + j.job + ' 进行中：' + files;
    reindexTimer = setTimeout(() => pollReindex(job), 500);
    return;
  }
  $('reindex-start').disabled = false;
  if (j.status === 'failed') {
    $('reindex-error').textContent = '任务 ' + j.job + ' 失败：' + (j.error || '未知原因');
    $('reindex-status').textContent = files;
    return;
  }
  const rejected = j.rejected || [];
  $('reindex-status').textContent = '任务 ' + j.job + ' 已完成：' + files + '，共 ' + (j.documents || 0) + ' 篇文档，' +
    (j.published ? '已发布第 ' + j.generation + ' 代索引' : '内容无变化，未发布新索引') +
    '，用时 ' + (j.seconds || 0) + ' 秒；被拒绝的文件 ' + (j.rejected_total || rejected.length) + ' 个。';
  $('reindex-rejected').tBodies[0].replaceChildren(...rejected.map((d) => el('tr', {},
    el('td', {}, d.path || ''), el('td', {}, d.line ? String(d.line) : ''), el('td', {}, d.reason || ''))));
  $('reindex-rejected').hidden = !rejected.length;
}

// ---- 管理: the synonym groups the served index uses (read-only) ----

const SYN_PAGE = 20;
const syn = { q: '', offset: 0, total: 0 };

async function loadSynonyms(offset) {
  syn.offset = Math.max(0, offset || 0);
  const params = new URLSearchParams({ limit: String(SYN_PAGE), offset: String(syn.offset) });
  if (syn.q) params.set('q', syn.q);
  $('syn-status').textContent = '加载中…';
  try {
    const r = await api('/api/v1/admin/synonyms?' + params);
    syn.total = r.total || 0;
    const word = syn.q.toLowerCase();
    $('syn-list').start = syn.offset + 1;
    $('syn-list').replaceChildren(...(r.groups || []).map((g) => el('li', {},
      ...g.terms.flatMap((term, k) => {
        const node = word && term.includes(word) ? el('mark', {}, term) : document.createTextNode(term);
        const item = k === 0 ? el('span', { class: 'canon' }, node) : node;
        return k === 0 ? [item] : ['、', item];
      }))));
    const shown = (r.groups || []).length;
    $('syn-status').textContent = (syn.q ? '含“' + syn.q + '”的同义词组 ' + syn.total + ' 组'
      : '共 ' + syn.total + ' 组') + (shown ? '，第 ' + (syn.offset + 1) + '–' + (syn.offset + shown) + ' 组' : '') +
      '（第 ' + r.generation + ' 代索引）';
    $('syn-prev').disabled = syn.offset === 0;
    $('syn-next').disabled = syn.offset + shown >= syn.total;
  } catch (e) {
    $('syn-status').textContent = '同义词加载失败：' + e.message;
  }
}

function searchSynonyms(ev) {
  ev.preventDefault();
  syn.q = $('syn-q').value.trim();
  loadSynonyms(0);
}

// ---- 案例: case search over tickets, masked by the server for the role ----

async function searchCases(ev) {
  if (ev) ev.preventDefault();
  const q = $('case-q').value.trim();
  const params = q ? { q } : {};
  // the filters the ticket list takes: status (several), department (its
  // alias too), and the days received
  if ($('case-status-f').value) params.status = $('case-status-f').value;
  if ($('case-dept').value.trim()) params.department = $('case-dept').value.trim();
  if ($('case-from').value) params.from = $('case-from').value;
  if ($('case-to').value) params.to = $('case-to').value;
  $('case-status').textContent = '检索中…';
  try {
    const list = await fetchTickets(params);
    const open = (id) => openTicket($('case-detail'), 'cases', id, () => {});
    fillTable($('case-list').tBodies[0], list, (t) => [
      STATUS[t.status] || t.status, t.lead || '', fmtTime(t.created), clip(t.content, 50)], open);
    if (canBuildCasebooks()) addPickers(list);
    $('case-status').textContent = list.length ? '共 ' + list.length + ' 件' : '没有找到相关工单';
  } catch (e) {
    $('case-status').textContent = '检索失败：' + e.message;
  }
}

// ---- 案例复盘: trainers pick tickets from the search, write a lesson per
// case and assemble a casebook; the server masks and stores it, and its
// HTML and Markdown exports are fetched with the token and saved or opened.

const casebook = new Map(); // ticket id → { id, content, lesson }, in the order picked

function canBuildCasebooks() {
  return ['trainer', 'admin'].includes(state.me && state.me.role);
}

// a "选入案例集" checkbox in each row of the case list, after its id
function addPickers(list) {
  const rows = [...$('case-list').tBodies[0].rows];
  rows.forEach((row, k) => {
    const t = list[k];
    const box = el('input', { type: 'checkbox', 'aria-label': '选入案例集 ' + t.id });
    box.checked = casebook.has(t.id);
    box.addEventListener('change', () => {
      if (box.checked) casebook.set(t.id, { id: t.id, content: t.content || '', lesson: '' });
      else casebook.delete(t.id);
      renderCasebook();
    });
    row.cells[0].prepend(box, ' ');
  });
}

function renderCasebook() {
  $('cb-empty').hidden = casebook.size > 0;
  $('cb-cases').replaceChildren(...[...casebook.values()].map((c) => {
    const lid = 'cb-lesson-' + c.id;
    const lesson = el('textarea', { id: lid, rows: '2', maxlength: '4000' });
    lesson.value = c.lesson;
    lesson.addEventListener('input', () => { c.lesson = lesson.value; });
    return el('li', {},
      el('strong', {}, c.id), ' ', el('span', { class: 'muted small' }, clip(c.content, 40)), ' ',
      el('button', { type: 'button', class: 'link-btn', onclick: () => { casebook.delete(c.id); renderCasebook(); syncPickers(); } }, '移除'),
      el('label', { for: lid }, '复盘教训（' + c.id + '）'), lesson);
  }));
}

function syncPickers() {
  document.querySelectorAll('#case-list input[type=checkbox]').forEach((box) => {
    box.checked = casebook.has(box.getAttribute('aria-label').replace('选入案例集 ', ''));
  });
}

async function fetchText(path) {
  const res = await fetch(path, { headers: { Authorization: 'Bearer ' + (sessionStorage.getItem(TOKEN_KEY) || '') } });
  if (!res.ok) {
    let msg = '请求失败（' + res.status + '）';
    try { msg = (await res.json()).error.message || msg; } catch (e) { /* not JSON */ }
    throw new Error(msg);
  }
  return res.text();
}

// the export of casebook id in format (html|md): saved as a file, or opened
async function exportCasebook(id, format, open) {
  try {
    const text = await fetchText('/api/v1/casebooks/' + encodeURIComponent(id) + '?format=' + format);
    const type = format === 'html' ? 'text/html;charset=utf-8' : 'text/markdown;charset=utf-8';
    const url = URL.createObjectURL(new Blob([text], { type }));
    if (open) {
      window.open(url, '_blank', 'noopener');
    } else {
      const a = el('a', { href: url, download: id + (format === 'html' ? '.html' : '.md') });
      document.body.append(a);
      a.click();
      a.remove();
    }
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (e) {
    $('cb-error').textContent = '导出失败：' + e.message;
  }
}

function exportButtons(id) {
  return el('span', { class: 'cb-exports' },
    el('button', { type: 'button', onclick: () => exportCasebook(id, 'html', true) }, '打开打印版'),
    el('button', { type: 'button', onclick: () => exportCasebook(id, 'html', false) }, '下载 HTML'),
    el('button', { type: 'button', onclick: () => exportCasebook(id, 'md', false) }, '下载 Markdown'));
}

async function createCasebook() {
  $('cb-error').textContent = '';
  const title = $('cb-title').value.trim();
  if (!title) { $('cb-error').textContent = '请填写案例集标题'; $('cb-title').focus(); return; }
  if (!casebook.size) { $('cb-error').textContent = '请先在检索结果中勾选工单'; return; }
  const body = {
    title, intro: $('cb-intro').value.trim(),
    tickets: [...casebook.values()].map((c) => ({ id: c.id, lesson: c.lesson.trim() })),
  };
  try {
    const book = await api('/api/v1/casebooks', { method: 'POST', body });
    $('cb-result').replaceChildren(
      el('p', { class: 'ok' }, '已生成案例集 ' + book.id + '（' + book.cases.length + ' 个案例，来电人信息已脱敏）'),
      exportButtons(book.id));
    casebook.clear();
    renderCasebook();
    syncPickers();
    loadCasebooks();
  } catch (e) {
    $('cb-error').textContent = e.message;
  }
}

async function loadCasebooks() {
  try {
    const r = await api('/api/v1/casebooks?limit=20');
    $('cb-list').replaceChildren(...(r.casebooks || []).map((b) => el('li', {},
      el('strong', {}, b.title), ' ', el('span', { class: 'muted small' }, b.id + ' · ' + b.cases + ' 个案例 · ' + fmtTime(b.created) + ' · ' + b.created_by), ' ',
      exportButtons(b.id))));
    if (!r.casebooks || !r.casebooks.length) $('cb-list').replaceChildren(el('li', { class: 'muted' }, '还没有案例集。'));
  } catch (e) {
    $('cb-list').replaceChildren(el('li', { class: 'error' }, '无法读取案例集：' + e.message));
  }
}

function showCasebooks() {
  const may = canBuildCasebooks();
  $('casebook').hidden = !may;
  $('casebooks').hidden = !may;
  if (may) {
    renderCasebook();
    loadCasebooks();
  }
}

// ---- keyboard ----

function typing(target) {
  return target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

function onKey(ev) {
  if (ev.key === 'Escape' && !$('viewer').hidden) {
    ev.preventDefault();
    closeDoc();
  } else if (ev.key === '/' && !typing(ev.target) && !$('page-desk').hidden) {
    ev.preventDefault();
    $('q').focus();
    $('q').select();
  } else if ((ev.key === 'ArrowDown' || ev.key === 'ArrowUp') && !$('page-desk').hidden) {
    // arrows move between the search box and the hits' links
    const links = [...document.querySelectorAll('#hits a.hit-title')];
    const at = links.indexOf(document.activeElement);
    if (ev.target === $('q') && ev.key === 'ArrowDown' && links.length) {
      ev.preventDefault();
      links[0].focus();
    } else if (at >= 0) {
      ev.preventDefault();
      const next = at + (ev.key === 'ArrowDown' ? 1 : -1);
      if (next < 0) $('q').focus();
      else links[Math.min(next, links.length - 1)].focus();
    }
  }
}

// ---- wiring ----

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const t = $('token').value.trim();
    if (t) login(t);
  });
  $('logout').addEventListener('click', () => showLogin(''));
  const debounced = debounce((q) => search(q), DEBOUNCE_MS);
  $('q').addEventListener('input', (ev) => debounced(ev.target.value));
  $('q').addEventListener('keydown', async (ev) => {
    if (ev.key !== 'Enter') return;
    ev.preventDefault(); // Enter: the hits of what is typed, then open the first
    if (shownQuery !== searchKey(ev.target.value)) await search(ev.target.value);
    const first = document.querySelector('#hits a.hit-title');
    if (first) first.click();
  });
  $('viewer-close').addEventListener('click', closeDoc);
  $('ticket-form').addEventListener('submit', createTicket);
  const typed = debounce(typedAssist, ASSIST_DEBOUNCE_MS);
  $('t-content').addEventListener('input', typed);
  $('t-address').addEventListener('change', typed);
  $('resolve').addEventListener('click', resolve);
  $('dispatch').addEventListener('click', dispatch);
  $('request-approval').addEventListener('click', requestApproval);
  $('q-dept').addEventListener('change', filterChanged);
  $('q-type').addEventListener('change', filterChanged);
  $('syn-form').addEventListener('submit', searchSynonyms);
  $('syn-prev').addEventListener('click', () => loadSynonyms(syn.offset - SYN_PAGE));
  $('syn-next').addEventListener('click', () => loadSynonyms(syn.offset + SYN_PAGE));
  $('d-level').addEventListener('change', levelChanged);
  $('next-call').addEventListener('click', nextCall);
  $('sup-view').addEventListener('change', loadSupervise);
  $('sup-refresh').addEventListener('click', loadSupervise);
  $('dep-view').addEventListener('change', loadDepartment);
  $('dep-refresh').addEventListener('click', loadDepartment);
  $('user-form').addEventListener('submit', createUser);
  $('u-role').addEventListener('change', roleChanged);
  $('reindex-start').addEventListener('click', startReindex);
  $('import-form').addEventListener('submit', importFiles);
  $('case-form').addEventListener('submit', searchCases);
  $('cb-create').addEventListener('click', createCasebook);
  document.addEventListener('keydown', onKey);
  window.addEventListener('hashchange', route);
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (!token) { showLogin(''); return; }
  api('/api/v1/me', { token }).then(start, () => showLogin(''));
});
