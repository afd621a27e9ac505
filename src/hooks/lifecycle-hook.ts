import { Annotations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  AlarmCheckOptions,
  HttpCheckOptions,
  InvokeCheckOptions,
  SdkCallOptions,
} from './built-in-hooks';
import { bindAlarmCheck, bindHttpCheck, bindInvokeCheck, bindSdkCall } from '../private/built-in-hook-binding';
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

  /**
   * ARN of the CodeDeploy application (for hooks that read the deployment's revision).
   *
   * @default - hooks that read the revision cannot be bound
   */
  readonly applicationArn?: string;

  /**
   * The function a Lambda deployment deploys (for `LifecycleHook.invokeCheck`).
   *
   * @default - not a Lambda deployment
   */
  readonly lambdaFunction?: lambda.IFunction;

  /**
   * The load balancer of an ECS blue/green deployment (for `HttpCheckTarget.testListener()`).
   *
   * @default - no load balancer
   */
  readonly loadBalancer?: LifecycleHookLoadBalancer;
}

/** The load balancer of an ECS blue/green deployment, as hooks that send it traffic need it. */
export interface LifecycleHookLoadBalancer {
  /** `app/<name>/<id>` or `net/<name>/<id>`. */
  readonly loadBalancerFullName: string;

  /** DNS name of the load balancer. */
  readonly loadBalancerDnsName: string;

  /** The load balancer's security groups, to let a hook in. */
  readonly connections: ec2.Connections;

  /** The load balancer's VPC. */
  readonly vpc: ec2.IVpc;

  /** Port of the production listener. */
  readonly productionPort: number;

  /**
   * Port of the test listener.
   *
   * @default - no test listener
   */
  readonly testPort?: number;

  /** Whether the listeners use TLS (HTTPS or TLS listeners). */
  readonly secure: boolean;
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

  /**
   * A built-in hook that sends HTTP(S) requests, to a URL or to the `EcsDeployment`'s test
   * listener, until each answers with an expected status (and body), with retries and backoff
   * inside an overall deadline.
   */
  public static httpCheck(options: HttpCheckOptions): LifecycleHook {
    return new BuiltInHook((scope, bindOptions) => bindHttpCheck(scope, bindOptions, options));
  }

  /**
   * A built-in hook for `LambdaDeployment`: invokes the version being deployed (read from the
   * deployment's AppSpec) with a payload and passes when it returns without a function error and
   * with the expected response. May invoke only the versions of the deployed function.
   */
  public static invokeCheck(options: InvokeCheckOptions = {}): LifecycleHook {
    return new BuiltInHook((scope, bindOptions) => bindInvokeCheck(scope, bindOptions, options));
  }

  /** A built-in hook that fails while any of the alarms is in ALARM (optionally watching them for a while). */
  public static alarmCheck(alarms: cloudwatch.IAlarm[], options: AlarmCheckOptions = {}): LifecycleHook {
    return new BuiltInHook((scope, bindOptions) => bindAlarmCheck(scope, bindOptions, alarms, options));
  }

  /**
   * A built-in hook making one AWS SDK v3 call (service, action, parameters) whose success decides
   * the hook, with permission for exactly that action on the given resources.
   */
  public static sdkCall(options: SdkCallOptions): LifecycleHook {
    return new BuiltInHook((scope, bindOptions) => bindSdkCall(scope, bindOptions, options));
  }

  /** No hook, where a pattern would otherwise add one by default. */
  public static none(): LifecycleHook {
    return new NoHook();
  }

  /** Binds the hook to a deployment group: grants permissions and returns the function to invoke. */
  public abstract bind(scope: Construct, options: LifecycleHookBindOptions): LifecycleHookConfig;

  /** Whether this is `LifecycleHook.none()`. @internal */
  public get _isNone(): boolean {
    return false;
  }
}

/** `LifecycleHook.none()`: patterns skip it. */
class NoHook extends LifecycleHook {
  public get _isNone(): boolean {
    return true;
  }

  public bind(scope: Construct, options: LifecycleHookBindOptions): LifecycleHookConfig {
    throw new Error(`[${scope.node.path}] LifecycleHook.none() cannot be bound (${options.lifecycleEvent}); it only stands for no hook.`);
  }
}

/** A hook whose function the library creates on binding. */
class BuiltInHook extends LifecycleHook {
  constructor(private readonly create: (scope: Construct, options: LifecycleHookBindOptions) => lambda.IFunction) {
    super();
  }

  public bind(scope: Construct, options: LifecycleHookBindOptions): LifecycleHookConfig {
    const hookFunction = this.create(scope, options);
    grantInvokeHook(options.serviceRole, hookFunction);
    grantPutHookStatus(hookFunction, options.deploymentGroupArn);
    return { hookFunction };
  }
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
