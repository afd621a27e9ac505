// `node scripts/lint-needed.js`: exits 0 (lint needed) when .eslint-passed is missing or older than any
// file eslint reads (src, test, examples, scripts, bench, projenrc, .projenrc.ts, .eslintrc.json), else 1.
// `node scripts/lint-needed.js --stamp`: writes the stamp (after a passing eslint run in the build).
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const stamp = path.join(root, '.eslint-passed');
if (process.argv[2] === '--stamp') {
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.exit(0);
}

function files(p) {
  if (!fs.existsSync(p)) {
    return [];
  }
  if (!fs.statSync(p).isDirectory()) {
    return [p];
  }
  return fs.readdirSync(p, { withFileTypes: true })
    .filter((e) => e.name !== 'node_modules' && !e.name.endsWith('.snapshot') && e.name !== '__snapshots__')
    .flatMap((e) => files(path.join(p, e.name)));
}

if (!fs.existsSync(stamp)) {
  process.exit(0);
}
const linted = fs.statSync(stamp).mtimeMs;
const sources = ['src', 'test', 'examples', 'scripts', 'bench', 'projenrc', '.projenrc.ts', '.eslintrc.json'].flatMap((p) => files(path.join(root, p)));
process.exit(sources.some((f) => fs.statSync(f).mtimeMs > linted) ? 0 : 1);
