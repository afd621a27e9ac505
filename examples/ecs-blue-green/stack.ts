import { Duration, Fn, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EcsDeployment, HttpCheckTarget, LifecycleHook } from '../../src';

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

    const deployment = new EcsDeployment(this, 'Deployment', {
      cluster,
      taskDefinition,
      service: {
        desiredCount: 2,
      },
      traffic: {
        internetFacing: false,
      },
      blueGreen: {
        terminationWaitTime: Duration.minutes(10),
      },
      deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      hooks: {
        // GET / through the test listener (serving the replacement tasks) on every load balancer node.
        afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener(), path: '/', deadline: Duration.minutes(3) }),
        // With all traffic on the new tasks, watch the deployment group's alarms for 2 minutes before the
        // original tasks' termination wait starts (and cdk deploy returns: the hook announces its end).
        afterAllowTraffic: LifecycleHook.deploymentGroupAlarmCheck({ observeFor: Duration.minutes(2) }),
      },
    });
    // The library leaves this finding to us (it follows from our choice): acknowledged here, with our reason.
    Validations.of(deployment.listeners).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason: 'A sample service on an internal load balancer, deleted with the stack: no access log bucket. Set loadBalancer access logs (applicationLoadBalancer with logAccessLogs) for a real one.',
    });
  }
}
