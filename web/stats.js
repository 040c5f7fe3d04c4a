// The 统计 page: one-call resolution and the other rates over a range of
// days, overall and by a grouping, each rate shown with its count and
// denominator (GET /api/v1/stats/resolution), a bar chart drawn in SVG here
// with its numbers a click away, and CSV export. Uses app.js's api(), el()
// and $().
'use strict';

const STATS_GROUPS = {
  department: { label: '承办单位', empty: '（未交办）' },
  category: { label: '诉求类别', empty: '（未分类）' },
  agent: { label: '话务员', empty: '（未知）' },
  day: { label: '日期', empty: '' },
  document: { label: '知识库文档', empty: '' },
};
// The measures: rates are {count, of, rate}; plain numbers are counts.
const STATS_MEASURES = [
  { key: 'tickets', label: '工单量', count: true },
  { key: 'one_call', label: '一次办结率' },
  { key: 'assisted', label: '知识辅助办结率' },
  { key: 'satisfaction', label: '满意率' },
  { key: 'on_time', label: '按时答复率' },
  { key: 'rework', label: '返工率', lowIsGood: true },
  { key: 'reopen', label: '重办率', lowIsGood: true },
];
const DOC_MEASURES = [
  { key: 'one_call', label: '一次办结率' },
  { key: 'tickets', label: '使用工单数', count: true },
  { key: 'opened', label: '打开次数', count: true },
];
const SVG_NS = 'http://www.w3.org/2000/svg';
const statsState = { data: null, by: 'department', init: false, seq: 0 };

function daysBefore(date, n) {
  const d = new Date(date + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() - n);
  return d.toISOString().slice(0, 10);
}

function pct(r) {
  return r.rate === null || r.rate === undefined ? '—' : (r.rate * 100).toFixed(1) + '%';
}

function measureValue(g, m) {
  const v = g[m.key];
  if (m.count) return typeof v === 'number' ? v : 0;
  return v && v.rate !== null ? v.rate : null;
}

function measureText(g, m) {
  const v = g[m.key];
  if (m.count) return String(v || 0);
  return pct(v) + '（' + v.count + '/' + v.of + '）';
}

function groupLabel(key) {
  return key === '' ? STATS_GROUPS[statsState.by].empty || '（空）' : key;
}

function measures() {
  return statsState.by === 'document' ? DOC_MEASURES : STATS_MEASURES;
}

function loadStats() {
  if (!statsState.init) {
    statsState.init = true;
    const to = today();
    $('stats-to').value = to;
    $('stats-from').value = daysBefore(to, 29);
    $('stats-form').addEventListener('submit', (ev) => { ev.preventDefault(); queryStats(); });
    $('stats-measure').addEventListener('change', drawGroups);
    $('stats-csv').addEventListener('click', exportCsv);
    $('hot-csv').addEventListener('click', () => tableCsv('hot-table', '民生热词'));
    $('gaps-csv').addEventListener('click', () => tableCsv('gaps-table', '知识缺口'));
    $('policy-form').addEventListener('submit', (ev) => { ev.preventDefault(); policyEffect(); });
    $('report-form').addEventListener('submit', (ev) => { ev.preventDefault(); report('html'); });
    $('report-md').addEventListener('click', () => report('md'));
    const [ty, tm] = today().split('-').map(Number); // last month: the latest whole one
    $('report-period').value = tm === 1 ? (ty - 1) + '-12' : ty + '-' + String(tm - 1).padStart(2, '0');
    $('groups-data').addEventListener('click', () => {
      const t = $('groups-table');
      t.hidden = !t.hidden;
      $('groups-data').setAttribute('aria-expanded', String(!t.hidden));
      $('groups-data').textContent = t.hidden ? '查看数据' : '收起数据';
    });
  }
  queryStats();
}

async function queryStats() {
  const from = $('stats-from').value, to = $('stats-to').value, by = $('stats-by').value;
  const seq = ++statsState.seq;
  $('stats-status').textContent = '正在统计…';
  try {
    const q = new URLSearchParams({ from, to, by });
    const data = await api('/api/v1/stats/resolution?' + q);
    if (seq !== statsState.seq) return;
    statsState.data = data;
    statsState.by = by;
    $('stats-status').textContent = data.from + ' 至 ' + data.to + '，受理工单 ' + data.tickets + ' 张' +
      (data.pending_events ? '（统计仍在追赶工单日志，尚有 ' + data.pending_events + ' 条事件未计入）' : '');
    renderKpis(data);
    const sel = $('stats-measure');
    const keep = sel.value;
    sel.replaceChildren(...measures().map((m) => el('option', { value: m.key }, m.label)));
    if (measures().some((m) => m.key === keep)) sel.value = keep;
    else sel.value = by === 'day' ? 'tickets' : 'one_call';
    drawGroups();
  } catch (e) {
    if (seq === statsState.seq) $('stats-status').textContent = '统计失败：' + e.message;
  }
  loadAnalysis(from, to, seq);
}

