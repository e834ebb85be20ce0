import { JSON_EXPORT_TYPE } from './format-hosting.js';

/**
 * The web page served at `/`: plain HTML, CSS and script in one string, so it needs
 * no build step. It talks to the same `/api` endpoints as any client.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>lsconv-server</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1b1b1b; background: #fafafa; }
  body { max-width: 60rem; margin: 0 auto; padding: 1rem; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 1.5rem; }
  section { background: #fff; border: 1px solid #ddd; border-radius: 6px; padding: 0.75rem 1rem; margin: 0.75rem 0; }
  label { display: block; margin: 0.4rem 0; }
  fieldset { border: 1px solid #ddd; margin: 0.5rem 0; }
  button { padding: 0.35rem 0.8rem; margin: 0.2rem 0.4rem 0.2rem 0; }
  table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid #eee; text-align: left; padding: 0.3rem; }
  .muted { color: #555; font-size: 0.9rem; }
  .error { color: #a00000; }
  [role=status] { min-height: 1.2rem; }
  .report { background: #f3f6fa; border-left: 3px solid #4a6fa5; padding: 0.4rem 0.7rem; margin: 0.4rem 0; }
  .report ul { margin: 0.3rem 0; padding-left: 1.2rem; }
</style>
</head>
<body>
<h1>lsconv-server</h1>
<p class="muted">Label Studio–compatible exports. Every request carries your API key.</p>

<section aria-labelledby="key-h">
  <h2 id="key-h">API key</h2>
  <label>Key <input id="key" type="password" autocomplete="off" size="44" aria-describedby="key-status"></label>
  <button id="save-key" type="button">Use this key</button>
  <p id="key-status" role="status" aria-live="polite"></p>
  <p class="muted">Lost the key? <code>lsconv-server key --data-dir DIR</code> on the server's machine makes a new one.</p>
</section>

<section aria-labelledby="new-h">
  <h2 id="new-h">New project</h2>
  <form id="new-project">
    <label>Title <input id="new-title" name="title" required maxlength="50"></label>
    <label>Labeling config (XML file) <input id="new-config" type="file" accept=".xml,text/xml"></label>
    <label>Export to import (JSON list or JSON Lines) <input id="new-tasks" type="file" accept=".json,.jsonl,application/json"></label>
    <button type="submit">Create project</button>
    <p id="new-status" role="status" aria-live="polite"></p>
  </form>
</section>

<section aria-labelledby="proj-h">
  <h2 id="proj-h">Project</h2>
  <p><label for="project">Project</label> <select id="project"></select></p>
  <p id="counts" aria-live="polite"></p>
  <p id="project-status" role="status" aria-live="polite"></p>
</section>

<section aria-labelledby="fmt-h">
  <h2 id="fmt-h">Export</h2>
  <p><label for="format">Format</label> <select id="format" aria-describedby="format-help"></select></p>
  <p id="format-help" class="muted"></p>
  <fieldset id="format-options" hidden><legend>Format options</legend><div id="format-options-list"></div></fieldset>
  <fieldset id="dataset"><legend>Training dataset (every format)</legend>
    <label>Splits, as train=0.8,val=0.1,test=0.1 (or from-tasks: the split each task records) <input data-option="split" data-type="string" size="32"></label>
    <label>Split seed (the same seed gives the same split) <input data-option="splitSeed" data-type="string" size="12"></label>
    <label><input type="checkbox" data-option="stratify" data-type="boolean"> Keep every class's share the same in every split</label>
    <label>Annotations of a task: latest, first, ground-truth, all or by-annotator=&lt;id or email&gt; (empty: the format's default) <input data-option="annotation" data-type="string" size="32"></label>
    <label>Keep only these labels (a,b,c) <input data-option="labels" data-type="string" size="32"></label>
    <label>Rename or merge labels (old=new,old2=new) <input data-option="map" data-type="string" size="32"></label>
    <label>Class map pinning class ids (one class a line, or YAML or JSON) <textarea data-option="classMap" data-type="string" rows="3" cols="32"></textarea></label>
    <label><input type="checkbox" data-option="classMapExtend" data-type="boolean"> Add labels missing from the class map after its classes</label>
  </fieldset>
  <label><input type="checkbox" id="compat-python"> Write exactly what Label Studio's own converter writes, its known bugs included</label>
  <fieldset><legend>Download now</legend>
    <label><input type="checkbox" id="all-tasks"> Include tasks without annotations</label>
    <label><input type="checkbox" id="resources"> Download resources (images, audio) into the output</label>
    <button id="download-now" type="button">Download now</button>
    <p id="export-status" role="status" aria-live="polite"></p>
    <div id="export-report" class="report" aria-live="polite" hidden></div>
  </fieldset>
  <fieldset><legend>Snapshot</legend>
    <p><label for="f-view">Tasks from a Data Manager tab</label> <select id="f-view"><option value="">all tasks (no tab)</option></select></p>
    <p><label for="f-annotated">Annotated tasks</label> <select id="f-annotated"><option value="">any</option><option value="only">only</option><option value="exclude">exclude</option></select></p>
    <p><label for="f-skipped">Skipped tasks</label> <select id="f-skipped"><option value="">any</option><option value="only">only</option><option value="exclude">exclude</option></select></p>
    <label><input type="checkbox" id="a-usual" checked> Annotations</label>
    <label><input type="checkbox" id="a-gt"> Ground truth</label>
    <label><input type="checkbox" id="a-skipped"> Skipped annotations</label>
    <label><input type="checkbox" id="only-with"> Only tasks with the chosen annotations</label>
    <label><input type="checkbox" id="s-drafts"> Complete drafts (not only ids)</label>
    <label><input type="checkbox" id="s-preds"> Complete predictions (not only ids)</label>
    <label><input type="checkbox" id="s-users" checked> Remove user details</label>
    <button id="snapshot" type="button">Create snapshot</button>
    <p id="status" role="status" aria-live="polite"></p>
    <div id="snapshot-report" class="report" aria-live="polite" hidden></div>
  </fieldset>
</section>

<section aria-labelledby="snap-h">
  <h2 id="snap-h">Snapshots</h2>
  <table><thead><tr><th>Title</th><th>Status</th><th>Tasks</th><th>Downloads</th></tr></thead><tbody id="snapshots"></tbody></table>
  <p id="snapshots-status" role="status" aria-live="polite"></p>
  <div id="download-report" class="report" aria-live="polite" hidden></div>
</section>

<script>
const $ = (id) => document.getElementById(id);
let key = localStorage.getItem('lsconv-key') || '';
$('key').value = key;
// Every message appears next to the control that caused it; a refused key also beside the key field.
const say = (where, text, error) => { $(where).textContent = text; $(where).className = error ? 'error' : ''; };
const fail = (where) => (e) => {
  say(where, e.message, true);
  if (e.status === 401) { say('key-status', e.message + ' Enter the key the server printed at its first start.', true); $('key').focus(); }
};

async function api(path, init = {}) {
  const res = await fetch(path, { ...init, headers: { Authorization: 'Token ' + key, ...(init.headers || {}) } });
  if (!res.ok) {
    let detail = res.status + ' ' + res.statusText;
    try { const body = await res.clone().json(); detail = body.detail + (body.validation_errors ? ': ' + JSON.stringify(body.validation_errors) : ''); }
    catch { detail = await res.text(); }
    const error = new Error(detail); error.status = res.status;
    throw error;
  }
  return res;
}

/** Shows a conversion's report: the counts, then every skip with its reason. */
function showReport(where, report) {
  const box = $(where); box.innerHTML = '';
  if (!report) { box.hidden = true; return; }
  const skipped = report.skipped.reduce((n, g) => n + g.count, 0);
  const head = document.createElement('p');
  head.textContent = 'Report (' + report.format + '): ' + report.tasksRead + ' tasks read, ' + report.itemsWritten + ' items and ' + report.regionsWritten + ' regions written, ' + skipped + ' skipped.';
  box.appendChild(head);
  const list = document.createElement('ul');
  for (const g of report.skipped) { const li = document.createElement('li'); li.textContent = g.count + ' × ' + g.reason; list.appendChild(li); }
  for (const w of report.warnings) { const li = document.createElement('li'); li.textContent = 'warning: ' + w; list.appendChild(li); }
  if (list.children.length) box.appendChild(list);
  box.hidden = false;
}
async function showHeaderReport(where, res) {
  const url = res.headers.get('x-lsconv-report-url');
  showReport(where, url ? await json(url) : undefined);
}
const json = async (path, init) => (await api(path, init)).json();
const pid = () => $('project').value;
let formatDetails = new Map();

