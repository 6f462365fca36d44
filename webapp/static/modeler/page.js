// The modeler page's toolbar, shared by the BPMN and the DMN editor: import and download a file,
// keep a draft, validate with the server's deploy-time checks, deploy. Every message a person reads
// comes from the page's data-msg-* attributes, which the server renders in the person's language.

export function setUp(editor) {
  const root = document.getElementById('modeler');
  const data = root.dataset;
  const status = document.getElementById('modeler-status');
  const problemList = document.getElementById('problems');
  const fileName = () => data.file;

  function say(text, kind) {
    status.textContent = text;
    status.className = 'modeler-status ' + (kind || '');
  }

  async function post(url, extra) {
    const body = new FormData();
    body.append('csrf_token', data.csrf);
    body.append('file', fileName());
    body.append('version', data.version || '');
    body.append('content', await editor.xml());
    for (const [name, value] of Object.entries(extra || {})) body.append(name, value);
    const response = await fetch(url, {
      method: 'POST', body, credentials: 'same-origin', headers: { Accept: 'application/json' }
    });
    let json = {};
    try { json = await response.json(); } catch (e) { json = { message: response.statusText }; }
    return { ok: response.ok, status: response.status, json };
  }

  function showProblems(problems) {
    editor.clearProblems();
    problemList.replaceChildren();
    for (const problem of problems) {
      const item = document.createElement('li');
      const where = problem.element ? problem.element + (problem.element_name ? ' (' + problem.element_name + ')' : '') + ': ' : '';
      item.textContent = where + problem.message;
      if (problem.shape) item.dataset.element = problem.shape;
      item.addEventListener('click', () => editor.select(problem.shape));
      problemList.append(item);
      editor.markProblem(problem.shape, problem.message);
    }
    problemList.hidden = problems.length === 0;
  }

  async function validate() {
    say(data.msgChecking);
    const { ok, json } = await post(data.validateUrl);
    if (!ok) return failed(json);
    showProblems(json.errors || []);
    say(json.errors.length ? data.msgProblems.replace('%(count)s', json.errors.length) : data.msgValid,
        json.errors.length ? 'error' : 'success');
  }

  async function deploy() {
    say(data.msgDeploying);
    const note = document.getElementById('note').value;
    const { ok, json } = await post(data.deployUrl, { note });
    if (!ok) return failed(json);
    showProblems([]);
    say(json.message, 'success');
    if (json.location) window.location.assign(json.location);
  }

  async function saveDraft() {
    const { ok, json } = await post(data.draftUrl);
    if (!ok) return failed(json);
    say(json.message, 'success');
  }

  function failed(json) {
    if (Array.isArray(json.errors)) {
      showProblems(json.errors);
      say(data.msgRefused.replace('%(count)s', json.errors.length), 'error');
    } else {
      say(json.message || data.msgFailed, 'error');
    }
  }

  async function download() {
    const blob = new Blob([await editor.xml()], { type: 'application/xml' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = fileName();
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  async function importFile(event) {
    const file = event.target.files[0];
    if (!file) return;
    try {
      await editor.open(await file.text());
      showProblems([]);
      say(data.msgImported.replace('%(name)s', file.name), 'success');
    } catch (e) {
      say(data.msgNotImported.replace('%(name)s', file.name) + ' ' + e.message, 'error');
    }
    event.target.value = '';
  }

  document.getElementById('validate').addEventListener('click', validate);
  document.getElementById('deploy').addEventListener('click', deploy);
  document.getElementById('save-draft').addEventListener('click', saveDraft);
  document.getElementById('download').addEventListener('click', download);
  document.getElementById('import').addEventListener('change', importFile);

  fetch(data.source, { credentials: 'same-origin' })
    .then((r) => r.text())
    .then((xml) => editor.open(xml))
    .then(() => { root.dataset.ready = 'true'; })
    .catch((e) => say(data.msgFailed + ' ' + e.message, 'error'));
}

export function overlayText(message) {
  const box = document.createElement('div');
  box.className = 'modeler-problem';
  box.textContent = message;
  return box;
}
