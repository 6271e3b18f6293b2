// The live topic browser: a pattern (wildcards welcome), every topic under
// it with its message rate, and one message in full: headers, priority and
// the body as JSON.
import { useState } from '../vendor/hooks.js';
import { html, time, useStream } from '../lib.js';

const window_ms = 5000;

export function Topics() {
  const [pattern, setPattern] = useState('#');
  const [rate, setRate] = useState(5);
  const [topics, setTopics] = useState({});
  const [picked, setPicked] = useState('');
  useStream(pattern, rate, (f) => setTopics((t) => {
    const now = Date.now();
    const next = { ...t };
    for (const { count, message } of f.messages) {
      const old = next[message.topic] || { hits: [] };
      const hits = f.cached ? [] : [...old.hits.filter((x) => now - x[0] < window_ms), [now, count]];
      next[message.topic] = { message, hits };
    }
    return next;
  }));
  const submit = (e) => {
    e.preventDefault();
    const form = new FormData(e.target);
    setTopics({});
    setPicked('');
    setPattern(form.get('pattern'));
    setRate(Number(form.get('rate')));
  };
  const rows = Object.entries(topics).sort(([a], [b]) => a.localeCompare(b));
  const perSecond = (hits) => hits.reduce((s, h) => s + h[1], 0) / (window_ms / 1000);
  const shown = topics[picked];
  return html`<section>
      <form class="row" onSubmit=${submit}>
        <label>Pattern <input name="pattern" value=${pattern} size="40" /></label>
        <label>Frames/s <input name="rate" type="number" min="1" max="100" value=${rate} /></label>
        <button type="submit">Watch</button>
        <span class="note">${rows.length} topics</span>
      </form>
      <div class="grid">
        <table id="topics">
          <thead><tr><th>topic</th><th class="num">msg/s</th><th>sender</th><th>last</th></tr></thead>
          <tbody>${rows.map(([topic, t]) => html`<tr class="pick ${topic === picked ? 'picked' : ''}"
              data-topic=${topic} onClick=${() => setPicked(topic)}>
            <td>${topic}</td><td class="num">${perSecond(t.hits).toFixed(1)}</td>
            <td>${t.message.sender}</td><td>${time(t.message.timestamp_ns)}</td></tr>`)}</tbody>
        </table>
        <div>${shown ? html`<h2>${picked}</h2>
          <table><tbody>
            ${['sender', 'id', 'priority', 'content_type', 'deadline_ns'].map((k) => html`<tr><th>${k}</th><td>${String(shown.message[k] ?? '–')}</td></tr>`)}
            <tr><th>time</th><td>${new Date(shown.message.timestamp_ns / 1e6).toISOString()}</td></tr>
          </tbody></table>
          <pre id="detail">${JSON.stringify(shown.message.body, null, 2)}</pre>` : html`<p class="note">Pick a topic to see its last message.</p>`}</div>
      </div>
    </section>`;
}