// ---- 民生热词, 未诉先办, 知识缺口 for the same days ----

function signed(x) {
  return x === null || x === undefined ? '—' : (x > 0 ? '+' : '') + (x * 100).toFixed(0) + '%';
}

async function loadAnalysis(from, to, seq) {
  const q = new URLSearchParams({ from, to });
  const [hot, warn, gaps] = await Promise.allSettled([
    api('/api/v1/stats/hotwords?' + q + '&limit=20'),
    api('/api/v1/stats/warnings?' + q),
    api('/api/v1/stats/gaps?' + q + '&limit=20'),
  ]);
  if (seq !== statsState.seq) return;
  const failed = (r) => el('tr', {}, el('td', { colspan: '7' }, '无法读取：' + r.reason.message));
  const hb = $('hot-table').tBodies[0];
  if (hot.status === 'rejected') {
    hb.replaceChildren(failed(hot));
    $('hot-chart').replaceChildren();
  } else {
    const terms = hot.value.terms || [];
    hb.replaceChildren(...terms.map((t) => el('tr', {},
      el('th', { scope: 'row' }, t.term), el('td', {}, String(t.count)), el('td', {}, String(t.previous)),
      el('td', {}, String(t.last_year)), el('td', {}, signed(t.growth)),
      el('td', {}, t.expected === undefined ? '—' : Number(t.expected).toFixed(1)),
      el('td', {}, t.spike ? el('span', { class: 'badge' }, '突增') : ''))));
    if (!terms.length) hb.replaceChildren(el('tr', {}, el('td', { colspan: '7' }, '这段时间没有工单')));
    $('hot-chart').replaceChildren(terms.length ? hotChart(terms.slice(0, 15)) : '');
  }
  const wl = $('warnings');
  if (warn.status === 'rejected') {
    wl.replaceChildren(el('li', {}, '无法读取：' + warn.reason.message));
  } else {
    const kinds = { seasonal: '季节性上升', spike: '突增', cluster: '同地聚集' };
    const items = warn.value.warnings || [];
    wl.replaceChildren(...items.map((w) => el('li', {},
      el('strong', {}, (kinds[w.kind] || w.kind) + '：' + w.what + (w.where ? '（' + w.where + '）' : '')),
      ' 本期 ' + w.count + ' 件' + (w.expected !== undefined ? '，预计约 ' + Number(w.expected).toFixed(1) + ' 件' : ''),
      el('span', { class: 'why' }, w.why || ''),
      (w.tickets && w.tickets.length) ? el('span', { class: 'muted small' }, '相关工单：' + w.tickets.join('、')) : '')));
    if (!items.length) wl.replaceChildren(el('li', { class: 'muted' }, '这段时间没有需要提前处置的苗头'));
  }
  const gb = $('gaps-table').tBodies[0];
  if (gaps.status === 'rejected') {
    gb.replaceChildren(failed(gaps));
  } else {
    const qs = gaps.value.queries || [];
    gb.replaceChildren(...qs.map((g) => el('tr', {},
      el('th', { scope: 'row' }, g.query), el('td', {}, String(g.count)),
      el('td', {}, g.unconfident === undefined ? '—' : String(g.unconfident)),
      el('td', {}, g.resolved_rate === null || g.resolved_rate === undefined ? '—' : (g.resolved_rate * 100).toFixed(0) + '%'),
      el('td', {}, g.best_hit || '（无结果）'), el('td', {}, (g.variants || []).join('、')))));
    if (!qs.length) gb.replaceChildren(el('tr', {}, el('td', { colspan: '6' }, '这段时间没有检索失败的问题')));
  }
}

function hotChart(terms) {
  const rowH = 22, labelW = 160, width = 760, barW = width - labelW - 80;
  const max = Math.max(...terms.map((t) => t.count), 1);
  const s = svg('svg', { viewBox: '0 0 ' + width + ' ' + (terms.length * rowH + 8), role: 'img', 'aria-label': '民生热词本期工单数' });
  terms.forEach((t, i) => {
    const y = i * rowH + 4, w = Math.max(1, Math.round(t.count / max * barW));
    s.append(svg('text', { x: labelW - 6, y: y + 14, 'text-anchor': 'end' }, t.term),
      svg('rect', { class: t.spike ? 'bar alert' : 'bar', x: labelW, y: y + 3, width: w, height: rowH - 7 },
        svg('title', {}, t.term + '：本期 ' + t.count + '，上期 ' + t.previous + '，去年同期 ' + t.last_year)),
      svg('text', { x: labelW + w + 6, y: y + 14 }, String(t.count) + (t.spike ? ' 突增' : '')));
  });
  return s;
}

