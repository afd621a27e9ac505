// Exits 0 (bundle needed) when a handler bundle in assets/ is missing or older than any file
// under src/ or package-lock.json, else 1. The test task runs `bundle` only then: `npx projen build`
// has just bundled in pre-compile, and a second esbuild pass costs about 10 s of the test command.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
}

const handlers = files(path.join(root, 'src')).filter((f) => f.endsWith('.lambda.ts'));
const bundles = handlers.map((h) => path.join(root, 'assets', path.relative(path.join(root, 'src'), h).replace(/\.ts$/, ''), 'index.js'));
if (handlers.length === 0 || bundles.some((b) => !fs.existsSync(b))) {
  process.exit(0);
}
const oldestBundle = Math.min(...bundles.map((b) => fs.statSync(b).mtimeMs));
const newestSource = Math.max(...[...files(path.join(root, 'src')), path.join(root, 'package-lock.json')].map((f) => fs.statSync(f).mtimeMs));
process.exit(newestSource > oldestBundle ? 0 : 1);
