/**
 * The main job: synthesizes every app in examples/ with the real cdk CLI into cdk.out/<example>,
 * then prints one line per stack: resources, cdk-nag (AwsSolutions + CodeDeployChecks), cfn-lint, and every
 * policy checked against AWS's Service Authorization Reference (test/iam/reference.ts).
 * Needs no AWS account (the example stacks are environment-agnostic). Exits 1 if anything fails.
 *
 *   npx projen examples            # all examples
 *   npx projen examples lambda-canary
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { runCfnLint } from './cfn-lint';
import { checkTemplate } from '../test/iam/reference';

const root = path.resolve(__dirname, '..');
const examplesDir = path.join(root, 'examples');
const outRoot = path.join(root, 'cdk.out');
const cdk = path.join(root, 'node_modules', '.bin', 'cdk');
const tsNode = path.join(root, 'node_modules', '.bin', 'ts-node');

interface StackLine {
  example: string;
  stack: string;
  resources: number;
  nag: string;
  cfnLint: string;
  iam: string;
  ok: boolean;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });
}

const only = process.argv.slice(2);
const examples = fs
  .readdirSync(examplesDir)
  .filter((d) => fs.existsSync(path.join(examplesDir, d, 'app.ts')))
  .filter((d) => only.length === 0 || only.includes(d))
  .sort();
if (examples.length === 0) {
  console.error(`no example app found${only.length ? ` named ${only.join(', ')}` : ''} in examples/*/app.ts`);
  process.exit(1);
}

const lines: StackLine[] = [];
let failed = false;
const schemaLag: string[] = [];
for (const example of examples) {
  const outdir = path.join(outRoot, example);
  fs.rmSync(outdir, { recursive: true, force: true });
  const started = Date.now();
  const synth = run(
    cdk,
    [
      'synth', '--quiet', '--no-notices', '--no-version-reporting', '--output', outdir,
      '--app', `${tsNode} --project test/tsconfig.json examples/${example}/app.ts`,
    ],
    { CDK_DISABLE_CLI_TELEMETRY: 'true', JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20' },
  );
  if (synth.status !== 0) {
    console.error(`✗ ${example}: cdk synth failed\n${synth.stdout}${synth.stderr}`);
    failed = true;
    continue;
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);

  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
  const stacks = Object.entries<any>(manifest.artifacts)
    .filter(([, a]) => a.type === 'aws:cloudformation:stack')
    .map(([name, a]) => ({ name, file: path.join(outdir, a.properties.templateFile) }));

  const nagReport = JSON.parse(fs.readFileSync(path.join(outdir, 'nag-report.json'), 'utf8'));
  const lint = runCfnLint(stacks.map((s) => s.file));
  if (lint.count > 0) {
    console.error(lint.output);
  }

  for (const s of stacks) {
    const template = JSON.parse(fs.readFileSync(s.file, 'utf8'));
    const stackPathPrefix = `${s.name}/`;
    const nagFindings = (nagReport.findings as any[]).filter((f) => f.path.startsWith(stackPathPrefix));
    const lintFindings = lint.perFile[path.basename(s.file)] ?? 0;
    const lagged = lint.schemaLag.filter((l) => l.includes(`(${path.basename(s.file)}: `));
    schemaLag.push(...lagged);
    const iamFindings = checkTemplate(template, s.name);
    const ok = nagFindings.length === 0 && lintFindings === 0 && lint.exitCode === 0 && iamFindings.length === 0;
    failed ||= !ok;
    lines.push({
      example,
      stack: s.name,
      resources: Object.keys(template.Resources ?? {}).length,
      nag: nagFindings.length === 0 ? 'pass' : `FAIL (${nagFindings.length})`,
      cfnLint: lintFindings === 0 && lint.exitCode === 0 ? (lagged.length > 0 ? 'pass*' : 'pass') : `FAIL (${lintFindings})`,
      iam: iamFindings.length === 0 ? 'pass' : `FAIL (${iamFindings.length})`,
      ok,
    });
    for (const f of nagFindings) console.error(`  cdk-nag ${f.rule} at ${f.path}: ${f.description}`);
    for (const f of iamFindings) console.error(`  IAM reference: ${f}`);
  }
  console.log(`synthesized ${example} into ${path.relative(root, outdir)} in ${seconds} s`);
}

console.log('');
console.log('example            stack                          resources  cdk-nag (AwsSolutions, CodeDeploy)  cfn-lint  IAM reference');
for (const l of lines) {
  console.log(
    `${l.example.padEnd(18)} ${l.stack.padEnd(30)} ${String(l.resources).padStart(9)}  ${l.nag.padEnd(34)}  ${l.cfnLint.padEnd(8)}  ${l.iam}`,
  );
}
if (schemaLag.length > 0) {
  console.log('');
  console.log('* cfn-lint findings accepted because its bundled schemas are older than CloudFormation (scripts/cfn-lint.ts, SCHEMA_LAG):');
  schemaLag.forEach((l) => console.log(`  ${l}`));
}
console.log('');
console.log(failed ? 'FAILED: see the findings above' : `OK: ${lines.length} stack(s) synthesized and checked`);
process.exit(failed ? 1 : 0);
