import { Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { BlueGreenListeners } from '../src';
import { acknowledge } from '../src/private/nag';

/**
 * Acknowledges rules of the NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1 and Serverless packs
 * on a fixture construct (what a user already has, not what the library creates), with a
 * "Test fixture:" reason the README checks leave out.
 */
export function acknowledgeFixture(scope: IConstruct, what: string, ...rules: string[]): void {
  for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless']) {
    for (const rule of rules) {
      acknowledge(scope, `${pack}-${rule}`, `Test fixture: ${what}.`);
    }
  }
}

const FUNCTION_RULES = ['LambdaConcurrency', 'LambdaDLQ', 'LambdaInsideVPC', 'LambdaTracing', 'LambdaDefaultMemorySize', 'LambdaDefaultTimeout', 'LambdaAsyncFailureDestination'];
const VPC_RULES = ['VPCNoUnrestrictedRouteToIGW', 'VPCSubnetAutoAssignPublicIpDisabled', 'VPCDefaultSecurityGroupClosed', 'CloudWatchLogGroupEncrypted', 'IAMNoInlinePolicy'];

/**
 * A function as a careful user writes it: latest Node.js runtime, its own log group and a role
 * with exactly the log permissions it needs (no AWS managed policy).
 */
export function userFunction(scope: Construct, id: string, code = 'exports.handler = async () => ({ ok: true });'): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const fn = new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(code),
    role,
    logGroup,
  });
  acknowledgeFixture(fn, 'the user\'s function', ...FUNCTION_RULES);
  acknowledgeFixture(logGroup, 'the user\'s log group', 'CloudWatchLogGroupEncrypted');
  acknowledgeFixture(role, 'the user\'s function role', 'IAMNoInlinePolicy');
  return fn;
}

/** An SNS topic that passes cdk-nag: KMS-encrypted (rotating key) and TLS-only. */
export function secureTopic(scope: Construct, id: string): sns.Topic {
  const key = new kms.Key(scope, `${id}Key`, { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  return new sns.Topic(scope, id, { masterKey: key, enforceSSL: true });
}

/** What an ECS user already has: a VPC with flow logs, a cluster with Container Insights, a Fargate task definition with logging. */
export function ecsFixture(scope: Construct, options: { containerPort?: number } = {}) {
  // Zones from Fn::GetAZs: an environment-specific test stack would otherwise hard-code dummy zones (cfn-lint W3010).
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    availabilityZones: [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())],
    natGateways: 1,
  });
  vpc.addFlowLog('FlowLog');
  const cluster = new ecs.Cluster(scope, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
  const taskDefinition = new ecs.FargateTaskDefinition(scope, 'TaskDef', { cpu: 256, memoryLimitMiB: 512 });
  const logGroup = new logs.LogGroup(scope, 'TaskLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  taskDefinition.addContainer('web', {
    containerName: 'web',
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    portMappings: [{ containerPort: options.containerPort ?? 8080 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web', logGroup }),
  });
  acknowledgeFixture(vpc, 'the user\'s VPC', ...VPC_RULES);
  acknowledgeFixture(taskDefinition, 'the user\'s task definition', 'IAMNoInlinePolicy');
  acknowledgeFixture(logGroup, 'the user\'s log group', 'CloudWatchLogGroupEncrypted');
  return { vpc, cluster, taskDefinition };
}

/** A VPC (two AZs, one NAT gateway, flow log), an instance role and a launch template as a careful user writes them. */
function instanceBasics(scope: Construct) {
  const vpc = new ec2.Vpc(scope, 'Vpc', { availabilityZones: [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())], natGateways: 1 });
  vpc.addFlowLog('FlowLog');
  const role = new iam.Role(scope, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const launchTemplate = new ec2.LaunchTemplate(scope, 'LaunchTemplate', {
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
    role,
    securityGroup: new ec2.SecurityGroup(scope, 'InstanceSecurityGroup', { vpc }),
    requireImdsv2: true,
    detailedMonitoring: true,
    blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
  });
  return { vpc, role, launchTemplate };
}

/**
 * What an EC2 user already has: a VPC with flow logs, an Auto Scaling group from a launch
 * template (Amazon Linux 2023, encrypted volume, IMDSv2, its own role, scaling notifications to
 * a TLS-only encrypted topic) and an internal Application Load Balancer forwarding to it.
 */
export function serverFixture(scope: Construct) {
  const { vpc, role, launchTemplate } = instanceBasics(scope);
  const asg = new autoscaling.AutoScalingGroup(scope, 'Fleet', {
    vpc,
    launchTemplate,
    minCapacity: 2,
    maxCapacity: 4,
    notifications: [{ topic: secureTopic(scope, 'FleetEvents') }],
  });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', { vpc, internetFacing: false });
  const listener = loadBalancer.addListener('Http', { port: 80, open: false });
  const targetGroup = listener.addTargets('Web', { port: 80, targets: [asg] });
  // Test-fixture acknowledgements (the user's load balancer, not the library's).
  acknowledge(loadBalancer, 'AwsSolutions-ELB2', 'Test fixture: the user\'s load balancer.');
  acknowledgeFixture(vpc, 'the user\'s VPC', ...VPC_RULES);
  acknowledgeFixture(role, 'the user\'s instance role', 'IAMNoInlinePolicy');
  acknowledgeFixture(asg, 'the user\'s Auto Scaling group', 'AutoScalingGroupELBHealthCheckRequired');
  acknowledgeFixture(loadBalancer, 'the user\'s load balancer', 'ELBLoggingEnabled', 'ALBWAFEnabled', 'ELBDeletionProtectionEnabled', 'ALBHttpDropInvalidHeaderEnabled',
    'ALBHttpToHttpsRedirection', 'ELBv2ACMCertificateRequired', 'EC2RestrictedCommonPorts', 'EC2RestrictedSSH');
  return { vpc, role, launchTemplate, asg, loadBalancer, listener, targetGroup };
}

/**
 * What a user of a default `EcsDeployment` acknowledges on the traffic it creates, as the README
 * shows: these findings follow from choices left at their defaults (plain HTTP without
 * certificates, an internet-facing load balancer open to the world, no access logs, no web ACL,
 * no deletion protection), so the library surfaces them instead of acknowledging them.
 */
export function acknowledgeTrafficChoices(scope: IConstruct): void {
  for (const traffic of scope.node.findAll().filter((c) => c instanceof BlueGreenListeners)) {
    acknowledgeOn(traffic);
  }
}

function acknowledgeOn(traffic: IConstruct): void {
  const reasons: Record<string, string> = {
    'AwsSolutions-ELB2': 'Test stack: no access log bucket for a load balancer that lives minutes.',
    'AwsSolutions-EC23': 'Test stack: the production listener of an internet-facing load balancer serves the internet.',
    'ELBLoggingEnabled': 'Test stack: no access log bucket for a load balancer that lives minutes.',
    'ALBWAFEnabled': 'Test stack: no web ACL in front of a sample service.',
    'ELBDeletionProtectionEnabled': 'Test stack: deleted with the stack.',
    'ALBHttpToHttpsRedirection': 'Test stack: no certificate, plain HTTP.',
    'ELBv2ACMCertificateRequired': 'Test stack: no certificate, plain HTTP.',
  };
  const suppressions = Object.entries(reasons).flatMap(([rule, reason]) =>
    (rule.startsWith('AwsSolutions') ? [rule] : ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].map((pack) => `${pack}-${rule}`))
      .map((id) => ({ id, reason })));
  // aws-cdk-lib's acknowledgement, which cdk-nag 3 reads on a resource and its ancestors: on the
  // traffic construct it covers the load balancer, its listeners and its security group.
  Validations.of(traffic).acknowledge(...suppressions);
}

