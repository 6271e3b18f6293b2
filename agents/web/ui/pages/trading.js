// Trading (docs/trading.md): the peer-to-peer market (its order book, the
// accounts, the trades as its ledger records them, live, and the ledger
// verified) and the BESS auctions (every message as it goes, and each
// BESS's and aggregator's state).
import { useState } from '../vendor/hooks.js';
import { JsonTable, Picker, html, parsed, time, useAgentsOf, useCall, useStream } from '../lib.js';

function Market() {
  const markets = useAgentsOf('MarketAgent');
  const [picked, setPicked] = useState('');
  const [entries, setEntries] = useState([]);
  const market = picked || markets[0];
  useStream('market', 20, (f) => {
    const fresh = f.messages.filter(({ message }) => message.topic.endsWith('/ledger'));
    if (fresh.length) setEntries((e) => [...e, ...fresh.map(({ message }) => message)].slice(-200));
  });
  const key = entries.length;
  const posts = useCall(market, 'posts', [], key);
  const accounts = useCall(market, 'accounts', [], key);
  const verified = useCall(market, 'verify', [], key);
  // The market's answers are tuples (docs/trading.md): named here.
  const book = (posts.data || []).map(([id, seller, kwh, cents]) => ({ id, seller, kWh: kwh, '¢/kWh': cents }));
  const balances = Object.entries(accounts.data || {}).map(([name, [cents, kwh]]) => ({ name, '¢': cents, kWh: kwh }));
  if (!market) return html`<section><h2>Peer-to-peer market</h2><p class="note">No market agent (libmarket.so) is running.</p></section>`;
  const v = verified.data;
  return html`<section>
    <div class="row"><h2>Peer-to-peer market</h2><${Picker} label="Market" options=${markets} value=${market} onPick=${setPicked} />
      <span id="ledger-verified" class=${v && v[0] === true ? 'ok' : 'error'}>
        ${verified.error ? verified.error.message : !v ? '' : v[0] ? `ledger verified: ${v[1]} entries` : `ledger: entry ${v[1]}: ${v[2]}`}</span></div>
    <div class="grid">
      <div><h2>Order book</h2><${JsonTable} id="order-book" value=${book} />
        <h2>Accounts</h2><${JsonTable} id="accounts" value=${balances} /></div>
      <div><h2>Trades and entries, live</h2>
        <table id="ledger-entries"><thead><tr><th>time</th><th class="num">entry</th><th>kind</th><th>what</th><th>hash</th></tr></thead>
          <tbody>${[...entries].reverse().slice(0, 50).map((m) => {
            const e = parsed(m.body) || {};
            return html`<tr><td>${time(m.timestamp_ns)}</td><td class="num">${e.seq}</td><td>${e.kind}</td>
              <td><code>${JSON.stringify(parsed(e.body))}</code></td><td title=${e.hash}><code>${String(e.hash || '').slice(0, 12)}…</code></td></tr>`;
          })}</tbody></table></div>
    </div>
  </section>`;
}

function Auctions() {
  const [messages, setMessages] = useState([]);
  const besses = useAgentsOf('BessAgent');
  const aggregators = useAgentsOf('AggregatorAgent');
  const [picked, setPicked] = useState('');
  useStream('trading', 50, (f) => {
    if (f.cached) return;
    setMessages((m) => [...m, ...f.messages.map(({ message }) => message)].slice(-300));
  });
  const who = picked || besses[0] || aggregators[0];
  const state = useCall(who, 'state', [], messages.length >> 3);
  return html`<section>
    <h2>BESS auctions</h2>
    <div class="grid">
      <table id="auction-messages"><thead><tr><th>time</th><th>from</th><th>to</th><th>message</th><th>body</th></tr></thead>
        <tbody>${[...messages].reverse().slice(0, 60).map((m) => {
          const parts = m.topic.split('/');
          const type = parts[parts.length - 1];
          const to = parts[2] === 'group' ? 'all' : parts[3];
          return html`<tr><td>${time(m.timestamp_ns)}</td><td>${m.sender}</td><td>${to}</td><td>${type}</td>
            <td><code>${JSON.stringify(m.body)}</code></td></tr>`;
        })}</tbody></table>
      <div>${who ? html`<${Picker} label="State of" options=${[...besses, ...aggregators]} value=${who} onPick=${setPicked} />
        <pre>${state.error ? state.error.message : JSON.stringify(state.data, null, 2)}</pre>`
        : html`<p class="note">No BESS or aggregator agent is running.</p>`}</div>
    </div>
  </section>`;
}

export function Trading() {
  return html`<${Market} /><${Auctions} />`;
}
