import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { awsSdkToIamAction } from 'aws-cdk-lib/custom-resources/lib/helpers-internal';
import { isAllowed, RuntimeCall } from './evaluate';
import { checkStatement, expandAction, REFERENCE_EXCEPTIONS, REPRESENTATIVE, resolveValue, resourceFormats } from './reference';
import { EcsBlueGreenStack } from '../../examples/ecs-blue-green/stack';
import { EcsNativeStack } from '../../examples/ecs-native/stack';
import { LambdaCanaryStack } from '../../examples/lambda-canary/stack';
import { ServerInPlaceStack } from '../../examples/server-in-place/stack';
import { EcsDeployment, HttpCheckTarget, LambdaDeployment, LifecycleHook, ServerBlueGreenDeployment, ServerLoadBalancer, ServerRevision } from '../../src';
import { blueGreenFixture, ecsFixture, hookAt, userFunction } from '../util';

/**
 * What each principal the library creates must be able to do at run time, as concrete API calls
 * on the concrete resources of a stack, evaluated against that principal's synthesized policies.
 *
 * The calls come from outside our policies: for the service role, the calls CodeDeploy makes per
 * platform (the AWS managed policy's actions and the user guide); for our functions, the SDK
 * commands in their handler code (a test below keeps the two lists in step with the code).
 */

const { account, region, partition } = REPRESENTATIVE;
const arn = (service: string, rest: string) => `arn:${partition}:${service}:${region}:${account}:${rest}`;

type T = { Resources: Record<string, any> };

/** The one logical ID of a type whose ID matches. */
function idOf(t: T, type: string, match: RegExp = /.*/): string {
  const ids = Object.keys(t.Resources).filter((id) => t.Resources[id].Type === type && match.test(id));
  if (ids.length !== 1) {
    throw new Error(`expected one ${type} matching ${match}, found ${ids.join(', ') || 'none'}`);
  }
  return ids[0];
}
const str = (t: T, v: unknown) => String(resolveValue(t as any, v));
const getAtt = (t: T, id: string, attr: string) => str(t, { 'Fn::GetAtt': [id, attr] });
const ref = (t: T, id: string) => str(t, { Ref: id });
/** The role a function runs as. */
const roleOfFunction = (t: T, fnId: string) => t.Resources[fnId].Properties.Role['Fn::GetAtt'][0] as string;
/** A log stream of a function's log group (each function writes its own). */
function logCalls(t: T, fnId: string): RuntimeCall[] {
  const lg = t.Resources[fnId].Properties.LoggingConfig?.LogGroup;
  const name = lg ? str(t, lg) : `/aws/lambda/${ref(t, fnId)}`;
  const stream = arn('logs', `log-group:${name}:log-stream:2026/12/01/[$LATEST]abc`);
  return [
    { action: 'logs:CreateLogStream', resource: stream, why: 'Lambda writes the function\'s logs' },
    { action: 'logs:PutLogEvents', resource: stream, why: 'Lambda writes the function\'s logs' },
  ];
}
function groupArn(t: T): string {
  const dg = idOf(t, 'AWS::CodeDeploy::DeploymentGroup');
  return arn('codedeploy', `deploymentgroup:${str(t, t.Resources[dg].Properties.ApplicationName)}/${ref(t, dg)}`);
}
function applicationArn(t: T): string {
  return arn('codedeploy', `application:${ref(t, idOf(t, 'AWS::CodeDeploy::Application'))}`);
}
const hookStatus = (t: T): RuntimeCall => ({
  action: 'codedeploy:PutLifecycleEventHookExecutionStatus',
  resource: groupArn(t),
  why: 'src/hooks/runtime/hook-handler.ts reports the hook\'s result',
});

/** The alarms of the deployment group (what CodeDeploy polls), as ARNs. */
function groupAlarmArns(t: T): string[] {
  const dg = t.Resources[idOf(t, 'AWS::CodeDeploy::DeploymentGroup')].Properties;
  const names = (dg.AlarmConfiguration?.Alarms ?? []).map((a: any) => str(t, a.Name));
  expect(names.length).toBeGreaterThan(0);
  return names.map((n: string) => arn('cloudwatch', `alarm:${n}`));
}

interface Principal {
  readonly name: string;
  readonly role: string;
  readonly calls: RuntimeCall[];
}

