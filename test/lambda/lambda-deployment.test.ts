import { App, CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as eventsources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  DeploymentEvent,
  DeploymentSource,
  DeploymentState,
  LambdaDeployment,
  LambdaDeploymentProps,
  LifecycleEvent,
  LifecycleHook,
} from '../../src';
import { complianceSuite, snapshotSuite, testStack } from '../harness';
import { checkTemplate } from '../iam/reference';
import { acknowledgeFixture, acknowledgeUserChoice, secureTopic, userFunction } from '../util';

function deploy(stack: Stack, props: Partial<LambdaDeploymentProps> = {}): LambdaDeployment {
  return new LambdaDeployment(stack, 'Deployment', {
    lambdaFunction: userFunction(stack, 'Fn'),
    ...props,
  });
}

/** The pattern with every option on. */
function everythingOn(stack: Stack): LambdaDeployment {
  const application = new codedeploy.LambdaApplication(stack, 'SharedApp', { applicationName: 'shared-app' });
  const userAlarm = new cloudwatch.Alarm(stack, 'LatencyAlarm', {
    metric: new cloudwatch.Metric({ namespace: 'MyApp', metricName: 'Latency' }),
    threshold: 500,
    evaluationPeriods: 1,
  });
  acknowledgeFixture(userAlarm, 'the user\'s alarm, paging is theirs', 'CloudWatchAlarmAction');
  const config = new codedeploy.LambdaDeploymentConfig(stack, 'Linear', {
    trafficRouting: codedeploy.TrafficRouting.timeBasedLinear({ interval: Duration.minutes(2), percentage: 20 }),
  });
  const topic = secureTopic(stack, 'Topic');
  const dep = deploy(stack, {
    application,
    deploymentGroupName: 'orders-live',
    aliasName: 'prod',
    provisionedConcurrentExecutions: 2,
    deploymentConfig: config,
    alarms: [userAlarm],
    ignorePollAlarmsFailure: true,
    autoRollback: { failedDeployment: true, stoppedDeployment: false, deploymentInAlarm: true },
    hooks: {
      beforeAllowTraffic: LifecycleHook.fromFunction(userFunction(stack, 'PreHook')),
      afterAllowTraffic: LifecycleHook.fromFunction(userFunction(stack, 'PostHook')),
    },
    defaultAlarms: { errorsThreshold: 5, throttlesThreshold: 3, period: Duration.minutes(2), evaluationPeriods: 2 },
    notifications: [
      { topic, events: [DeploymentEvent.DEPLOYMENT_FAILURE, DeploymentEvent.DEPLOYMENT_ROLLBACK], name: 'failures' },
      { topic, events: [DeploymentEvent.DEPLOYMENT_SUCCESS] },
    ],
  });
  const onFailure = dep.onDeploymentStateChange('OnFailure', {
    states: [DeploymentState.FAILURE, DeploymentState.STOP],
    target: new targets.SnsTopic(topic),
  });
  acknowledgeFixture(onFailure, 'the user\'s rule target, without a dead-letter queue', 'EventBusDLQ');
  return dep;
}

