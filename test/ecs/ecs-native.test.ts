import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  BlueGreenLoadBalancerType,
  DeploymentEvent,
  DeploymentSource,
  DeploymentState,
  EcsDeployment,
  EcsDeploymentEngine,
  EcsDeploymentProps,
  HttpCheckTarget,
  LifecycleHook,
} from '../../src';
import { EMERGENCY_CONTEXT } from '../../src/private/emergency';
import { complianceSuite, testStack, TEST_ENV } from '../harness';
import { acknowledgeTrafficChoices, acknowledgeUserChoice, ecsFixture, secureTopic, userFunction } from '../util';

/**
 * `EcsDeployment` with the ECS engine (issue 17): ECS's own blue/green, linear and canary
 * deployments behind the same props. Checked against what decides at deploy time: CloudFormation's
 * AWS::ECS::Service schema (through cfn-lint, in the compliance suite), the Service Authorization
 * Reference (the infrastructure and hook roles), cdk-nag.
 */

function deploy(stack: Stack, props: Partial<EcsDeploymentProps> = {}): EcsDeployment {
  const { cluster, taskDefinition } = ecsFixture(stack);
  return new EcsDeployment(stack, 'Web', { cluster, taskDefinition, engine: EcsDeploymentEngine.ECS, ...props });
}

const service = (t: Template) => Object.values(t.findResources('AWS::ECS::Service'))[0] as any;