function lambdaPrincipals(t: T): Principal[] {
  const fn = idOf(t, 'AWS::Lambda::Function', /^Handler/);
  const fnArn = getAtt(t, fn, 'Arn');
  const serviceRole = idOf(t, 'AWS::IAM::Role', /LambdaServiceRole/);
  const pre = idOf(t, 'AWS::Lambda::Function', hookAt({ toJSON: () => t }, 'BeforeAllowTraffic'));
  const post = idOf(t, 'AWS::Lambda::Function', hookAt({ toJSON: () => t }, 'AfterAllowTraffic'));
  const alarms = groupAlarmArns(t);
  const hookAlarms = Object.keys(t.Resources).filter((id) => /HandlerErrors/.test(id) && t.Resources[id].Type === 'AWS::CloudWatch::Alarm').map((id) => getAtt(t, id, 'Arn'));
  const topic = ref(t, idOf(t, 'AWS::SNS::Topic'));
  const key = getAtt(t, idOf(t, 'AWS::KMS::Key'), 'Arn');
  return [
    {
      name: 'Lambda service role',
      role: serviceRole,
      calls: [
        { action: 'lambda:GetAlias', resource: fnArn, why: 'CodeDeploy reads the alias (Lambda authorizes alias calls on the function)' },
        { action: 'lambda:UpdateAlias', resource: fnArn, why: 'CodeDeploy shifts the alias weights' },
        { action: 'lambda:GetProvisionedConcurrencyConfig', resource: `${fnArn}:live`, why: 'CodeDeploy checks provisioned concurrency of the alias' },
        ...alarms.map((a) => ({ action: 'cloudwatch:DescribeAlarms', resource: a, why: 'CodeDeploy polls the group\'s alarms' })),
        { action: 'lambda:InvokeFunction', resource: getAtt(t, pre, 'Arn'), why: 'CodeDeploy invokes the BeforeAllowTraffic hook (unqualified name)' },
        { action: 'lambda:InvokeFunction', resource: getAtt(t, post, 'Arn'), why: 'CodeDeploy invokes the AfterAllowTraffic hook' },
        { action: 'sns:Publish', resource: topic, why: 'CodeDeploy publishes the notifications' },
        { action: 'kms:GenerateDataKey', resource: key, why: 'publishing to the encrypted topic' },
      ],
    },
    {
      name: 'invokeCheck hook',
      role: roleOfFunction(t, pre),
      calls: [
        hookStatus(t),
        { action: 'codedeploy:GetDeployment', resource: groupArn(t), why: 'invoke-check.lambda.ts: GetDeploymentCommand' },
        { action: 'codedeploy:GetApplicationRevision', resource: applicationArn(t), why: 'invoke-check.lambda.ts: GetApplicationRevisionCommand' },
        { action: 'lambda:InvokeFunction', resource: `${fnArn}:7`, why: 'invoke-check.lambda.ts: InvokeCommand on the version being deployed' },
        ...logCalls(t, pre),
      ],
    },
    {
      name: 'alarmCheck hook',
      role: roleOfFunction(t, post),
      calls: [
        hookStatus(t),
        ...hookAlarms.map((a) => ({ action: 'cloudwatch:DescribeAlarms', resource: a, why: 'alarm-check.lambda.ts: DescribeAlarmsCommand' })),
        ...logCalls(t, post),
      ],
    },
    // No trigger: CloudFormation's CodeDeployLambdaAliasUpdate policy starts Lambda deployments.
  ];
}

/** The trigger's event mailbox: the queue EventBridge fills with the group's state changes. */
function eventQueueCalls(t: T): RuntimeCall[] {
  const queue = getAtt(t, idOf(t, 'AWS::SQS::Queue'), 'Arn');
  return [
    { action: 'sqs:ReceiveMessage', resource: queue, why: 'deployment-trigger.lambda.ts: ReceiveMessageCommand (waits for state-change events)' },
    { action: 'sqs:DeleteMessage', resource: queue, why: 'deployment-trigger.lambda.ts: DeleteMessageBatchCommand (each event is read once)' },
  ];
}

/** A hook's announcement of its status (src/hooks/runtime/hook-handler.ts). */
function announcement(): RuntimeCall {
  return {
    action: 'events:PutEvents',
    resource: arn('events', 'event-bus/default'),
    context: { 'events:source': 'cdk-codedeploy-patterns', 'events:detail-type': 'CodeDeploy Lifecycle Hook Status Reported' },
    why: 'hook-handler.ts: PutEventsCommand (the announcement, on the default bus)',
  };
}

/**
 * A built-in hook at an ECS deployment's AfterAllowTraffic (an HTTP check, which reads nothing of
 * CodeDeploy itself): after its report it names the deployment's group and announces the status on
 * the default bus (src/hooks/runtime/hook-handler.ts), for the deployment trigger's mailbox.
 */
function announcingHookPrincipal(t: T): Principal {
  const hook = idOf(t, 'AWS::Lambda::Function', hookAt({ toJSON: () => t }, 'AfterAllowTraffic'));
  return {
    name: 'httpCheck hook at AfterAllowTraffic (ECS), announces its status',
    role: roleOfFunction(t, hook),
    calls: [
      hookStatus(t),
      { action: 'codedeploy:GetDeployment', resource: groupArn(t), why: 'hook-handler.ts: GetDeploymentCommand (the group the event names)' },
      announcement(),
      ...logCalls(t, hook),
    ],
  };
}

/** The default post-traffic hook of a LambdaDeployment: the group's alarms, read from the group at run time. */
function defaultAlarmCheckPrincipal(t: T): Principal {
  const hook = idOf(t, 'AWS::Lambda::Function', hookAt({ toJSON: () => t }, 'AfterAllowTraffic'));
  return {
    name: 'deploymentGroupAlarmCheck hook (the default)',
    role: roleOfFunction(t, hook),
    calls: [
      hookStatus(t),
      { action: 'codedeploy:GetDeployment', resource: groupArn(t), why: 'alarm-check.lambda.ts: GetDeploymentCommand (which group)' },
      { action: 'codedeploy:GetDeploymentGroup', resource: groupArn(t), why: 'alarm-check.lambda.ts: GetDeploymentGroupCommand (its alarms)' },
      ...groupAlarmArns(t).map((a) => ({ action: 'cloudwatch:DescribeAlarms', resource: a, why: 'alarm-check.lambda.ts: DescribeAlarmsCommand' })),
      ...logCalls(t, hook),
    ],
  };
}

