import { App, CfnResource, Lazy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CodeDeployChecks, EcsDeployment, LambdaDeployment, ServerDeployment, ServerRevision } from '../../src';
import { testStack } from '../harness';
import { ecsFixture, serverFixture, userFunction } from '../util';

/**
 * CodeDeployChecks on plain aws-cdk-lib L2 and L1 resources: each rule with a compliant and a
 * non-compliant case, acknowledgements, and our patterns with zero findings.
 */

/** Rule IDs found, with the construct path, e.g. `CodeDeploy-CD1 Group/Resource`. */
function findings(stack: Stack): string[] {
  const report = new CodeDeployChecks().validateScope(stack);
  return report.violations
    .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${(r.constructPath ?? '').replace(`${stack.node.path}/`, '')}`))
    .sort();
}

const rules = (stack: Stack) => [...new Set(findings(stack).map((f) => f.split(' ')[0]))].sort();

function alarm(stack: Stack, id = 'Errors'): cloudwatch.Alarm {
  return new cloudwatch.Alarm(stack, id, { metric: new cloudwatch.Metric({ namespace: 'App', metricName: id }), threshold: 1, evaluationPeriods: 1 });
}

function codeDeployRole(stack: Stack, conditions = true): iam.Role {
  const principal = new iam.ServicePrincipal('codedeploy.amazonaws.com');
  return new iam.Role(stack, 'Role', {
    assumedBy: conditions
      ? principal.withConditions({ StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': `arn:aws:codedeploy:${stack.region}:${stack.account}:deploymentgroup:app/*` } })
      : principal,
  });
}

/** An L1 ECS blue/green deployment group with the given overrides. */
function ecsGroup(stack: Stack, overrides: Record<string, unknown> = {}): codedeploy.CfnDeploymentGroup {
  const role = codeDeployRole(stack);
  return new codedeploy.CfnDeploymentGroup(stack, 'Group', {
    applicationName: 'app',
    serviceRoleArn: role.roleArn,
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    ecsServices: [{ clusterName: 'c', serviceName: 's' }],
    alarmConfiguration: { enabled: true, alarms: [{ name: 'errors' }] },
    autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
    blueGreenDeploymentConfiguration: {
      deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
      terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 10 },
    },
    loadBalancerInfo: {
      targetGroupPairInfoList: [{
        targetGroups: [{ name: 'blue' }, { name: 'green' }],
        prodTrafficRoute: { listenerArns: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/2'] },
        testTrafficRoute: { listenerArns: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/3'] },
      }],
    },
    ...overrides,
  });
}

describe('CodeDeployChecks', () => {
  test('a plain aws-cdk-lib LambdaDeploymentGroup with its defaults: no alarms, no hooks, managed policy, unconditioned trust', () => {
    const stack = testStack();
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    new codedeploy.LambdaDeploymentGroup(stack, 'Group', { alias: new lambda.Alias(stack, 'Alias', { aliasName: 'live', version: fn.currentVersion }) });
    expect(findings(stack)).toEqual([
      'CodeDeploy-CD1 Group/Resource',
      'CodeDeploy-CD6 Alias/Resource',
      'CodeDeploy-CD7 Group/ServiceRole/Resource',
      'CodeDeploy-CD8 Group/ServiceRole/Resource',
    ]);
  });

  test('the same group written carefully: alarms with rollback, a hook, a scoped role with conditions: no findings', () => {
    const stack = testStack();
    const fn = userFunction(stack, 'Fn');
    const hook = userFunction(stack, 'Hook');
    const role = codeDeployRole(stack);
    const group = new codedeploy.LambdaDeploymentGroup(stack, 'Group', {
      alias: new lambda.Alias(stack, 'Alias', { aliasName: 'live', version: fn.currentVersion }),
      role: role.withoutPolicyUpdates(),
      alarms: [alarm(stack)],
      postHook: hook,
    });
    hook.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'], resources: [group.deploymentGroupArn] }));
    expect(findings(stack)).toEqual([]);
  });

  test('CD1: no alarms, or alarms turned off', () => {
    const stack = testStack();
    ecsGroup(stack, { alarmConfiguration: { enabled: false, alarms: [{ name: 'errors' }] } });
    expect(rules(stack)).toEqual(['CodeDeploy-CD1']);
    const ok = testStack();
    ecsGroup(ok);
    expect(findings(ok)).toEqual([]);
  });

  test('the rules read the typed L1 properties as synthesized: a property set after creation or a Lazy counts, a bare CfnResource is not seen', () => {
    const stack = testStack();
    const group = ecsGroup(stack);
    group.alarmConfiguration = Lazy.any({ produce: () => ({ enabled: false, alarms: [] }) });
    new CfnResource(stack, 'Bare', { type: 'AWS::CodeDeploy::DeploymentGroup', properties: { ApplicationName: 'app', ServiceRoleArn: 'arn:aws:iam::123456789012:role/r' } });
    expect(findings(stack)).toEqual(['CodeDeploy-CD1 Group']);
  });

  test('CD2: no rollback, rollback off, or rollback without DEPLOYMENT_FAILURE', () => {
    for (const autoRollbackConfiguration of [undefined, { enabled: false, events: ['DEPLOYMENT_FAILURE'] }, { enabled: true, events: ['DEPLOYMENT_STOP_ON_ALARM'] }]) {
      const stack = testStack();
      ecsGroup(stack, { autoRollbackConfiguration });
      expect(rules(stack)).toContain('CodeDeploy-CD2');
    }
    const stack = testStack();
    // aws-cdk-lib attaches its managed policy to a role it may change; an immutable view avoids CD7.
    const role = codeDeployRole(stack).withoutPolicyUpdates();
    new codedeploy.ServerDeploymentGroup(stack, 'Server', { role, alarms: [alarm(stack)], autoRollback: { failedDeployment: false } });
    expect(rules(stack)).toEqual(['CodeDeploy-CD2']);
  });

  test('CD3: alarms without DEPLOYMENT_STOP_ON_ALARM (not applicable without alarms)', () => {
    const stack = testStack();
    ecsGroup(stack, { autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE'] } });
    expect(rules(stack)).toEqual(['CodeDeploy-CD3']);
    const l2 = testStack();
    new codedeploy.ServerDeploymentGroup(l2, 'Server', { role: codeDeployRole(l2).withoutPolicyUpdates(), alarms: [alarm(l2)], autoRollback: { deploymentInAlarm: false } });
    expect(rules(l2)).toEqual(['CodeDeploy-CD3']);
  });

  test('CD4: an ECS blue/green group without a test traffic route', () => {
    const stack = testStack();
    ecsGroup(stack, {
      loadBalancerInfo: {
        targetGroupPairInfoList: [{
          targetGroups: [{ name: 'blue' }, { name: 'green' }],
          prodTrafficRoute: { listenerArns: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/2'] },
        }],
      },
    });
    expect(rules(stack)).toEqual(['CodeDeploy-CD4']);
  });

  test('CD5: termination wait of zero, or no blue/green configuration; KEEP_ALIVE is fine', () => {
    for (const blueGreenDeploymentConfiguration of [
      { terminateBlueInstancesOnDeploymentSuccess: { action: 'TERMINATE', terminationWaitTimeInMinutes: 0 } },
      undefined,
    ]) {
      const stack = testStack();
      ecsGroup(stack, { blueGreenDeploymentConfiguration });
      expect(rules(stack)).toEqual(['CodeDeploy-CD5']);
    }
    const keep = testStack();
    ecsGroup(keep, { blueGreenDeploymentConfiguration: { terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' } } });
    expect(findings(keep)).toEqual([]);
  });

  test('CD6: an alias with the CodeDeploy update policy but no hook; aliases not deployed by CodeDeploy are not checked', () => {
    const stack = testStack();
    const fn = userFunction(stack, 'Fn');
    const alias = new lambda.Alias(stack, 'Alias', { aliasName: 'live', version: fn.currentVersion });
    new codedeploy.LambdaDeploymentGroup(stack, 'Group', { alias, role: codeDeployRole(stack).withoutPolicyUpdates(), alarms: [alarm(stack)] });
    new lambda.Alias(stack, 'Plain', { aliasName: 'plain', version: fn.currentVersion });
    expect(findings(stack)).toEqual(['CodeDeploy-CD6 Alias/Resource']);
  });

  test('CD7: each AWS managed CodeDeploy policy', () => {
    for (const name of ['service-role/AWSCodeDeployRole', 'service-role/AWSCodeDeployRoleForECS', 'AWSCodeDeployRoleForECSLimited', 'service-role/AWSCodeDeployRoleForLambda', 'service-role/AWSCodeDeployRoleForLambdaLimited']) {
      const stack = testStack();
      codeDeployRole(stack).addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(name));
      expect(rules(stack)).toEqual(['CodeDeploy-CD7']);
    }
    const other = testStack();
    codeDeployRole(other).addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));
    expect(findings(other)).toEqual([]);
  });

  test('CD8: trust of codedeploy.amazonaws.com (or a Regional principal) without source conditions; other services are not checked', () => {
    const stack = testStack();
    codeDeployRole(stack, false);
    new iam.Role(stack, 'Regional', { assumedBy: new iam.ServicePrincipal('codedeploy.us-east-1.amazonaws.com') });
    new iam.Role(stack, 'LambdaRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(findings(stack)).toEqual(['CodeDeploy-CD8 Regional/Resource', 'CodeDeploy-CD8 Role/Resource']);
  });

  test('CD9: the status call, codedeploy:*, codedeploy:Put* or * on every resource; on one group it is fine', () => {
    for (const action of ['codedeploy:PutLifecycleEventHookExecutionStatus', 'codedeploy:*', 'codedeploy:Put*', '*']) {
      const stack = testStack();
      new iam.Policy(stack, 'Policy', {
        statements: [new iam.PolicyStatement({ actions: [action], resources: ['*'] })],
        roles: [new iam.Role(stack, 'Hook', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') })],
      });
      expect(rules(stack)).toEqual(['CodeDeploy-CD9']);
    }
    const inline = testStack();
    new iam.Role(inline, 'Hook', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: { status: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'], resources: ['*'] })] }) },
    });
    expect(rules(inline)).toEqual(['CodeDeploy-CD9']);
    const scoped = testStack();
    new iam.Policy(scoped, 'Policy', {
      statements: [
        new iam.PolicyStatement({ actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'], resources: ['arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:app/group'] }),
        new iam.PolicyStatement({ actions: ['codedeploy:GetDeployment'], resources: ['*'] }),
      ],
      roles: [new iam.Role(scoped, 'Hook', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') })],
    });
    expect(findings(scoped)).toEqual([]);
  });

  test('CD10: notifications to a topic without a TLS-only policy; with enforceSSL, or a topic of another stack, no finding', () => {
    const trigger = (topicArn: string) => ({ triggerConfigurations: [{ triggerName: 'fail', triggerEvents: ['DeploymentFailure'], triggerTargetArn: topicArn }] });
    const plain = testStack();
    ecsGroup(plain, trigger(new sns.Topic(plain, 'Topic').topicArn));
    expect(rules(plain)).toEqual(['CodeDeploy-CD10']);
    const tls = testStack();
    ecsGroup(tls, trigger(new sns.Topic(tls, 'Topic', { enforceSSL: true }).topicArn));
    expect(findings(tls)).toEqual([]);
    const imported = testStack();
    ecsGroup(imported, trigger('arn:aws:sns:us-east-1:123456789012:elsewhere'));
    expect(findings(imported)).toEqual([]);
  });

  test('a finding acknowledged on the resource with a reason is not reported', () => {
    const stack = testStack();
    const group = ecsGroup(stack, { alarmConfiguration: undefined });
    expect(rules(stack)).toEqual(['CodeDeploy-CD1']);
    Validations.of(group).acknowledge({ id: 'CodeDeploy-CD1', reason: 'Smoke-test environment without metrics.' });
    expect(findings(stack)).toEqual([]);
  });

  test('our patterns with their defaults have no findings', () => {
    const stack = testStack();
    new LambdaDeployment(stack, 'Lambda', { lambdaFunction: userFunction(stack, 'Fn') });
    const ecs = ecsFixture(stack);
    new EcsDeployment(stack, 'Ecs', { cluster: ecs.cluster, taskDefinition: ecs.taskDefinition });
    const fleet = serverFixture(new Stack(stack.node.root as App, 'Fleet', { env: { account: stack.account, region: stack.region } }));
    const serverStack = fleet.asg.stack;
    new ServerDeployment(serverStack, 'Server', {
      revision: ServerRevision.fromDirectory(`${__dirname}/../../examples/server-in-place/web`),
      autoScalingGroups: [fleet.asg],
    });
    expect(findings(stack)).toEqual([]);
    expect(findings(serverStack)).toEqual([]);
  });

  test('rule names and the pack name', () => {
    const pack = new CodeDeployChecks();
    expect(pack.name).toBe('CodeDeploy');
    expect(pack.readPackName).toBe('CodeDeploy');
  });
});
