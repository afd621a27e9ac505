import { Annotations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { bindAlarmCheck, bindHttpCheck, bindInvokeCheck, bindSdkCall } from './built-in-hook-binding';
import {
  AlarmCheckOptions,
  HttpCheckOptions,
  InvokeCheckOptions,
  SdkCallOptions,
} from './built-in-hooks';
import { LifecycleHookBindOptions, LifecycleHookConfig } from './lifecycle-hook-bind';
import { codeDeployGroupOf, markCanAnnounce } from '../private/hook-binding';
import { DEPLOYMENT_GROUP_STATEMENT, grantAccumulated, grantInvokeHook, grantPutHookStatus } from '../private/permissions';
import { throwIfErrors } from '../private/validation';

/** Options of `LifecycleHook.fromFunction`. */
export interface FunctionHookOptions {
  /**
   * The function's handler announces its reported status. At an `EcsDeployment`'s
   * `afterAllowTraffic`, the library then sets the environment variable
   * `HOOK_ANNOUNCE_STATUS=true` on the function and grants its role `codedeploy:GetDeployment` on
   * the group and `events:PutEvents` on the default event bus (for this source and detail type
   * only), and the deployment trigger waits for the announcement instead of polling through the hook.
   *
   * In TypeScript or JavaScript, `hookHandler` (from
   * `cdk-codedeploy-patterns/lib/hooks/runtime/hook-handler`) announces by itself where that
   * variable is set. In any other language, after the status call put one event on the default
   * bus: source `cdk-codedeploy-patterns`, detail type `CodeDeploy Lifecycle Hook Status Reported`,
   * detail `{"deploymentId", "application", "deploymentGroup", "lifecycleEventHookExecutionId",
   * "status"}` (the application and group as `GetDeployment` returns them).
   *
   * Only say so of a handler that announces: the trigger would otherwise notice the hook's end only
   * at its once-a-minute read. The function must be defined in this app (not imported).
   *
   * @default false
   */
  readonly announcesStatus?: boolean;
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
  public static fromFunction(hookFunction: lambda.IFunction, options: FunctionHookOptions = {}): LifecycleHook {
    return new FunctionHook(hookFunction, options.announcesStatus ?? false);
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
   * A built-in hook that fails while any alarm of the deployment group it is bound to is in ALARM:
   * the alarms CodeDeploy watches for the group, read from the group when the hook runs (so alarms
   * added later count too). Passes without checking when the group's alarm configuration is off.
   *
   * It needs no per-group setting, so with the default `sharedFunction` one function serves every
   * deployment group of the stack. The patterns grant it read access to every alarm of the group,
   * also those added later; bound to another group, it may read the alarms in the bind options.
   */
  public static deploymentGroupAlarmCheck(options: AlarmCheckOptions = {}): LifecycleHook {
    return new BuiltInHook((scope, bindOptions) => bindAlarmCheck(scope, bindOptions, undefined, options), true);
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

  /** Whether the hook's function reads every alarm of its deployment group (then the patterns grant it later alarms too). @internal */
  public get _readsGroupAlarms(): boolean {
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
  constructor(
    private readonly create: (scope: Construct, options: LifecycleHookBindOptions) => lambda.IFunction,
    private readonly readsGroupAlarms: boolean = false,
  ) {
    super();
  }

  public get _readsGroupAlarms(): boolean {
    return this.readsGroupAlarms;
  }

  public bind(scope: Construct, options: LifecycleHookBindOptions): LifecycleHookConfig {
    const group = codeDeployGroupOf(options);
    const hookFunction = this.create(scope, options);
    grantInvokeHook(options.serviceRole, hookFunction);
    if (group) {
      // One statement for every group a shared function reports to. (An ECS-native hook answers with its return value.)
      grantAccumulated(hookFunction.role!, ['codedeploy:PutLifecycleEventHookExecutionStatus'], [group], DEPLOYMENT_GROUP_STATEMENT);
      markCanAnnounce(hookFunction);
    }
    return { hookFunction };
  }
}

class FunctionHook extends LifecycleHook {
  constructor(
    private readonly hookFunction: lambda.IFunction,
    private readonly announces: boolean,
  ) {
    super();
  }

  public bind(scope: Construct, options: LifecycleHookBindOptions): LifecycleHookConfig {
    const group = codeDeployGroupOf(options);
    grantInvokeHook(options.serviceRole, this.hookFunction);
    if (!group) {
      // ECS-native: ECS invokes it and reads its answer ({ hookStatus }); no status call, no permission.
      return { hookFunction: this.hookFunction };
    }
    grantPutHookStatus(this.hookFunction, group);
    if (this.announces) {
      if (!(this.hookFunction instanceof lambda.Function) || this.hookFunction.role === undefined) {
        throwIfErrors(scope, [
          `LifecycleHook.fromFunction(${this.hookFunction.node.path}, { announcesStatus: true }) at ${options.lifecycleEvent}: the library turns the announcement on through the function's environment and role, which an imported function does not let it change. Define the function in this app, or drop announcesStatus.`,
        ]);
      }
      markCanAnnounce(this.hookFunction);
    }
    if (this.hookFunction.role === undefined) {
      Annotations.of(scope).addWarningV2(
        'cdk-codedeploy-patterns:hookPermissionNotGranted',
        `The ${options.lifecycleEvent} hook function ${this.hookFunction.node.path} is imported, so its role could not be granted codedeploy:PutLifecycleEventHookExecutionStatus. Make sure its role allows that action on ${group}, or the deployment waits an hour and fails.`,
      );
    }
    return { hookFunction: this.hookFunction };
  }
}