function renderFormatOptions() {
  const list = $('format-options-list'); list.innerHTML = '';
  const f = formatDetails.get($('format').value);
  const entries = Object.entries((f && f.options) || {});
  $('format-options').hidden = entries.length === 0;
  for (const [name, spec] of entries) {
    const label = document.createElement('label');
    let input;
    if (spec.type === 'enum') {
      input = document.createElement('select');
      for (const c of spec.choices) { const o = document.createElement('option'); o.value = c; o.textContent = c; input.appendChild(o); }
      if (spec.default !== undefined) input.value = spec.default;
    } else {
      input = document.createElement('input');
      input.type = spec.type === 'boolean' ? 'checkbox' : spec.type === 'number' ? 'number' : 'text';
      if (spec.type === 'boolean') input.checked = !!spec.default; else if (spec.default !== undefined) input.value = spec.default;
    }
    input.dataset.option = name; input.dataset.type = spec.type;
    // Labelled in words (the option's description); its API name stays out of sight.
    if (spec.type === 'boolean') { label.append(input, ' ' + spec.description); }
    else { label.append(spec.description + ' ', input); }
    list.appendChild(label);
  }
}
function formatOptionValues() {
  const values = {};
  for (const input of document.querySelectorAll('[data-option]')) {
    values[input.dataset.option] = input.dataset.type === 'boolean' ? input.checked : input.value;
  }
  return values;
}

