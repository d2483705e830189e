/**
 * The monitor's own page: one self-contained HTML document (no build step, no external asset) that reads the GraphQL
 * API under the monitor's prefix every two seconds and lists workers, queues (with pause, resume and purge) and the
 * running jobs. The React dashboard will grow a richer Monitor view; this page needs nothing but the monitor.
 */

const STYLE = `
  :root { color-scheme: light dark; --fg: #1d2433; --muted: #5b6474; --bg: #f6f7f9; --card: #fff; --line: #dde1e7;
    --ok: #1a7f37; --warn: #9a6700; --bad: #cf222e; --accent: #0969da; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #9aa3b2; --bg: #0f1319; --card: #171c24;
    --line: #2a313c; --ok: #3fb950; --warn: #d29922; --bad: #f85149; --accent: #58a6ff; } }
  * { box-sizing: border-box; }
  body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
  header { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: baseline; padding: 1rem 1.5rem;
    border-bottom: 1px solid var(--line); background: var(--card); }
  header h1 { font-size: 1.15rem; margin: 0; }
  header .totals span { margin-right: 1rem; color: var(--muted); }
  header .totals b { color: var(--fg); }
  #status { margin-left: auto; color: var(--muted); }
  #status.error { color: var(--bad); }
  main { padding: 1rem 1.5rem 3rem; display: grid; gap: 1.5rem; }
  section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; overflow: hidden; }
  section > div { overflow-x: auto; }
  section h2 { font-size: 1rem; margin: 0; padding: .75rem 1rem; border-bottom: 1px solid var(--line); }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
  th { font-weight: 600; color: var(--muted); font-size: .75rem; white-space: normal; vertical-align: bottom; }
  td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  tr:last-child td { border-bottom: 0; }
  .empty { padding: 1rem; color: var(--muted); }
  .pill { display: inline-block; padding: 0 .5rem; border-radius: 999px; font-size: .8rem; border: 1px solid currentColor; }
  .online { color: var(--ok); } .offline { color: var(--bad); } .paused { color: var(--warn); } .stopping { color: var(--warn); }
  .muted { color: var(--muted); }
  code { font: .85em ui-monospace, SFMono-Regular, Menlo, monospace; }
  button { font: inherit; padding: .2rem .65rem; border-radius: 6px; border: 1px solid var(--line); background: var(--bg);
    color: var(--fg); cursor: pointer; }
  button:hover { border-color: var(--accent); }
  button:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
  button.danger { color: var(--bad); }
  button:disabled { opacity: .5; cursor: default; }
  .actions { display: flex; gap: .4rem; }
  progress { width: 6rem; vertical-align: middle; }
`;

