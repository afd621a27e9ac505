import { Duration, Stack } from 'aws-cdk-lib';
import { ecsFixture } from './fixtures';
import { EcsDeployment, HttpCheckTarget, LifecycleHook } from '../../lib';

/** Blue/green Fargate service: ALB with test listener, alarms, rollback, test-traffic HTTP check, a real deployment on cdk deploy. */
export function build(stack: Stack, id: string): void {
  const { cluster, taskDefinition } = ecsFixture(stack, id);
  // --- user code begin
  new EcsDeployment(stack, id, {
    cluster,
    taskDefinition,
    traffic: { internetFacing: false },
    blueGreen: { terminationWaitTime: Duration.minutes(10) },
    hooks: { afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener(), path: '/' }) },
  });
  // --- user code end
}
