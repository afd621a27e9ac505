import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { addStatementOnce, DEPLOYMENT_GROUP_STATEMENT, grantAccumulated } from './permissions';
import { HOOK_ANNOUNCE_VARIABLE, HOOK_EVENT_DETAIL_TYPE, HOOK_EVENT_SOURCE } from './runtime';

/**
 * The deployment group ARN of a CodeDeploy binding (`LifecycleHookBindOptions`), or undefined for an ECS-native one; anything
 * else (neither, or both) is a bug of the caller.
 */
export function codeDeployGroupOf(options: {
  readonly lifecycleEvent: string;
  readonly deploymentGroupArn?: string;
  readonly ecsServiceArn?: string;
}): string | undefined {
  if ((options.deploymentGroupArn === undefined) === (options.ecsServiceArn === undefined)) {
    throw new Error(
      `A lifecycle hook (${options.lifecycleEvent}) is bound to a CodeDeploy deployment group (deploymentGroupArn) or to an ECS-native service (ecsServiceArn); ` +
        `received ${options.deploymentGroupArn === undefined ? 'neither' : 'both'}.`,
    );
  }
  return options.deploymentGroupArn;
}

const canAnnounce = new WeakSet<object>();

/**
 * Marks a hook function bound to a CodeDeploy deployment group that can announce its status: a
 * built-in hook's, or yours made with `hookHandler` (`fromFunction(fn, { announcesStatus: true })`).
 */
export function markCanAnnounce(hookFunction: lambda.IFunction): void {
  canAnnounce.add(hookFunction);
}

/**
 * Turns on the announcement of a hook's reported status (see `HOOK_EVENT_SOURCE`) for the
 * deployment group, where a deployment trigger waits for it: the function's switch, the read of the
 * group's deployments (to name the group in the event) and PutEvents on the default bus with only
 * that source and detail type. A shared function announces for every group it serves, each with the
 * read. False (nothing done) for any other function.
 */
export function announceHookStatus(hookFunction: lambda.IFunction, deploymentGroupArn: string): boolean {
  if (!canAnnounce.has(hookFunction) || !(hookFunction instanceof lambda.Function) || hookFunction.role === undefined) {
    return false;
  }
  hookFunction.addEnvironment(HOOK_ANNOUNCE_VARIABLE, 'true');
  grantAccumulated(hookFunction.role, ['codedeploy:PutLifecycleEventHookExecutionStatus', 'codedeploy:GetDeployment'], [deploymentGroupArn], DEPLOYMENT_GROUP_STATEMENT);
  addStatementOnce(hookFunction.role, new iam.PolicyStatement({
    actions: ['events:PutEvents'],
    resources: [Stack.of(hookFunction).formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })],
    conditions: { StringEquals: { 'events:source': HOOK_EVENT_SOURCE, 'events:detail-type': HOOK_EVENT_DETAIL_TYPE } },
  }));
  return true;
}