// ---- 政策效果: a policy's topic before and after its effective date ----

function countsLine(name, p) {
  return p ? name + ' ' + p.from + ' 至 ' + p.to + '：' + p.count + ' 件（同期受理 ' + p.tickets + ' 件）' : '';
}

async function policyEffect() {
  const out = $('policy-result');
  const doc = $('policy-doc').value.trim();
  if (!doc) { out.textContent = '请填写政策文档编号'; $('policy-doc').focus(); return; }
  const q = new URLSearchParams({ doc, months: $('policy-months').value || '3' });
  const terms = $('policy-terms').value.trim().replace(/[，、\s]+/g, ',');
  if (terms) q.set('terms', terms);
  out.textContent = '正在分析…';
  try {
    const r = await api('/api/v1/stats/policy?' + q);
    out.replaceChildren(
      el('p', {}, el('strong', {}, r.doc.title), '（' + r.doc.id + '），施行日期 ' + r.effective + '；话题词：' + (r.terms || []).join('、')),
      el('ul', { class: 'plain policy-figures', 'aria-label': '政策效果数据' },
        el('li', {}, countsLine('施行前', r.before)), el('li', {}, countsLine('施行后', r.after)),
        el('li', {}, countsLine('去年同期·前', r.last_year_before)), el('li', {}, countsLine('去年同期·后', r.last_year_after))),
      el('p', {}, '施行前后变化 ' + signed(r.change) + '；去年同期变化 ' + signed(r.last_year_change) +
        '；扣除季节因素后（双重差分）' + signed(r.did) +
        (r.expected_after !== undefined && r.expected_after !== null ? '（按去年走势预计 ' + Number(r.expected_after).toFixed(1) + ' 件）' : '')),
      r.note ? el('p', { class: 'muted' }, r.note) : '');
  } catch (e) {
    out.textContent = '无法分析：' + e.message;
  }
}

// ---- 热线监督报告 ----

async function report(format) {
  const period = $('report-period').value;
  if (!period) { $('report-status').textContent = '请选择报告期'; return; }
  $('report-status').textContent = '正在生成 ' + period + ' 的报告…';
  try {
    const text = await fetchText('/api/v1/stats/report?period=' + encodeURIComponent(period) + '&format=' + format);
    const type = format === 'html' ? 'text/html;charset=utf-8' : 'text/markdown;charset=utf-8';
    const url = URL.createObjectURL(new Blob([text], { type }));
    if (format === 'html') {
      window.open(url, '_blank', 'noopener');
    } else {
      const a = el('a', { href: url, download: '热线监督报告_' + period + '.md' });
      document.body.append(a);
      a.click();
      a.remove();
    }
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    $('report-status').textContent = period + ' 的报告已' + (format === 'html' ? '在新窗口打开' : '下载');
  } catch (e) {
    $('report-status').textContent = '无法生成报告：' + e.message;
  }
}

function renderKpis(d) {
  $('kpis').replaceChildren(...STATS_MEASURES.filter((m) => !m.count).map((m) => {
    const r = d[m.key];
    return el('li', {},
      el('div', { class: 'kpi-name' }, m.label),
      el('div', { class: 'kpi-value' }, pct(r)),
      el('div', { class: 'kpi-count' }, r.count + ' / ' + r.of));
  }));
}

function svg(tag, attrs, ...children) {
  const n = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, v);
  for (const c of children) n.append(c);
  return n;
}

// Horizontal bars, one per group (the largest 20), or vertical bars over
// days for by=day; each bar carries its number as a tooltip and the table
// below has them all.
function drawGroups() {
  const d = statsState.data;
  if (!d) return;
  const m = measures().find((x) => x.key === $('stats-measure').value) || measures()[0];
  const groups = (d.groups || []).filter((g) => measureValue(g, m) !== null);
  const host = $('groups-chart');
  const title = '按' + STATS_GROUPS[statsState.by].label + '的' + m.label;
  if (!groups.length) {
    host.replaceChildren(el('p', { class: 'muted' }, '这段时间没有可比的数据'));
  } else if (statsState.by === 'day') {
    host.replaceChildren(dayChart(groups, m, title));
  } else {
    const shown = [...groups].sort((a, b) => measureValue(b, m) - measureValue(a, m)).slice(0, 20);
    host.replaceChildren(barChart(shown, m, title));
  }
  fillGroupsTable(d);
}

