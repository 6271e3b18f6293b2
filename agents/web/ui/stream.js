// The page's one WebSocket (docs/web.md, The stream): every pattern any page
// wants goes over it, each at its own rate; it comes back by itself after a
// drop, and subscribes again to everything it had.
class Stream {
  constructor() {
    this.patterns = new Map();  // pattern → {rate, handlers:Set}
    this.logs = new Map();      // agent → {container, handlers:Set}
    this.listeners = new Set();
    this.state = 'closed';
    this.dropped = 0;
    this.errors = [];
    this.retry = 500;
  }

  start() { if (!this.ws) this.connect(); }

  connect() {
    const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    this.ws = ws;
    this.set('connecting');
    ws.onopen = () => {
      this.retry = 500;
      this.set('open');
      for (const [pattern, p] of this.patterns) this.send({ op: 'subscribe', pattern, rate: p.rate });
      for (const [id, l] of this.logs) this.send({ op: 'follow_log', id, container: l.container, lines: 200 });
    };
    ws.onmessage = (e) => this.receive(JSON.parse(e.data));
    ws.onclose = () => {
      this.ws = null;
      this.set('closed');
      if (this.stopped) return;
      setTimeout(() => this.connect(), this.retry);
      this.retry = Math.min(this.retry * 2, 10000);
    };
  }

  stop() { this.stopped = true; if (this.ws) this.ws.close(); }

  receive(m) {
    if (m.type === 'messages') this.patterns.get(m.pattern)?.handlers.forEach((f) => f(m));
    else if (m.type === 'log') this.logs.get(m.id)?.handlers.forEach((f) => f(m.lines));
    else if (m.type === 'dropped') { this.dropped = m.total; this.notify(); }
    else if (m.type === 'error') { this.errors = [...this.errors.slice(-4), m.message]; this.notify(); }
  }

  send(m) { if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m)); }

  subscribe(pattern, rate, fn) {
    let p = this.patterns.get(pattern);
    if (!p) { p = { rate, handlers: new Set() }; this.patterns.set(pattern, p); }
    p.handlers.add(fn);
    if (rate > p.rate || p.handlers.size === 1) p.rate = Math.max(rate, p.rate);
    this.send({ op: 'subscribe', pattern, rate: p.rate });
    return () => {
      p.handlers.delete(fn);
      if (p.handlers.size === 0) { this.patterns.delete(pattern); this.send({ op: 'unsubscribe', pattern }); }
    };
  }

  follow(id, container, fn) {
    let l = this.logs.get(id);
    if (!l) { l = { container, handlers: new Set() }; this.logs.set(id, l); }
    l.handlers.add(fn);
    this.send({ op: 'follow_log', id, container, lines: 200 });
    return () => {
      l.handlers.delete(fn);
      if (l.handlers.size === 0) { this.logs.delete(id); this.send({ op: 'unfollow_log', id }); }
    };
  }

  set(state) { this.state = state; this.notify(); }
  notify() { this.listeners.forEach((f) => f(this)); }
  watch(f) { this.listeners.add(f); return () => this.listeners.delete(f); }
}

export const stream = new Stream();
