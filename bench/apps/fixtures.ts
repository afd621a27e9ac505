/**
 * What a user already has before adding deployments (shared by both sides of every comparison and
 * not counted in "lines of user code"): a function, an ECS cluster with a task definition, an EC2
 * fleet behind a load balancer.
 */
import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export function lambdaFixture(scope: Construct, id: string): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async (e) => ({ ok: true, healthCheck: !!e.healthCheck });'),
    timeout: Duration.seconds(10),
    role,
    logGroup,
  });
}

/** One VPC and cluster per stack; a task definition per service. */
export function ecsFixture(stack: Stack, id: string) {
  const vpc = (stack.node.tryFindChild('Vpc') as ec2.Vpc | undefined) ?? new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())],
    natGateways: 1,
  });
  const cluster = (stack.node.tryFindChild('Cluster') as ecs.Cluster | undefined) ?? new ecs.Cluster(stack, 'Cluster', { vpc });
  const taskDefinition = new ecs.FargateTaskDefinition(stack, `${id}Task`, { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('web', {
    containerName: 'web',
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: id }),
  });
  return { vpc, cluster, taskDefinition };
}

/** The VPC (one per stack), an instance role and a launch template: what both EC2 fixtures start from. */
function instanceBasics(stack: Stack, id: string) {
  const vpc = (stack.node.tryFindChild('Vpc') as ec2.Vpc | undefined) ?? new ec2.Vpc(stack, 'Vpc', {
    availabilityZones: [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())],
    natGateways: 1,
  });
  const role = new iam.Role(stack, `${id}InstanceRole`, { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  const launchTemplate = new ec2.LaunchTemplate(stack, `${id}Template`, {
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
    role,
    requireImdsv2: true,
    userData: ec2.UserData.forLinux(),
    securityGroup: new ec2.SecurityGroup(stack, `${id}Sg`, { vpc }),
  });
  return { vpc, role, launchTemplate };
}

export function serverFixture(stack: Stack, id: string) {
  const { vpc, role, launchTemplate } = instanceBasics(stack, id);
  const asg = new autoscaling.AutoScalingGroup(stack, `${id}Fleet`, { vpc, launchTemplate, minCapacity: 2, maxCapacity: 4 });
  const alb = new elbv2.ApplicationLoadBalancer(stack, `${id}Alb`, { vpc, internetFacing: false });
  const targetGroup = alb.addListener('Http', { port: 80, open: false }).addTargets('Web', { port: 80, targets: [asg] });
  return { vpc, role, asg, targetGroup };
}

/** EC2 blue/green: the pattern owns the fleet, so the user brings a launch template and a target group with no targets. */
export function blueGreenServerFixture(stack: Stack, id: string) {
  const { vpc, launchTemplate } = instanceBasics(stack, id);
  const alb = new elbv2.ApplicationLoadBalancer(stack, `${id}Alb`, { vpc, internetFacing: false });
  const targetGroup = new elbv2.ApplicationTargetGroup(stack, `${id}Targets`, { vpc, port: 80, targetType: elbv2.TargetType.INSTANCE });
  alb.addListener('Http', { port: 80, open: false }).addTargetGroups('Web', { targetGroups: [targetGroup] });
  return { vpc, launchTemplate, targetGroup };
}
