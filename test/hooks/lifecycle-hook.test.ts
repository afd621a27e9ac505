import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LifecycleEvent, LifecycleHook } from '../../src';
import { testStack } from '../harness';
import { userFunction } from '../util';

const DG_ARN = 'arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:app/group';

describe('LifecycleHook.fromFunction', () => {
  test('grants invoke on exactly the function to the role and the status call on exactly the group to the function', () => {
    const stack = testStack();
    const fn = userFunction(stack, 'Hook');
    const role = new iam.Role(stack, 'ServiceRole', { assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com') });
    const config = LifecycleHook.fromFunction(fn).bind(stack, {
      deploymentGroupArn: DG_ARN,
      serviceRole: role,
      lifecycleEvent: LifecycleEvent.AFTER_ALLOW_TEST_TRAFFIC,
    });
    expect(config.hookFunction).toBe(fn);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('ServiceRole') }],
      PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Hook'), 'Arn'] } }] },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('HookRole') }],
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'codedeploy:PutLifecycleEventHookExecutionStatus', Effect: 'Allow', Resource: DG_ARN }]) },
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('an imported function without a role: a warning that says what to grant', () => {
    const stack = testStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:us-east-1:123456789012:function:CheckHealth');
    const role = new iam.Role(stack, 'ServiceRole', { assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com') });
    LifecycleHook.fromFunction(fn).bind(stack, {
      deploymentGroupArn: DG_ARN,
      serviceRole: role,
      lifecycleEvent: LifecycleEvent.BEFORE_ALLOW_TRAFFIC,
    });
    Annotations.fromStack(stack).hasWarning(
      '/TestStack',
      Match.stringLikeRegexp('BeforeAllowTraffic hook function .* is imported.*PutLifecycleEventHookExecutionStatus.*\\[ack: cdk-codedeploy-patterns:hookPermissionNotGranted\\]'),
    );
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:CheckHealth' }] },
    });
  });

  test('lifecycle event names are the AppSpec names', () => {
    expect(Object.values(LifecycleEvent)).toEqual(['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic']);
  });
});
