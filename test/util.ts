import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { acknowledge } from '../src/private/nag';

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
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(code),
    role,
    logGroup,
  });
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
  return { vpc, cluster, taskDefinition };
}

/**
 * What an EC2 user already has: a VPC with flow logs, an Auto Scaling group from a launch
 * template (Amazon Linux 2023, encrypted volume, IMDSv2, its own role, scaling notifications to
 * a TLS-only encrypted topic) and an internal Application Load Balancer forwarding to it.
 */
export function serverFixture(scope: Construct) {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    availabilityZones: [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())],
    natGateways: 1,
  });
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
  return { vpc, role, launchTemplate, asg, loadBalancer, listener, targetGroup };
}
