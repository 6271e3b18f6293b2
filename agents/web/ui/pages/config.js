// The config store, agent by agent: each configuration in an editor. Saving
// pushes it to the agent, and when the agent refuses it, its own message is
// shown here, and both the store and the agent keep the previous one.
import { useEffect, useState } from '../vendor/hooks.js';
import { api, canOperate, html, useApi } from '../lib.js';

function Editor({ id, name }) {
  const [text, setText] = useState(null);
  const [outcome, setOutcome] = useState(null);
  useEffect(() => {
    setText(null);
    setOutcome(null);
    if (name === '') { setText(''); return; }
    api(`/api/configs/${encodeURIComponent(id)}/${encodeURIComponent(name)}`).then(
      (r) => setText(r.text), (e) => setOutcome({ ok: false, message: e.message }));
  }, [id, name]);
  const save = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    const target = name || f.get('name');
    try {
      const r = await api(`/api/configs/${encodeURIComponent(id)}/${encodeURIComponent(target)}`,
        { method: 'PUT', text: f.get('text') });
      setOutcome({ ok: true, message: r.result });
    } catch (err) { setOutcome({ ok: false, message: err.message }); }
  };
  if (text === null && !outcome) return html`<p class="note">Loading…</p>`;
  return html`<form onSubmit=${save} id="config-editor">
    ${name === '' && html`<label>Name <input name="name" required /></label>`}
    <textarea name="text" spellcheck="false" value=${text ?? ''} onInput=${(e) => setText(e.target.value)}></textarea>
    <div class="row"><button type="submit">Save</button>
      ${outcome && html`<span id="config-outcome" class=${outcome.ok ? 'ok' : 'error'} role="status">${outcome.message}</span>`}</div>
  </form>`;
}

export function Config({ me }) {
  const agents = useApi('/api/agents');
  const [id, setId] = useState('');
  const [name, setName] = useState(null);
  const names = useApi(id ? `/api/configs/${encodeURIComponent(id)}` : null);
  if (!canOperate(me)) return html`<section><p class="note">Configurations are for operators and admins.</p></section>`;
  return html`<section>
    <div class="row">
      <label>Agent <select id="config-agent" onChange=${(e) => { setId(e.target.value); setName(null); }}>
        <option value="">–</option>
        ${(agents.data || []).map((a) => html`<option value=${a.identity}>${a.identity}</option>`)}
      </select></label>
      ${id && html`<span>${(names.data || []).map((c) => html`<button class="link" onClick=${() => setName(c.name)}>${c.name}</button> `)}
        <button class="link" onClick=${() => setName('')}>+ new</button></span>`}
    </div>
    ${names.error && html`<p class="error">${names.error.message}</p>`}
    ${id && name !== null && html`<h2>${id} / ${name || 'new configuration'}</h2><${Editor} id=${id} name=${name} />`}
  </section>`;
}
