// Whether the test task must redo what `npx projen build` has just done; exits 0 when it must, 1 when not.
//   node scripts/stale.js bundle        a handler bundle in assets/ is missing or older than a file under
//                                       src/ or package-lock.json (esbuild: about 10 s)
//   node scripts/stale.js lint          .eslint-passed is missing or older than a file eslint reads
//                                       (eslint: about 40 s)
//   node scripts/stale.js lint-sources --stamp
//                                       writes .eslint-sources-passed (after eslint passed on all but bench/)
//   node scripts/stale.js lint --stamp  writes .eslint-passed (after eslint passed on bench/ in the build),
//                                       only if .eslint-sources-passed is newer than every file but bench/'s
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');

/** Every file under the given paths (files or folders), without node_modules and snapshots. */
function files(...paths) {
  return paths.flatMap((p) => {
    if (!fs.existsSync(p)) {
      return [];
    }
    if (!fs.statSync(p).isDirectory()) {
      return [p];
    }
    return files(...fs.readdirSync(p, { withFileTypes: true })
      .filter((e) => e.name !== 'node_modules' && !e.name.endsWith('.snapshot') && e.name !== '__snapshots__')
      .map((e) => path.join(p, e.name)));
  });
}

/** 0 (stale) when an output is missing or older than the newest source. */
function stale(outputs, sources) {
  if (outputs.length === 0 || outputs.some((o) => !fs.existsSync(o))) {
    return 0;
  }
  const oldest = Math.min(...outputs.map((o) => fs.statSync(o).mtimeMs));
  return sources.some((s) => fs.statSync(s).mtimeMs > oldest) ? 0 : 1;
}

const [what, option] = process.argv.slice(2);
const src = path.join(root, 'src');
const stamp = path.join(root, '.eslint-passed');
const sourcesStamp = path.join(root, '.eslint-sources-passed');
const lintRead = ['src', 'test', 'examples', 'scripts', 'bench', 'projenrc', '.projenrc.ts', '.eslintrc.json'];
if (what === 'bundle') {
  const bundles = files(src).filter((f) => f.endsWith('.lambda.ts'))
    .map((h) => path.join(root, 'assets', path.relative(src, h).replace(/\.ts$/, ''), 'index.js'));
  process.exit(stale(bundles, files(src, path.join(root, 'package-lock.json'))));
} else if (what === 'lint-sources' && option === '--stamp') {
  fs.writeFileSync(sourcesStamp, `${new Date().toISOString()}\n`);
  process.exit(0);
} else if (what === 'lint' && option === '--stamp') {
  const sources = files(...lintRead.filter((p) => p !== 'bench').map((p) => path.join(root, p)));
  if (stale([sourcesStamp], sources) === 0) {
    console.log('stale.js: eslint has not passed on the sources since they last changed; no lint stamp (the test task will lint)');
    process.exit(0);
  }
  fs.writeFileSync(stamp, `${new Date().toISOString()}\n`);
  process.exit(0);
} else if (what === 'lint') {
  process.exit(stale([stamp], files(...lintRead.map((p) => path.join(root, p)))));
} else {
  console.error(`usage: node scripts/stale.js bundle | lint [--stamp] | lint-sources --stamp (received: ${process.argv.slice(2).join(' ') || 'nothing'})`);
  process.exit(2);
}
