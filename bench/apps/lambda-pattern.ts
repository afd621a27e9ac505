import { Stack } from 'aws-cdk-lib';
import { lambdaFixture } from './fixtures';
import { LambdaDeployment, LifecycleHook } from '../../lib';

/** Canary deployment of a function: alarms, rollback, pre-traffic invoke check, post-traffic alarm check. */
export function build(stack: Stack, id: string): void {
  const fn = lambdaFixture(stack, `${id}Fn`);
  // --- user code begin
  new LambdaDeployment(stack, id, {
    lambdaFunction: fn,
    hooks: { beforeAllowTraffic: LifecycleHook.invokeCheck({ payload: { healthCheck: true }, responseContains: '"ok":true' }) },
  });
  // --- user code end
}
