import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import * as iam from 'aws-cdk-lib/aws-iam';
import { cfnLint, literalAwsArns, nagFindings, testStack } from './harness';
import { SCHEMA_LAG } from '../scripts/cfn-lint';

/** The harness must be able to fail: each check is shown catching what it exists to catch. */
describe('quality harness', () => {
  test('cfn-lint reports an unknown property and a bad resource type, and passes a valid template', () => {
    const bad = { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { NoSuchProperty: 1 } }, X: { Type: 'AWS::Nope::Thing' } } };
    const good = { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 30 } } } };
    const badResult = cfnLint({ bad });
    expect(badResult.exitCode).not.toBe(0);
    expect(badResult.output).toMatch(/E3002|E3006/);
    expect(cfnLint({ good })).toEqual({ exitCode: 0, output: '', schemaLag: [] });
  });

  test('cfn-lint: a redundant DependsOn is reported, except aws-cdk-lib\'s own lambda.Function on its role', () => {
    const role = { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } };
    const fn = { Type: 'AWS::Lambda::Function', DependsOn: ['R'], Properties: { Role: { 'Fn::GetAtt': ['R', 'Arn'] }, Handler: 'index.handler', Runtime: 'nodejs22.x', Code: { ZipFile: 'x' } } };
    expect(cfnLint({ upstream: { Resources: { R: role, F: fn } } })).toEqual({ exitCode: 0, output: '', schemaLag: [] });
    const queue = { Type: 'AWS::SQS::Queue' };
    const ours = { Type: 'AWS::SQS::QueuePolicy', DependsOn: ['Q'], Properties: { Queues: [{ Ref: 'Q' }], PolicyDocument: { Version: '2012-10-17', Statement: [] } } };
    const res = cfnLint({ ours: { Resources: { Q: queue, P: ours } } });
    expect(res.exitCode).not.toBe(0);
    expect(res.output).toMatch(/W3005 'Q' dependency already enforced by a 'Ref'/);
  });

  test('cfn-lint schema lag: each SCHEMA_LAG entry is accepted only at its own property, and only while the installed cfn-lint does not know it', () => {
    for (const lag of SCHEMA_LAG) {
      const at = (type: string, property: string) => ({ Resources: { R: { Type: type, Properties: { [property]: {} } } } });
      // Still needed: the installed cfn-lint reports the property. When this fails, cfn-lint knows it now: drop the entry.
      const res = cfnLint({ lagging: at(lag.resourceType, lag.property) });
      expect(res.output).not.toMatch(new RegExp(`'${lag.property}' was unexpected`));
      expect(res.schemaLag).toEqual([expect.stringMatching(new RegExp(`^E3002 Additional properties are not allowed \\('${lag.property}' was unexpected\\) \\(lagging\\.template\\.json: `))]);
      // The same property on another resource type, or another unknown property beside it, still fails.
      const elsewhere = cfnLint({ elsewhere: { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { [lag.property]: {} } } } } });
      expect(elsewhere.exitCode).not.toBe(0);
      expect(elsewhere.schemaLag).toEqual([]);
      const beside = at(lag.resourceType, lag.property) as any;
      beside.Resources.R.Properties.NoSuchProperty = 1;
      const besideRes = cfnLint({ beside });
      expect(besideRes.output).toMatch(/'NoSuchProperty' was unexpected/);
      expect(besideRes.schemaLag).toHaveLength(1);
    }
  });

  test('cfn-lint against a region reports a resource type that region lacks', () => {
    const profiler = { Resources: { P: { Type: 'AWS::CodeGuruProfiler::ProfilingGroup', Properties: { ProfilingGroupName: 'p' } } } };
    expect(cfnLint({ profiler }, ['us-east-1'])).toEqual({ exitCode: 0, output: '', schemaLag: [] });
    const res = cfnLint({ profiler }, ['cn-north-1']);
    expect(res.exitCode).not.toBe(0);
    expect(res.output).toMatch(/E3006 Resource type 'AWS::CodeGuruProfiler::ProfilingGroup' does not exist in 'cn-north-1'/);
  });

  test('the cfn-lint server of the test run reports exactly what the cfn-lint command reports, which runs when the server has exited', () => {
    expect(process.env.CFN_LINT_SOCKET).toBeDefined();
    const bad = { Resources: { Q: { Type: 'AWS::SQS::Queue', DependsOn: ['T'], Properties: { QueueName: { Ref: 'T' }, NoSuchProperty: 1 } }, T: { Type: 'AWS::SNS::Topic' } } };
    const viaServer = cfnLint({ bad });
    // The same lint with a server that has exited (a process that is gone, a socket that never
    // appeared): a warning, then the cfn-lint command.
    const saved = { socket: process.env.CFN_LINT_SOCKET, pid: process.env.CFN_LINT_SERVER_PID };
    const exited = spawnSync(process.execPath, ['-e', '0']);
    process.env.CFN_LINT_SOCKET = path.join(os.tmpdir(), `no-such-cfn-lint-server-${exited.pid}`, 'socket');
    process.env.CFN_LINT_SERVER_PID = String(exited.pid);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(cfnLint({ bad })).toEqual(viaServer);
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/is not running \(server process \d+ exited\): running the cfn-lint command/));
    } finally {
      process.env.CFN_LINT_SOCKET = saved.socket;
      process.env.CFN_LINT_SERVER_PID = saved.pid;
      warn.mockRestore();
    }
    expect(viaServer.exitCode).not.toBe(0);
    expect(viaServer.output).toMatch(/E3002/);
    expect(viaServer.output).toMatch(/W3005/);
  });

  test('cdk-nag reports an AWS managed policy on a role', () => {
    const stack = testStack();
    new iam.Role(stack, 'R', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    });
    expect(nagFindings(stack).join('\n')).toMatch(/AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/AdministratorAccess\]/);
  });

  test('the partition check finds a literal arn:aws:', () => {
    expect(literalAwsArns({ a: 'arn:aws:s3:::bucket', b: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }]] } })).toEqual(['arn:aws:s3:::bucket']);
  });
});
