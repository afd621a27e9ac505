import { Annotations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { grantInvokeHook, grantPutHookStatus } from '../private/permissions';

/**
 * Lifecycle events of Lambda and ECS deployments that run a hook function.
 *
 * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html
 */
export enum LifecycleEvent {
  /** ECS: before the replacement task set is created. */
  BEFORE_INSTALL = 'BeforeInstall',
  /** ECS: after the replacement task set is created. */
  AFTER_INSTALL = 'AfterInstall',
  /** ECS: after the test listener serves the replacement task set. */
  AFTER_ALLOW_TEST_TRAFFIC = 'AfterAllowTestTraffic',
  /** Lambda and ECS: before production traffic shifts to the new version. */
  BEFORE_ALLOW_TRAFFIC = 'BeforeAllowTraffic',
  /** Lambda and ECS: after all production traffic has shifted. */
  AFTER_ALLOW_TRAFFIC = 'AfterAllowTraffic',
}

/** What a hook is bound to. */
export interface LifecycleHookBindOptions {
  /** ARN of the deployment group the hook reports its status to. */
  readonly deploymentGroupArn: string;

  /** The CodeDeploy service role that invokes the hook. */
  readonly serviceRole: iam.IRole;

  /** The lifecycle event the hook runs in. */
  readonly lifecycleEvent: LifecycleEvent;
}

/** The result of binding a hook. */
export interface LifecycleHookConfig {
  /** The function CodeDeploy invokes for the lifecycle event. */
  readonly hookFunction: lambda.IFunction;
}

/**
 * A Lambda function that CodeDeploy runs at one lifecycle event of a deployment and that
 * reports `Succeeded` or `Failed` back with `PutLifecycleEventHookExecutionStatus`.
 *
 * Binding a hook grants the service role `lambda:InvokeFunction` on exactly the hook function,
 * and the function `codedeploy:PutLifecycleEventHookExecutionStatus` on exactly the deployment
 * group. No `CodeDeployHook_` function name is needed.
 */
export abstract class LifecycleHook {
  /**
   * A hook that runs your own function.
   *
   * The function receives `DeploymentId` and `LifecycleEventHookExecutionId` and must report the
   * result within one hour, or the deployment fails.
   */
  public static fromFunction(hookFunction: lambda.IFunction): LifecycleHook {
    return new FunctionHook(hookFunction);
  }

  /** Binds the hook to a deployment group: grants permissions and returns the function to invoke. */
  public abstract bind(scope: Construct, options: LifecycleHookBindOptions): LifecycleHookConfig;
}

class FunctionHook extends LifecycleHook {
  constructor(private readonly hookFunction: lambda.IFunction) {
    super();
  }

  public bind(scope: Construct, options: LifecycleHookBindOptions): LifecycleHookConfig {
    grantInvokeHook(options.serviceRole, this.hookFunction);
    grantPutHookStatus(this.hookFunction, options.deploymentGroupArn);
    if (this.hookFunction.role === undefined) {
      Annotations.of(scope).addWarningV2(
        'cdk-codedeploy-patterns:hookPermissionNotGranted',
        `The ${options.lifecycleEvent} hook function ${this.hookFunction.node.path} is imported, so its role could not be granted codedeploy:PutLifecycleEventHookExecutionStatus. Make sure its role allows that action on ${options.deploymentGroupArn}, or the deployment waits an hour and fails.`,
      );
    }
    return { hookFunction: this.hookFunction };
  }
}
