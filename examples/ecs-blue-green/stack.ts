import { Duration, Fn, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EcsDeployment, LifecycleHook } from '../../src';
import { acknowledge } from '../../src/private/nag';

/**
 * AfterAllowTestTraffic: GET / through the test listener (now serving the replacement task set)
 * until it answers below 400 or the deadline passes; reports Succeeded or Failed, also on errors.
 */
const TEST_TRAFFIC_HOOK = `
const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = require('@aws-sdk/client-codedeploy');
exports.handler = async (event, context) => {
  let status = 'Failed';
  let detail = '';
  const deadline = Date.now() + Math.min(60000, context.getRemainingTimeInMillis() - 10000);
  while (Date.now() < deadline) {
    try {
      const res = await fetch(process.env.TEST_URL, { signal: AbortSignal.timeout(5000) });
      detail = 'HTTP ' + res.status;
      if (res.status < 400) { status = 'Succeeded'; break; }
    } catch (err) {
      detail = String(err);
    }
    await new Promise((r) => setTimeout(r, 3000));
  }
  console.log(JSON.stringify({ deploymentId: event.DeploymentId, url: process.env.TEST_URL, status, detail }));
  await new CodeDeployClient({}).send(new PutLifecycleEventHookExecutionStatusCommand({
    deploymentId: event.DeploymentId,
    lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
    status,
  }));
};
`;

/**
 * A web service on Fargate behind an internal Application Load Balancer, deployed blue/green
 * by CodeDeploy: 10 % canary for 5 minutes, a test listener on 8080 checked by a hook before
 * production traffic moves, alarms and rollback. Change the image tag and run `cdk deploy`.
 */
export class EcsBlueGreenStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // Two zones resolved at deploy time (Fn::GetAZs), so the template is the same in every Region.
    const vpc = new ec2.Vpc(this, 'Vpc', { availabilityZones: [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())], natGateways: 1 });
    vpc.addFlowLog('FlowLog');
    const cluster = new ecs.Cluster(this, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });

    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Web', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('web', {
      containerName: 'web',
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
      portMappings: [{ containerPort: 80 }],
      logging: ecs.LogDrivers.awsLogs({
        streamPrefix: 'web',
        logGroup: new logs.LogGroup(this, 'WebLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
      }),
    });

    // The hook runs in the VPC so that it can reach the internal load balancer's test listener.
    const hookSecurityGroup = new ec2.SecurityGroup(this, 'TestTrafficHookSecurityGroup', { vpc, description: 'AfterAllowTestTraffic hook' });
    const hookLogs = new logs.LogGroup(this, 'TestTrafficHookLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
    const hookRole = new iam.Role(this, 'TestTrafficHookRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    hookLogs.grantWrite(hookRole);
    hookRole.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: ['*'],
    }));
    acknowledge(hookRole, 'AwsSolutions-IAM5[Resource::*]', 'Lambda needs these EC2 network-interface actions to run in a VPC; they have no resource-level permissions (the same actions as AWSLambdaVPCAccessExecutionRole).');
    const testTrafficHook = new lambda.Function(this, 'TestTrafficHook', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(TEST_TRAFFIC_HOOK),
      timeout: Duration.seconds(90),
      role: hookRole,
      logGroup: hookLogs,
      vpc,
      securityGroups: [hookSecurityGroup],
    });

    const web = new EcsDeployment(this, 'Deployment', {
      cluster,
      taskDefinition,
      internetFacing: false,
      desiredCount: 2,
      deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      terminationWaitTime: Duration.minutes(10),
      afterAllowTestTraffic: LifecycleHook.fromFunction(testTrafficHook),
    });
    testTrafficHook.addEnvironment('TEST_URL', `http://${web.loadBalancer.loadBalancerDnsName}:8080/`);
  }
}
