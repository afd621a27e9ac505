import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { complianceSuite } from './harness';
import { LambdaCanaryStack } from '../examples/lambda-canary/stack';

/** The example apps go through the same checks as the library (the README's main command runs the real CLI). */
describe('examples', () => {
  describe('lambda-canary', () => {
    test('deploys the handler through CodeDeploy with a 20 % canary and both hooks', () => {
      const app = new App();
      const t = Template.fromStack(new LambdaCanaryStack(app, 'Example'));
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
        TrafficRoutingConfig: { Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryPercentage: 20, CanaryInterval: 10 } },
      });
      t.hasResource('AWS::Lambda::Alias', {
        UpdatePolicy: {
          CodeDeployLambdaAliasUpdate: {
            BeforeAllowTrafficHook: { Ref: Match.stringLikeRegexp('^PreTrafficHook') },
            AfterAllowTrafficHook: { Ref: Match.stringLikeRegexp('^PostTrafficHook') },
          },
        },
      });
    });
  });

  complianceSuite({
    'lambda-canary': (stack) =>
      new LambdaCanaryStack(stack.node.root as App, 'Example', { env: { account: stack.account, region: stack.region } }),
  });
});
