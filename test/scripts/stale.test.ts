import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * scripts/stale.js decides whether the test task lints again after the build. The build's lint has
 * two halves (everything but bench/ beside jsii, bench/ after it); the stamp that lets the test task
 * skip eslint must only be written when the first half passed on the sources as they are now.
 */

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'stale-'));
  fs.mkdirSync(path.join(root, 'scripts'));
  fs.copyFileSync(path.join(__dirname, '..', '..', 'scripts', 'stale.js'), path.join(root, 'scripts', 'stale.js'));
  fs.mkdirSync(path.join(root, 'src'));
  fs.mkdirSync(path.join(root, 'bench'));
  fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  fs.writeFileSync(path.join(root, 'bench', 'b.ts'), 'export const b = 1;\n');
  // The copied script counts as a source too: make every file older than what the test writes next.
  const past = new Date(Date.now() - 60_000);
  for (const f of ['scripts/stale.js', 'src/a.ts', 'bench/b.ts']) {
    fs.utimesSync(path.join(root, f), past, past);
  }
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function stale(...args: string[]) {
  return spawnSync(process.execPath, [path.join(root, 'scripts', 'stale.js'), ...args], { encoding: 'utf8' });
}
const stamped = () => fs.existsSync(path.join(root, '.eslint-passed'));

test('the build\'s order: the sources linted, then bench/: the stamp is written, and the test task skips eslint', () => {
  expect(stale('lint').status).toBe(0); // no stamp yet: lint
  expect(stale('lint-sources', '--stamp').status).toBe(0);
  expect(stale('lint', '--stamp').status).toBe(0);
  expect(stamped()).toBe(true);
  expect(stale('lint').status).toBe(1);
});

test('post-compile on its own, without the sources linted: no stamp, so the test task lints', () => {
  const out = stale('lint', '--stamp');
  expect(out.status).toBe(0);
  expect(out.stdout).toMatch(/eslint has not passed on the sources since they last changed; no lint stamp/);
  expect(stamped()).toBe(false);
  expect(stale('lint').status).toBe(0);
});

test('a source edited after the sources were linted: no stamp', () => {
  stale('lint-sources', '--stamp');
  const future = new Date(Date.now() + 60_000);
  fs.utimesSync(path.join(root, 'src', 'a.ts'), future, future);
  stale('lint', '--stamp');
  expect(stamped()).toBe(false);
  expect(stale('lint').status).toBe(0);
});

test('an edit of bench/ after the stamp makes the test task lint again', () => {
  stale('lint-sources', '--stamp');
  stale('lint', '--stamp');
  const future = new Date(Date.now() + 60_000);
  fs.utimesSync(path.join(root, 'bench', 'b.ts'), future, future);
  expect(stale('lint').status).toBe(0);
});

test('an unknown command: usage, exit 2', () => {
  const out = stale('lint-sources');
  expect(out.status).toBe(2);
  expect(out.stderr).toMatch(/usage: node scripts\/stale\.js bundle \| lint \[--stamp\] \| lint-sources --stamp \(received: lint-sources\)/);
});
