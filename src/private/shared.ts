import { Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CodeDeployServiceRole, ComputePlatform } from '../iam/codedeploy-service-role';

/**
 * Parts every pattern of a stack can share, created once per stack (next to the shared trigger
 * provider): the CodeDeploy application of each platform and its least-privilege service role.
 * A stack of 50 Lambda deployments then holds one application and one role instead of 50 of each;
 * each pattern adds only its own grants to the role.
 */
export function sharedApplication<T extends Construct>(scope: Construct, platform: ComputePlatform, create: (stack: Stack, id: string) => T): T {
  const stack = Stack.of(scope);
  const id = `CodeDeployPatterns${platform}Application`;
  return (stack.node.tryFindChild(id) as T | undefined) ?? create(stack, id);
}

/** The service role of a shared application (one per stack and platform, and per managed-policy choice). */
export function sharedServiceRole(
  scope: Construct,
  platform: ComputePlatform,
  applicationName: string,
  useAwsManagedPolicy: boolean,
): CodeDeployServiceRole {
  const stack = Stack.of(scope);
  const id = `CodeDeployPatterns${platform}${useAwsManagedPolicy ? 'Managed' : ''}ServiceRole`;
  return (
    (stack.node.tryFindChild(id) as CodeDeployServiceRole | undefined) ??
    new CodeDeployServiceRole(stack, id, { computePlatform: platform, applicationName, useAwsManagedPolicy })
  );
}
