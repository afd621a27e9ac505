/**
 * One synthesis, run in a fresh process by bench/bench.ts under /usr/bin/time -v:
 *   node -r ts-node/register/transpile-only bench/run-app.ts <app> <copies> <outdir>
 * Builds <copies> instances of bench/apps/<app>.ts in one stack, synthesizes, and prints one JSON
 * line: resources, template bytes, and the in-process time of construct + synth (module loading
 * excluded).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';

const [name, copiesArg, outdir] = process.argv.slice(2);
const copies = Number(copiesArg ?? '1');
const loadStart = process.hrtime.bigint();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { build } = require(`./apps/${name}`) as { build: (stack: Stack, id: string) => void };
const start = process.hrtime.bigint();
const app = new App({ outdir, context: { 'aws:cdk:disable-creation-stack-traces': true } });
// An environment: cdk-ecs-codedeploy's access logs need a known Region.
const stack = new Stack(app, 'Bench', { env: { account: '123456789012', region: 'us-east-1' } });
for (let i = 0; i < copies; i++) {
  build(stack, copies === 1 ? 'Web' : `Web${i}`);
}
const assembly = app.synth();
const end = process.hrtime.bigint();
const file = path.join(assembly.directory, 'Bench.template.json');
const template = JSON.parse(fs.readFileSync(file, 'utf8'));
console.log(JSON.stringify({
  app: name,
  copies,
  resources: Object.keys(template.Resources ?? {}).length,
  templateBytes: fs.statSync(file).size,
  loadMs: Number(start - loadStart) / 1e6,
  synthMs: Number(end - start) / 1e6,
}));
