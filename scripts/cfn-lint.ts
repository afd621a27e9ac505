import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The cfn-lint executable: `$CFN_LINT`, else `cfn-lint` on the PATH, else the pyenv shim the
 * machine image installs it as (a non-login shell may not have pyenv on its PATH).
 */
export function cfnLintBinary(): string {
  if (process.env.CFN_LINT) {
    return process.env.CFN_LINT;
  }
  const candidates = ['cfn-lint', path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv'), 'shims', 'cfn-lint')];
  for (const candidate of candidates) {
    if (!spawnSync(candidate, ['--version'], { encoding: 'utf8' }).error) {
      return candidate;
    }
  }
  throw new Error('cfn-lint was not found: it is preinstalled on these machines; put it on the PATH or set CFN_LINT to its path.');
}

export interface CfnLintRun {
  /** 0 when no finding is left. */
  readonly exitCode: number;
  /** The findings left, one "<rule> <message>" line and a "<file>:<line>:<column>" line each. */
  readonly output: string;
  /** How many findings are left. */
  readonly count: number;
  /** The files the findings left are in (basenames), with their number. */
  readonly perFile: Record<string, number>;
}

/**
 * cfn-lint over the templates, every finding counted except W3005 (a DependsOn already enforced
 * by a reference) in the two forms aws-cdk-lib's own L2s write, in every CDK app that uses them:
 * - a `lambda.Function` depends on its role and reads the role's ARN (so the role's policy exists
 *   before the function);
 * - a CodeDeploy deployment group (`EcsDeploymentGroup`, `LambdaDeploymentGroup`,
 *   `ServerDeploymentGroup`) depends on the custom deployment configuration it names.
 * Any other redundant DependsOn is ours and is reported.
 */
export function runCfnLint(files: string[]): CfnLintRun {
  const bin = cfnLintBinary();
  const res = spawnSync(bin, ['--format', 'json', '--', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.error) {
    throw new Error(`cannot run ${bin} (set CFN_LINT to its path): ${res.error.message}`);
  }
  let findings: any[];
  try {
    findings = JSON.parse(res.stdout || '[]');
  } catch {
    return { exitCode: res.status ?? 1, output: `${res.stdout}${res.stderr}`, count: 1, perFile: {} };
  }
  const templates = new Map<string, any>();
  const template = (file: string) => {
    if (!templates.has(file)) {
      templates.set(file, JSON.parse(fs.readFileSync(file, 'utf8')));
    }
    return templates.get(file);
  };
  const remaining = findings.filter((f) => !isUpstreamRedundantDependency(f, template(f.Filename)));
  const perFile: Record<string, number> = {};
  for (const f of remaining) {
    perFile[path.basename(f.Filename)] = (perFile[path.basename(f.Filename)] ?? 0) + 1;
  }
  const output = remaining
    .map((f) => `${f.Rule?.Id} ${f.Message}\n${path.basename(f.Filename)}:${f.Location?.Start?.LineNumber}:${f.Location?.Start?.ColumnNumber}`)
    .join('\n\n');
  return { exitCode: remaining.length > 0 ? res.status || 1 : 0, output: `${output}${res.stderr ?? ''}`, count: remaining.length, perFile };
}

/** The upstream W3005 forms: [type of the resource, property the reference is in, type of the dependency]. */
const UPSTREAM_W3005: Array<[string, string, string]> = [
  ['AWS::Lambda::Function', 'Role', 'AWS::IAM::Role'],
  ['AWS::CodeDeploy::DeploymentGroup', 'DeploymentConfigName', 'AWS::CodeDeploy::DeploymentConfig'],
];

function isUpstreamRedundantDependency(finding: any, template: any): boolean {
  if (finding?.Rule?.Id !== 'W3005') {
    return false;
  }
  const m = /^'([^']+)' dependency already enforced by a '(?:Ref|GetAtt)' at 'Resources\/([^/]+)\/Properties\/([^/']+)'$/.exec(finding.Message ?? '');
  if (!m) {
    return false;
  }
  const [, dependency, resource, property] = m;
  const type = template?.Resources?.[resource]?.Type;
  const dependencyType = template?.Resources?.[dependency]?.Type;
  return UPSTREAM_W3005.some(([t, p, d]) => t === type && p === property && d === dependencyType);
}
