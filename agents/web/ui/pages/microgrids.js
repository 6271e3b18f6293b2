// Seed 001's microgrid market (docs/der.md): the day-ahead clearing, each
// interval's real-time clearing and awards as they come, the imbalance
// prices, and both settlements at the end of the day.
import { useEffect, useState } from '../vendor/hooks.js';
import { JsonTable, html, parsed, useAgentsOf, useCall, useStream } from '../lib.js';
import { Chart } from '../chart.js';

const blank = () => ({ dayAhead: null, realTime: {}, imbalance: {}, done: null, last: null });

export function Microgrids() {
  const [markets, setMarkets] = useState({});
  useStream('market', 20, (f) => setMarkets((all) => {
    const next = { ...all };
    for (const { message } of f.messages) {
      const [, id, ...rest] = message.topic.split('/');
      const what = rest.join('/');
      if (what === 'ledger') continue;  // a peer-to-peer market's: the trading page
      const m = { ...(next[id] || blank()) };
      const body = parsed(message.body);
      if (what === 'day-ahead') m.dayAhead = body;
      else if (what === 'real-time/cleared') { m.realTime = { ...m.realTime, [body.interval]: body }; m.last = body; }
      else if (what === 'settlement') m.imbalance = { ...m.imbalance, [body.interval]: body.imbalance_price };
      else if (what === 'done') m.done = body;
      else continue;
      next[id] = m;
    }
    return next;
  }));
  // A page opened after the day-ahead clearing asks the market operator for it.
  const operators = useAgentsOf('MarketOperator');
  const missing = operators.find((id) => !markets[id] || !markets[id].dayAhead);
  const results = useCall(missing, 'results', [], Object.keys(markets[missing]?.realTime || {}).length);
  useEffect(() => {
    if (missing && results.data && results.data.price)
      setMarkets((all) => ({ ...all, [missing]: { ...(all[missing] || blank()), dayAhead: results.data } }));
  }, [missing, results.data]);
  const ids = Object.keys(markets);
  if (ids.length === 0) return html`<section><p class="note">No microgrid market on the bus yet (market/…).
    Run one: <code>examples/microgrids/run.sh</code>.</p></section>`;
  return ids.map((id) => {
    const m = markets[id];
    const n = m.dayAhead ? m.dayAhead.price.length : 0;
    const xs = [...Array(n).keys()];
    const rt = xs.map((i) => (m.realTime[i] && m.realTime[i].cleared ? m.realTime[i].price / 100 : null));
    // The book's money is in 1/100,000 of a cent: dollars here.
    const dollars = (v) => Number((v / 1e7).toFixed(2));
    const statements = m.done && Object.entries(m.done).map(([who, s]) => ({ operator: who,
      'day ahead ($)': dollars(s.day_ahead), 'real time ($)': dollars(s.real_time) }));
    const imb = xs.map((i) => (m.imbalance[i] !== undefined ? m.imbalance[i] / 100 : null));
    return html`<section>
      <h2>Market ${id} <span class="note">${Object.keys(m.realTime).length} of ${n} intervals cleared in real time${m.done ? ' · day settled' : ''}</span></h2>
      ${n > 0 && html`<h2>Prices (¢/kWh) per interval</h2>
        <${Chart} id="microgrid-prices" time=${false} series=${['day ahead', 'real time', 'imbalance']}
          data=${[xs, m.dayAhead.price.map((p) => p / 100), rt, imb]} />`}
      <div class="grid">
        <div><h2>Latest real-time clearing${m.last ? `: interval ${m.last.interval}` : ''}</h2>
          ${m.last ? html`<p>${m.last.cleared ? `cleared ${m.last.energy} Wh at ${(m.last.price / 100).toFixed(2)} ¢/kWh` : 'nothing cleared'}</p>
            <${JsonTable} value=${m.last.awards} keyName="operator" />` : html`<p class="note">–</p>`}</div>
        <div><h2>Settlements</h2>${m.done ? html`<${JsonTable} id="microgrid-settlement" value=${statements} />` : html`<p class="note">At the end of the day.</p>`}</div>
      </div>
    </section>`;
  });
}