const SCRIPT = `
const ENDPOINT = PREFIX + '/graphql';
const QUERY = \`query Monitor {
  workers { id host pid version state online processed succeeded failed startedAt lastSeenAt
    queues { name concurrency paused } running { jobId } }
  queueStats { queues { name waiting active delayed paused completedLastHour failedLastHour oldestWaitingSeconds }
    totals { queued running completed failed cancelled } }
  queuePerformance { queue failureRate throughput { minutes completedPerMinute failedPerMinute }
    waitSeconds { p50 p95 } runSeconds { p50 p95 } }
  jobs(filter: { status: [RUNNING] }, first: 100) { totalCount nodes { id syncType queue progress processedItems
    totalItems attempts maxAttempts workerId startedAt message cancelRequestedAt integration { name } } }
}\`;

async function gql(query, variables) {
  const res = await fetch(ENDPOINT, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json().catch(() => ({ errors: [{ message: 'HTTP ' + res.status }] }));
  if (body.errors && body.errors.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data;
}

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === 'class') node.className = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) node.append(c instanceof Node ? c : document.createTextNode(c == null ? '' : String(c)));
  return node;
}

const queueLabel = (q) => String(q || '').toLowerCase();
const num = (v, digits) => (v == null ? '–' : Number(v).toFixed(digits === undefined ? 0 : digits));
const secs = (v) => (v == null ? '–' : v < 10 ? Number(v).toFixed(2) + ' s' : Math.round(v) + ' s');
function ago(iso) {
  if (!iso) return '–';
  const s = Math.max(0, Math.round((Date.now() - new Date(iso).getTime()) / 1000));
  return s < 60 ? s + ' s ago' : s < 3600 ? Math.floor(s / 60) + ' min ago' : Math.floor(s / 3600) + ' h ago';
}

function table(headers, rows, emptyText) {
  if (rows.length === 0) return el('p', { class: 'empty' }, emptyText);
  return el('table', {},
    el('thead', {}, el('tr', {}, headers.map((h) => el('th', { scope: 'col', class: h.num ? 'num' : '' }, h.label)))),
    el('tbody', {}, rows));
}

let busy = false;
async function act(label, fn) {
  if (busy) return;
  busy = true;
  setStatus(label + '…');
  try { await fn(); await refresh(); } catch (err) { setStatus(label + ' failed: ' + err.message, true); }
  finally { busy = false; }
}

const pause = (name) => act('Pausing ' + queueLabel(name), () =>
  gql('mutation($n: QueueName!) { pauseQueue(name: $n) { name paused } }', { n: name }));
const resume = (name) => act('Resuming ' + queueLabel(name), () =>
  gql('mutation($n: QueueName!) { resumeQueue(name: $n) { name paused } }', { n: name }));
function purge(q) {
  const waiting = q.waiting + q.delayed;
  const ok = window.confirm('Cancel every waiting job of ' + queueLabel(q.name) + ' (' + waiting + ' now)?\\n' +
    'They end CANCELLED with the reason "purged". Running jobs are not touched. This cannot be undone.');
  if (!ok) return;
  act('Purging ' + queueLabel(q.name), async () => {
    const r = await gql('mutation($n: QueueName!) { purgeQueue(name: $n) { purged } }', { n: q.name });
    setStatus('Purged ' + r.purgeQueue.purged + ' job(s) from ' + queueLabel(q.name));
  });
}

function setStatus(text, error) {
  const s = document.getElementById('status');
  s.textContent = text;
  s.className = error ? 'error' : '';
}

function render(data) {
  const t = data.queueStats.totals;
  document.getElementById('totals').replaceChildren(
    ...[['queued', t.queued], ['running', t.running], ['completed', t.completed], ['failed', t.failed],
      ['cancelled', t.cancelled]].map(([k, v]) => el('span', {}, k + ' ', el('b', {}, v))));

  const online = data.workers.filter((w) => w.online).length;
  document.getElementById('workers-title').textContent = 'Workers (' + online + ' online of ' + data.workers.length + ')';
  document.getElementById('workers').replaceChildren(table(
    [{ label: 'Worker' }, { label: 'Status' }, { label: 'Version' }, { label: 'Running', num: true },
      { label: 'Processed', num: true }, { label: 'Failed', num: true }, { label: 'Paused queues' },
      { label: 'Started' }, { label: 'Last seen' }],
    data.workers.map((w) => el('tr', {},
      el('td', {}, el('code', {}, w.id)),
      el('td', {}, el('span', { class: 'pill ' + (!w.online ? 'offline' : w.state === 'STOPPING' ? 'stopping' : 'online') },
        !w.online ? 'offline' : w.state === 'STOPPING' ? 'stopping' : 'online')),
      el('td', {}, w.version),
      el('td', { class: 'num' }, w.running.length),
      el('td', { class: 'num' }, w.processed),
      el('td', { class: 'num' }, w.failed),
      el('td', {}, w.queues.filter((q) => q.paused).map((q) => queueLabel(q.name)).join(', ') || '–'),
      el('td', {}, ago(w.startedAt)),
      el('td', {}, ago(w.lastSeenAt)))),
    'No worker has sent a heartbeat in the last minute.'));

  const perf = new Map(data.queuePerformance.map((p) => [p.queue, p]));
  document.getElementById('queues').replaceChildren(table(
    [{ label: 'Queue' }, { label: 'Waiting', num: true }, { label: 'Active', num: true }, { label: 'Delayed', num: true },
      { label: 'Done per min (1 · 5 · 15 min)' }, { label: 'Failed per min' }, { label: 'Failure rate', num: true },
      { label: 'Wait p50 / p95' }, { label: 'Run p50 / p95' }, { label: 'Oldest wait', num: true },
      { label: 'Actions' }],
    data.queueStats.queues.map((q) => {
      const p = perf.get(q.name);
      const per = (k) => (p ? p.throughput.map((w) => num(w[k], 1)).join(' · ') : '–');
      return el('tr', {},
        el('td', {}, queueLabel(q.name), ' ', q.paused ? el('span', { class: 'pill paused' }, 'paused') : ''),
        el('td', { class: 'num' }, q.waiting),
        el('td', { class: 'num' }, q.active),
        el('td', { class: 'num' }, q.delayed),
        el('td', {}, per('completedPerMinute')),
        el('td', {}, per('failedPerMinute')),
        el('td', { class: 'num' }, p && p.failureRate != null ? (p.failureRate * 100).toFixed(1) + ' %' : '–'),
        el('td', {}, p ? secs(p.waitSeconds.p50) + ' / ' + secs(p.waitSeconds.p95) : '–'),
        el('td', {}, p ? secs(p.runSeconds.p50) + ' / ' + secs(p.runSeconds.p95) : '–'),
        el('td', { class: 'num' }, q.oldestWaitingSeconds == null ? '–' : q.oldestWaitingSeconds + ' s'),
        el('td', {}, el('div', { class: 'actions' },
          q.paused
            ? el('button', { type: 'button', onclick: () => resume(q.name) }, 'Resume')
            : el('button', { type: 'button', onclick: () => pause(q.name) }, 'Pause'),
          el('button', { type: 'button', class: 'danger', disabled: q.waiting + q.delayed === 0,
            onclick: () => purge(q) }, 'Purge'))));
    }),
    'No queues.'));

  document.getElementById('running-title').textContent = 'Running jobs (' + data.jobs.totalCount + ')';
  document.getElementById('running').replaceChildren(table(
    [{ label: 'Job' }, { label: 'Type' }, { label: 'Queue' }, { label: 'Integration' }, { label: 'Progress' },
      { label: 'Items', num: true }, { label: 'Attempt', num: true }, { label: 'Worker' }, { label: 'Started' },
      { label: 'Message' }],
    data.jobs.nodes.map((j) => el('tr', {},
      el('td', {}, el('code', {}, j.id)),
      el('td', {}, String(j.syncType).toLowerCase()),
      el('td', {}, queueLabel(j.queue)),
      el('td', {}, j.integration ? j.integration.name : '–'),
      el('td', {}, el('progress', { max: 100, value: j.progress, 'aria-label': 'progress' }), ' ', num(j.progress, 0) + ' %',
        j.cancelRequestedAt ? el('span', { class: 'muted' }, ' cancelling…') : ''),
      el('td', { class: 'num' }, j.processedItems + (j.totalItems == null ? '' : ' / ' + j.totalItems)),
      el('td', { class: 'num' }, j.attempts + ' / ' + j.maxAttempts),
      el('td', {}, el('code', {}, j.workerId || '–')),
      el('td', {}, ago(j.startedAt)),
      el('td', { class: 'muted' }, j.message || ''))),
    'Nothing is running.'));
}

async function refresh() {
  try {
    render(await gql(QUERY));
    if (!busy) setStatus('Updated ' + new Date().toLocaleTimeString());
  } catch (err) {
    setStatus('Could not refresh: ' + err.message, true);
  }
}

refresh();
setInterval(() => { if (!document.hidden) refresh(); }, 2000);
`;

/** The page served at `<prefix>/`; `prefix` is where the monitor's GraphQL API lives (`<prefix>/graphql`). */
export function renderMonitorPage(prefix: string): string {
  // Safe inside <script>: JSON with `<` escaped cannot close the element.
  const prefixLiteral = JSON.stringify(prefix).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sync Orchestrator · Monitor</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>Sync Orchestrator · Monitor</h1>
  <div class="totals" id="totals" aria-label="Jobs by status"></div>
  <div id="status" role="status" aria-live="polite">Loading…</div>
</header>
<main>
  <section aria-labelledby="workers-title"><h2 id="workers-title">Workers</h2><div id="workers"></div></section>
  <section aria-labelledby="queues-title"><h2 id="queues-title">Queues</h2><div id="queues"></div></section>
  <section aria-labelledby="running-title"><h2 id="running-title">Running jobs</h2><div id="running"></div></section>
</main>
<script>
const PREFIX = ${prefixLiteral};
${SCRIPT}
</script>
</body>
</html>
`;
}