function barChart(groups, m, title) {
  const rowH = 24, labelW = 220, width = 760, barW = width - labelW - 150;
  const max = Math.max(...groups.map((g) => measureValue(g, m)), m.count ? 1 : 0.0001);
  const s = svg('svg', { viewBox: '0 0 ' + width + ' ' + (groups.length * rowH + 8), role: 'img', 'aria-label': title });
  groups.forEach((g, i) => {
    const v = measureValue(g, m), y = i * rowH + 4;
    const w = Math.max(1, Math.round((m.count ? v / max : v) * barW));
    const label = groupLabel(g.key);
    s.append(
      svg('text', { x: labelW - 6, y: y + 15, 'text-anchor': 'end' }, label.length > 16 ? label.slice(0, 15) + '…' : label),
      svg('rect', { class: 'bar', x: labelW, y: y + 3, width: w, height: rowH - 8 },
        svg('title', {}, label + '：' + measureText(g, m))),
      svg('text', { x: labelW + w + 6, y: y + 15 }, measureText(g, m)));
  });
  return s;
}

function dayChart(groups, m, title) {
  const width = 760, height = 220, left = 40, bottom = 24, plotW = width - left - 10, plotH = height - bottom - 10;
  const max = Math.max(...groups.map((g) => measureValue(g, m)), m.count ? 1 : 0.0001);
  const bw = plotW / groups.length;
  const s = svg('svg', { viewBox: '0 0 ' + width + ' ' + height, role: 'img', 'aria-label': title });
  s.append(svg('line', { class: 'axis', x1: left, y1: 10 + plotH, x2: width - 10, y2: 10 + plotH }),
    svg('text', { x: left - 4, y: 20, 'text-anchor': 'end' }, m.count ? String(max) : (max * 100).toFixed(0) + '%'));
  groups.forEach((g, i) => {
    const v = measureValue(g, m), h = Math.max(1, (m.count ? v / max : v / max) * plotH);
    s.append(svg('rect', { class: 'bar', x: left + i * bw, y: 10 + plotH - h, width: Math.max(1, bw - 1), height: h },
      svg('title', {}, g.key + '：' + measureText(g, m))));
  });
  const step = Math.max(1, Math.ceil(groups.length / 8));
  for (let i = 0; i < groups.length; i += step) {
    s.append(svg('text', { x: left + i * bw, y: height - 6 }, groups[i].key.slice(5)));
  }
  return s;
}

function tableRows(d) {
  const ms = measures();
  const head = [STATS_GROUPS[statsState.by].label];
  for (const m of ms) head.push(...(m.count ? [m.label] : [m.label, m.label + '分子', m.label + '分母']));
  const rows = (d.groups || []).map((g) => {
    const r = [groupLabel(g.key)];
    for (const m of ms) {
      if (m.count) r.push(String(g[m.key] || 0));
      else r.push(pct(g[m.key]), String(g[m.key].count), String(g[m.key].of));
    }
    return r;
  });
  return { head, rows };
}

function fillGroupsTable(d) {
  const { head, rows } = tableRows(d);
  const t = $('groups-table');
  t.tHead.replaceChildren(el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h))));
  t.tBodies[0].replaceChildren(...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c)))));
}

function csvCell(s) {
  return /[",\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

function exportCsv() {
  const d = statsState.data;
  if (!d) return;
  const { head, rows } = tableRows(d);
  downloadCsv([head, ...rows], '办理成效_' + d.from + '_' + d.to + '_' + statsState.by + '.csv');
}

// A table of the page as CSV, its cells as shown.
function tableCsv(id, name) {
  const rows = [...$(id).rows].map((tr) => [...tr.cells].map((c) => c.textContent.trim()));
  const d = statsState.data;
  downloadCsv(rows, name + (d ? '_' + d.from + '_' + d.to : '') + '.csv');
}

function downloadCsv(rows, filename) {
  const lines = rows.map((r) => r.map(csvCell).join(','));
  // a BOM so that spreadsheet programs read the Chinese as UTF-8
  const blob = new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
  const a = el('a', { href: URL.createObjectURL(blob), download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// The policy's effect, one line on the document viewer (roles that may
// read statistics): tickets on its topic after it took effect against
// before, and against what last year's same months would have given.
async function policyOnDoc(id) {
  try {
    const r = await api('/api/v1/stats/policy?doc=' + encodeURIComponent(id));
    if ($('doc-title').textContent !== r.doc.title) return; // another document since
    $('doc-effect').textContent = '政策效果：施行后相关工单 ' + r.after.count + ' 件，施行前同样天数 ' + r.before.count +
      ' 件（' + signed(r.change) + '）；扣除去年同期走势后 ' + signed(r.did) + '。';
  } catch (e) {
    $('doc-effect').textContent = '';
  }
}
