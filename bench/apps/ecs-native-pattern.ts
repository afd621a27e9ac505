import { Duration, Stack } from 'aws-cdk-lib';
import { ecsFixture } from './fixtures';
import { EcsDeployment, EcsDeploymentEngine, HttpCheckTarget, LifecycleHook } from '../../lib';

/** ecs-pattern.ts on ECS's own engine: the same service, ALB, alarms and test-traffic check; ECS deploys on the service update. */
export function build(stack: Stack, id: string): void {
  const { cluster, taskDefinition } = ecsFixture(stack, id);
  // --- user code begin
  new EcsDeployment(stack, id, {
    engine: EcsDeploymentEngine.ECS,
    cluster,
    taskDefinition,
    traffic: { internetFacing: false },
    blueGreen: { terminationWaitTime: Duration.minutes(10) },
    hooks: { afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener(), path: '/' }) },
  });
  // --- user code end
}
