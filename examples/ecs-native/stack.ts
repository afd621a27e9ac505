import { Duration, Fn, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { EcsDeployment, EcsDeploymentEngine, HttpCheckTarget, LifecycleHook } from '../../src';

/**
 * The ecs-blue-green example on ECS's own engine: the same service, listeners, alarms and hook,
 * deployed by ECS (the ECS deployment controller) when CloudFormation updates the service: 10 %
 * canary for 5 minutes, the test listener's rule checked by a hook before production traffic
 * moves, 10 minutes of bake time, rollback on the alarms. No CodeDeploy resource, no custom
 * deployment resource. Change the image tag and run `cdk deploy`.
 */
export class EcsNativeStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

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
      engine: EcsDeploymentEngine.ECS,
      cluster,
      taskDefinition,
      service: { desiredCount: 2 },
      traffic: { internetFacing: false },
      // ECS's bake time: the original tasks stay this long after the shift.
      blueGreen: { terminationWaitTime: Duration.minutes(10) },
      // ECS's CANARY strategy: 10 % for 5 minutes, then the rest.
      deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      hooks: {
        // GET / through the test listener's rule (serving the new tasks), on every load balancer node.
        afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener(), path: '/', deadline: Duration.minutes(3) }),
        // The service's alarms once all traffic has moved: a rollback while the original tasks still run.
        afterAllowTraffic: LifecycleHook.deploymentGroupAlarmCheck({ observeFor: Duration.minutes(2) }),
      },
    });
    Validations.of(deployment.listeners).acknowledge({
      id: 'AwsSolutions-ELB2',
      reason: 'A sample service on an internal load balancer, deleted with the stack: no access log bucket. Set loadBalancer access logs (applicationLoadBalancer with logAccessLogs) for a real one.',
    });
  }
}