async function saveBlob(res) {
  const name = res.headers.get('filename') || 'export';
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url; a.download = name; document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
  return name;
}

async function loadProjects(select) {
  const list = await json('/api/projects?page_size=1000');
  $('project').innerHTML = '';
  for (const p of list.results) {
    const o = document.createElement('option'); o.value = p.id; o.textContent = p.title || ('Project ' + p.id); $('project').appendChild(o);
  }
  if (select) $('project').value = String(select);
  await loadProject();
}

async function loadProject() {
  if (!pid()) { $('counts').textContent = 'No project yet.'; return; }
  const p = await json('/api/projects/' + pid());
  $('counts').textContent = p.task_number + ' tasks, ' + p.num_tasks_with_annotations + ' with annotations, ' + p.total_annotations_number + ' annotations, ' + p.skipped_annotations_number + ' skipped.';
  const formats = await json('/api/projects/' + pid() + '/export/formats?details=true');
  $('format').innerHTML = '';
  for (const f of formats) {
    const o = document.createElement('option'); o.value = f.name;
    o.textContent = f.title + (f.disabled ? ' — not available: ' + (f.reason || 'the labeling config does not fit') : '');
    o.disabled = !!f.disabled; o.dataset.description = f.description; $('format').appendChild(o);
  }
  formatDetails = new Map(formats.map((f) => [f.name, f]));
  showFormatHelp();
  const views = await json('/api/dm/views?project=' + pid());
  $('f-view').innerHTML = '<option value="">all tasks (no tab)</option>';
  for (const v of views) {
    const o = document.createElement('option'); o.value = v.id;
    const n = (v.data.filters && v.data.filters.items || []).length;
    o.textContent = (v.data.title || 'Tab ' + v.id) + (n ? ' (' + n + ' filter' + (n > 1 ? 's' : '') + ')' : '');
    $('f-view').appendChild(o);
  }
  await loadSnapshots();
}
function showFormatHelp() { const o = $('format').selectedOptions[0]; $('format-help').textContent = o ? o.dataset.description : ''; renderFormatOptions(); }

async function loadSnapshots() {
  const list = await json('/api/projects/' + pid() + '/exports');
  const body = $('snapshots'); body.innerHTML = '';
  for (const s of list) {
    const tr = document.createElement('tr');
    const cells = [s.title, s.status, s.counters.task_number ?? ''];
    for (const c of cells) { const td = document.createElement('td'); td.textContent = c; tr.appendChild(td); }
    const td = document.createElement('td');
    if (s.status === 'completed') {
      const types = ['${JSON_EXPORT_TYPE}', ...s.converted_formats.map((c) => c.export_type + (c.status === 'completed' ? '' : ' (' + c.status + ')'))];
      for (const t of types) {
        const b = document.createElement('button'); b.type = 'button'; b.textContent = 'Download ' + t;
        b.disabled = t.includes('(');
        const conv = s.converted_formats.find((c) => c.export_type === t);
        b.addEventListener('click', () => downloadSnapshot(s.id, t, conv && conv.report));
        td.appendChild(b);
      }
      for (const c of s.converted_formats.filter((c) => c.status === 'failed')) {
        const p = document.createElement('p'); p.className = 'error'; p.textContent = c.export_type + ' failed: ' + c.traceback; td.appendChild(p);
      }
    }
    tr.appendChild(td); body.appendChild(tr);
  }
  return list;
}

