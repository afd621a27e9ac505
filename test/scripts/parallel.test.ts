import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/**
 * scripts/parallel.js runs the build's jest beside compile and post-compile (.projenrc.ts), and
 * compile's jsii beside eslint. It must run its commands at the same time, wait for every one of
 * them, and fail, naming the command, when any failed.
 */

const ROOT = path.join(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'parallel.js');
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parallel-'));
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A shell command that writes `mine`, then waits (at most 20 s) until `theirs` exists; exits `code`. */
function handshake(mine: string, theirs: string, code = 0): string {
  const js = `const fs=require('fs');fs.writeFileSync(${JSON.stringify(path.join(dir, mine))},'');`
    + `const until=Date.now()+20000;const t=setInterval(()=>{if(fs.existsSync(${JSON.stringify(path.join(dir, theirs))})){clearInterval(t);process.exit(${code});}`
    + 'if(Date.now()>until){clearInterval(t);process.exit(7);}},20);';
  return `"${process.execPath}" -e "${js.replace(/"/g, '\\"')}"`;
}

function parallel(...commands: string[]) {
  return spawnSync(process.execPath, [SCRIPT, ...commands], { encoding: 'utf8', timeout: 60_000 });
}

test('the commands run at the same time: each waits for the other\'s file, which only concurrent runs can both see', () => {
  const result = parallel(handshake('a', 'b'), handshake('b', 'a'));
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
});

test('one command fails: every command still runs to its end, and the exit is non-zero naming the failed one', () => {
  const result = parallel(handshake('a', 'b', 3), `${handshake('b', 'a')} && sleep 0.5 && echo done > "${path.join(dir, 'finished')}"`);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain('failed (exit 3): ');
  expect(result.stderr).toContain(`fs.writeFileSync(\\"${path.join(dir, 'a')}\\"`);
  expect(result.stderr.match(/failed \(exit/g)).toHaveLength(1);
  expect(fs.readFileSync(path.join(dir, 'finished'), 'utf8')).toBe('done\n');
});

test('without commands: usage, exit 2', () => {
  const result = parallel();
  expect(result.status).toBe(2);
  expect(result.stderr).toMatch(/usage: node scripts\/parallel\.js/);
});

test('the build runs jest beside compile and post-compile, which run at the lowest priority; no test reads what they write', () => {
  const build = JSON.parse(fs.readFileSync(path.join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks.build;
  const beside = build.steps.find((s: { exec?: string }) => s.exec?.startsWith('node scripts/parallel.js'));
  expect(beside.exec).toBe('node scripts/parallel.js "nice -n 19 npx projen compile && nice -n 19 npx projen post-compile" "jest --ci"');
  expect(build.steps.map((s: { spawn?: string; exec?: string }) => s.spawn ?? 'parallel')).toEqual(['default', 'pre-compile', 'parallel', 'package']);
  // While jest runs, jsii writes lib/ and .jsii, docgen API.md, rosetta .jsii.tabl.json, pacmak dist-codegen/.
  const readers: string[] = [];
  const walk = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]));
  const written = /['"`/](\.\.\/)*lib\/|['"`]lib['"`]|API\.md|dist-codegen|\.jsii\b|tabl\.json/;
  // Module names, not paths: aws-cdk-lib's and cdk-nag's, and ours, which readme-snippets maps to src/.
  const modules = /(aws-cdk-lib|cdk-nag|cdk-codedeploy-patterns)\/[\w./*-]*/g;
  for (const file of walk(path.join(ROOT, 'test')).filter((f) => f.endsWith('.ts') && f !== __filename)) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (written.test(line.replace(modules, ''))) {
        readers.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  expect(readers).toEqual([]);
});
