import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * scripts/lazy-index.js (run by the build after jsii): the package entry point loads each folder on
 * first use, with exactly the exports `export *` gave. Checked on a small library compiled the way
 * tsc compiles `export * from './x'`.
 */

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'lazy-index.js');
const STAR = `"use strict";
var __createBinding = function(o, m, k) { Object.defineProperty(o, k, { enumerable: true, get: function() { return m[k]; } }); };
var __exportStar = function(m, exports) { for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p); };
Object.defineProperty(exports, "__esModule", { value: true });
__exportStar(require("./alpha"), exports);
__exportStar(require("./beta"), exports);
`;

function library(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazy-index-'));
  for (const [folder, body] of Object.entries({
    alpha: '(globalThis.__loaded = globalThis.__loaded || []).push("alpha"); exports.Alpha = class Alpha {}; exports.Shared = "from alpha";',
    beta: '(globalThis.__loaded = globalThis.__loaded || []).push("beta"); exports.Beta = class Beta {}; exports.Shared = "from beta"; exports.betaHelper = () => 42;',
  })) {
    fs.mkdirSync(path.join(dir, folder));
    fs.writeFileSync(path.join(dir, folder, 'index.js'), `"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n${body}\n`);
  }
  fs.writeFileSync(path.join(dir, 'index.js'), STAR);
  return dir;
}

const run = (dir: string) => spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });

/** What a fresh process sees: folders loaded by the import, then by reading each name. */
function probe(dir: string, read: string[]): any {
  const code = `globalThis.__loaded = []; const lib = require(${JSON.stringify(dir)}); const atImport = [...globalThis.__loaded];
    const values = Object.fromEntries(${JSON.stringify(read)}.map((n) => [n, typeof lib[n] === 'function' ? lib[n].name || 'fn' : lib[n]]));
    console.log(JSON.stringify({ atImport, afterReads: globalThis.__loaded, names: Object.keys(lib), values }));`;
  const res = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  expect(res.stderr).toBe('');
  return JSON.parse(res.stdout);
}

describe('lazy package entry point', () => {
  test('the eager entry point loads every folder at import (the starting point)', () => {
    const dir = library();
    expect(probe(dir, []).atImport).toEqual(['alpha', 'beta']);
  });

  test('after the script: nothing loads at import, a folder loads when one of its names is read, the exports are the same', () => {
    const dir = library();
    const eager = probe(dir, ['Alpha', 'Beta', 'Shared', 'betaHelper']);
    const res = run(dir);
    expect(res.status).toBe(0);
    expect(res.stdout).toMatch(/4 exports from 2 folders/);
    const lazy = probe(dir, ['Beta']);
    expect(lazy.atImport).toEqual([]);
    expect(lazy.afterReads).toEqual(['beta']);
    expect(lazy.names.sort()).toEqual(eager.names.sort());
    // `export *` keeps the first folder's value of a name two folders export.
    expect(probe(dir, ['Alpha', 'Beta', 'Shared', 'betaHelper']).values).toEqual(eager.values);
    expect(eager.values.Shared).toBe('from alpha');
    expect(fs.existsSync(path.join(dir, '.index.lazy.js'))).toBe(false);
  });

  test('running it twice gives the same file', () => {
    const dir = library();
    expect(run(dir).status).toBe(0);
    const once = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
    expect(run(dir).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'index.js'), 'utf8')).toBe(once);
  });

  test('an entry point it does not know is refused and left alone', () => {
    const dir = library();
    fs.writeFileSync(path.join(dir, 'index.js'), 'module.exports = { x: 1 };\n');
    const res = run(dir);
    expect(res.status).toBe(1);
    expect(res.stderr).toMatch(/no require\("\.\/\.\.\."\) found/);
    expect(fs.readFileSync(path.join(dir, 'index.js'), 'utf8')).toBe('module.exports = { x: 1 };\n');
  });
});
