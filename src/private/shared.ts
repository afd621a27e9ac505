import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { throwIfErrors } from './validation';

/**
 * The library's per-stack singletons, in one place. Each is a child of the stack with a fixed id:
 *
 * | id | what | created by |
 * | --- | --- | --- |
 * | `CodeDeployPatterns<Platform>Application` | the CodeDeploy application of a platform | the patterns without `application` |
 * | `CodeDeployPatterns<Platform>[Managed]ServiceRole` | its service role (one per managed-policy choice) | the patterns without `role` |
 * | `CodeDeployPatternsRevisions` | the revision bucket of `ServerDeployment` | `ServerDeployment` without `revisionBucket` |
 * | `CodeDeployPatternsDeploymentTrigger` | the function every `DeploymentTrigger` of the stack shares | `DeploymentTrigger` |
 * | `CodeDeployPatternsHooks` | the built-in hook functions, one per kind and settings (`<Kind><hash>`) | the built-in hooks unless `sharedFunction: false` |
 *
 * A stack of 50 Lambda deployments then holds one application, one role and one trigger function
 * instead of 50 of each. The lookup checks the type: a construct of another type under one of these
 * ids is an error naming both, never an unchecked cast.
 */
export function perStack<T extends IConstruct>(
  scope: IConstruct,
  id: string,
  type: ConstructClass<T>,
  create: (stack: Stack, id: string) => T,
): T {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(id);
  if (existing === undefined) {
    return create(stack, id);
  }
  if (!(existing instanceof (type as any))) {
    throwIfErrors(stack, [
      `the construct id "${id}" is where cdk-codedeploy-patterns keeps its shared ${className(type.name)} for this stack, but ${existing.node.path} is a ${className(existing.constructor.name)}. Give your construct another id.`,
    ]);
  }
  return existing as T;
}

/** aws-cdk-lib's compiled classes carry a numeric suffix (LambdaApplication2): the name a user knows. */
function className(name: string): string {
  return name.replace(/\d+$/, '');
}

/** A construct class (its constructor may be private). */
export type ConstructClass<T> = { readonly prototype: T; readonly name: string };
