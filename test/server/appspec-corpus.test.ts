import * as fs from 'fs';
import * as path from 'path';
import { builderSamples } from './appspec-corpus/builder-samples';
import { CASES, CorpusCase, SCALARS } from './appspec-corpus/cases';
import { ServerAppSpec } from '../../src';
import { loadLikePsych } from '../../src/private/psych-yaml';
import { readAppSpec } from '../../src/server/appspec-reader';

/**
 * Our appspec.yml validator against the CodeDeploy agent's own code, file by file.
 *
 * agent-verdicts.json holds what the agent's parser and Install step (aws/aws-codedeploy-agent
 * 1.8.1, commit in the file) did with each file on Ruby 3.1 / Psych 4 ("psych4") and with the
 * loader of older Rubies ("legacy"); scripts/agent-appspec-verdicts.ts regenerates it. The agent's
 * verdict is the stricter of the two, and of a verdict established by reading (agent 2.1's path
 * check, failures the harness cannot observe). Rules:
 * - the agent rejects or fails: we report an error;
 * - the agent accepts: we report none, unless the case is a deliberate difference (then we must
 *   report one, and it must say what the agent would do).
 */
const recorded = JSON.parse(fs.readFileSync(path.join(__dirname, 'appspec-corpus', 'agent-verdicts.json'), 'utf8'));

type Verdict = 'accept' | 'reject' | 'install-fail' | 'hook-fail';

function agentVerdict(c: CorpusCase): Verdict {
  const r = recorded.cases[c.name];
  const run: Verdict[] = [r.psych4.verdict, r.legacy.verdict];
  const failing = run.find((v) => v !== 'accept');
  return c.byReading?.verdict ?? failing ?? 'accept';
}

describe('appspec.yml corpus: our verdict against the agent\'s', () => {
  test('every case has a recorded agent verdict (else run scripts/agent-appspec-verdicts.ts)', () => {
    const missing = CASES.filter((c) => !recorded.cases[c.name]).map((c) => c.name);
    expect(missing).toEqual([]);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const agent = agentVerdict(c);
    const ours = readAppSpec(c.content);
    const errors = ours.errors.join('\n');
    if (agent !== 'accept') {
      expect(c.deliberate).toBeUndefined();
      expect(ours.errors.length).toBeGreaterThan(0);
    } else if (c.deliberate) {
      expect(ours.errors.length).toBeGreaterThan(0);
      // A deliberate refusal says what the agent would do instead.
      expect(errors).toMatch(/the agent|agent 2\.1|CodeDeploy stops|Psych/);
    } else {
      expect(ours.errors).toEqual([]);
    }
    if (c.message) {
      expect(errors).toMatch(c.message);
    }
    if (c.warns) {
      expect(ours.warnings.join('\n')).toMatch(c.warns);
    } else {
      expect(ours.warnings).toEqual([]);
    }
    // fromYaml agrees with validateYaml and throws only the library's error.
    if (ours.errors.length > 0) {
      expect(() => ServerAppSpec.fromYaml(c.content, 'rev/appspec.yml')).toThrow(/^rev\/appspec\.yml is not a valid AppSpec file:\n {2}- /);
    } else {
      expect(ServerAppSpec.fromYaml(c.content).warnings).toEqual(ours.warnings);
    }
  });

  test('size and kinds of the corpus', () => {
    const kinds: Record<string, number> = {};
    for (const c of CASES) {
      const agent = agentVerdict(c);
      const kind = agent !== 'accept' ? `agent ${agent}` : c.deliberate ? 'agent accepts, we refuse on purpose' : 'both accept';
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
    expect(CASES.length).toBeGreaterThanOrEqual(150);
    expect(kinds['agent reject']).toBeGreaterThanOrEqual(60);
    expect(kinds['agent install-fail']).toBeGreaterThanOrEqual(10);
    expect(kinds['both accept']).toBeGreaterThanOrEqual(60);
  });

  test('the corpus was run through the agent 1.8.1 on Ruby 3.1 with Psych 4', () => {
    expect(recorded.agent).toMatch(/^[0-9a-f]{40}$/);
    expect(recorded.ruby).toMatch(/^3\.1\./);
    expect(recorded.psych).toMatch(/^4\./);
  });
});

describe('scalars typed as Psych types them', () => {
  const kindOf: Record<string, string> = { String: 'str', Integer: 'int', Float: 'float', TrueClass: 'bool', FalseClass: 'bool', NilClass: 'nil' };
  test.each(SCALARS.map((s) => [s]))('v: %s', (text) => {
    const r = recorded.scalars[text];
    expect(r).toBeDefined();
    const loaded = loadLikePsych(`v: ${text}\n`);
    if (r.class === 'refused' || r.class === 'Symbol') {
      // Psych raises (syntax, a refused class) or yields a Symbol the agent cannot use: ours refuses.
      expect(loaded.errors.length).toBeGreaterThan(0);
      return;
    }
    expect(loaded.errors).toEqual([]);
    const node = (loaded.root as any).entries[0][1];
    expect(node.kind).toBe(kindOf[r.class]);
    if (node.kind === 'float' && typeof r.value === 'string') {
      expect(String(node.value)).toBe(r.value); // Infinity, -Infinity, NaN
    } else if (node.kind !== 'nil') {
      expect(node.value).toEqual(r.value);
    }
  });
});

describe('the typed builder renders files the agent accepts', () => {
  const samples = builderSamples();

  test('covers every option, and a sample of them was run through the agent', () => {
    expect(samples.length).toBeGreaterThanOrEqual(800);
    expect(Object.keys(recorded.builder).length).toBe(samples.filter((s) => s.agentSample).length);
  });

  test.each(samples.map((s) => [s.name, s] as const))('%s', (name, sample) => {
    const spec = new ServerAppSpec(sample.props);
    const yaml = spec.toYaml();
    if (sample.agentSample) {
      // What the agent did with this rendering (recorded with the same builder).
      const agent = recorded.builder[name];
      expect(agent).toBeDefined();
      expect(agent.content).toBe(yaml);
      expect([agent.psych4.verdict, agent.legacy.verdict]).toEqual(['accept', 'accept']);
    }
    // Our reader accepts it and reads back the same AppSpec.
    expect(ServerAppSpec.validateYaml(yaml)).toEqual([]);
    expect(ServerAppSpec.fromYaml(yaml).toObject()).toEqual(spec.toObject());
  });
});
