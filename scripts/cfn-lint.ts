import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The cfn-lint executable: `$CFN_LINT`, else `cfn-lint` on the PATH, else the pyenv shim the
 * machine image installs it as (a non-login shell may not have pyenv on its PATH). Found by
 * looking at the file system, once per process: running `cfn-lint --version` to probe costs
 * about 3 s of Python start-up, as much as a lint run.
 */
export function cfnLintBinary(): string {
  if (process.env.CFN_LINT) {
    return process.env.CFN_LINT;
  }
  if (foundBinary === undefined) {
    const dirs = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d !== '');
    dirs.push(path.join(process.env.PYENV_ROOT ?? path.join(os.homedir(), '.pyenv'), 'shims'));
    foundBinary = dirs.map((d) => path.join(d, 'cfn-lint')).find(isExecutable) ?? null;
  }
  if (foundBinary === null) {
    throw new Error('cfn-lint was not found: it is preinstalled on these machines; put it on the PATH or set CFN_LINT to its path.');
  }
  return foundBinary;
}

let foundBinary: string | null | undefined;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
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
  /**
   * Findings accepted because cfn-lint's bundled schemas lag behind CloudFormation (`SCHEMA_LAG`),
   * one "<rule> <message> (<file>: <reason>)" line each; not counted, but shown by every caller.
   */
  readonly schemaLag: string[];
}

/**
 * cfn-lint over the templates (against the schemas of `regions`, cfn-lint's default us-east-1 when
 * none are given), every finding counted except W3005 (a DependsOn already enforced
 * by a reference) in the two forms aws-cdk-lib's own L2s write, in every CDK app that uses them:
 * - a `lambda.Function` depends on its role and reads the role's ARN (so the role's policy exists
 *   before the function);
 * - a CodeDeploy deployment group (`EcsDeploymentGroup`, `LambdaDeploymentGroup`,
 *   `ServerDeploymentGroup`) depends on the custom deployment configuration it names;
 * - a `codepipeline.Pipeline` depends on its role and reads the role's ARN.
 * Any other redundant DependsOn is ours and is reported.
 */
export function runCfnLint(files: string[], regions: string[] = []): CfnLintRun {
  const res = execCfnLint(['--format', 'json', ...(regions.length > 0 ? ['--regions', ...regions] : []), '--', ...files]);
  let findings: any[];
  try {
    findings = JSON.parse(res.stdout || '[]');
  } catch {
    return { exitCode: res.status ?? 1, output: `${res.stdout}${res.stderr}`, count: 1, perFile: {}, schemaLag: [] };
  }
  const templates = new Map<string, any>();
  const template = (file: string) => {
    if (!templates.has(file)) {
      templates.set(file, JSON.parse(fs.readFileSync(file, 'utf8')));
    }
    return templates.get(file);
  };
  const lagging = findings.filter((f) => schemaLagOf(f, template(f.Filename)) !== undefined);
  const remaining = findings.filter((f) => !isUpstreamRedundantDependency(f, template(f.Filename)) && !lagging.includes(f));
  const schemaLag = lagging.map((f) => `${f.Rule?.Id} ${f.Message} (${path.basename(f.Filename)}: ${schemaLagOf(f, template(f.Filename))!.reason})`);
  const perFile: Record<string, number> = {};
  for (const f of remaining) {
    perFile[path.basename(f.Filename)] = (perFile[path.basename(f.Filename)] ?? 0) + 1;
  }
  const output = remaining
    .map((f) => `${f.Rule?.Id} ${f.Message}\n${path.basename(f.Filename)}:${f.Location?.Start?.LineNumber}:${f.Location?.Start?.ColumnNumber}`)
    .join('\n\n');
  return { exitCode: remaining.length > 0 ? res.status || 1 : 0, output: `${output}${res.stderr ?? ''}`, count: remaining.length, perFile, schemaLag };
}

