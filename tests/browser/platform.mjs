// A real platform for the browser tests: a scratch $WATT_HOME, wattd, the
// web agent on a free port, a historian and a listener, two users. Stopped,
// and its home removed, by stop().
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
