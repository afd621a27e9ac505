import { Stack } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { Construct } from 'constructs';
import { CodeDeployServiceRole, ComputePlatform } from '../../iam/codedeploy-service-role';
import { ConstructClass, perStack } from '../shared';

const APPLICATION_TYPES: Record<ComputePlatform, ConstructClass<Construct>> = {
  [ComputePlatform.LAMBDA]: codedeploy.LambdaApplication,
  [ComputePlatform.ECS]: codedeploy.EcsApplication,
  [ComputePlatform.SERVER]: codedeploy.ServerApplication,
};

/** The CodeDeploy application of a platform every pattern of the stack shares. */
export function sharedApplication<T extends Construct>(scope: Construct, platform: ComputePlatform, create: (stack: Stack, id: string) => T): T {
  return perStack(scope, `CodeDeployPatterns${platform}Application`, APPLICATION_TYPES[platform] as ConstructClass<T>, create);
}

/** The service role of a shared application (one per stack and platform, and per managed-policy choice). */
export function sharedServiceRole(
  scope: Construct,
  platform: ComputePlatform,
  applicationName: string,
  useAwsManagedPolicy: boolean,
): CodeDeployServiceRole {
  const id = `CodeDeployPatterns${platform}${useAwsManagedPolicy ? 'Managed' : ''}ServiceRole`;
  return perStack(scope, id, CodeDeployServiceRole, (stack) =>
    new CodeDeployServiceRole(stack, id, { computePlatform: platform, applicationName, useAwsManagedPolicy }));
}
