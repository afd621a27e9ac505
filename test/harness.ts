import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { checkTemplate } from './iam/reference';
import { runCfnLint } from '../scripts/cfn-lint';
import { CodeDeployChecks } from '../src/nag';

/**
 * The quality harness every test uses: cdk-nag AwsSolutions and CodeDeployChecks, cfn-lint and the partition check.
 */

export const TEST_ENV = { account: '123456789012', region: 'us-east-1' };

/** Regions of the other partitions a construct must synthesize in without a literal `arn:aws:`. */
export const PARTITION_REGIONS: Record<string, string> = {
  'aws-cn': 'cn-north-1',
  'aws-us-gov': 'us-gov-west-1',
};

/** A fresh stack in its own app, with a fixed environment for stable logical IDs and ARNs. */
export function testStack(region: string = TEST_ENV.region, id: string = 'TestStack'): Stack {
  const app = new App({ context: { 'aws:cdk:disable-creation-stack-traces': true } });
  return new Stack(app, id, { env: { account: TEST_ENV.account, region } });
}

/** The packs every compliance suite runs; `all` adds NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1 and Serverless. */
export function nagPacks(all: boolean = false): NagPack[] {
  const core: NagPack[] = [new AwsSolutionsChecks(), new CodeDeployChecks()];
  return all ? [...core, new NIST80053R5Checks(), new HIPAASecurityChecks(), new PCIDSS321Checks(), new ServerlessChecks()] : core;
}

