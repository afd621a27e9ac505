/**
 * Regenerates test/server/appspec-corpus/agent-verdicts.json: every corpus file and scalar run
 * through the CodeDeploy agent's own code (scripts/agent-appspec-verdicts.rb) on this machine's
 * Ruby. Needs Ruby >= 3.1 and a checkout of github.com/aws/aws-codedeploy-agent (1.8.x):
 *
 *   npx ts-node --project test/tsconfig.json scripts/agent-appspec-verdicts.ts <agent checkout> [commit]
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { ServerAppSpec } from '../src';
import { builderSamples } from '../test/server/appspec-corpus/builder-samples';
import { CASES, SCALARS } from '../test/server/appspec-corpus/cases';

const [agentDir, commit] = process.argv.slice(2);
if (!agentDir) {
  throw new Error('usage: agent-appspec-verdicts.ts <agent checkout> [commit]');
}
const run = (cases: Array<{ name: string; content: string }>) => JSON.parse(execFileSync('ruby', [path.join(__dirname, 'agent-appspec-verdicts.rb'), path.join(agentDir, 'lib')], {
  input: JSON.stringify({ cases, scalars: SCALARS }),
  env: { ...process.env, AGENT_COMMIT: commit ?? 'unknown' },
  maxBuffer: 64 * 1024 * 1024,
}).toString());
const parsed = run(CASES.map((c) => ({ name: c.name, content: c.content })));
// The typed builder's renderings of a sample of its option combinations.
const rendered = builderSamples().filter((s) => s.agentSample).map((s) => ({ name: s.name, content: new ServerAppSpec(s.props).toYaml() }));
const builder = run(rendered).cases;
for (const r of rendered) {
  builder[r.name].content = r.content;
}
parsed.builder = builder;
const target = path.join(__dirname, '..', 'test', 'server', 'appspec-corpus', 'agent-verdicts.json');
fs.writeFileSync(target, JSON.stringify(parsed, null, 1) + '\n');
const counts: Record<string, number> = {};
for (const v of Object.values<any>(parsed.cases)) {
  const key = `${v.psych4.verdict}/${v.legacy.verdict}`;
  counts[key] = (counts[key] ?? 0) + 1;
}
console.log(`${Object.keys(parsed.cases).length} files, ${Object.keys(parsed.scalars).length} scalars, ${rendered.length} builder renderings -> ${target}`);
console.log('builder:', Object.values<any>(builder).map((b) => `${b.psych4.verdict}/${b.legacy.verdict}`).reduce((a: any, k: string) => ({ ...a, [k]: (a[k] ?? 0) + 1 }), {}));
console.log(counts);
