import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EcsDeployment, LambdaDeployment, LifecycleHook, ServerDeployment, ServerLoadBalancer, ServerRevision } from '../../src';
import { testStack } from '../harness';
import { ecsFixture, serverFixture, userFunction } from '../util';
import { checkTemplate } from './reference';

/**
 * The permission defects found by checking synthesized templates against AWS's Service
 * Authorization Reference and the user guide, each with the test that would have caught it.
 */

const WEB = path.join(__dirname, '..', '..', 'examples', 'server-in-place', 'web');

/** Every action of the statements of the policies attached to one role. */
function actionsOf(t: Template, roleId: RegExp): string[] {
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p: any) => roleId.test(JSON.stringify(p.Properties.Roles)))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement.flatMap((s: any) => [].concat(s.Action)));
}

function alarm(stack: Stack, id: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(stack, id, { metric: new cloudwatch.Metric({ namespace: 'App', metricName: id }), threshold: 1, evaluationPeriods: 1 });
}

describe('a role of the user', () => {
  test('ECS: a plain iam.Role gets every platform statement (was 1 action)', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com') });
    const { cluster, taskDefinition } = ecsFixture(stack);
    new EcsDeployment(stack, 'Dep', { cluster, taskDefinition, role });
    const t = Template.fromStack(stack);
    expect(actionsOf(t, /MyRole/).sort()).toEqual([
      'cloudwatch:DescribeAlarms',
      'ecs:CreateTaskSet', 'ecs:DeleteTaskSet', 'ecs:DescribeServices', 'ecs:UpdateServicePrimaryTaskSet',
      'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups',
      'elasticloadbalancing:ModifyListener', 'elasticloadbalancing:ModifyRule',
      'iam:PassRole',
    ]);
    expect(checkTemplate(t.toJSON())).toEqual([]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('immutableServiceRole'));
  });

  test('Server: a plain iam.Role gets every platform statement (was 0 actions)', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'MyRole', { assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com') });
    const fixture = serverFixture(stack);
    new ServerDeployment(stack, 'Dep', {
      revision: ServerRevision.fromDirectory(WEB),
      autoScalingGroups: [fixture.asg],
      loadBalancers: [ServerLoadBalancer.application(fixture.targetGroup)],
      role,
    });
    const t = Template.fromStack(stack);
    const actions = actionsOf(t, /MyRole/);
    for (const a of [
      'autoscaling:DescribeAutoScalingGroups', 'autoscaling:PutLifecycleHook', 'autoscaling:CompleteLifecycleAction',
      'elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets', 'ec2:RunInstances', 'iam:PassRole',
      'cloudwatch:DescribeAlarms', 'tag:GetResources',
    ]) {
      expect(actions).toContain(a);
    }
    expect(checkTemplate(t.toJSON())).toEqual([]);
  });

  test.each([
    ['ECS', (stack: Stack, role: iam.IRole) => { const { cluster, taskDefinition } = ecsFixture(stack); new EcsDeployment(stack, 'Dep', { cluster, taskDefinition, role }); }, /ecs:DescribeServices, ecs:CreateTaskSet/],
    ['Server', (stack: Stack, role: iam.IRole) => { const f = serverFixture(stack); new ServerDeployment(stack, 'Dep', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [f.asg], role }); }, /autoscaling:PutLifecycleHook/],
    ['Lambda', (stack: Stack, role: iam.IRole) => { new LambdaDeployment(stack, 'Dep', { lambdaFunction: userFunction(stack, 'Fn'), role }); }, /lambda:GetAlias, lambda:UpdateAlias/],
  ])('%s: an immutable role warns (acknowledgeable) with what it must allow', (_name, build, what) => {
    const stack = testStack();
    const role = iam.Role.fromRoleArn(stack, 'Imported', 'arn:aws:iam::123456789012:role/deployer', { mutable: false });
    build(stack, role);
    Annotations.fromStack(stack).hasWarning('/TestStack/Dep', Match.stringLikeRegexp('cannot be changed by this app'));
    const messages = Annotations.fromStack(stack).findWarning('/TestStack/Dep', Match.anyValue()).map((w) => String(w.entry.data));
    expect(messages.join('\n')).toMatch(what);
    expect(messages.join('\n')).toMatch(/\[ack: cdk-codedeploy-patterns:immutableServiceRole\]/);
  });
});

describe('useAwsManagedPolicy with a launch-template Auto Scaling group', () => {
  test('adds ec2:RunInstances, ec2:CreateTags and iam:PassRole, which AWSCodeDeployRole lacks (user guide)', () => {
    const stack = testStack();
    const fixture = serverFixture(stack);
    new ServerDeployment(stack, 'Dep', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [fixture.asg], useAwsManagedPolicy: true });
    const t = Template.fromStack(stack);
    const actions = actionsOf(t, /CodeDeployPatternsServerManagedServiceRole|ServerServiceRole/);
    expect(actions).toEqual(expect.arrayContaining(['ec2:RunInstances', 'ec2:CreateTags', 'iam:PassRole']));
    // Nothing else inline: the managed policy carries the rest.
    expect(actions).not.toContain('autoscaling:PutLifecycleHook');
  });
});

