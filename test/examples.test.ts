import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { complianceSuite } from './harness';
import { EcsBlueGreenStack } from '../examples/ecs-blue-green/stack';
import { EcsExistingServiceStack, SAMPLE_EXISTING } from '../examples/ecs-existing-service/stack';
import { EcsNativeStack } from '../examples/ecs-native/stack';
import { LambdaCanaryStack } from '../examples/lambda-canary/stack';
import { ServerAgentV2Stack } from '../examples/server-agent-v2/stack';
import { ServerBlueGreenStack } from '../examples/server-blue-green/stack';
import { ServerInPlaceStack } from '../examples/server-in-place/stack';
import { ServerPipelineStack } from '../examples/server-pipeline/stack';

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
            BeforeAllowTrafficHook: { Ref: Match.stringLikeRegexp('^CodeDeployPatternsHooksInvokeCheck[0-9a-f]{8}Function') },
            AfterAllowTrafficHook: { Ref: Match.stringLikeRegexp('^CodeDeployPatternsHooksAlarmCheck[0-9a-f]{8}Function') },
          },
        },
      });
      // The built-in hooks: invokeCheck before the shift, alarmCheck watching errors for two minutes after it.
      t.hasResourceProperties('AWS::Lambda::Function', { Description: 'cdk-codedeploy-patterns built-in hook: invokes the version being deployed' });
      t.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'cdk-codedeploy-patterns built-in hook: fails while an alarm is in ALARM',
        Environment: { Variables: Match.objectLike({ HOOK_DEADLINE_MS: '240000' }) },
      });
    });
  });

  describe('ecs-blue-green', () => {
    test('a Fargate service deployed blue/green with a canary and a test-traffic hook', () => {
      const app = new App();
      const t = Template.fromStack(new EcsBlueGreenStack(app, 'Example'));
      t.hasResourceProperties('AWS::ECS::Service', { DeploymentController: { Type: 'CODE_DEPLOY' }, LaunchType: 'FARGATE' });
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
        LoadBalancerInfo: { TargetGroupPairInfoList: [Match.objectLike({ TestTrafficRoute: Match.anyValue() })] },
      });
      const trigger = Object.values(t.findResources('Custom::CodeDeployDeployment'))[0] as any;
      expect(JSON.stringify(trigger.Properties.AppSpecContent)).toContain('AfterAllowTestTraffic');
      // The built-in httpCheck on the test listener, in the VPC, let into the load balancer on 8080.
      t.hasResourceProperties('AWS::Lambda::Function', {
        Description: 'cdk-codedeploy-patterns built-in hook: HTTP check of the test listener',
        VpcConfig: Match.anyValue(),
        Environment: { Variables: Match.objectLike({ HOOK_DEADLINE_MS: '180000' }) },
      });
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8080, Description: 'AfterAllowTestTraffic HTTP check hook' });
      // The group's alarms for 2 minutes after all traffic moved; the hook announces its end to the trigger's mailbox.
      expect(JSON.stringify(trigger.Properties.AppSpecContent)).toContain('AfterAllowTraffic\\\":');
      t.hasResourceProperties('AWS::Lambda::Function', {
        Description: Match.stringLikeRegexp('an alarm of the deployment group'),
        Environment: { Variables: Match.objectLike({ HOOK_ANNOUNCE_STATUS: 'true', HOOK_CONFIG: Match.serializedJson(Match.objectLike({ observeMs: 120_000 })) }) },
      });
      t.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ 'source': ['cdk-codedeploy-patterns'], 'detail-type': ['CodeDeploy Lifecycle Hook Status Reported'] }) });
      expect(trigger.Properties.AfterTrafficHookAnnounces).toBe('true');
    });
  });

  describe('ecs-native', () => {
    test('the same service on ECS\'s engine: the ECS controller, its canary and bake time, the hooks as ECS lifecycle hooks, no CodeDeploy', () => {
      const t = Template.fromStack(new EcsNativeStack(new App(), 'Example'));
      t.hasResourceProperties('AWS::ECS::Service', {
        DeploymentController: { Type: 'ECS' },
        LaunchType: 'FARGATE',
        DeploymentConfiguration: Match.objectLike({
          Strategy: 'CANARY',
          CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 },
          BakeTimeInMinutes: 10,
          LifecycleHooks: [
            Match.objectLike({ LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] }),
            Match.objectLike({ LifecycleStages: ['POST_PRODUCTION_TRAFFIC_SHIFT'] }),
          ],
        }),
      });
      expect(Object.values(t.toJSON().Resources).filter((r: any) => /^AWS::CodeDeploy::|^Custom::CodeDeployDeployment$/.test(r.Type))).toEqual([]);
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 2);
    });
  });

  describe('ecs-existing-service', () => {
    test('an existing service, listeners and target groups: a scoped role (no AWS managed policy), aws-cdk-lib\'s group on them, the trigger deploying the new task definition', () => {
      const t = Template.fromStack(new EcsExistingServiceStack(new App(), 'Example', SAMPLE_EXISTING));
      // Nothing of the existing service is created: only the role, the group, the task definition, the alarm and the trigger.
      t.resourceCountIs('AWS::ECS::Service', 0);
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 0);
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 0);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        ECSServices: [{ ClusterName: 'tutorial-cluster', ServiceName: 'tutorial-service' }],
        LoadBalancerInfo: {
          TargetGroupPairInfoList: [Match.objectLike({
            ProdTrafficRoute: { ListenerArns: [{ 'Fn::Join': ['', Match.arrayWith([':listener/app/tutorial-alb/0123456789abcdef/1111111111111111'])] }] },
            TestTrafficRoute: { ListenerArns: [{ 'Fn::Join': ['', Match.arrayWith([':listener/app/tutorial-alb/0123456789abcdef/2222222222222222'])] }] },
            TargetGroups: [{ Name: 'tutorial-blue' }, { Name: 'tutorial-green' }],
          })],
        },
        AlarmConfiguration: Match.objectLike({ Enabled: true }),
      });
      t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'codedeploy.amazonaws.com' } })] }), ManagedPolicyArns: Match.absent() });
      const trigger = Object.values(t.findResources('Custom::CodeDeployDeployment'))[0] as any;
      expect(trigger.Properties.DeployOnCreate).toBe(true);
      expect(JSON.stringify(trigger.Properties.AppSpecContent)).toContain('subnet-0a1b2c3d4e5f67890');
    });
  });

  describe('server-in-place', () => {
    test('an Auto Scaling group behind an ALB, updated one instance at a time from the web folder, agent by Systems Manager', () => {
      const app = new App();
      const t = Template.fromStack(new ServerInPlaceStack(app, 'Example'));
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentConfigName: 'CodeDeployDefault.OneAtATime',
        DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
        LoadBalancerInfo: { TargetGroupInfoList: [Match.anyValue()] },
        AlarmConfiguration: Match.objectLike({ Enabled: true }),
        TerminationHookEnabled: true,
      });
      t.hasResourceProperties('AWS::SSM::Association', { Name: 'AWS-ConfigureAWSPackage' });
      t.hasResourceProperties('Custom::CodeDeployDeployment', {
        DeployOnCreate: true,
        S3Location: Match.objectLike({ BundleType: 'zip' }),
        WaitForAutoScalingGroups: [Match.anyValue()],
      });
    });
  });

  describe('server-agent-v2', () => {
    test('the guide\'s tagged-instance tutorial with agent 2.x: the AWSCodeDeployAgentV2 package, the instance\'s profile, a wait for the agent, rollback on its alarm', () => {
      const app = new App();
      const t = Template.fromStack(new ServerAgentV2Stack(app, 'Example'));
      t.hasResourceProperties('AWS::SSM::Association', {
        Name: 'AWS-ConfigureAWSPackage',
        Parameters: { action: ['Install'], name: ['AWSCodeDeployAgentV2'] },
        Targets: [{ Key: 'tag:codedeploy-app', Values: ['agent-v2-example'] }],
      });
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        Ec2TagSet: { Ec2TagSetList: [{ Ec2TagGroup: [{ Key: 'codedeploy-app', Value: 'agent-v2-example', Type: 'KEY_AND_VALUE' }] }] },
        AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
      });
      t.hasResourceProperties('AWS::EC2::Instance', {
        IamInstanceProfile: { Ref: Match.stringLikeRegexp('DeploymentInstanceProfile') },
        Tags: Match.arrayWith([{ Key: 'codedeploy-app', Value: 'agent-v2-example' }]),
      });
      // The trigger waits for the agent on the tagged instance of this stack before the first deployment.
      t.hasResourceProperties('Custom::CodeDeployDeployment', {
        WaitForInstances: [{ Ref: Match.stringLikeRegexp('^Instance') }],
        AgentAssociationIds: [Match.anyValue()],
      });
    });
  });

  describe('server-pipeline', () => {
    test('a CodePipeline deploys the fleet from an S3 bundle; cdk deploy deploys nothing, the instances read the artifacts', () => {
      const app = new App();
      const t = Template.fromStack(new ServerPipelineStack(app, 'Example'));
      t.resourceCountIs('Custom::CodeDeployDeployment', 0);
      t.hasResourceProperties('AWS::CodePipeline::Pipeline', {
        Stages: [
          Match.objectLike({ Name: 'Source', Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'S3' }), Configuration: Match.objectLike({ S3ObjectKey: 'web.zip' }) })] }),
          Match.objectLike({
            Name: 'Deploy',
            Actions: [Match.objectLike({
              ActionTypeId: Match.objectLike({ Provider: 'CodeDeploy' }),
              Configuration: { ApplicationName: Match.anyValue(), DeploymentGroupName: { Ref: Match.stringLikeRegexp('^DeploymentDeploymentGroup') } },
            })],
          }),
        ],
      });
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^InstanceRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([Match.objectLike({
            Action: ['s3:GetObject', 's3:GetObjectVersion'],
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineArtifactsBucket'), 'Arn'] }, '/*']] },
          })]),
        },
      });
    });
  });

  describe('server-blue-green', () => {
    test('the fleet is replaced per revision and deployed blue/green from the group the custom resource keeps; no CloudFormation deployment group', () => {
      const t = Template.fromStack(new ServerBlueGreenStack(new App(), 'Example'));
      t.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 0);
      t.resourceCountIs('Custom::CodeDeployServerBlueGreenGroup', 1);
      t.hasResourceProperties('Custom::CodeDeployServerBlueGreenGroup', { AlarmNames: [Match.anyValue(), Match.anyValue(), { Ref: Match.stringLikeRegexp('^ServerErrors') }] });
      t.hasResourceProperties('Custom::CodeDeployDeployment', { BlueGreenFleet: Match.objectLike({ AutoScalingGroupName: { Ref: Match.stringLikeRegexp('^DeploymentFleetASG') } }) });
      t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { TargetGroupARNs: Match.absent(), NotificationConfigurations: Match.anyValue() });
    });
  });

  complianceSuite({
    'server-blue-green': (stack) =>
      new ServerBlueGreenStack(stack.node.root as App, 'BlueGreenExample', { env: { account: stack.account, region: stack.region } }),
    'server-pipeline': (stack) =>
      new ServerPipelineStack(stack.node.root as App, 'PipelineExample', { env: { account: stack.account, region: stack.region } }),
    'server-agent-v2': (stack) =>
      new ServerAgentV2Stack(stack.node.root as App, 'AgentV2Example', { env: { account: stack.account, region: stack.region } }),
    'server-in-place': (stack) =>
      new ServerInPlaceStack(stack.node.root as App, 'ServerExample', { env: { account: stack.account, region: stack.region } }),
    'lambda-canary': (stack) =>
      new LambdaCanaryStack(stack.node.root as App, 'Example', { env: { account: stack.account, region: stack.region } }),
    'ecs-blue-green': (stack) =>
      new EcsBlueGreenStack(stack.node.root as App, 'EcsExample', { env: { account: stack.account, region: stack.region } }),
    'ecs-native': (stack) =>
      new EcsNativeStack(stack.node.root as App, 'EcsNativeExample', { env: { account: stack.account, region: stack.region } }),
    'ecs-existing-service': (stack) =>
      new EcsExistingServiceStack(stack.node.root as App, 'EcsExistingExample', SAMPLE_EXISTING, { env: { account: stack.account, region: stack.region } }),
  });

  test('the README\'s sample output of the main command shows the resources each example synthesizes today', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    // "pass*": a cfn-lint finding accepted as schema lag (scripts/cfn-lint.ts), printed below the table.
    const rows = [...readme.matchAll(/^(\S+)\s+(\S+Example)\s+(\d+)\s+pass\s+pass\*?\s+pass$/gm)].map((m) => [m[1], m[2], Number(m[3])] as const);
    const stacks: Record<string, (app: App, id: string) => Stack> = {
      'ecs-blue-green': (app, id) => new EcsBlueGreenStack(app, id),
      'ecs-existing-service': (app, id) => new EcsExistingServiceStack(app, id, SAMPLE_EXISTING),
      'ecs-native': (app, id) => new EcsNativeStack(app, id),
      'lambda-canary': (app, id) => new LambdaCanaryStack(app, id),
      'server-agent-v2': (app, id) => new ServerAgentV2Stack(app, id),
      'server-blue-green': (app, id) => new ServerBlueGreenStack(app, id),
      'server-in-place': (app, id) => new ServerInPlaceStack(app, id),
      'server-pipeline': (app, id) => new ServerPipelineStack(app, id),
    };
    expect(rows.map(([example]) => example)).toEqual(Object.keys(stacks));
    for (const [example, stack, resources] of rows) {
      const template = Template.fromStack(stacks[example](new App(), stack)).toJSON();
      expect(`${example} ${stack} ${Object.keys(template.Resources).length}`).toBe(`${example} ${stack} ${resources}`);
    }
  });
});