function triggerPrincipal(t: T, platform: string, extra: RuntimeCall[]): Principal {
  const fn = idOf(t, 'AWS::Lambda::Function', /DeploymentTrigger/);
  const config = str(t, t.Resources[idOf(t, 'AWS::CodeDeploy::DeploymentGroup')].Properties.DeploymentConfigName ?? 'CodeDeployDefault.OneAtATime');
  return {
    name: `deployment trigger (${platform})`,
    role: roleOfFunction(t, fn),
    calls: [
      ...['CreateDeployment', 'GetDeployment', 'ListDeployments', 'StopDeployment'].map((a) => ({ action: `codedeploy:${a}`, resource: groupArn(t), why: `deployment-trigger.lambda.ts: ${a}Command` })),
      // CreateDeployment also needs the configuration and the revision (user guide, permissions reference, note 1).
      { action: 'codedeploy:GetDeploymentConfig', resource: arn('codedeploy', `deploymentconfig:${config}`), why: 'CreateDeployment reads the deployment configuration; for ECS the handler reads its traffic routing (GetDeploymentConfigCommand)' },
      { action: 'codedeploy:RegisterApplicationRevision', resource: applicationArn(t), why: 'CreateDeployment registers the revision' },
      { action: 'codedeploy:GetApplicationRevision', resource: applicationArn(t), why: 'CreateDeployment reads the revision' },
      { action: 'lambda:InvokeFunction', resource: getAtt(t, fn, 'Arn'), why: 'deployment-trigger.lambda.ts: InvokeCommand hands the wait over to itself' },
      ...extra,
      ...logCalls(t, fn),
    ],
  };
}

