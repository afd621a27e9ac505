import { ApplicationLoadBalancedCodeDeployedFargateService } from '@cdklabs/cdk-ecs-codedeploy';
import { Duration, Stack } from 'aws-cdk-lib';
import { ecsFixture } from './fixtures';

/** The same with @cdklabs/cdk-ecs-codedeploy's pattern (its defaults: access-log bucket, alarms, a deployment on cdk deploy). */
export function build(stack: Stack, id: string): void {
  const { cluster, taskDefinition } = ecsFixture(stack, id);
  // --- user code begin
  new ApplicationLoadBalancedCodeDeployedFargateService(stack, id, {
    cluster,
    taskDefinition,
    publicLoadBalancer: false,
    terminationWaitTime: Duration.minutes(10),
    deploymentTimeout: Duration.minutes(60),
  });
  // --- user code end
}
