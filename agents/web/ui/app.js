// The web view's shell: login, the navigation and the page for the
// location's hash. Every page is a module of its own under pages/.
import { render } from './vendor/preact.js';
import { useEffect, useState } from './vendor/hooks.js';
import { api, html, setCsrf } from './lib.js';
import { stream } from './stream.js';
import { Overview } from './pages/overview.js';
import { Topics } from './pages/topics.js';
import { Charts } from './pages/charts.js';
import { Config } from './pages/config.js';
import { Logs } from './pages/logs.js';
import { Dispatch } from './pages/dispatch.js';
import { Trading } from './pages/trading.js';
import { Orgs } from './pages/orgs.js';
import { Hub } from './pages/hub.js';
import { Microgrids } from './pages/microgrids.js';

const pages = [
  ['overview', 'Overview', Overview],
  ['topics', 'Topics', Topics],
  ['charts', 'Charts', Charts],
  ['config', 'Configuration', Config],
  ['logs', 'Logs', Logs],
  ['dispatch', 'Dispatch', Dispatch],
  ['trading', 'Trading', Trading],
  ['orgs', 'Organizations', Orgs],
  ['hub', 'Energy hub', Hub],
  ['microgrids', 'Microgrids', Microgrids],
];

function Login({ onIn, noUsers }) {
  const [error, setError] = useState('');
  const submit = async (e) => {
    e.preventDefault();
    const f = new FormData(e.target);
    try {
      onIn(await api('/api/login', { method: 'POST', body: { user: f.get('user'), password: f.get('password') } }));
    } catch (err) { setError(err.message); }
  };
  return html`<form class="login" onSubmit=${submit}>
    <h1>Watt</h1>
    ${noUsers && html`<p class="note">No users yet: on the platform's machine, run
      <code>watt web user add NAME --role admin</code>.</p>`}
    <label>User <input name="user" autocomplete="username" required /></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required /></label>
    <button type="submit">Log in</button>
    ${error && html`<p class="error" role="alert">${error}</p>`}
  </form>`;
}

function useHash() {
  const [hash, setHash] = useState(location.hash.slice(2) || 'overview');
  useEffect(() => {
    const f = () => setHash(location.hash.slice(2) || 'overview');
    addEventListener('hashchange', f);
    return () => removeEventListener('hashchange', f);
  }, []);
  return hash;
}

function StreamState() {
  const [, tick] = useState(0);
  useEffect(() => stream.watch(() => tick((n) => n + 1)), []);
  return html`<span class="stream ${stream.state}" title="the live stream">
    ${stream.state}${stream.dropped ? html` · <b class="dropped">${stream.dropped} frames dropped</b>` : ''}
  </span>`;
}

function App() {
  const [me, setMe] = useState(undefined);
  const [noUsers, setNoUsers] = useState(false);
  const hash = useHash();
  useEffect(() => {
    api('/api/me').then(setMe, (e) => { setNoUsers(Boolean(e.data && e.data.no_users)); setMe(null); });
  }, []);
  useEffect(() => { if (me) { setCsrf(me.csrf); stream.start(); } }, [me]);
  if (me === undefined) return html`<p class="loading">Loading…</p>`;
  if (me === null) return html`<${Login} onIn=${setMe} noUsers=${noUsers} />`;
  const [name] = hash.split('/');
  const page = pages.find((p) => p[0] === name) || pages[0];
  const Page = page[2];
  const logout = async () => {
    await api('/api/logout', { method: 'POST' }).catch(() => {});
    stream.stop();
    location.hash = '';
    location.reload();
  };
  return html`<header>
      <b class="brand">Watt</b>
      <nav>${pages.map(([id, title]) => html`<a href="#/${id}" class=${id === page[0] ? 'on' : ''}>${title}</a>`)}</nav>
      <${StreamState} />
      <span class="me">${me.user} (${me.role})</span>
      <button class="link" onClick=${logout}>Log out</button>
    </header>
    <main><${Page} me=${me} args=${hash.split('/').slice(1)} /></main>`;
}

render(html`<${App} />`, document.getElementById('app'));
