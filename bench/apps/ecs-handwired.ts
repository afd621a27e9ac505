import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { ecsFixture } from './fixtures';

/**
 * The same as ecs-pattern.ts with aws-cdk-lib L2s only: internal ALB with production and test
 * listeners, blue and green target groups, a CODE_DEPLOY service, 5xx and unhealthy-host alarms
 * over both target groups, a test-traffic hook in the VPC that always reports, and CreateDeployment
 * from an AwsCustomResource on every task definition change (it does not wait for the result).
 */
export function build(stack: Stack, id: string): void {
  const { vpc, cluster, taskDefinition } = ecsFixture(stack, id);
  // --- user code begin
  const alb = new elbv2.ApplicationLoadBalancer(stack, `${id}Alb`, { vpc, internetFacing: false, dropInvalidHeaderFields: true });
  const tg = (name: string) => new elbv2.ApplicationTargetGroup(stack, `${id}${name}`, {
    vpc,
    port: 80,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
    deregistrationDelay: Duration.seconds(30),
    healthCheck: { path: '/', healthyHttpCodes: '200-399', interval: Duration.seconds(15) },
  });
  const blue = tg('Blue');
  const green = tg('Green');
  const production = alb.addListener(`${id}Prod`, { port: 80, defaultTargetGroups: [blue], open: false });
  const test = alb.addListener(`${id}Test`, { port: 8080, defaultTargetGroups: [green], open: false });
  production.connections.allowDefaultPortFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock));
  test.connections.allowDefaultPortFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock));
  const service = new ecs.FargateService(stack, `${id}Service`, {
    cluster, taskDefinition, desiredCount: 2, deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY },
  });
  service.attachToApplicationTargetGroup(blue);
  service.node.addDependency(production, test);
  const both = (metricName: string, statistic: string) => new cloudwatch.MathExpression({
    expression: statistic === 'Sum' ? 'FILL(b, 0) + FILL(g, 0)' : 'MAX([FILL(b, 0), FILL(g, 0)])',
    usingMetrics: Object.fromEntries([['b', blue], ['g', green]].map(([k, t]) => [k as string, new cloudwatch.Metric({
      namespace: 'AWS/ApplicationELB',
      metricName,
      statistic,
      period: Duration.minutes(1),
      dimensionsMap: { LoadBalancer: alb.loadBalancerFullName, TargetGroup: (t as elbv2.ApplicationTargetGroup).targetGroupFullName },
    })])),
    period: Duration.minutes(1),
  });
  const alarms = [
    new cloudwatch.Alarm(stack, `${id}5xx`, { metric: both('HTTPCode_Target_5XX_Count', 'Sum'), threshold: 5, evaluationPeriods: 2, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING }),
    new cloudwatch.Alarm(stack, `${id}Unhealthy`, { metric: both('UnHealthyHostCount', 'Maximum'), threshold: 1, evaluationPeriods: 2, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING }),
  ];
  const hookLogs = new logs.LogGroup(stack, `${id}HookLogs`, { retention: logs.RetentionDays.ONE_YEAR });
  const hookRole = new iam.Role(stack, `${id}HookRole`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  hookLogs.grantWrite(hookRole);
  hookRole.addToPolicy(new iam.PolicyStatement({
    actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
    resources: ['*'],
  }));
  const hook = new lambda.Function(stack, `${id}TestTrafficHook`, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    timeout: Duration.minutes(2),
    role: hookRole,
    logGroup: hookLogs,
    vpc,
    retryAttempts: 0,
    environment: { TEST_URL: `http://${alb.loadBalancerDnsName}:8080/` },
    code: lambda.Code.fromInline(`
const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = require('@aws-sdk/client-codedeploy');
exports.handler = async (e, ctx) => {
  let status = 'Failed';
  const until = Date.now() + Math.min(60000, ctx.getRemainingTimeInMillis() - 10000);
  while (Date.now() < until) {
    try { const r = await fetch(process.env.TEST_URL, { signal: AbortSignal.timeout(5000) }); if (r.status < 400) { status = 'Succeeded'; break; } } catch (err) { console.error(err); }
    await new Promise((r) => setTimeout(r, 3000));
  }
  await new CodeDeployClient({}).send(new PutLifecycleEventHookExecutionStatusCommand({
    deploymentId: e.DeploymentId, lifecycleEventHookExecutionId: e.LifecycleEventHookExecutionId, status }));
};`),
  });
  alb.connections.allowFrom(hook, ec2.Port.tcp(8080));
  const group = new codedeploy.EcsDeploymentGroup(stack, `${id}Group`, {
    service,
    blueGreenDeploymentConfig: {
      blueTargetGroup: blue,
      greenTargetGroup: green,
      listener: production,
      testListener: test,
      terminationWaitTime: Duration.minutes(10),
    },
    deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    alarms,
    autoRollback: { failedDeployment: true, deploymentInAlarm: true, stoppedDeployment: true },
  });
  hook.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'], resources: [group.deploymentGroupArn] }));
  group.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [hook.functionArn] }));
  const appSpec = JSON.stringify({
    version: '0.0',
    Resources: [{
      TargetService: {
        Type: 'AWS::ECS::Service',
        Properties: { TaskDefinition: taskDefinition.taskDefinitionArn, LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 80 } },
      },
    }],
    Hooks: [{ AfterAllowTestTraffic: hook.functionArn }],
  });
  const deploy = {
    service: 'CodeDeploy',
    action: 'createDeployment',
    parameters: {
      applicationName: group.application.applicationName,
      deploymentGroupName: group.deploymentGroupName,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: appSpec } },
    },
    physicalResourceId: cr.PhysicalResourceId.fromResponse('deploymentId'),
  };
  const deployment = new cr.AwsCustomResource(stack, `${id}Deploy`, {
    onUpdate: deploy,
    policy: cr.AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({ actions: ['codedeploy:CreateDeployment', 'codedeploy:GetDeploymentConfig', 'codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'], resources: ['*'] }),
      new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [group.role.roleArn] }),
    ]),
    installLatestAwsSdk: false,
  });
  deployment.node.addDependency(group);
  // --- user code end
}