function ecsPrincipals(t: T): Principal[] {
  const service = ref(t, idOf(t, 'AWS::ECS::Service'));
  const cluster = service.split('/')[1];
  const serviceName = service.split('/')[2];
  const listeners = Object.keys(t.Resources).filter((id) => t.Resources[id].Type === 'AWS::ElasticLoadBalancingV2::Listener').map((id) => ref(t, id));
  const lbFullName = getAtt(t, idOf(t, 'AWS::ElasticLoadBalancingV2::LoadBalancer'), 'LoadBalancerFullName');
  const taskDef = t.Resources[idOf(t, 'AWS::ECS::TaskDefinition')].Properties;
  const passRoles = [taskDef.TaskRoleArn, taskDef.ExecutionRoleArn].filter(Boolean).map((r) => str(t, r));
  const hook = idOf(t, 'AWS::Lambda::Function', hookAt({ toJSON: () => t }, 'AfterAllowTestTraffic'));
  const afterHook = idOf(t, 'AWS::Lambda::Function', hookAt({ toJSON: () => t }, 'AfterAllowTraffic'));
  return [
    {
      name: 'ECS service role',
      role: idOf(t, 'AWS::IAM::Role', /ECSServiceRole/),
      calls: [
        ...['DescribeServices', 'CreateTaskSet', 'UpdateServicePrimaryTaskSet'].map((a) => ({ action: `ecs:${a}`, resource: service, why: `CodeDeploy ${a} (AWSCodeDeployRoleForECS)` })),
        { action: 'ecs:DeleteTaskSet', resource: arn('ecs', `task-set/${cluster}/${serviceName}/ecs-svc/1234567890`), why: 'CodeDeploy deletes the original task set' },
        ...['DescribeTargetGroups', 'DescribeListeners', 'DescribeRules'].map((a) => ({ action: `elasticloadbalancing:${a}`, resource: '*', why: 'CodeDeploy reads the traffic route' })),
        ...listeners.map((l) => ({ action: 'elasticloadbalancing:ModifyListener', resource: l, why: 'CodeDeploy re-points the listener' })),
        { action: 'elasticloadbalancing:ModifyRule', resource: arn('elasticloadbalancing', `listener-rule/${lbFullName}/abc/def`), why: 'CodeDeploy re-points rules forwarding to the target groups' },
        ...passRoles.map((r) => ({ action: 'iam:PassRole', resource: r, context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' }, why: 'CreateTaskSet passes the task roles to ECS' })),
        { action: 'lambda:InvokeFunction', resource: getAtt(t, hook, 'Arn'), why: 'CodeDeploy invokes the AfterAllowTestTraffic hook' },
        { action: 'lambda:InvokeFunction', resource: getAtt(t, afterHook, 'Arn'), why: 'CodeDeploy invokes the AfterAllowTraffic hook' },
      ],
    },
    {
      name: 'deploymentGroupAlarmCheck hook at AfterAllowTraffic (ECS), announces its status',
      role: roleOfFunction(t, afterHook),
      calls: [
        hookStatus(t),
        { action: 'codedeploy:GetDeployment', resource: groupArn(t), why: 'alarm-check.lambda.ts: GetDeploymentCommand (which group); hook-handler.ts too (the group the event names)' },
        { action: 'codedeploy:GetDeploymentGroup', resource: groupArn(t), why: 'alarm-check.lambda.ts: GetDeploymentGroupCommand (its alarms)' },
        ...groupAlarmArns(t).map((a) => ({ action: 'cloudwatch:DescribeAlarms', resource: a, why: 'alarm-check.lambda.ts: DescribeAlarmsCommand' })),
        announcement(),
        ...logCalls(t, afterHook),
      ],
    },
    {
      name: 'httpCheck hook (VPC, listener target)',
      role: roleOfFunction(t, hook),
      calls: [
        hookStatus(t),
        { action: 'ec2:DescribeNetworkInterfaces', resource: '*', why: 'http-check.lambda.ts: DescribeNetworkInterfacesCommand' },
        { action: 'ec2:CreateNetworkInterface', resource: arn('ec2', 'network-interface/eni-0123'), why: 'Lambda attaches the function to the VPC' },
        ...logCalls(t, hook),
      ],
    },
    triggerPrincipal(t, 'ECS', [
      { action: 'ecs:DescribeServices', resource: service, why: 'deployment-trigger.lambda.ts: DescribeServicesCommand (is the revision already live?)' },
      ...eventQueueCalls(t),
      // No resource type in IAM (Service Authorization Reference): evaluated against "*".
      { action: 'codedeploy:GetDeploymentTarget', resource: '*', why: 'deployment-trigger.lambda.ts: GetDeploymentTargetCommand (when the traffic shift started)' },
    ]),
    listenerReaderPrincipal(t),
  ];
}

/** The listener reader of BlueGreenListeners: the trigger's code, reading where the listeners forward (live-target-groups.ts). */
function listenerReaderPrincipal(t: T, rules = false): Principal {
  const fn = idOf(t, 'AWS::Lambda::Function', /ListenerReader/);
  return {
    name: `listener reader (ECS${rules ? ', rules' : ''})`,
    role: roleOfFunction(t, fn),
    calls: [
      { action: 'elasticloadbalancing:DescribeListeners', resource: '*', why: 'live-target-groups.ts: DescribeListenersCommand (where each listener forwards now)' },
      { action: 'elasticloadbalancing:DescribeTargetHealth', resource: '*', why: 'live-target-groups.ts: DescribeTargetHealthCommand (no listener yet: which group has healthy targets)' },
      ...(rules ? [{ action: 'elasticloadbalancing:DescribeRules', resource: '*', why: 'live-target-groups.ts: DescribeRulesCommand (where the ECS engine\'s rule forwards now)' }] : []),
      ...logCalls(t, fn),
    ],
  };
}

/**
 * The ECS engine: what ECS does with the infrastructure role (the actions of
 * AmazonECSInfrastructureRolePolicyForLoadBalancers, on this service's rules and target groups) and
 * with the hook role, and what the hooks call under the ECS protocol (no status call).
 */
function ecsNativePrincipals(t: T): Principal[] {
  const rules = Object.keys(t.Resources).filter((id) => t.Resources[id].Type === 'AWS::ElasticLoadBalancingV2::ListenerRule').map((id) => ref(t, id));
  expect(rules).toHaveLength(2);
  const groups = Object.keys(t.Resources).filter((id) => t.Resources[id].Type === 'AWS::ElasticLoadBalancingV2::TargetGroup').map((id) => ref(t, id));
  const hooks = t.Resources[idOf(t, 'AWS::ECS::Service')].Properties.DeploymentConfiguration.LifecycleHooks as any[];
  const hookFn = (stage: string) => hooks.find((h) => h.LifecycleStages.includes(stage)).HookTargetArn['Fn::GetAtt'][0] as string;
  const http = hookFn('POST_TEST_TRAFFIC_SHIFT');
  const alarmCheck = hookFn('POST_PRODUCTION_TRAFFIC_SHIFT');
  const alarms = (t.Resources[idOf(t, 'AWS::ECS::Service')].Properties.DeploymentConfiguration.Alarms.AlarmNames as unknown[]).map((n) => arn('cloudwatch', `alarm:${str(t, n)}`));
  expect(alarms).toHaveLength(2);
  // The alarm check describes the alarms its hook details name: the service's own.
  const details = hooks.find((h) => h.LifecycleStages.includes('POST_PRODUCTION_TRAFFIC_SHIFT')).HookDetails;
  expect((details.alarmNames as unknown[]).map((n) => arn('cloudwatch', `alarm:${str(t, n)}`))).toEqual(alarms);
  return [
    {
      name: 'ECS infrastructure role',
      role: idOf(t, 'AWS::IAM::Role', /EcsInfrastructureRole/),
      calls: [
        ...['DescribeListeners', 'DescribeRules', 'DescribeTargetGroups', 'DescribeTargetHealth'].map((a) => ({ action: `elasticloadbalancing:${a}`, resource: '*', why: `ECS reads the traffic route (${a})` })),
        ...rules.map((r) => ({ action: 'elasticloadbalancing:ModifyRule', resource: r, why: 'ECS re-weights the rule between the target groups' })),
        ...groups.flatMap((g) => ['RegisterTargets', 'DeregisterTargets'].map((a) => ({ action: `elasticloadbalancing:${a}`, resource: g, why: `ECS ${a} the tasks` }))),
      ],
    },
    {
      name: 'ECS hook invoke role',
      role: idOf(t, 'AWS::IAM::Role', /HookInvokeRole/),
      calls: [http, alarmCheck].map((fn) => ({ action: 'lambda:InvokeFunction', resource: getAtt(t, fn, 'Arn'), why: 'ECS invokes the lifecycle hook' })),
    },
    {
      name: 'alarmCheck hook (ECS protocol, the service\'s alarms from its hook details)',
      role: roleOfFunction(t, alarmCheck),
      calls: [
        ...alarms.map((a) => ({ action: 'cloudwatch:DescribeAlarms', resource: a, why: 'alarm-check.lambda.ts: DescribeAlarmsCommand' })),
        ...logCalls(t, alarmCheck),
      ],
    },
    listenerReaderPrincipal(t, true),
  ];
}

/**
 * EC2 blue/green (design B2): CodeDeploy's role on a later generation of the fleet, and the trigger
 * function's calls for the deployment group resource and the fleet steps (blue-green-fleet.ts,
 * server-blue-green-group.ts).
 */
function blueGreenPrincipals(t: T): Principal[] {
  const fleetName = (t.Resources[idOf(t, 'AWS::AutoScaling::AutoScalingGroup')].Properties.AutoScalingGroupName['Fn::Join'][1][0] as string);
  // Another generation of the same fleet (another revision and launch-template version).
  const nextFleet = arn('autoscaling', `autoScalingGroup:0d3f1a2b-aaaa-bbbb-cccc-0123456789ab:autoScalingGroupName/${fleetName.replace(/[0-9a-f]{8}$/, '0badcafe')}-7`);
  const group = t.Resources[idOf(t, 'Custom::CodeDeployServerBlueGreenGroup')].Properties;
  const groupArnBg = arn('codedeploy', `deploymentgroup:${str(t, group.ApplicationName)}/${str(t, group.DeploymentGroupName)}`);
  const serviceRole = getAtt(t, idOf(t, 'AWS::IAM::Role', /^WebServiceRole/), 'Arn');
  const tg = ref(t, idOf(t, 'AWS::ElasticLoadBalancingV2::TargetGroup'));
  const fn = idOf(t, 'AWS::Lambda::Function', /DeploymentTrigger/);
  return [
    {
      name: 'Server service role (blue/green)',
      role: idOf(t, 'AWS::IAM::Role', /^WebServiceRole/),
      calls: [
        ...['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeLifecycleHooks', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'tag:GetResources', 'elasticloadbalancing:DescribeTargetHealth', 'elasticloadbalancing:DescribeTargetGroups']
          .map((a) => ({ action: a, resource: '*', why: 'CodeDeploy finds the fleets\' instances and their health' })),
        ...['PutLifecycleHook', 'DeleteLifecycleHook', 'CompleteLifecycleAction', 'RecordLifecycleActionHeartbeat']
          .map((a) => ({ action: `autoscaling:${a}`, resource: nextFleet, why: 'CodeDeploy moves the launch hook to the new fleet (UpdateDeploymentGroup) and runs launch deployments' })),
        { action: 'elasticloadbalancing:RegisterTargets', resource: tg, why: 'blue/green: the new fleet into the target group' },
        { action: 'elasticloadbalancing:DeregisterTargets', resource: tg, why: 'blue/green: the original fleet out of it' },
      ],
    },
    {
      name: 'deployment trigger (Server blue/green)',
      role: roleOfFunction(t, fn),
      calls: [
        ...['CreateDeploymentGroup', 'UpdateDeploymentGroup', 'DeleteDeploymentGroup', 'GetDeploymentGroup', 'ListDeploymentInstances']
          .map((a) => ({ action: `codedeploy:${a}`, resource: groupArnBg, why: `server-blue-green-group.ts / blue-green-fleet.ts: ${a}Command` })),
        { action: 'iam:PassRole', resource: serviceRole, context: { 'iam:PassedToService': 'codedeploy.amazonaws.com' }, why: 'CreateDeploymentGroup and UpdateDeploymentGroup pass the service role' },
        ...['UpdateAutoScalingGroup', 'SuspendProcesses', 'ResumeProcesses', 'DeleteAutoScalingGroup', 'TerminateInstanceInAutoScalingGroup']
          .map((a) => ({ action: `autoscaling:${a}`, resource: nextFleet, why: `blue-green-fleet.ts: ${a}Command on a generation of the fleet` })),
        { action: 'autoscaling:DescribeAutoScalingGroups', resource: '*', why: 'blue-green-fleet.ts: the fleets\' sizes' },
        { action: 'codedeploy:CreateDeployment', resource: groupArnBg, why: 'deployment-trigger.lambda.ts: CreateDeploymentCommand with targetInstances' },
        ...logCalls(t, fn),
      ],
    },
  ];
}

function serverPrincipals(t: T, managedPolicy: boolean): Principal[] {
  const asg = ref(t, idOf(t, 'AWS::AutoScaling::AutoScalingGroup'));
  const asgArn = arn('autoscaling', `autoScalingGroup:0d3f1a2b-aaaa-bbbb-cccc-0123456789ab:autoScalingGroupName/${asg}`);
  const tg = ref(t, idOf(t, 'AWS::ElasticLoadBalancingV2::TargetGroup'));
  const instanceRole = idOf(t, 'AWS::IAM::Role', /^InstanceRole/);
  const instanceRoleArn = getAtt(t, instanceRole, 'Arn');
  const instance = arn('ec2', 'instance/i-0123456789abcdef0');
  const bucket = ref(t, idOf(t, 'AWS::S3::Bucket', /Revisions/));
  const trigger = t.Resources[idOf(t, 'Custom::CodeDeployDeployment')].Properties;
  const revisionKey = str(t, trigger.S3Location.Key);
  const copyFrom = trigger.CopyFrom ? { bucket: str(t, trigger.CopyFrom.Bucket), key: str(t, trigger.CopyFrom.Key) } : undefined;
  const lifecycle = ['PutLifecycleHook', 'DeleteLifecycleHook', 'CompleteLifecycleAction', 'RecordLifecycleActionHeartbeat'];
  // EC2DeploymentOptions (CodeDeploy API reference): with processes to suspend, the service role must
  // be allowed autoscaling:SuspendProcesses and autoscaling:ResumeProcesses on the target groups.
  const group = t.Resources[idOf(t, 'AWS::CodeDeploy::DeploymentGroup')].Properties;
  const suspends = (group.Ec2DeploymentOptions?.AutoScalingGroupProcessesToSuspend ?? []).length > 0;
  return [
    {
      name: `Server service role${managedPolicy ? ' (AWS managed policy)' : ''}`,
      role: idOf(t, 'AWS::IAM::Role', /ServerServiceRole|ServerManagedServiceRole/),
      calls: [
        ...['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeLifecycleHooks', 'ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'tag:GetResources', 'elasticloadbalancing:DescribeTargetHealth', 'elasticloadbalancing:DescribeTargetGroups']
          .map((a) => ({ action: a, resource: '*', why: 'CodeDeploy finds the instances and their health' })),
        ...lifecycle.map((a) => ({ action: `autoscaling:${a}`, resource: asgArn, why: 'CodeDeploy\'s launch (and termination) lifecycle hooks on the group' })),
        ...(suspends
          ? ['SuspendProcesses', 'ResumeProcesses'].map((a) => ({ action: `autoscaling:${a}`, resource: asgArn, why: 'EC2DeploymentOptions: CodeDeploy suspends the processes before deploying and resumes them at the end' }))
          : []),
        { action: 'elasticloadbalancing:DeregisterTargets', resource: tg, why: 'in-place with traffic control: out of the target group' },
        { action: 'elasticloadbalancing:RegisterTargets', resource: tg, why: 'in-place with traffic control: back in' },
        { action: 'ec2:RunInstances', resource: arn('ec2', 'instance/*'), why: 'launch-template groups (user guide)' },
        { action: 'ec2:CreateTags', resource: instance, context: { 'ec2:CreateAction': 'RunInstances' }, why: 'launch-template groups (user guide)' },
        { action: 'iam:PassRole', resource: instanceRoleArn, context: { 'iam:PassedToService': 'ec2.amazonaws.com' }, why: 'launch-template groups (user guide)' },
        ...groupAlarmArns(t).map((a) => ({ action: 'cloudwatch:DescribeAlarms', resource: a, why: 'CodeDeploy polls the group\'s alarms' })),
      ],
    },
    {
      name: 'instance role',
      role: instanceRole,
      calls: [
        { action: 's3:GetObject', resource: `arn:${partition}:s3:::${bucket}/${revisionKey}`, why: 'the agent downloads the revision' },
        { action: 's3:GetObject', resource: `arn:${partition}:s3:::aws-codedeploy-${region}/latest/install`, why: 'the agent installs and updates itself from the resource kit' },
        // AWS-owned documents have no account in their ARN.
        { action: 'ssm:GetDocument', resource: `arn:${partition}:ssm:${region}::document/AWS-ConfigureAWSPackage`, why: 'the SSM Agent runs the association\'s document' },
        { action: 'ssm:DescribeAssociation', resource: arn('ssm', 'association/0123abcd-0000-1111-2222-333344445555'), why: 'the SSM Agent reads its association' },
        { action: 'ssm:UpdateInstanceInformation', resource: instance, why: 'the SSM Agent registers its instance' },
        { action: 'ssm:UpdateInstanceAssociationStatus', resource: instance, why: 'the SSM Agent reports the installation' },
        { action: 'ec2messages:GetMessages', resource: '*', why: 'the SSM Agent\'s message channel' },
      ],
    },
    triggerPrincipal(t, 'Server', [
      ...eventQueueCalls(t),
      { action: 'autoscaling:DescribeAutoScalingGroups', resource: '*', why: 'deployment-trigger.lambda.ts: DescribeAutoScalingGroupsCommand (waits for InService instances)' },
      { action: 'ssm:DescribeInstanceAssociationsStatus', resource: instance, why: 'deployment-trigger.lambda.ts: DescribeInstanceAssociationsStatusCommand (waits for the agent)' },
      ...(copyFrom
        ? [
          { action: 's3:GetObject', resource: `arn:${partition}:s3:::${copyFrom.bucket}/${copyFrom.key}`, why: 'deployment-trigger.lambda.ts: CopyObjectCommand reads the staged bundle' },
          { action: 's3:PutObject', resource: `arn:${partition}:s3:::${bucket}/${revisionKey}`, why: 'deployment-trigger.lambda.ts: CopyObjectCommand writes the revision' },
        ]
        : []),
      { action: 's3:GetObject', resource: `arn:${partition}:s3:::${bucket}/${revisionKey}`, why: 'CreateDeployment checks the bundle with the caller\'s permissions' },
      { action: 'codedeploy:GetDeploymentGroup', resource: groupArn(t), why: 'deployment-trigger.lambda.ts: GetDeploymentGroupCommand (did the last successful deployment deploy this bundle?)' },
    ]),
  ];
}

function synth(build: (app: App) => Stack): T {
  return Template.fromStack(build(new App())).toJSON() as T;
}

const templates: Record<string, T> = {
  'lambda-canary': synth((app) => new LambdaCanaryStack(app, 'Lambda')),
  'ecs-blue-green': synth((app) => new EcsBlueGreenStack(app, 'Ecs')),
  'ecs-native': synth((app) => new EcsNativeStack(app, 'EcsNative')),
  'server-in-place': synth((app) => new ServerInPlaceStack(app, 'Server')),
  'server-blue-green': synth((app) => {
    const stack = new Stack(app, 'ServerBlueGreen', { env: { account: '123456789012', region: 'us-east-1' } });
    const f = blueGreenFixture(stack);
    new ServerBlueGreenDeployment(stack, 'Web', {
      revision: ServerRevision.fromDirectory(path.join(__dirname, '..', '..', 'examples', 'server-in-place', 'web')),
      vpc: f.vpc,
      launchTemplate: f.launchTemplate,
      loadBalancers: [ServerLoadBalancer.application(f.targetGroup)],
    });
    return stack;
  }),
  'ecs-announcing-hook': synth((app) => {
    const stack = new Stack(app, 'EcsAnnouncingHook', { env: { account: '123456789012', region: 'us-east-1' } });
    const { cluster, taskDefinition } = ecsFixture(stack);
    new EcsDeployment(stack, 'Deployment', {
      cluster,
      taskDefinition,
      hooks: { afterAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('https://example.com/health') }) },
    });
    return stack;
  }),
  'lambda-defaults': synth((app) => {
    const stack = new Stack(app, 'LambdaDefaults', { env: { account: '123456789012', region: 'us-east-1' } });
    new LambdaDeployment(stack, 'Deployment', { lambdaFunction: userFunction(stack, 'Handler') });
    return stack;
  }),
};
const principals = [
  ...lambdaPrincipals(templates['lambda-canary']).map((p) => ({ example: 'lambda-canary', ...p })),
  ...ecsPrincipals(templates['ecs-blue-green']).map((p) => ({ example: 'ecs-blue-green', ...p })),
  ...ecsNativePrincipals(templates['ecs-native']).map((p) => ({ example: 'ecs-native', ...p })),
  ...serverPrincipals(templates['server-in-place'], false).map((p) => ({ example: 'server-in-place', ...p })),
  { example: 'lambda-defaults', ...defaultAlarmCheckPrincipal(templates['lambda-defaults']) },
  { example: 'ecs-announcing-hook', ...announcingHookPrincipal(templates['ecs-announcing-hook']) },
  ...blueGreenPrincipals(templates['server-blue-green']).map((p) => ({ example: 'server-blue-green', ...p })),
];

describe('every principal can make the calls it makes at run time', () => {
  test.each(principals.map((p) => [`${p.example}: ${p.name}`, p] as const))('%s', (_name, p) => {
    const denied = p.calls.filter((c) => !isAllowed(templates[p.example], p.role, c)).map((c) => `${c.action} on ${c.resource} (${c.why})`);
    expect(denied).toEqual([]);
    // Every call is a real action of the reference, so a typo here cannot pass unnoticed.
    expect(p.calls.filter((c) => expandAction(c.action).length !== 1).map((c) => c.action)).toEqual([]);
  });

  test('the numbers checked', () => {
    const calls = principals.reduce((n, p) => n + p.calls.length, 0);
    expect(principals.length).toBe(19);
    expect(calls).toBe(170);
  });
});

describe('the evaluator and the checker fail on wrong policies', () => {
  test('the announcing hook may put only its own source and detail type, and only on the default bus', () => {
    const t = templates['ecs-announcing-hook'];
    const p = announcingHookPrincipal(t);
    const put = p.calls.find((c) => c.action === 'events:PutEvents')!;
    expect(isAllowed(t, p.role, put)).toBe(true);
    expect(isAllowed(t, p.role, { ...put, context: { ...put.context, 'events:source': 'aws.codedeploy' } })).toBe(false);
    expect(isAllowed(t, p.role, { ...put, context: { 'events:source': 'cdk-codedeploy-patterns' } })).toBe(false);
    expect(isAllowed(t, p.role, { ...put, resource: arn('events', 'event-bus/orders') })).toBe(false);
  });

  const template = (statements: any[]) => ({
    Resources: {
      R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } },
      P: { Type: 'AWS::IAM::Policy', Properties: { Roles: [{ Ref: 'R' }], PolicyDocument: { Statement: statements } } },
    },
  });
  const group = 'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0d3f:autoScalingGroupName/web';

  test('the Auto Scaling statement as v0.1 wrote it allows no lifecycle hook (and the checker says why)', () => {
    const old = { Effect: 'Allow', Action: 'autoscaling:PutLifecycleHook', Resource: 'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup/*' };
    expect(isAllowed(template([old]), 'R', { action: 'autoscaling:PutLifecycleHook', resource: group, why: '' })).toBe(false);
    expect(checkStatement(old, 'identity', 'old')).toEqual([expect.stringMatching(/autoscaling:PutLifecycleHook is authorized on autoScalingGroup .* none of .* matches/)]);
    const fixed = { ...old, Resource: 'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/web' };
    expect(isAllowed(template([fixed]), 'R', { action: 'autoscaling:PutLifecycleHook', resource: group, why: '' })).toBe(true);
    expect(checkStatement(fixed, 'identity', 'fixed')).toEqual([]);
  });

  test('an action that does not exist (sfn:StartExecution; the prefix is states)', () => {
    expect(checkStatement({ Effect: 'Allow', Action: 'sfn:StartExecution', Resource: '*' }, 'identity', 'x')).toEqual([
      'x: action sfn:StartExecution does not exist in the Service Authorization Reference',
    ]);
    expect(checkStatement({ Effect: 'Allow', Action: 'states:StartExecution', Resource: '*' }, 'identity', 'x')).toEqual([]);
  });

  test('an action without resource types scoped to an ARN', () => {
    expect(checkStatement({ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: 'arn:aws:ec2:us-east-1:123456789012:instance/*' }, 'identity', 'x')).toEqual([
      expect.stringMatching(/ec2:DescribeInstances accepts no resource type, so IAM only matches it on "\*"/),
    ]);
  });

  test('a condition key that does not apply to the action', () => {
    expect(checkStatement({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } } }, 'identity', 'x')).toEqual([
      expect.stringMatching(/condition key ec2:CreateAction \(StringEquals\) does not apply to iam:PassRole/),
    ]);
    expect(checkStatement({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com', 'aws:SourceAccount': '1' } } }, 'identity', 'x')).toEqual([]);
  });

  test('conditions, Deny and wildcards in the evaluator', () => {
    const pass = { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::123456789012:role/*', Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } } };
    const call = { action: 'iam:PassRole', resource: 'arn:aws:iam::123456789012:role/web', why: '' };
    expect(isAllowed(template([pass]), 'R', { ...call, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } })).toBe(true);
    expect(isAllowed(template([pass]), 'R', { ...call, context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } })).toBe(false);
    expect(isAllowed(template([pass]), 'R', call)).toBe(false);
    expect(isAllowed(template([pass, { Effect: 'Deny', Action: 'iam:*', Resource: '*' }]), 'R', { ...call, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } })).toBe(false);
    expect(isAllowed(template([{ Effect: 'Allow', Action: 'IAM:passrole', Resource: '*' }]), 'R', call)).toBe(true);
  });

  test('the exceptions widen exactly what they name: the deployment group, not other CodeDeploy resources; each has a source', () => {
    for (const ex of REFERENCE_EXCEPTIONS) {
      expect(ex.source.length).toBeGreaterThan(80);
      expect(resourceFormats(ex.action).map((f) => f.type)).toEqual([`${ex.resourceType} (exception)`]);
    }
    const st = { Effect: 'Allow', Action: 'codedeploy:PutLifecycleEventHookExecutionStatus', Resource: 'arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:app/group' };
    expect(checkStatement(st, 'identity', 'x')).toEqual([]);
    expect(checkStatement({ ...st, Action: 'codedeploy:PutLifecycleEventHookExecutionStatus', Resource: 'arn:aws:codedeploy:us-east-1:123456789012:application:app' }, 'identity', 'x')).toHaveLength(1);
  });
});

/**
 * API operations whose IAM action has another name (Service Authorization Reference: Lambda's
 * Invoke is authorized as lambda:InvokeFunction; S3's CopyObject as s3:GetObject on the source and
 * s3:PutObject on the target).
 */
const API_TO_IAM: Record<string, string[]> = {
  'lambda:Invoke': ['lambda:InvokeFunction'],
  's3:CopyObject': ['s3:PutObject'],
  // SQS authorizes a batch with the permission of its single action.
  'sqs:DeleteMessageBatch': ['sqs:DeleteMessage'],
};

describe('the call lists follow the handlers\' code', () => {
  const handlers: Record<string, { file: string; principal: RegExp }> = {
    // The listener reader runs the trigger's code too (its commands are defined there).
    'deployment trigger': { file: 'src/trigger/deployment-trigger.lambda.ts', principal: /deployment trigger|listener reader/ },
    'invoke check': { file: 'src/hooks/handlers/invoke-check.lambda.ts', principal: /invokeCheck/ },
    'alarm check': { file: 'src/hooks/handlers/alarm-check.lambda.ts', principal: /[aA]larmCheck/ },
    'http check': { file: 'src/hooks/handlers/http-check.lambda.ts', principal: /httpCheck/ },
    // The hook runtime, bundled into every built-in hook: the status call and the announcement's calls.
    'hook runtime (status and announcement)': { file: 'src/hooks/runtime/hook-handler.ts', principal: /announces its status/ },
  };
  test.each(Object.keys(handlers))('%s: every SDK command of the handler is a listed call', (name) => {
    const { file, principal } = handlers[name];
    const code = fs.readFileSync(path.join(__dirname, '..', '..', file), 'utf8');
    const clients = new Map<string, string>();
    for (const m of code.matchAll(/@aws-sdk\/client-([a-z0-9-]+)|sdk(?:Package|Client)\('([a-z0-9-]+)'\)/g)) {
      clients.set(m[1] ?? m[2], m[1] ?? m[2]);
    }
    const commands = [...new Set([...code.matchAll(/\b([A-Z][A-Za-z]+)Command\b/g)].map((m) => m[1]))];
    expect(commands.length).toBeGreaterThan(0);
    const listed = new Set(principals.filter((p) => principal.test(p.name)).flatMap((p) => p.calls.map((c) => c.action.toLowerCase())));
    const unlisted = commands.filter((command) => {
      // The command's IAM action under any of the handler's clients (the SDK metadata maps package -> IAM prefix).
      const candidates = [...clients.keys()].flatMap((c) => {
        const action = awsSdkToIamAction(c, command);
        return API_TO_IAM[action] ?? [action];
      });
      return !candidates.some((a) => listed.has(a.toLowerCase()));
    });
    expect(unlisted).toEqual([]);
  });
});