/**
 * Acknowledges, the way a user does (`Validations.of(...).acknowledge`), the findings that follow
 * from a choice a test makes on purpose (an AWS managed policy, no test listener): the library
 * leaves them visible, so the user's own stack acknowledges them with its reason.
 */
export function acknowledgeUserChoice(scope: IConstruct, choice: string, ...ids: string[]): void {
  Validations.of(scope).acknowledge(...ids.map((id) => ({ id, reason: `The test chose ${choice}.` })));
}

/**
 * The logical-ID prefix of the hook a deployment runs at a lifecycle event, as a RegExp that also
 * matches its role, policy and log group (`<prefix>Role...`). Built-in hooks share one function per
 * stack and settings, named by kind (`CodeDeployPatternsHooksAlarmCheck<hash>`), so tests find the
 * one the deployment wires: the alias update policy (Lambda) or the trigger's AppSpec (ECS).
 */
export function hookAt(template: { toJSON(): any }, event: string): RegExp {
  const text = JSON.stringify(template.toJSON().Resources);
  const lambdaHook = new RegExp(`"${event}Hook":\\{"Ref":"(\\w+)"\\}`).exec(text);
  const ecsHook = new RegExp(`\\\\"${event}\\\\":\\\\"",\\{"Fn::GetAtt":\\["(\\w+)","Arn"\\]\\}`).exec(text);
  const logicalId = (lambdaHook ?? ecsHook)?.[1];
  if (!logicalId) {
    throw new Error(`no ${event} hook is wired in the template`);
  }
  // Shared: <home><Kind><hash>Function<suffix>; dedicated: <scope><Event>Hook<suffix>.
  const prefix = /^(.*?(?:Hooks[A-Za-z]+[0-9a-f]{8}|Hook))(?:Function)?[0-9A-F]{8}$/.exec(logicalId)?.[1];
  if (!prefix) {
    throw new Error(`cannot tell the hook's prefix from ${logicalId}`);
  }
  return new RegExp(`^${prefix}(Function|Role|Logs|[0-9A-F]{8})`);
}

/** What a user brings: a VPC, a launch template with a role, a load balancer whose target group has no targets yet. */
export function blueGreenFixture(scope: Construct) {
  const { vpc, role, launchTemplate } = instanceBasics(scope);
  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', { vpc, internetFacing: false });
  const listener = loadBalancer.addListener('Http', { port: 80, open: false });
  const targetGroup = new elbv2.ApplicationTargetGroup(scope, 'WebTargets', { vpc, port: 80, targetType: elbv2.TargetType.INSTANCE });
  listener.addTargetGroups('WebTargets', { targetGroups: [targetGroup] });
  acknowledge(loadBalancer, 'AwsSolutions-ELB2', 'Test fixture: the user\'s load balancer.');
  return { vpc, role, launchTemplate, loadBalancer, targetGroup };
}
