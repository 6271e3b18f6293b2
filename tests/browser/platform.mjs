// A real platform for the browser tests: a scratch $WATT_HOME, wattd, the
// web agent on a free port and two users (withAgents(): a historian and a
// listener too). Stopped, and its home removed, by stop().
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const build = resolve(process.env.WATT_BUILD || new URL('../../build', import.meta.url).pathname);
export const bin = join(build, 'bin');
export const lib = join(build, 'lib');

export class Platform {
  constructor() {
    this.home = mkdtempSync(join(tmpdir(), 'watt-browser-'));
    this.env = { ...process.env, WATT_HOME: this.home };
  }

  watt(...args) {
    return execFileSync(join(bin, 'watt'), args, { env: this.env, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  }

  wattInput(input, ...args) {
    return execFileSync(join(bin, 'watt'), args, { env: this.env, encoding: 'utf8', input });
  }

  file(name, text) {
    const path = join(this.home, name);
    writeFileSync(path, text);
    return path;
  }

  start() {
    this.watt('platform', 'start');
    this.wattInput('admin-password\n', 'web', 'user', 'add', 'alice', '--role', 'admin', '--password-stdin');
    this.wattInput('viewer-password\n', 'web', 'user', 'add', 'bob', '--role', 'viewer', '--password-stdin');
    this.watt('install', join(lib, 'libweb.so'), '--identity', 'web', '--config', this.file('web.yml', 'port: 0\n'), '--start');
    this.url = readFileSync(join(this.home, 'run', 'web.endpoint'), 'utf8').trim();
    return this;
  }

  // A historian of devices/# and a listener, for the pages to show.
  withAgents() {
    const historian = `patterns: [devices/#]\nbackend: {type: sqlite, file: ${join(this.home, 'history.sqlite')}}\n`;
    this.watt('install', join(lib, 'libhistorian.so'), '--identity', 'historian', '--config', this.file('historian.yml', historian), '--start');
    this.watt('install', join(lib, 'liblistener.so'), '--identity', 'listener', '--config', this.file('listener.yml', "patterns: ['devices/#']\n"), '--start');
    return this;
  }

  stop() {
    try { this.watt('platform', 'stop'); } catch { /* already down */ }
    rmSync(this.home, { recursive: true, force: true });
  }
}

// A home for one of examples/*/run.sh, with the web agent enabled so that it
// starts with the example's platform: the page watches the run as it goes.
export class ExampleHome extends Platform {
  prepare() {
    this.start();
    this.watt('enable', 'web');
    this.watt('platform', 'stop');
    rmSync(join(this.home, 'run', 'web.endpoint'), { force: true });
    return this;
  }

  // Starts the example; resolves with its exit code and output when it ends.
  run(script) {
    const child = spawn(script, [], { env: { ...this.env, OUT: join(this.home, 'out') } });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    this.done = new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
    return this;
  }

  // The web view's address once the example's platform has started it.
  async webUrl(ms = 60000) {
    const file = join(this.home, 'run', 'web.endpoint');
    const end = Date.now() + ms;
    while (!existsSync(file)) {
      if (Date.now() > end) throw new Error('the web agent did not start with the example');
      await new Promise((r) => setTimeout(r, 50));
    }
    this.url = readFileSync(file, 'utf8').trim();
    return this.url;
  }
}
