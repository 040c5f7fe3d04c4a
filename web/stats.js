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
  const d = new Date(date + 'T00:00:00');
  d.setDate(d.getDate() - n);
  return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
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
  const lines = [head, ...rows].map((r) => r.map(csvCell).join(','));
  // a BOM so that spreadsheet programs read the Chinese as UTF-8
  const blob = new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
  const a = el('a', { href: URL.createObjectURL(blob), download: '办理成效_' + d.from + '_' + d.to + '_' + statsState.by + '.csv' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
