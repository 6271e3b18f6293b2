// An agent's log: its last lines, then each new one as it is written.
import { useEffect, useRef, useState } from '../vendor/hooks.js';
import { html, useApi } from '../lib.js';
import { stream } from '../stream.js';

export function Logs() {
  const agents = useApi('/api/agents');
  const [id, setId] = useState('');
  const [lines, setLines] = useState([]);
  const box = useRef(null);
  const list = agents.data || [];
  useEffect(() => {
    setLines([]);
    if (!id) return undefined;
    const agent = list.find((a) => a.identity === id);
    return stream.follow(id, agent ? agent.container : '', (more) => setLines((l) => [...l, ...more].slice(-2000)));
  }, [id]);
  useEffect(() => { if (box.current) box.current.scrollTop = box.current.scrollHeight; }, [lines]);
  return html`<section>
    <div class="row"><label>Agent <select id="log-agent" onChange=${(e) => setId(e.target.value)}>
      <option value="">–</option>${list.map((a) => html`<option value=${a.identity}>${a.identity}</option>`)}
    </select></label><span class="note">${lines.length} lines</span></div>
    <pre class="log" id="log" ref=${box}>${lines.join('\n')}</pre>
  </section>`;
}
