// Runs shell commands at the same time, waits for all of them, and exits non-zero, naming them, if any failed.
// Used twice (.projenrc.ts): `npx projen compile` lints (eslint, mostly one core) while jsii, then jsii-docgen,
// jsii-rosetta and jsii-pacmak (one core each, in turn) run; `npx projen build` runs compile and post-compile
// at the lowest CPU priority beside jest, which leaves the cores idle about half of its run.
const { spawn } = require('child_process');

const commands = process.argv.slice(2);
if (commands.length === 0) {
  console.error('usage: node scripts/parallel.js "<command>" ["<command>" ...]');
  process.exit(2);
}
Promise.all(commands.map((command) => new Promise((resolve) => {
  const child = spawn(command, { shell: true, stdio: 'inherit' });
  child.on('exit', (code, signal) => resolve({ command, code: code ?? (signal ? 1 : 0) }));
  child.on('error', (e) => resolve({ command, code: 1, error: e.message }));
}))).then((results) => {
  const failed = results.filter((r) => r.code !== 0);
  for (const r of failed) {
    console.error(`failed (exit ${r.code}${r.error ? `: ${r.error}` : ''}): ${r.command}`);
  }
  process.exit(failed.length > 0 ? 1 : 0);
});
