// A consensus dispatch run (docs/ed.md), live: each node's incremental cost
// λ and output, and the power mismatch converging, iteration by iteration.
import { useState } from '../vendor/hooks.js';
import { html, useStream } from '../lib.js';
import { Chart } from '../chart.js';

const blank = { nodes: {}, ks: [], mismatch: [], lmin: [], lmax: [], status: null, result: null };

export function Dispatch() {
  const [runs, setRuns] = useState({});
  const [picked, setPicked] = useState('');
  useStream('ed', 20, (f) => setRuns((all) => {
    const next = { ...all };
    for (const { message: m } of f.messages) {
      const [, run, what] = m.topic.split('/');
      if (!run || !what) continue;
      const r = next[run] ? { ...next[run] } : { ...blank, nodes: {} };
      if (what === 'status') {
        const s = m.body;
        if (f.cached || (r.ks.length && s.k <= r.ks[r.ks.length - 1])) { r.status = s; next[run] = r; continue; }
        r.ks = [...r.ks, s.k];
        r.mismatch = [...r.mismatch, Math.abs(s.mismatch_kw)];
        r.lmin = [...r.lmin, s.lambda_min];
        r.lmax = [...r.lmax, s.lambda_max];
        r.status = s;
      } else if (what === 'result') {
        r.result = m.body;
      } else if (what !== 'control' && m.body && m.body.lambda !== undefined) {
        r.nodes = { ...r.nodes, [m.body.id ?? what]: m.body };
      }
      next[run] = r;
    }
    return next;
  }));
  const names = Object.keys(runs).sort();
  const run = runs[picked] || runs[names[0]];
  const name = runs[picked] ? picked : names[0];
  if (!run) return html`<section><p class="note">No dispatch run on the bus yet (topics ed/…). Start one:
    <code>examples/ed16/run.sh</code>.</p></section>`;
  const s = run.status || {};
  const nodes = Object.values(run.nodes).sort((a, b) => String(a.id).localeCompare(String(b.id), undefined, { numeric: true }));
  return html`<section>
      <div class="row">
        <label>Run <select onChange=${(e) => setPicked(e.target.value)}>${names.map((n) => html`<option selected=${n === name}>${n}</option>`)}</select></label>
        <span id="dispatch-status" data-points=${run.ks.length} data-first=${run.mismatch[0]}>iteration ${s.k ?? '–'} · ${s.alive ?? '–'} nodes ·
          mismatch <b id="mismatch">${s.mismatch_kw === undefined ? '–' : s.mismatch_kw.toFixed(3)}</b> kW ·
          λ ${s.lambda_min === undefined ? '–' : `${s.lambda_min.toFixed(4)} … ${s.lambda_max.toFixed(4)}`}</span>
        ${run.result && html`<b class="ok" id="dispatch-done">converged</b>`}
      </div>
      <div class="grid">
        <div>
          <h2>Power mismatch (kW, absolute)</h2>
          ${run.ks.length > 1 && html`<${Chart} id="mismatch-chart" time=${false} series=${['|mismatch|']} data=${[run.ks, run.mismatch]} />`}
          <h2>λ spread</h2>
          ${run.ks.length > 1 && html`<${Chart} time=${false} series=${['λ min', 'λ max']} data=${[run.ks, run.lmin, run.lmax]} />`}
        </div>
        <table id="dispatch-nodes">
          <thead><tr><th>node</th><th class="num">λ</th><th class="num">P (kW)</th><th class="num">iteration</th></tr></thead>
          <tbody>${nodes.map((n) => html`<tr><td>${n.id}</td><td class="num">${Number(n.lambda).toFixed(4)}</td>
            <td class="num">${n.P === undefined ? '–' : Number(n.P).toFixed(2)}</td><td class="num">${n.k}</td></tr>`)}</tbody>
        </table>
      </div>
    </section>`;
}