/** Unacknowledged findings of cdk-nag AwsSolutions and our CodeDeployChecks (or all packs) as `Rule at /path: description` lines. */
export function nagFindings(scope: IConstruct, all: boolean = false): string[] {
  return nagPacks(all).flatMap((pack) =>
    pack.validateScope(scope).violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`),
    ),
  );
}

/** Every acknowledgement recorded in the construct tree: `{ id, reason, path }`. */
export function acknowledgements(scope: IConstruct): { id: string; reason: string; path: string }[] {
  const out: { id: string; reason: string; path: string }[] = [];
  for (const c of scope.node.findAll()) {
    for (const m of c.node.metadata) {
      if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && m.data) {
        for (const [id, reason] of Object.entries(m.data as Record<string, string>)) {
          out.push({ id: id.replace(/^annotation::/i, ''), reason, path: c.node.path });
        }
      }
    }
  }
  return out;
}

export interface CfnLintResult {
  readonly exitCode: number;
  readonly output: string;
  /** Findings accepted as cfn-lint schema lag (scripts/cfn-lint.ts `SCHEMA_LAG`), not in `output`. */
  readonly schemaLag: string[];
}

/**
 * Runs cfn-lint (preinstalled) once over all templates, against the schemas of `regions` (cfn-lint's
 * default, us-east-1, when none are given), through the run's cfn-lint server (test/global-setup.ts).
 * Every finding counts except aws-cdk-lib's own W3005 and the schema lag of `SCHEMA_LAG` (see
 * scripts/cfn-lint.ts), which is returned apart.
 */
export function cfnLint(templates: Record<string, unknown>, regions: string[] = []): CfnLintResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cfn-lint-'));
  const files = Object.entries(templates).map(([name, t]) => {
    const file = path.join(dir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.template.json`);
    fs.writeFileSync(file, JSON.stringify(t, null, 1));
    return file;
  });
  try {
    const res = runCfnLint(files, regions);
    return { exitCode: res.exitCode, output: res.output, schemaLag: res.schemaLag };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Literal `arn:aws:` occurrences in a template (there must be none outside the `aws` partition). */
export function literalAwsArns(template: unknown): string[] {
  return JSON.stringify(template).match(/arn:aws:[^"]{0,60}/g) ?? [];
}

/**
 * Registers one snapshot test per case (a regression net on top of the fine-grained assertions;
 * asset hashes are masked by test/setup.ts). Each case defines constructs in a fresh test stack.
 */
export function snapshotSuite(cases: Record<string, (stack: Stack) => unknown>): void {
  describe('snapshots', () => {
    test.each(Object.keys(cases))('%s', (name) => {
      const stack = testStack();
      cases[name](stack);
      expect(Template.fromStack(stack).toJSON()).toMatchSnapshot();
    });
  });
}

/**
 * Registers the standard compliance tests for a set of named cases, each a function that
 * defines constructs in the stack it is given (or returns a stack of its own, in the same app
 * and environment): zero unacknowledged cdk-nag AwsSolutions findings, no literal
 * `arn:aws:` in aws-cn and aws-us-gov, every policy checked against AWS's Service Authorization
 * Reference (test/iam/reference.ts), and cfn-lint over every template (the largest case also in
 * each other partition, against that partition's region).
 */
export function complianceSuite(cases: Record<string, (stack: Stack) => Stack | void>, options: { allPacks?: boolean } = {}): void {
  const built = new Map<string, Stack>();
  const stackFor = (name: string, region: string = TEST_ENV.region): Stack => {
    const key = `${name}@${region}`;
    let stack = built.get(key);
    if (!stack) {
      const given = testStack(region);
      // A case defines constructs in the given stack, or returns a whole stack of its own to check.
      stack = cases[name](given) ?? given;
      built.set(key, stack);
    }
    return stack;
  };
  // One synthesis per stack: the partition, reference and cfn-lint tests read the same template.
  const synthesized = new Map<Stack, any>();
  const templateFor = (name: string, region?: string): any => {
    const stack = stackFor(name, region);
    if (!synthesized.has(stack)) {
      synthesized.set(stack, Template.fromStack(stack).toJSON());
    }
    return synthesized.get(stack);
  };
  const names = Object.keys(cases);

  describe('compliance', () => {
    const packs = options.allPacks ? 'AwsSolutions, CodeDeploy, NIST 800-53 r5, HIPAA, PCI DSS 3.2.1 and Serverless' : 'AwsSolutions and CodeDeploy';
    test.each(names)(`%s: cdk-nag ${packs} have no unacknowledged findings`, (name) => {
      expect(nagFindings(stackFor(name), options.allPacks)).toEqual([]);
    });

    const partitionCases = names.flatMap((n) => Object.keys(PARTITION_REGIONS).map((p) => [n, p] as const));
    test.each(partitionCases)('%s: synthesizes in %s without a literal arn:aws:', (name, partition) => {
      expect(literalAwsArns(templateFor(name, PARTITION_REGIONS[partition]))).toEqual([]);
    });

    test.each(names)("%s: every policy agrees with AWS's Service Authorization Reference", (name) => {
      expect(checkTemplate(templateFor(name), name)).toEqual([]);
    });

    test('cfn-lint passes on every template, and on the largest in every partition against that partition\'s region', () => {
      const templates: Record<string, any> = {};
      for (const name of names) {
        templates[name] = templateFor(name);
        expect(Object.keys(templates[name].Resources ?? {}).length).toBeGreaterThan(0);
      }
      const res = cfnLint(templates, [TEST_ENV.region]);
      if (res.schemaLag.length > 0) {
        // Accepted, but never silent: the property is not checked by cfn-lint until its schemas catch up.
        console.warn(`cfn-lint schema lag accepted (scripts/cfn-lint.ts SCHEMA_LAG):\n${res.schemaLag.join('\n')}`);
      }
      expect(res.output).toBe('');
      expect(res.exitCode).toBe(0);
      // The other partitions' templates differ from these in partition- and region-specific values
      // (partition-literal ARNs are checked per case above); what cfn-lint adds there is its region's
      // schemas (resource types, properties, allowed values), checked on the case with the most resources.
      const size = (name: string) => Object.keys(templates[name].Resources).length;
      const largest = names.reduce((a, b) => (size(b) > size(a) ? b : a));
      for (const region of Object.values(PARTITION_REGIONS)) {
        const inPartition = cfnLint({ [`${largest}-${region}`]: templateFor(largest, region) }, [region]);
        expect(inPartition.output).toBe('');
        expect(inPartition.exitCode).toBe(0);
      }
    });
  });
}