describe('EcsDeployment with the ECS engine', () => {
  test('defaults: the ECS controller, CodeDeploy\'s default canary as ECS\'s (10 % for 5 minutes), 5 minutes of bake time, rollback on the default alarms', () => {
    const stack = testStack();
    const dep = deploy(stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentController: { Type: 'ECS' },
      DeploymentConfiguration: Match.objectLike({
        Strategy: 'CANARY',
        CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 5 },
        BakeTimeInMinutes: 5,
        Alarms: { AlarmNames: [Match.anyValue(), Match.anyValue()], Enable: true, Rollback: true },
      }),
    });
    expect(dep.engine).toBe(EcsDeploymentEngine.ECS);
    expect(dep.defaultAlarms).toHaveLength(2);
    expect(dep.alarms).toHaveLength(2);
    // No CodeDeploy resource and no deployment trigger: CloudFormation's service update deploys.
    expect(Object.keys(t.toJSON().Resources).filter((k) => /CodeDeploy::|Custom::CodeDeployDeployment/.test(t.toJSON().Resources[k].Type))).toEqual([]);
    expect(dep.deploymentGroup).toBeUndefined();
    expect(dep.application).toBeUndefined();
    expect(dep.appSpec).toBeUndefined();
    expect(dep.trigger).toBeUndefined();
    expect(() => dep.role).toThrow(/uses the ECS engine, which has no CodeDeploy service role/);
  });

  test('notifications and onDeploymentStateChange: EventBridge rules on ECS\'s deployment events of this service; the circuit breaker on (ECS sends FAILED only with it)', () => {
    const stack = testStack();
    const topic = secureTopic(stack, 'Topic');
    const dep = deploy(stack, { notifications: [{ topic, events: [DeploymentEvent.DEPLOYMENT_FAILURE, DeploymentEvent.DEPLOYMENT_SUCCESS] }] });
    dep.onDeploymentStateChange('Starts', { states: [DeploymentState.START], target: new targets.SnsTopic(topic) });
    const t = Template.fromStack(stack);
    const serviceRef = { Ref: stack.getLogicalId(dep.service.node.defaultChild as any) };
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.ecs'],
        'detail-type': ['ECS Deployment State Change'],
        'resources': [serviceRef],
        'detail': { eventName: ['SERVICE_DEPLOYMENT_FAILED', 'SERVICE_DEPLOYMENT_COMPLETED'] },
      },
      Targets: [Match.objectLike({ Arn: { Ref: stack.getLogicalId(topic.node.defaultChild as any) } })],
    });
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ detail: { eventName: ['SERVICE_DEPLOYMENT_IN_PROGRESS'] } }) });
    // EventBridge may publish to the topic and use its key.
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Principal: { Service: 'events.amazonaws.com' } })]) },
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Principal: { Service: 'events.amazonaws.com' } })]) },
    });
    t.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ DeploymentCircuitBreaker: { Enable: true, Rollback: true } }) });
    expect(() => dep.onDeploymentStateChange('Stops', { states: [DeploymentState.STOP] })).toThrow(/uses the ECS engine, whose deployment events have no STOP state; use START, SUCCESS or FAILURE/);
  });

  test('the Application Load Balancer\'s traffic goes through a rule on each listener (ECS re-weights rules); the green group is the alternate target', () => {
    const stack = testStack();
    const dep = deploy(stack);
    const t = Template.fromStack(stack);
    const rules = t.findResources('AWS::ElasticLoadBalancingV2::ListenerRule');
    expect(Object.keys(rules)).toHaveLength(2);
    for (const rule of Object.values(rules) as any[]) {
      expect(rule.Properties.Priority).toBe(1);
      expect(rule.Properties.Conditions).toEqual([{ Field: 'path-pattern', PathPatternConfig: { Values: ['*'] } }]);
      // Forwarding to what the listener reader finds serves traffic now (never back to an idle group).
      expect(rule.Properties.Actions[0].TargetGroupArn['Fn::GetAtt'][0]).toMatch(/LiveTargetGroups/);
    }
    const lb = service(t).Properties.LoadBalancers[0];
    expect(lb.TargetGroupArn).toEqual({ Ref: stack.getLogicalId(dep.blueTargetGroup.node.defaultChild as any) });
    expect(lb.AdvancedConfiguration).toEqual({
      AlternateTargetGroupArn: { Ref: stack.getLogicalId(dep.greenTargetGroup.node.defaultChild as any) },
      ProductionListenerRule: { Ref: stack.getLogicalId(dep.listeners.productionListenerRule!.node.defaultChild as any) },
      TestListenerRule: { Ref: stack.getLogicalId(dep.listeners.testListenerRule!.node.defaultChild as any) },
      RoleArn: { 'Fn::GetAtt': [stack.getLogicalId(dep.listeners.infrastructureRole!.node.defaultChild as any), 'Arn'] },
    });
    // The reader reads the rules, and its properties carry theirs (any change re-reads first).
    t.hasResourceProperties('Custom::CodeDeployLiveTargetGroups', {
      RulePriority: 1,
      ProductionRule: { Conditions: Match.anyValue(), Priority: 1 },
      TestRule: { Conditions: Match.anyValue(), Priority: 1 },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'elasticloadbalancing:DescribeRules', Resource: '*' })]) },
    });
  });

  test('without a test listener the production rule names both target groups (blue 1, green 0), as ECS requires, and both follow the reading', () => {
    const stack = testStack();
    const dep = deploy(stack, { traffic: { testListener: false } });
    const t = Template.fromStack(stack);
    const rules = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')) as any[];
    expect(rules).toHaveLength(1);
    const reading = Object.keys(t.findResources('Custom::CodeDeployLiveTargetGroups'))[0];
    expect(rules[0].Properties.Actions).toEqual([{
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: { 'Fn::GetAtt': [reading, 'ProductionTargetGroupArn'] }, Weight: 1 },
          { TargetGroupArn: { 'Fn::GetAtt': [reading, 'TestTargetGroupArn'] }, Weight: 0 },
        ],
      },
    }]);
    expect(service(t).Properties.LoadBalancers[0].AdvancedConfiguration).toEqual({
      AlternateTargetGroupArn: { Ref: stack.getLogicalId(dep.greenTargetGroup.node.defaultChild as any) },
      ProductionListenerRule: { Ref: stack.getLogicalId(dep.listeners.productionListenerRule!.node.defaultChild as any) },
      RoleArn: { 'Fn::GetAtt': [stack.getLogicalId(dep.listeners.infrastructureRole!.node.defaultChild as any), 'Arn'] },
    });
  });

  test('the infrastructure role (in place of AmazonECSInfrastructureRolePolicyForLoadBalancers): exactly these rules and target groups', () => {
    const stack = testStack();
    const dep = deploy(stack);
    const t = Template.fromStack(stack);
    const roleId = stack.getLogicalId(dep.listeners.infrastructureRole!.node.defaultChild as any);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId)) as any;
    const ref = (c: any) => ({ Ref: stack.getLogicalId(c.node.defaultChild) });
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      {
        Action: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'],
        Effect: 'Allow',
        Resource: '*',
      },
      { Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'], Effect: 'Allow', Resource: [ref(dep.blueTargetGroup), ref(dep.greenTargetGroup)] },
      { Action: 'elasticloadbalancing:ModifyRule', Effect: 'Allow', Resource: [ref(dep.listeners.productionListenerRule), ref(dep.listeners.testListenerRule)] },
    ]);
    // ECS validates the role and the rules when it creates the service.
    const dependsOn: string[] = service(t).DependsOn;
    expect(dependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/EcsInfrastructureRoleDefaultPolicy/)]));
    // Never what a reference already enforces (cfn-lint W3005): the role, the rules.
    expect(dependsOn).not.toContain(roleId);
    expect(dependsOn.filter((d) => /Rule/.test(d))).toEqual([]);
  });

  test('a Network Load Balancer without a test listener: the production listener names both target groups (weighted 1 / 0), following the reading', () => {
    const stack = testStack();
    deploy(stack, { traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK, testListener: false } });
    const t = Template.fromStack(stack);
    const reading = Object.keys(t.findResources('Custom::CodeDeployLiveTargetGroups'))[0];
    const listeners = Object.values(t.findResources('AWS::ElasticLoadBalancingV2::Listener')) as any[];
    expect(listeners).toHaveLength(1);
    expect(listeners[0].Properties.DefaultActions).toEqual([{
      Type: 'forward',
      ForwardConfig: {
        TargetGroups: [
          { TargetGroupArn: { 'Fn::GetAtt': [reading, 'ProductionTargetGroupArn'] }, Weight: 1 },
          { TargetGroupArn: { 'Fn::GetAtt': [reading, 'TestTargetGroupArn'] }, Weight: 0 },
        ],
      },
    }]);
    // The CodeDeploy engine keeps a plain forward (CodeDeploy names the pair in its deployment group).
    const other = testStack('us-east-1', 'Other');
    const { cluster, taskDefinition } = ecsFixture(other);
    new EcsDeployment(other, 'Web', { cluster, taskDefinition, traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK, testListener: false } });
    const plain = Object.values(Template.fromStack(other).findResources('AWS::ElasticLoadBalancingV2::Listener')) as any[];
    expect(plain[0].Properties.DefaultActions).toEqual([{ Type: 'forward', TargetGroupArn: { 'Fn::GetAtt': [expect.stringMatching(/LiveTargetGroups/), 'ProductionTargetGroupArn'] } }]);
  });

  test('a Network Load Balancer: ECS shifts the listeners themselves (ModifyListener on them), no rules; linear and canary are allowed', () => {
    const stack = testStack();
    const dep = deploy(stack, {
      traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK },
      deploymentConfig: codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_3MINUTES,
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'LINEAR', LinearConfiguration: { StepPercent: 10, StepBakeTimeInMinutes: 3 } }),
      LoadBalancers: [Match.objectLike({
        AdvancedConfiguration: Match.objectLike({
          ProductionListenerRule: { Ref: stack.getLogicalId(dep.productionListener.node.defaultChild as any) },
        }),
      })],
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'elasticloadbalancing:ModifyListener' })]) },
    });
  });

  test.each<[string, codedeploy.IEcsDeploymentConfig, Record<string, unknown>]>([
    ['ALL_AT_ONCE', codedeploy.EcsDeploymentConfig.ALL_AT_ONCE, { Strategy: 'BLUE_GREEN' }],
    ['LINEAR_10PERCENT_EVERY_1MINUTES', codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTES, { Strategy: 'LINEAR', LinearConfiguration: { StepPercent: 10, StepBakeTimeInMinutes: 1 } }],
    ['CANARY_10PERCENT_15MINUTES', codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_15MINUTES, { Strategy: 'CANARY', CanaryConfiguration: { CanaryPercent: 10, CanaryBakeTimeInMinutes: 15 } }],
  ])('deploymentConfig %s is ECS\'s strategy with the same steps', (_name, deploymentConfig, expected) => {
    const stack = testStack();
    deploy(stack, { deploymentConfig, blueGreen: { terminationWaitTime: Duration.minutes(30) } });
    Template.fromStack(stack).hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ ...expected, BakeTimeInMinutes: 30 }) });
  });

  test('hooks are ECS lifecycle hooks at the matching stages, invoked with a role that may invoke exactly them; no CodeDeploy permission', () => {
    const stack = testStack();
    const smoke = userFunction(stack, 'Smoke');
    const dep = deploy(stack, {
      hooks: {
        afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener(), path: '/health' }),
        beforeAllowTraffic: LifecycleHook.fromFunction(smoke),
        afterAllowTraffic: LifecycleHook.deploymentGroupAlarmCheck(),
      },
    });
    // An alarm added after construction rolls back too, and the alarm check may read it.
    const later = new cloudwatch.Alarm(stack, 'Later', { metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 });
    dep.addAlarm(later);
    const t = Template.fromStack(stack);
    const hooks = service(t).Properties.DeploymentConfiguration.LifecycleHooks;
    expect(hooks.map((h: any) => h.LifecycleStages)).toEqual([['POST_TEST_TRAFFIC_SHIFT'], ['POST_TEST_TRAFFIC_SHIFT'], ['POST_PRODUCTION_TRAFFIC_SHIFT']]);
    expect(hooks[1].HookTargetArn).toEqual({ 'Fn::GetAtt': [stack.getLogicalId(smoke.node.defaultChild as any), 'Arn'] });
    const roleArn = hooks[0].RoleArn;
    expect(hooks.every((h: any) => JSON.stringify(h.RoleArn) === JSON.stringify(roleArn))).toBe(true);
    const roleId = roleArn['Fn::GetAtt'][0];
    t.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] } });
    const invoke = Object.values(t.findResources('AWS::IAM::Policy')).filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId)) as any[];
    const actions = invoke.flatMap((p) => p.Properties.PolicyDocument.Statement.map((s: any) => s.Action));
    expect(new Set(actions.flat())).toEqual(new Set(['lambda:InvokeFunction']));
    expect(JSON.stringify(t.toJSON())).not.toContain('codedeploy:');
    // The alarm check gets the service's alarms in its hook details (added ones too) and may describe exactly them; no call on the service.
    const after = t;
    expect(hooks[2].HookDetails).toEqual({
      alarmNames: [expect.anything(), expect.anything(), { Ref: stack.getLogicalId(later.node.defaultChild as any) }],
      alarmsEnabled: true,
    });
    expect(hooks[0].HookDetails).toBeUndefined();
    expect(JSON.stringify(t.toJSON())).not.toContain('ecs:DescribeServices');
    const alarmReads = JSON.stringify(Object.values(after.findResources('AWS::IAM::Policy')).filter((p: any) => JSON.stringify(p).includes('cloudwatch:DescribeAlarms')));
    expect(alarmReads).toContain(stack.getLogicalId(later.node.defaultChild as any));
    expect(service(after).Properties.DeploymentConfiguration.Alarms.AlarmNames).toHaveLength(3);
  });

  test.each<[string, Partial<EcsDeploymentProps>, RegExp]>([
    ['deploymentGroupName', { deploymentGroupName: 'web' }, /deploymentGroupName exists only with engine CODE_DEPLOY \(the ECS engine creates no deployment group\)/],
    ['autoRollback', { autoRollback: { failedDeployment: true } }, /autoRollback exists only with engine CODE_DEPLOY \(ECS rolls back on a failed hook or an alarm, always\)/],
    ['deploymentTimeout', { deploymentTimeout: Duration.minutes(20) }, /deploymentTimeout exists only with engine CODE_DEPLOY/],
    ['blueGreen.waitForTermination', { blueGreen: { waitForTermination: true } }, /blueGreen.waitForTermination exists only with engine CODE_DEPLOY/],
    ['blueGreen.deploymentApprovalWaitTime', { blueGreen: { deploymentApprovalWaitTime: Duration.minutes(30) } }, /deploymentApprovalWaitTime exists only with engine CODE_DEPLOY \(ECS's approval is a PAUSE hook, which CloudFormation's AWS::ECS::Service schema does not have yet\)/],
    ['deploymentSource PIPELINE', { deploymentSource: DeploymentSource.PIPELINE }, /deploymentSource PIPELINE exists only with engine CODE_DEPLOY/],
    ['useAwsManagedPolicy', { useAwsManagedPolicy: true }, /useAwsManagedPolicy exists only with engine CODE_DEPLOY/],
    ['ignorePollAlarmsFailure', { ignorePollAlarmsFailure: true }, /ignorePollAlarmsFailure exists only with engine CODE_DEPLOY/],
    ['a bake time over CloudFormation\'s 1440 minutes', { blueGreen: { terminationWaitTime: Duration.minutes(2000) } }, /terminationWaitTime is ECS's bake time .* at most 1440 minutes .*received 2000 minutes/],
  ])('%s is an error with the ECS engine, naming the engine that has it', (_name, props, message) => {
    expect(() => deploy(testStack(), props)).toThrow(message);
  });

  test('CodeDeploy-only objects (application, role, notifications, a custom configuration) are errors too', () => {
    const stack = testStack();
    const application = new codedeploy.EcsApplication(stack, 'App');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com') });
    const custom = new codedeploy.EcsDeploymentConfig(stack, 'Custom', {
      trafficRouting: codedeploy.TrafficRouting.timeBasedLinear({ interval: Duration.minutes(2), percentage: 25 }),
    });
    const topic = secureTopic(stack, 'Topic');
    expect(() => deploy(stack, {
      application,
      role,
      deploymentConfig: custom,
      notifications: [{ topic, events: [DeploymentEvent.DEPLOYMENT_SUCCESS, DeploymentEvent.DEPLOYMENT_STOP, DeploymentEvent.INSTANCE_FAILURE] }],
    })).toThrow(
      /application exists only with engine CODE_DEPLOY[\s\S]*role exists only with engine CODE_DEPLOY[\s\S]*notifications\[0\] has DeploymentStop, InstanceFailure, which ECS does not send[\s\S]*deploymentConfig .* is a custom CodeDeploy configuration; the ECS engine takes CodeDeploy's predefined ECS configurations/,
    );
  });

  test('the emergency switch: all at once (BLUE_GREEN), no hooks, alarms listed but ignored, a warning', () => {
    const expires = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const app = new App({ context: { [EMERGENCY_CONTEXT]: `reason=INC-4711 payments down;expires=${expires}` } });
    const stack = new Stack(app, 'Shop', { env: TEST_ENV });
    deploy(stack, { hooks: { afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener(), path: '/health' }) } });
    const t = Template.fromStack(stack);
    const config = service(t).Properties.DeploymentConfiguration;
    expect(config.Strategy).toBe('BLUE_GREEN');
    expect(config.LifecycleHooks).toBeUndefined();
    expect(config.Alarms.AlarmNames).toHaveLength(2);
    expect(config.Alarms).toMatchObject({ Enable: false, Rollback: true });
    Annotations.fromStack(stack).hasWarning('/Shop/Web', Match.stringLikeRegexp('EMERGENCY DEPLOYMENT.*deploys all at once \\(BLUE_GREEN\\), runs no lifecycle hooks and ignores its alarms'));
  });
});