describe('LambdaDeployment', () => {
  describe('defaults', () => {
    let stack: Stack;
    let dep: LambdaDeployment;
    let t: Template;
    beforeAll(() => {
      stack = testStack();
      dep = deploy(stack);
      t = Template.fromStack(stack);
    });

    test('publishes a version and points an alias named "live" at it', () => {
      t.resourceCountIs('AWS::Lambda::Version', 1);
      t.hasResourceProperties('AWS::Lambda::Alias', {
        Name: 'live',
        FunctionVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('FnCurrentVersion'), 'Version'] },
      });
      expect(dep.alias.aliasName).toBe('live');
    });

    test('the alias update policy makes CloudFormation deploy new versions through CodeDeploy', () => {
      t.hasResource('AWS::Lambda::Alias', {
        UpdatePolicy: {
          CodeDeployLambdaAliasUpdate: {
            ApplicationName: { Ref: Match.stringLikeRegexp('CodeDeployPatternsLambdaApplication') },
            DeploymentGroupName: { Ref: Match.stringLikeRegexp('DeploymentDeploymentGroup') },
            BeforeAllowTrafficHook: Match.absent(),
            AfterAllowTrafficHook: { Ref: Match.stringLikeRegexp('^CodeDeployPatternsHooksAlarmCheck[0-9a-f]{8}Function') },
          },
        },
      });
    });

    test('the default post-traffic hook watches the deployment\'s alarms for one more minute at full traffic', () => {
      t.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'cdk-codedeploy-patterns built-in hook: fails while an alarm of the deployment group is in ALARM',
        Environment: { Variables: Match.objectLike({ HOOK_DEADLINE_MS: '180000', HOOK_CONFIG: '{"observeMs":60000,"intervalMs":30000,"failOnInsufficientData":false}' }) },
      });
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^CodeDeployPatternsHooksAlarmCheck[0-9a-f]{8}Role') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Action: ['codedeploy:GetDeployment', 'codedeploy:GetDeploymentGroup', 'codedeploy:PutLifecycleEventHookExecutionStatus'], Effect: 'Allow', Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':deploymentgroup:$')])] } },
            {
              Action: 'cloudwatch:DescribeAlarms',
              Effect: 'Allow',
              Resource: [
                { 'Fn::GetAtt': [Match.stringLikeRegexp('DeploymentErrorsAlarm'), 'Arn'] },
                { 'Fn::GetAtt': [Match.stringLikeRegexp('DeploymentThrottlesAlarm'), 'Arn'] },
              ],
            },
          ]),
        },
      });
    });

    test('LifecycleHook.none() turns the default post-traffic hook off; without alarms there is none', () => {
      for (const props of [{ hooks: { afterAllowTraffic: LifecycleHook.none() } }, { defaultAlarms: { errors: false, throttles: false } }]) {
        const other = testStack();
        deploy(other, props);
        const template = Template.fromStack(other);
        template.hasResource('AWS::Lambda::Alias', { UpdatePolicy: { CodeDeployLambdaAliasUpdate: { AfterAllowTrafficHook: Match.absent() } } });
        template.resourceCountIs('AWS::Lambda::Function', 1);
      }
    });

    test('LifecycleHook.none() cannot be bound by itself', () => {
      const other = testStack();
      const options = { deploymentGroupArn: 'arn', serviceRole: iam.Role.fromRoleName(other, 'R', 'r'), lifecycleEvent: LifecycleEvent.BEFORE_ALLOW_TRAFFIC };
      expect(() => LifecycleHook.none().bind(other, options))
        .toThrow(/LifecycleHook.none\(\) cannot be bound \(BeforeAllowTraffic\); it only stands for no hook/);
    });

    test('creates a Lambda application and a deployment group with CANARY_10PERCENT_5MINUTES', () => {
      t.hasResourceProperties('AWS::CodeDeploy::Application', { ComputePlatform: 'Lambda' });
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
        DeploymentStyle: { DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
        DeploymentGroupName: Match.absent(),
        TriggerConfigurations: Match.absent(),
      });
    });

    test('rolls back on failure, on stop and on alarm by default', () => {
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AutoRollbackConfiguration: {
          Enabled: true,
          Events: Match.arrayEquals(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']),
        },
      });
    });

    test('defines errors and throttles alarms on the alias and wires them to the group', () => {
      t.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      for (const metric of ['Errors', 'Throttles']) {
        t.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: metric,
          Namespace: 'AWS/Lambda',
          Statistic: 'Sum',
          Period: 60,
          Threshold: 1,
          EvaluationPeriods: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'notBreaching',
          Dimensions: Match.arrayWith([{ Name: 'Resource', Value: Match.anyValue() }]),
        });
      }
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AlarmConfiguration: {
          Enabled: true,
          Alarms: [{ Name: { Ref: Match.stringLikeRegexp('ErrorsAlarm') } }, { Name: { Ref: Match.stringLikeRegexp('ThrottlesAlarm') } }],
        },
      });
      expect(dep.alarms).toHaveLength(2);
      expect(dep.defaultAlarms).toHaveLength(2);
    });

    test('the service role has no managed policy and trusts only this application\'s deployment groups', () => {
      t.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            {
              Action: 'sts:AssumeRole',
              Effect: 'Allow',
              Principal: { Service: 'codedeploy.amazonaws.com' },
              Condition: {
                StringEquals: { 'aws:SourceAccount': '123456789012' },
                ArnLike: {
                  'aws:SourceArn': {
                    'Fn::Join': ['', [
                      'arn:', { Ref: 'AWS::Partition' }, ':codedeploy:us-east-1:123456789012:deploymentgroup:',
                      { Ref: Match.stringLikeRegexp('CodeDeployPatternsLambdaApplication') }, '/*',
                    ]],
                  },
                },
              },
            },
          ],
        },
        ManagedPolicyArns: Match.absent(),
      });
    });

    test('the service role may shift exactly this alias and read exactly these alarms', () => {
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('CodeDeployPatternsLambdaServiceRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Action: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'],
              Effect: 'Allow',
              // The alias ARN is built from the function's, so this policy does not depend on the alias (which waits for it).
              Resource: [
                { 'Fn::GetAtt': [Match.stringLikeRegexp('^Fn'), 'Arn'] },
                { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Fn'), 'Arn'] }, ':live']] },
              ],
            },
            {
              Action: 'cloudwatch:DescribeAlarms',
              Effect: 'Allow',
              Resource: [
                { 'Fn::GetAtt': [Match.stringLikeRegexp('ErrorsAlarm'), 'Arn'] },
                { 'Fn::GetAtt': [Match.stringLikeRegexp('ThrottlesAlarm'), 'Arn'] },
              ],
            },
          ]),
        },
      });
    });

    test('no resource of the pattern uses a wildcard resource', () => {
      const policies = t.findResources('AWS::IAM::Policy');
      const resources = JSON.stringify(Object.values(policies).map((p: any) => p.Properties.PolicyDocument.Statement.map((s: any) => s.Resource)));
      expect(resources).not.toContain('"*"');
      expect(resources).not.toMatch(/:\*"/);
    });

    test('no warnings', () => {
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    });
  });

  describe('props', () => {
    test('aliasName, provisionedConcurrentExecutions and version', () => {
      const stack = testStack();
      const fn = userFunction(stack, 'Fn');
      const version = new lambda.Version(stack, 'Pinned', { lambda: fn });
      const dep = new LambdaDeployment(stack, 'Deployment', {
        lambdaFunction: fn,
        version,
        aliasName: 'prod',
        provisionedConcurrentExecutions: 3,
      });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::Lambda::Alias', {
        Name: 'prod',
        FunctionVersion: { 'Fn::GetAtt': [Match.stringLikeRegexp('Pinned'), 'Version'] },
        ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 3 },
      });
      expect(dep.version).toBe(version);
    });

    test('a shared application: two deployments in one application', () => {
      const stack = testStack();
      const application = new codedeploy.LambdaApplication(stack, 'App');
      const a = new LambdaDeployment(stack, 'A', { lambdaFunction: userFunction(stack, 'FnA'), application });
      const b = new LambdaDeployment(stack, 'B', { lambdaFunction: userFunction(stack, 'FnB'), application });
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::CodeDeploy::Application', 1);
      t.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 2);
      expect(a.application).toBe(application);
      expect(b.application).toBe(application);
    });

    test('deploymentGroupName', () => {
      const stack = testStack();
      deploy(stack, { deploymentGroupName: 'orders-live' });
      Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentGroupName: 'orders-live',
      });
    });

    test('a predefined deployment config', () => {
      const stack = testStack();
      deploy(stack, { deploymentConfig: codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE });
      Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
      });
    });

    test('a custom canary deployment config', () => {
      const stack = testStack();
      const config = new codedeploy.LambdaDeploymentConfig(stack, 'Canary', {
        trafficRouting: codedeploy.TrafficRouting.timeBasedCanary({ interval: Duration.minutes(30), percentage: 25 }),
      });
      deploy(stack, { deploymentConfig: config });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
        ComputePlatform: 'Lambda',
        TrafficRoutingConfig: { Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryInterval: 30, CanaryPercentage: 25 } },
      });
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentConfigName: { Ref: Match.stringLikeRegexp('Canary') },
      });
    });

    test('the longest valid canary and linear configs are accepted', () => {
      const stack = testStack();
      const canary = new codedeploy.LambdaDeploymentConfig(stack, 'Canary', {
        trafficRouting: codedeploy.TrafficRouting.timeBasedCanary({ interval: Duration.minutes(2880), percentage: 99 }),
      });
      const linear = new codedeploy.LambdaDeploymentConfig(stack, 'Linear', {
        trafficRouting: codedeploy.TrafficRouting.timeBasedLinear({ interval: Duration.minutes(720), percentage: 25 }),
      });
      expect(() => new LambdaDeployment(stack, 'A', { lambdaFunction: userFunction(stack, 'FnA'), deploymentConfig: canary })).not.toThrow();
      expect(() => new LambdaDeployment(stack, 'B', { lambdaFunction: userFunction(stack, 'FnB'), deploymentConfig: linear })).not.toThrow();
    });

    test('user alarms are added after the default alarms and read-granted', () => {
      const stack = testStack();
      const alarm = cloudwatch.Alarm.fromAlarmArn(stack, 'Imported', 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-alarm');
      const dep = deploy(stack, { alarms: [alarm] });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AlarmConfiguration: { Alarms: Match.arrayWith([{ Name: 'my-alarm' }]) },
      });
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'cloudwatch:DescribeAlarms',
              Resource: Match.arrayWith(['arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-alarm']),
            }),
          ]),
        },
      });
      expect(dep.alarms).toHaveLength(3);
      expect(dep.alarms[2]).toBe(alarm);
    });

    test('defaultAlarms thresholds, period and evaluation periods', () => {
      const stack = testStack();
      deploy(stack, { defaultAlarms: { errorsThreshold: 5, throttlesThreshold: 3, period: Duration.minutes(5), evaluationPeriods: 3 } });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors', Threshold: 5, Period: 300, EvaluationPeriods: 3 });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Throttles', Threshold: 3, Period: 300, EvaluationPeriods: 3 });
    });

    test('default alarms can be turned off one by one', () => {
      const stack = testStack();
      const dep = deploy(stack, { defaultAlarms: { throttles: false } });
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::CloudWatch::Alarm', 1);
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Errors' });
      expect(dep.defaultAlarms).toHaveLength(1);
    });

    test('without any alarm: a warning, and no alarm rollback', () => {
      const stack = testStack();
      const dep = deploy(stack, { defaultAlarms: { errors: false, throttles: false } });
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::CloudWatch::Alarm', 0);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AutoRollbackConfiguration: { Enabled: true, Events: Match.arrayEquals(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST']) },
      });
      Annotations.fromStack(stack).hasWarning(
        '/TestStack/Deployment',
        Match.stringLikeRegexp('no alarms.*\\[ack: cdk-codedeploy-patterns:noAlarms\\]'),
      );
      expect(dep.alarms).toEqual([]);
    });

    test('autoRollback as given', () => {
      const stack = testStack();
      deploy(stack, { autoRollback: { failedDeployment: true, stoppedDeployment: false, deploymentInAlarm: false } });
      Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE'] },
      });
    });

    test('ignorePollAlarmsFailure', () => {
      const stack = testStack();
      deploy(stack, { ignorePollAlarmsFailure: true });
      Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AlarmConfiguration: { IgnorePollAlarmFailure: true },
      });
    });

    test('ignoreAlarmConfiguration: the alarms stay in the group, deployments do not watch them (default: they do)', () => {
      const stack = testStack();
      deploy(stack, { ignoreAlarmConfiguration: true });
      Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AlarmConfiguration: { Enabled: false, Alarms: Match.arrayWith([Match.objectLike({ Name: Match.anyValue() })]) },
      });
      const defaults = testStack();
      deploy(defaults);
      Template.fromStack(defaults).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { AlarmConfiguration: { Enabled: true } });
    });

    test('beforeAllowTraffic and afterAllowTraffic hooks: update policy, invoke on exactly the hook, status on exactly the group', () => {
      const stack = testStack();
      const pre = userFunction(stack, 'PreHook');
      const post = userFunction(stack, 'PostHook');
      deploy(stack, { hooks: { beforeAllowTraffic: LifecycleHook.fromFunction(pre), afterAllowTraffic: LifecycleHook.fromFunction(post) } });
      const t = Template.fromStack(stack);
      const alias = Object.values(t.findResources('AWS::Lambda::Alias'))[0] as any;
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.BeforeAllowTrafficHook.Ref).toMatch(/^PreHook[0-9A-F]{8}$/);
      expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.AfterAllowTrafficHook.Ref).toMatch(/^PostHook[0-9A-F]{8}$/);
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('CodeDeployPatternsLambdaServiceRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PreHook[0-9A-F]{8}$'), 'Arn'] } },
            { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PostHook[0-9A-F]{8}$'), 'Arn'] } },
          ]),
        },
      });
      for (const hook of ['PreHookRole', 'PostHookRole']) {
        t.hasResourceProperties('AWS::IAM::Policy', {
          Roles: [{ Ref: Match.stringLikeRegexp(hook) }],
          PolicyDocument: {
            Statement: Match.arrayWith([
              {
                Action: 'codedeploy:PutLifecycleEventHookExecutionStatus',
                Effect: 'Allow',
                Resource: {
                  'Fn::Join': ['', [
                    'arn:', { Ref: 'AWS::Partition' }, ':codedeploy:us-east-1:123456789012:deploymentgroup:',
                    { Ref: Match.stringLikeRegexp('CodeDeployPatternsLambdaApplication') }, '/', { Ref: Match.stringLikeRegexp('DeploymentDeploymentGroup') },
                  ]],
                },
              },
            ]),
          },
        });
      }
    });

    test('the same hook statement is not duplicated when aws-cdk-lib grants it too', () => {
      const stack = testStack();
      deploy(stack, { hooks: { beforeAllowTraffic: LifecycleHook.fromFunction(userFunction(stack, 'PreHook')) } });
      const t = Template.fromStack(stack);
      const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p: any) =>
        JSON.stringify(p.Properties.Roles).includes('PreHookRole')) as any;
      const statuses = policy.Properties.PolicyDocument.Statement.filter((s: any) => s.Action === 'codedeploy:PutLifecycleEventHookExecutionStatus');
      expect(statuses).toHaveLength(1);
    });

    test('notifications: trigger configurations, publish grant, KMS grant and topic policy', () => {
      const stack = testStack();
      const topic = secureTopic(stack, 'Topic');
      deploy(stack, {
        notifications: [
          { topic, events: [DeploymentEvent.DEPLOYMENT_FAILURE, DeploymentEvent.DEPLOYMENT_FAILURE, DeploymentEvent.DEPLOYMENT_STOP] },
          { topic, events: [DeploymentEvent.DEPLOYMENT_SUCCESS], name: 'success' },
        ],
      });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        TriggerConfigurations: [
          { TriggerName: 'Notification1', TriggerTargetArn: { Ref: Match.stringLikeRegexp('Topic') }, TriggerEvents: ['DeploymentFailure', 'DeploymentStop'] },
          { TriggerName: 'success', TriggerTargetArn: { Ref: Match.stringLikeRegexp('Topic') }, TriggerEvents: ['DeploymentSuccess'] },
        ],
      });
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('CodeDeployPatternsLambdaServiceRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('Topic') } },
            { Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('TopicKey'), 'Arn'] } },
          ]),
        },
      });
      t.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Sid: 'AllowCodeDeployServiceRolePublish',
              Action: 'sns:Publish',
              Principal: { AWS: { 'Fn::GetAtt': [Match.stringLikeRegexp('CodeDeployPatternsLambdaServiceRole'), 'Arn'] } },
            }),
          ]),
        },
      });
    });

    test('a role given by the user: used as is, granted to, no managed policy attached', () => {
      const stack = testStack();
      const role = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com') });
      const dep = deploy(stack, { role });
      const t = Template.fromStack(stack);
      expect(dep.role).toBe(role);
      t.resourceCountIs('AWS::IAM::Role', 3); // the user's function role, the given role, the default post-traffic hook's role
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { ServiceRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('MyRole'), 'Arn'] } });
      t.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent(), AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'codedeploy.amazonaws.com' } })] } });
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('MyRole') }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'] })]) },
      });
    });

    test('an imported role is used without changes', () => {
      const stack = testStack();
      const role = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::123456789012:role/deployer');
      deploy(stack, { role });
      Template.fromStack(stack).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        ServiceRoleArn: 'arn:aws:iam::123456789012:role/deployer',
      });
    });

    test('useAwsManagedPolicy attaches AWSCodeDeployRoleForLambdaLimited', () => {
      const stack = testStack();
      deploy(stack, { useAwsManagedPolicy: true });
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
        ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited']] }],
      });
    });

    test('addEventSource attaches the source to the alias', () => {
      const stack = testStack();
      const dep = deploy(stack);
      const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
      dep.addEventSource(new eventsources.SqsEventSource(queue));
      const mapping = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::EventSourceMapping'))[0] as any;
      // FunctionName is the alias-qualified name, e.g. { Fn::Join: ['', [<fn name>, ':live']] }
      expect(JSON.stringify(mapping.Properties.FunctionName)).toContain(':live');
    });

    test('onDeploymentStateChange: a rule for this group\'s deployments', () => {
      const stack = testStack();
      const dep = deploy(stack);
      const topic = secureTopic(stack, 'Topic');
      const rule = dep.onDeploymentStateChange('Changes', { states: [DeploymentState.FAILURE, DeploymentState.STOP], target: new targets.SnsTopic(topic), ruleName: 'deploy-failures', description: 'fails' });
      expect(rule).toBeDefined();
      Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
        Name: 'deploy-failures',
        Description: 'fails',
        EventPattern: {
          'source': ['aws.codedeploy'],
          'detail-type': ['CodeDeploy Deployment State-change Notification'],
          'detail': {
            application: [{ Ref: Match.stringLikeRegexp('CodeDeployPatternsLambdaApplication') }],
            deploymentGroup: [{ Ref: Match.stringLikeRegexp('DeploymentDeploymentGroup') }],
            state: ['FAILURE', 'STOP'],
          },
        },
        Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('Topic') } })],
      });
    });

    test('onDeploymentStateChange without options matches every state', () => {
      const stack = testStack();
      deploy(stack).onDeploymentStateChange('All');
      Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { detail: { state: Match.absent() } },
      });
    });

    test('tokens are not validated as literals', () => {
      const stack = testStack();
      const name = new CfnParameter(stack, 'Name').valueAsString;
      expect(() => deploy(stack, { deploymentGroupName: name, aliasName: name })).not.toThrow();
    });
  });

  describe('errors', () => {
    const cases: [string, (stack: Stack) => Partial<LambdaDeploymentProps>, RegExp][] = [
      ['deploymentGroupName longer than 100 characters', () => ({ deploymentGroupName: 'x'.repeat(101) }), /deploymentGroupName must be 1 to 100 characters long.*received 101 characters/],
      ['deploymentGroupName with a space', () => ({ deploymentGroupName: 'my group' }), /deploymentGroupName may only contain.*received "my group"/],
      ['aliasName of only digits', () => ({ aliasName: '12' }), /aliasName must be 1-128 letters.*received "12"/],
      ['aliasName with a dot', () => ({ aliasName: 'a.b' }), /aliasName must be.*received "a.b"/],
      ['more than 10 alarms', (s) => ({ alarms: Array.from({ length: 9 }, (_, i) => cloudwatch.Alarm.fromAlarmArn(s, `A${i}`, `arn:aws:cloudwatch:us-east-1:123456789012:alarm:a${i}`)) }), /at most 10 alarms; this one would have 11 \(9 given in alarms \+ 2 default alarms\)/],
      ['more than 10 notifications', (s) => { const topic = secureTopic(s, 'T'); return { notifications: Array.from({ length: 11 }, (_, i) => ({ topic, events: [DeploymentEvent.DEPLOYMENT_START], name: `n${i}` })) }; }, /at most 10 notifications.*received 11/],
      ['a notification without events', (s) => ({ notifications: [{ topic: secureTopic(s, 'T'), events: [] }] }), /notifications\[0\] \("Notification1"\) has no events/],
      ['two notifications with one name', (s) => { const topic = secureTopic(s, 'T'); return { notifications: [{ topic, events: [DeploymentEvent.DEPLOYMENT_START], name: 'x' }, { topic, events: [DeploymentEvent.DEPLOYMENT_STOP], name: 'x' }] }; }, /notifications\[1\] reuses the name "x"/],
      ['alarm rollback without alarms', () => ({ defaultAlarms: { errors: false, throttles: false }, autoRollback: { deploymentInAlarm: true } }), /deploymentInAlarm is true but the deployment group has no alarms/],
      ['errorsThreshold of 0', () => ({ defaultAlarms: { errorsThreshold: 0 } }), /defaultAlarms.errorsThreshold must be greater than 0; received 0/],
      ['throttlesThreshold below 0', () => ({ defaultAlarms: { throttlesThreshold: -1 } }), /defaultAlarms.throttlesThreshold must be greater than 0; received -1/],
      ['evaluationPeriods of 0', () => ({ defaultAlarms: { evaluationPeriods: 0 } }), /evaluationPeriods must be a whole number of at least 1; received 0/],
      ['an alarm period of 30 seconds', () => ({ defaultAlarms: { period: Duration.seconds(30) } }), /period must be a whole number of minutes.*received Duration.seconds\(30\)/],
      ['a role together with useAwsManagedPolicy', (s) => ({ role: new iam.Role(s, 'R', { assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com') }), useAwsManagedPolicy: true }), /useAwsManagedPolicy only applies to the role the pattern creates/],
      ['a canary of 0 %', (s) => ({ deploymentConfig: new codedeploy.LambdaDeploymentConfig(s, 'C', { trafficRouting: codedeploy.TrafficRouting.timeBasedCanary({ interval: Duration.minutes(5), percentage: 0 }) }) }), /Canary traffic routing percentage must be a whole number from 1 to 99; received 0/],
      ['a canary of 100 %', (s) => ({ deploymentConfig: new codedeploy.LambdaDeploymentConfig(s, 'C', { trafficRouting: codedeploy.TrafficRouting.timeBasedCanary({ interval: Duration.minutes(5), percentage: 100 }) }) }), /percentage must be a whole number from 1 to 99; received 100/],
      ['a canary interval over 2,880 minutes', (s) => ({ deploymentConfig: new codedeploy.LambdaDeploymentConfig(s, 'C', { trafficRouting: codedeploy.TrafficRouting.timeBasedCanary({ interval: Duration.minutes(2881), percentage: 10 }) }) }), /Canary traffic routing interval must be at most 2880 minutes.*received 2881 minutes/],
      ['a linear config over 2,880 minutes', (s) => ({ deploymentConfig: new codedeploy.LambdaDeploymentConfig(s, 'C', { trafficRouting: codedeploy.TrafficRouting.timeBasedLinear({ interval: Duration.minutes(721), percentage: 25 }) }) }), /Linear traffic routing of 25 % every 721 minutes takes 4 shifts x 721 = 2884 minutes.*at most 720 minutes/],
      ['oldVersions SNAPSHOT', () => ({ oldVersions: RemovalPolicy.SNAPSHOT }), /oldVersions must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY \(a Lambda version has no snapshot\); received snapshot/],
      ['oldVersions with a version of the user', (s) => ({ version: userFunction(s, 'Other').currentVersion, oldVersions: RemovalPolicy.DESTROY }), /oldVersions applies to the version the pattern publishes/],
      ['a linear step of 100 %', (s) => ({ deploymentConfig: new codedeploy.LambdaDeploymentConfig(s, 'C', { trafficRouting: codedeploy.TrafficRouting.timeBasedLinear({ interval: Duration.minutes(1), percentage: 100 }) }) }), /Linear traffic routing percentage must be a whole number from 1 to 99; received 100/],
    ];
    test.each(cases)('fails on %s', (_name, props, message) => {
      const stack = testStack();
      expect(() => deploy(stack, props(stack))).toThrow(message);
    });

    test('the error names the construct path and lists every problem', () => {
      const stack = testStack();
      expect(() => deploy(stack, { deploymentGroupName: 'a b', aliasName: '1' })).toThrow(
        /\[TestStack\/Deployment\] invalid configuration:\n {2}- deploymentGroupName may only contain[^\n]*\n {2}- aliasName must be/,
      );
    });
  });

  describe('deploymentSource PIPELINE', () => {
    const synthWith = (code: string, props: Partial<LambdaDeploymentProps> = {}) => {
      const stack = testStack();
      const dep = new LambdaDeployment(stack, 'Deployment', { lambdaFunction: userFunction(stack, 'Fn', code), deploymentSource: DeploymentSource.PIPELINE, ...props });
      return { dep, t: Template.fromStack(stack).toJSON() };
    };
    const byType = (t: any, type: string) => Object.entries<any>(t.Resources).filter(([, r]) => r.Type === type);

    test('one first version the alias starts on, identical in every later template: cdk deploy never publishes another or moves the alias', () => {
      const v1 = synthWith('exports.handler = async () => 1;');
      const v2 = synthWith('exports.handler = async () => 2;');
      expect(v1.dep.deploymentSource).toBe(DeploymentSource.PIPELINE);
      const [[versionId, version]] = byType(v1.t, 'AWS::Lambda::Version');
      expect(byType(v1.t, 'AWS::Lambda::Version')).toHaveLength(1);
      expect(versionId).toMatch(/^DeploymentFirstVersion/);
      expect(version).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      const [[, alias]] = byType(v1.t, 'AWS::Lambda::Alias');
      expect(alias.Properties.FunctionVersion).toEqual({ 'Fn::GetAtt': [versionId, 'Version'] });
      // The code changed (the function's Code differs), the version and the alias did not: CloudFormation leaves them.
      expect(JSON.stringify(byType(v2.t, 'AWS::Lambda::Function'))).not.toEqual(JSON.stringify(byType(v1.t, 'AWS::Lambda::Function')));
      expect(byType(v2.t, 'AWS::Lambda::Version')).toEqual(byType(v1.t, 'AWS::Lambda::Version'));
      expect(byType(v2.t, 'AWS::Lambda::Alias')).toEqual(byType(v1.t, 'AWS::Lambda::Alias'));
      // The deployment group, its alarms and rollback are as with CDK_DEPLOY, for the pipeline's deployments.
      expect(byType(v1.t, 'AWS::CodeDeploy::DeploymentGroup')[0][1].Properties).toMatchObject({
        AlarmConfiguration: { Enabled: true },
        AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
      });
      expect(checkTemplate(v1.t)).toEqual([]);
    });

    test.each<[string, (stack: Stack) => Partial<LambdaDeploymentProps>, RegExp]>([
      ['version', (stack) => ({ version: userFunction(stack, 'Other').currentVersion }), /version cannot be used with deploymentSource PIPELINE: the alias's version in the template is the first version/],
      ['oldVersions', () => ({ oldVersions: RemovalPolicy.DESTROY }), /oldVersions cannot be used with deploymentSource PIPELINE/],
      ['provisionedConcurrentExecutions', () => ({ provisionedConcurrentExecutions: 2 }), /provisionedConcurrentExecutions cannot be used with deploymentSource PIPELINE: a change of the alias in the template makes CloudFormation move it back to the first version/],
    ])('error: %s with PIPELINE', (_name, props, message) => {
      const stack = testStack();
      expect(() => deploy(stack, { deploymentSource: DeploymentSource.PIPELINE, ...props(stack) })).toThrow(message);
    });
  });

  describe('old versions', () => {
    /** One `cdk deploy` of the app with the function's code at `code`: the template CloudFormation gets. */
    const synthWith = (code: string, props: Partial<LambdaDeploymentProps> = {}) => {
      const stack = testStack();
      new LambdaDeployment(stack, 'Deployment', { lambdaFunction: userFunction(stack, 'Fn', code), ...props });
      return Template.fromStack(stack).toJSON();
    };
    const versionIds = (t: any) => Object.keys(t.Resources).filter((id) => t.Resources[id].Type === 'AWS::Lambda::Version');
    const aliasVersion = (t: any) => Object.values<any>(t.Resources).find((r) => r.Type === 'AWS::Lambda::Alias').Properties.FunctionVersion;

    test('by default every published version is retained, as SAM does: the update that replaces it leaves it in place', () => {
      const v1 = synthWith('exports.handler = async () => 1;');
      const v2 = synthWith('exports.handler = async () => 2;');
      const [old] = versionIds(v1);
      const [current] = versionIds(v2);
      // A code change publishes a new version resource; the old one leaves the template, so the
      // update's cleanup applies the policy the old template gave it (CloudFormation's rule for removed resources).
      expect(versionIds(v1)).toHaveLength(1);
      expect(current).not.toBe(old);
      expect(versionIds(v2)).not.toContain(old);
      expect(v1.Resources[old]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      expect(v2.Resources[current]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
      // The alias moves from the old version to the new one: that update is the CodeDeploy deployment.
      expect(aliasVersion(v1)).toEqual({ 'Fn::GetAtt': [old, 'Version'] });
      expect(aliasVersion(v2)).toEqual({ 'Fn::GetAtt': [current, 'Version'] });
    });

    test('rollback: a failed update returns the alias to the version of the previous template, which the cleanup never reached', () => {
      // CloudFormation rolls back to the previous template (the alias on the old version) before any
      // cleanup runs, under either policy; with RETAIN the old version also outlives the successful
      // update, for a redeployment or a manual rollback to it later.
      const v1 = synthWith('exports.handler = async () => 1;', { oldVersions: RemovalPolicy.DESTROY });
      const [old] = versionIds(v1);
      expect(v1.Resources[old]).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
      expect(aliasVersion(v1)).toEqual({ 'Fn::GetAtt': [old, 'Version'] });
    });

    test('a version of the user is left as it is', () => {
      const stack = testStack();
      const fn = userFunction(stack, 'Fn');
      new LambdaDeployment(stack, 'Deployment', { lambdaFunction: fn, version: fn.currentVersion });
      const t = Template.fromStack(stack).toJSON();
      const [id] = versionIds(t);
      expect(t.Resources[id].DeletionPolicy).toBeUndefined();
    });
  });

  snapshotSuite({
    'defaults': (stack) => deploy(stack),
    'everything on': (stack) => everythingOn(stack),
  });

  complianceSuite({
    'defaults': (stack) => { deploy(stack); },
    'everything on': (stack) => { everythingOn(stack); },
    'pipeline mode': (stack) => { deploy(stack, { deploymentSource: DeploymentSource.PIPELINE, hooks: { beforeAllowTraffic: LifecycleHook.invokeCheck() } }); },
    'AWS managed policy': (stack) => {
      deploy(stack, { useAwsManagedPolicy: true });
      acknowledgeUserChoice(stack, 'the AWS managed policy', 'CodeDeploy-CD7');
    },
  }, { allPacks: true });
});

describe('shared per stack', () => {
  test('deployments of a stack share one application and one service role; each adds only its own grants', () => {
    const stack = testStack();
    const a = deploy(stack);
    const b = new LambdaDeployment(stack, 'Second', { lambdaFunction: userFunction(stack, 'Fn2') });
    expect(a.application).toBe(b.application);
    expect(a.role).toBe(b.role);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::CodeDeploy::Application', 1);
    t.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 2);
    const serviceRoles = Object.values(t.findResources('AWS::IAM::Role')).filter((r: any) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('codedeploy.amazonaws.com'));
    expect(serviceRoles).toHaveLength(1);
    // Both aliases may be shifted by the one role.
    const policy = JSON.stringify(Object.values(t.findResources('AWS::IAM::Policy')).filter((p: any) => /CodeDeployPatternsLambdaServiceRole/.test(JSON.stringify(p.Properties.Roles))));
    expect(policy).toContain('{"Fn::GetAtt":["Fn9270CBC0","Arn"]},":live"');
    expect(policy).toContain('{"Fn::GetAtt":["Fn2C26C4B36","Arn"]},":live"');
  });

  test('a deployment with its own application gets its own role; the managed-policy choice gets its own shared role', () => {
    const stack = testStack();
    const shared = deploy(stack);
    const own = new LambdaDeployment(stack, 'Own', { lambdaFunction: userFunction(stack, 'Fn2'), application: new codedeploy.LambdaApplication(stack, 'MyApp') });
    const managed = new LambdaDeployment(stack, 'Managed', { lambdaFunction: userFunction(stack, 'Fn3'), useAwsManagedPolicy: true });
    expect(own.role).not.toBe(shared.role);
    expect(own.role.node.path).toBe('TestStack/Own/ServiceRole');
    expect(managed.role).not.toBe(shared.role);
    expect(managed.application).toBe(shared.application);
    expect(managed.role.node.path).toBe('TestStack/CodeDeployPatternsLambdaManagedServiceRole');
  });
});

describe('many deployments in one stack', () => {
  // CloudFormation's limit is 500 resources per stack; CDK refuses to synthesize more.
  test.each([
    // aws-cdk-lib's default ARN size estimate (150) fits stack names up to about 40 characters;
    // 250 (set in cdk.json) fits up to 100, with more overflow policies.
    [undefined, 30],
    [250, 100],
  ])('50 deployments with defaults, each with its own function, fit in one stack: the built-in hook is shared (ARN size estimate %s, %i-character stack name)', (estimate, stackNameLength) => {
    const context = { 'aws:cdk:disable-creation-stack-traces': true, ...(estimate ? { '@aws-cdk/aws-iam.arnSizeEstimate': estimate } : {}) };
    const stack = new Stack(new App({ context }), 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
    for (let i = 0; i < 50; i++) {
      new LambdaDeployment(stack, `Deployment${i}`, { lambdaFunction: userFunction(stack, `Fn${i}`) });
    }
    const t = Template.fromStack(stack).toJSON();
    const resources = Object.values<any>(t.Resources);
    expect(resources.length).toBeLessThanOrEqual(500);
    // Per deployment: the user's 4 (function, role, policy, log group) and version, alias, group, 2 alarms.
    const perDeployment = 4 + 5;
    const shared = resources.length - 50 * perDeployment;
    // Application, service role and policy, the alarm check's function, role, policy, log group and
    // invoke configuration, and the overflow policies aws-cdk-lib splits large policies into.
    expect(shared).toBeLessThanOrEqual(estimate ? 30 : 20);
    const hookFunctions = Object.keys(t.Resources).filter((id) => /^CodeDeployPatternsHooks\w+Function[0-9A-F]{8}$/.test(id));
    expect(hookFunctions).toHaveLength(1);
    // Every policy stays inside IAM's size limits once deployed (10,240 characters of inline policy per role,
    // 6,144 per managed policy): names as CloudFormation generates them (stack name, logical ID, 12
    // random characters), in the partition with the longest names.
    const physical = (logicalId: string) => `${'s'.repeat(stackNameLength)}-${logicalId}-ABCDEFGHIJKL`;
    const resolvedSize = (doc: any) => JSON.stringify(doc)
      .replace(/\{"Ref":"AWS::Partition"\}/g, '"aws-us-gov"')
      .replace(/\{"Fn::GetAtt":\["(\w+)","Arn"\]\}/g, (_m, id) => {
        const [service, type] = t.Resources[id].Type === 'AWS::Lambda::Function' ? ['lambda', 'function'] : ['cloudwatch', 'alarm'];
        return `"arn:aws-us-gov:${service}:us-gov-west-1:123456789012:${type}:${physical(id)}"`;
      })
      .replace(/\{"Ref":"(\w+)"\}/g, (_m, id) => `"${physical(id)}"`)
      .replace(/"Fn::Join":\["",\[|\]\]|","/g, '')
      .replace(/\s/g, '').length;
    const inlineByRole = new Map<string, number>();
    for (const [id, r] of Object.entries<any>(t.Resources)) {
      if (r.Type === 'AWS::IAM::Policy') {
        for (const role of r.Properties.Roles) {
          inlineByRole.set(role.Ref, (inlineByRole.get(role.Ref) ?? 0) + resolvedSize(r.Properties.PolicyDocument));
        }
      }
      if (r.Type === 'AWS::IAM::ManagedPolicy') {
        const size = resolvedSize(r.Properties.PolicyDocument);
        expect({ id, size, fits: size <= 6144 }).toEqual({ id, size, fits: true });
      }
    }
    for (const [role, size] of inlineByRole) {
      expect({ role, size, fits: size <= 10240 }).toEqual({ role, size, fits: true });
    }
    // IAM's default quota of managed policies per role is 10.
    const managedByRole = new Map<string, number>();
    for (const r of resources.filter((x) => x.Type === 'AWS::IAM::ManagedPolicy')) {
      for (const role of r.Properties.Roles ?? []) managedByRole.set(role.Ref, (managedByRole.get(role.Ref) ?? 0) + 1);
    }
    expect(Math.max(...managedByRole.values())).toBeLessThanOrEqual(10);
  });
});
