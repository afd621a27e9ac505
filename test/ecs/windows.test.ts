import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { EcsDeployment, EcsDeploymentProps } from '../../src';
import { testStack } from '../harness';
import { ecsFixture } from '../util';

/**
 * The trigger's timeout follows the windows the user configured, and windows that cannot fit in
 * CloudFormation's hour for a custom resource are a synth-time error naming what to change.
 */

function deploy(stack: Stack, props: Partial<EcsDeploymentProps> = {}): EcsDeployment {
  const { cluster, taskDefinition } = ecsFixture(stack);
  return new EcsDeployment(stack, 'Web', { cluster, taskDefinition, ...props });
}
const timeoutSeconds = (stack: Stack) =>
  (Object.values(Template.fromStack(stack).findResources('Custom::CodeDeployDeployment'))[0] as any).Properties.TimeoutSeconds;

describe('EcsDeployment: the deployment windows and the trigger timeout', () => {
  test('defaults: 50 minutes, as before', () => {
    const stack = testStack();
    deploy(stack);
    expect(timeoutSeconds(stack)).toBe(50 * 60);
  });

  test('an approval wait of 35 minutes with a 5-minute canary: the timeout grows to 55 minutes (5 + 35 + 15)', () => {
    const stack = testStack();
    deploy(stack, { blueGreen: { deploymentApprovalWaitTime: Duration.minutes(35) } });
    expect(timeoutSeconds(stack)).toBe(55 * 60);
  });

  test.each([
    [
      'approval wait longer than the hour allows',
      { blueGreen: { deploymentApprovalWaitTime: Duration.minutes(60) } },
      /The windows you configured take 65 minutes \(traffic shifting 5 \(CodeDeployDefault\.ECSCanary10Percent5Minutes\) \+ blueGreen\.deploymentApprovalWaitTime 60\); with 5 minutes .* over the 55 minutes .* Shorten blueGreen\.deploymentApprovalWaitTime\./,
    ],
    [
      'a termination wait that is waited for and does not fit',
      { blueGreen: { waitForTermination: true, terminationWaitTime: Duration.minutes(60) } },
      /take 65 minutes \(traffic shifting 5 .* \+ blueGreen\.terminationWaitTime 60 \(waited for with blueGreen\.waitForTermination\)\).* Shorten blueGreen\.terminationWaitTime \(or set blueGreen\.waitForTermination to false/,
    ],
    [
      'a linear configuration of 30 minutes with a 20-minute approval wait',
      {
        deploymentConfig: codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
        blueGreen: { deploymentApprovalWaitTime: Duration.minutes(25) },
      },
      /take 55 minutes \(traffic shifting 30 \(CodeDeployDefault\.ECSLinear10PercentEvery3Minutes\) \+ blueGreen\.deploymentApprovalWaitTime 25\).* Shorten the deployment configuration's traffic shifting\./,
    ],
    [
      'an explicit deploymentTimeout shorter than the windows',
      { deploymentTimeout: Duration.minutes(20), blueGreen: { deploymentApprovalWaitTime: Duration.minutes(30) } },
      /deploymentTimeout is 20 minutes, but the windows you configured take 35 minutes \(traffic shifting 5 .* \+ blueGreen\.deploymentApprovalWaitTime 30\), plus at least 5 minutes .* Set deploymentTimeout to at least 40 minutes \(at most 55\)/,
    ],
  ])('error: %s', (_name, props, message) => {
    expect(() => deploy(testStack(), props as Partial<EcsDeploymentProps>)).toThrow(message);
  });

  test('waitForTermination with the default 5-minute termination wait fits, and the timeout covers it', () => {
    const stack = testStack();
    deploy(stack, { blueGreen: { waitForTermination: true }, deploymentConfig: codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES });
    expect(timeoutSeconds(stack)).toBe(50 * 60); // 30 + 5 + 15
  });

  test('a predefined configuration leaves no error file in cdk.out (no .node access on a detached construct)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-out-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    deploy(stack, { deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_15MINUTES });
    app.synth();
    expect(fs.readdirSync(outdir).filter((f) => /error/i.test(f))).toEqual([]);
    fs.rmSync(outdir, { recursive: true, force: true });
  });
});