complianceSuite({
  'ECS engine, Application Load Balancer, hooks': (stack) => {
    const dep = deploy(stack, {
      hooks: {
        afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener(), path: '/health' }),
        afterAllowTraffic: LifecycleHook.deploymentGroupAlarmCheck(),
      },
    });
    acknowledgeTrafficChoices(dep);
  },
  'ECS engine, no test listener (a weighted production rule)': (stack) => {
    const dep = deploy(stack, { traffic: { testListener: false } });
    acknowledgeTrafficChoices(dep);
    acknowledgeUserChoice(dep, 'no test listener', 'CodeDeploy-CD5');
  },
  'ECS engine, Network Load Balancer without a test listener (a weighted listener)': (stack) => {
    const dep = deploy(stack, { traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK, testListener: false } });
    acknowledgeTrafficChoices(dep);
    acknowledgeUserChoice(dep, 'no test listener', 'CodeDeploy-CD5');
  },
  'ECS engine, notifications to an encrypted topic': (stack) => {
    const dep = deploy(stack, { notifications: [{ topic: secureTopic(stack, 'Topic'), events: [DeploymentEvent.DEPLOYMENT_FAILURE] }] });
    acknowledgeTrafficChoices(dep);
  },
  'ECS engine, Network Load Balancer, linear': (stack) => {
    const dep = deploy(stack, {
      traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK },
      deploymentConfig: codedeploy.EcsDeploymentConfig.LINEAR_10PERCENT_EVERY_1MINUTES,
    });
    acknowledgeTrafficChoices(dep);
  },
});
