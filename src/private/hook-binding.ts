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