interface CfnLintExit {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * One cfn-lint run: through the server of scripts/cfn-lint-server.py when CFN_LINT_SOCKET names
 * its socket (the same entry point in a forked process, without the ~3 s import), else by starting
 * the `cfn-lint` command. The server may still be starting (test/global-setup.ts does not wait for
 * it); a server that exited before answering (CFN_LINT_SERVER_PID gone) falls back to the command.
 */
function execCfnLint(args: string[]): CfnLintExit {
  const socket = process.env.CFN_LINT_SOCKET;
  if (socket) {
    const res = spawnSync(process.execPath, ['-e', SOCKET_CLIENT, socket, process.env.CFN_LINT_SERVER_PID ?? ''], {
      input: `${JSON.stringify({ args, cwd: process.cwd() })}\n`,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (res.status === 0) {
      return JSON.parse(res.stdout);
    }
    if (res.status !== SERVER_GONE) {
      throw new Error(`the cfn-lint server at ${socket} did not answer: ${res.stderr || res.error?.message}`);
    }
    console.warn(`the cfn-lint server at ${socket} is not running (${res.stderr.trim()}): running the cfn-lint command`);
  }
  const bin = cfnLintBinary();
  const res = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (res.error) {
    throw new Error(`cannot run ${bin} (set CFN_LINT to its path): ${res.error.message}`);
  }
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

const SERVER_GONE = 3;

/**
 * A synchronous call needs a process: this one sends stdin to the socket and prints the reply,
 * retrying the connection while the server is starting (at most 60 s), and exits 3 when the
 * server's process is gone.
 */
const SOCKET_CLIENT = `
const [socket, pid] = process.argv.slice(1);
const started = Date.now();
const alive = () => { try { process.kill(Number(pid), 0); return true; } catch { return false; } };
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c)).on('end', function connect() {
  const conn = require('net').createConnection(socket);
  const reply = [];
  conn.on('data', (c) => reply.push(c));
  conn.on('end', () => process.stdout.write(Buffer.concat(reply)));
  conn.on('error', (e) => {
    if ((e.code === 'ENOENT' || e.code === 'ECONNREFUSED') && pid) {
      if (!alive()) { console.error('server process ' + pid + ' exited'); process.exit(${SERVER_GONE}); }
      if (Date.now() - started < 60000) { setTimeout(connect, 100); return; }
    }
    console.error(e.message);
    process.exit(1);
  });
  conn.end(Buffer.concat(chunks));
});`;

/**
 * The Python interpreter the cfn-lint command runs on (so the server imports the same cfnlint):
 * the script's `#!` line, looked up through pyenv when the command is a pyenv shim.
 */
export function cfnLintPython(): string | undefined {
  let script = cfnLintBinary();
  const text = fs.readFileSync(script, 'utf8');
  const pyenv = /exec "([^"]+\/pyenv)" exec "\$program"/.exec(text);
  if (pyenv) {
    const which = spawnSync(pyenv[1], ['which', 'cfn-lint'], { encoding: 'utf8' });
    if (which.status !== 0) {
      return undefined;
    }
    script = which.stdout.trim();
  }
  const shebang = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(fs.readFileSync(script, 'utf8'));
  if (!shebang) {
    return undefined;
  }
  return path.basename(shebang[1]) === 'env' ? shebang[2] : shebang[1];
}

/** The upstream W3005 forms: [type of the resource, property the reference is in, type of the dependency]. */
const UPSTREAM_W3005: Array<[string, string, string]> = [
  ['AWS::Lambda::Function', 'Role', 'AWS::IAM::Role'],
  ['AWS::CodeDeploy::DeploymentGroup', 'DeploymentConfigName', 'AWS::CodeDeploy::DeploymentConfig'],
  ['AWS::CodePipeline::Pipeline', 'RoleArn', 'AWS::IAM::Role'],
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

/** A property CloudFormation documents that the installed cfn-lint's schemas do not know yet. */
export interface SchemaLag {
  readonly resourceType: string;
  /** The top-level property cfn-lint reports as unexpected (E3002). */
  readonly property: string;
  /** Where CloudFormation documents it, for the output. */
  readonly reason: string;
}

/**
 * The one place that accepts cfn-lint findings about CloudFormation properties newer than cfn-lint's
 * bundled schemas (src/private/newer-cfn-properties.ts writes them). cfn-lint reports such a
 * property as E3002 "'<name>' was unexpected" and checks nothing inside it. Each entry accepts that
 * one finding only, at that property of that resource type; the finding is still printed (the test
 * harness, `npx projen examples`), and test/harness.test.ts fails as soon as the installed cfn-lint
 * knows the property, so the entry is dropped and cfn-lint checks the property from then on.
 */
export const SCHEMA_LAG: SchemaLag[] = [
  {
    resourceType: 'AWS::CodeDeploy::DeploymentGroup',
    property: 'Ec2DeploymentOptions',
    reason: 'documented in the CloudFormation Template Reference (AWS::CodeDeploy::DeploymentGroup Ec2DeploymentOptions) and in aws-cdk-lib 2.276.0\'s L1; newer than the schemas of the installed cfn-lint',
  },
];

function schemaLagOf(finding: any, template: any): SchemaLag | undefined {
  const p = finding?.Location?.Path;
  if (finding?.Rule?.Id !== 'E3002' || !Array.isArray(p) || p.length !== 4 || p[0] !== 'Resources' || p[2] !== 'Properties') {
    return undefined;
  }
  const type = template?.Resources?.[p[1]]?.Type;
  return SCHEMA_LAG.find(
    (lag) => lag.resourceType === type && lag.property === p[3] && finding.Message === `Additional properties are not allowed ('${lag.property}' was unexpected)`,
  );
}