async function downloadSnapshot(id, type, report) {
  try {
    say('snapshots-status', 'Downloading…');
    const name = await saveBlob(await api('/api/projects/' + pid() + '/exports/' + id + '/download?exportType=' + encodeURIComponent(type)));
    say('snapshots-status', 'Downloaded ' + name);
    showReport('download-report', report);
  } catch (e) { fail('snapshots-status')(e); }
}

$('save-key').addEventListener('click', async () => {
  key = $('key').value.trim(); localStorage.setItem('lsconv-key', key);
  try { await loadProjects(); say('key-status', 'Key accepted.'); } catch (e) { say('key-status', e.message, true); $('key').focus(); }
});
$('project').addEventListener('change', () => loadProject().catch(fail('project-status')));
$('format').addEventListener('change', showFormatHelp);

$('new-project').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    const configFile = $('new-config').files[0];
    const body = { title: $('new-title').value };
    if (configFile) body.label_config = await configFile.text();
    say('new-status', 'Creating project…');
    const project = await json('/api/projects', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const tasks = $('new-tasks').files[0];
    if (tasks) {
      const form = new FormData(); form.append('file', tasks, tasks.name);
      const r = await json('/api/projects/' + project.id + '/import', { method: 'POST', body: form });
      say('new-status', 'Project created, ' + r.task_count + ' tasks imported.');
    } else say('new-status', 'Project created.');
    await loadProjects(project.id);
  } catch (e) { fail('new-status')(e); }
});

$('download-now').addEventListener('click', async () => {
  try {
    say('export-status', 'Exporting…'); showReport('export-report');
    const q = new URLSearchParams({ ...formatOptionValues(), exportType: $('format').value, download_all_tasks: $('all-tasks').checked, download_resources: $('resources').checked });
    if ($('compat-python').checked) q.set('compat', 'python');
    const res = await api('/api/projects/' + pid() + '/export?' + q);
    const name = await saveBlob(res);
    say('export-status', 'Downloaded ' + name);
    await showHeaderReport('export-report', res);
  } catch (e) { fail('export-status')(e); }
});

$('snapshot').addEventListener('click', async () => {
  try {
    const tfo = { only_with_annotations: $('only-with').checked };
    if ($('f-view').value) tfo.view = Number($('f-view').value);
    if ($('f-annotated').value) tfo.annotated = $('f-annotated').value;
    if ($('f-skipped').value) tfo.skipped = $('f-skipped').value;
    const body = {
      task_filter_options: tfo,
      annotation_filter_options: { usual: $('a-usual').checked, ground_truth: $('a-gt').checked, skipped: $('a-skipped').checked },
      serialization_options: {
        drafts: { only_id: !$('s-drafts').checked }, predictions: { only_id: !$('s-preds').checked },
        annotations__completed_by: { only_id: $('s-users').checked },
      },
    };
    const snap = await json('/api/projects/' + pid() + '/exports', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const type = $('format').value;
    if (type && type !== '${JSON_EXPORT_TYPE}') {
      await json('/api/projects/' + pid() + '/exports/' + snap.id + '/convert', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ export_type: type, download_resources: $('resources').checked, options: formatOptionValues(), compat: $('compat-python').checked ? 'python' : 'default' }) });
    }
    say('status', 'Snapshot ' + snap.id + ' created…'); showReport('snapshot-report');
    for (;;) {
      const s = await json('/api/projects/' + pid() + '/exports/' + snap.id);
      const conv = s.converted_formats.find((c) => c.export_type === type);
      const done = s.status === 'failed' || (s.status === 'completed' && (!conv || conv.status === 'completed' || conv.status === 'failed'));
      say('status', 'Snapshot ' + snap.id + ': ' + s.status + (conv ? ', ' + type + ': ' + conv.status : ''), s.status === 'failed' || (conv && conv.status === 'failed'));
      if (done) {
        if (conv && conv.status === 'failed') say('status', type + ' failed: ' + conv.traceback, true);
        showReport('snapshot-report', conv && conv.report);
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    await loadSnapshots();
  } catch (e) { fail('status')(e); }
});

if (key) loadProjects().catch(fail('key-status'));
</script>
</body>
</html>
`;