describe('escape hatches grant', () => {
  test('Lambda: deploymentGroup.addAlarm() and addPreHook() let the service role read and invoke them, and the alias waits for the hook', () => {
    const stack = testStack();
    const dep = new LambdaDeployment(stack, 'Dep', { lambdaFunction: userFunction(stack, 'Fn'), hooks: { afterAllowTraffic: LifecycleHook.none() } });
    const hook = userFunction(stack, 'LateHook');
    dep.deploymentGroup.addAlarm(alarm(stack, 'LateAlarm'));
    dep.deploymentGroup.addPreHook(hook);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('LambdaServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'cloudwatch:DescribeAlarms', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('LateAlarm'), 'Arn'] } }),
          Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('LateHook'), 'Arn'] } }),
        ]),
      },
    });
    const alias = Object.values(t.findResources('AWS::Lambda::Alias'))[0] as any;
    // The alias waits for the hook through its UpdatePolicy's Ref (a DependsOn as well would be redundant: cfn-lint W3005).
    expect(alias.UpdatePolicy.CodeDeployLambdaAliasUpdate.BeforeAllowTrafficHook).toEqual({ Ref: expect.stringMatching(/^LateHook/) });
  });

  test('the patterns\' addAlarm() grants the same way (ECS, Server)', () => {
    const stack = testStack();
    const { cluster, taskDefinition } = ecsFixture(stack);
    const ecsDep = new EcsDeployment(stack, 'Ecs', { cluster, taskDefinition });
    ecsDep.addAlarm(alarm(stack, 'EcsLate'));
    ecsDep.deploymentGroup!.addAlarm(alarm(stack, 'EcsLater'));
    const t = Template.fromStack(stack);
    const granted = JSON.stringify(Object.values(t.findResources('AWS::IAM::Policy')));
    expect(granted).toMatch(/"EcsLate[0-9A-F]{8}","Arn"/);
    expect(granted).toMatch(/"EcsLater[0-9A-F]{8}","Arn"/);

    const stack2 = testStack();
    const f = serverFixture(stack2);
    const serverDep = new ServerDeployment(stack2, 'Srv', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [f.asg] });
    serverDep.addAlarm(alarm(stack2, 'SrvLate'));
    const second = new autoscaling.AutoScalingGroup(stack2, 'Second', {
      vpc: f.vpc,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    });
    serverDep.deploymentGroup.addAutoScalingGroup(second);
    const t2 = Template.fromStack(stack2);
    const granted2 = JSON.stringify(Object.values(t2.findResources('AWS::IAM::Policy')));
    expect(granted2).toMatch(/"SrvLate[0-9A-F]{8}","Arn"/);
    // Lifecycle hooks on the added group too, by its name.
    const hookStatements = Object.values(t2.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => [].concat(st.Action).includes('autoscaling:PutLifecycleHook' as never));
    expect(JSON.stringify(hookStatements)).toMatch(/autoScalingGroupName\/",\{"Ref":"SecondASG[0-9A-F]{8}"\}/);
  });
});

describe('Lambda: the deployment runs after its permissions exist', () => {
  test('the alias (whose update runs the deployment) depends on every policy the deployment uses, and no policy refers to the alias', () => {
    const stack = testStack();
    new LambdaDeployment(stack, 'Dep', {
      lambdaFunction: userFunction(stack, 'Fn'),
      hooks: {
        beforeAllowTraffic: LifecycleHook.invokeCheck(),
      },
      alarms: [alarm(stack, 'UserAlarm')],
    });
    const t = Template.fromStack(stack).toJSON();
    const [aliasId, alias] = Object.entries(t.Resources).find(([, r]: any) => r.Type === 'AWS::Lambda::Alias') as [string, any];
    const policies = Object.entries(t.Resources).filter(([, r]: any) => r.Type === 'AWS::IAM::Policy');
    const deploymentPolicies = policies.filter(([id]) => /ServiceRole|HookRole|TrafficHook|^CodeDeployPatternsHooks\w+Role/.test(id)).map(([id]) => id);
    expect(deploymentPolicies.length).toBeGreaterThanOrEqual(3); // service role, pre- and post-traffic hook roles
    for (const id of deploymentPolicies) {
      // Directly, or through a hook function it depends on or refers to (whose own DependsOn holds its role's policy).
      const direct = alias.DependsOn.includes(id);
      const aliasJson = JSON.stringify(alias);
      const viaFunction = Object.entries<any>(t.Resources).some(([fnId, r]) => r.Type === 'AWS::Lambda::Function'
        && (alias.DependsOn.includes(fnId) || aliasJson.includes(JSON.stringify({ Ref: fnId })))
        && (r.DependsOn ?? []).includes(id));
      expect({ id, ordered: direct || viaFunction }).toEqual({ id, ordered: true });
    }
    for (const [id, policy] of policies) {
      expect({ id, refersToAlias: JSON.stringify(policy).includes(aliasId) }).toEqual({ id, refersToAlias: false });
    }
  });
});
