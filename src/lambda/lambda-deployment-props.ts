import { RemovalPolicy } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DefaultAlarmTuning, DeploymentGroupOptions } from '../common/deployment-options';
import { DeploymentSource } from '../common/deployment-source';
import { LifecycleHook } from '../hooks/lifecycle-hook';

/** The alarms `LambdaDeployment` defines on the alias by default. */
export interface LambdaDeploymentAlarmOptions extends DefaultAlarmTuning {
  /**
   * Define an alarm on the alias' `Errors` metric.
   *
   * @default true
   */
  readonly errors?: boolean;

  /**
   * Errors (sum per period) at or above which the alarm fires.
   *
   * @default 1
   */
  readonly errorsThreshold?: number;

  /**
   * Define an alarm on the alias' `Throttles` metric.
   *
   * @default true
   */
  readonly throttles?: boolean;

  /**
   * Throttles (sum per period) at or above which the alarm fires.
   *
   * @default 1
   */
  readonly throttlesThreshold?: number;
}

/**
 * Lifecycle hooks of a Lambda deployment, named after CodeDeploy's lifecycle events (the AppSpec's
 * `Hooks` section), as on `EcsDeploymentHooks`.
 */
export interface LambdaDeploymentHooks {
  /**
   * Hook run before traffic shifts to the new version (`BeforeAllowTraffic`; aws-cdk-lib's `preHook`).
   *
   * @default - no hook
   */
  readonly beforeAllowTraffic?: LifecycleHook;

  /**
   * Hook run after all traffic has shifted (`AfterAllowTraffic`; aws-cdk-lib's `postHook`). `LifecycleHook.none()` for none.
   *
   * @default - when the deployment has alarms, `LifecycleHook.deploymentGroupAlarmCheck({ observeFor: Duration.minutes(1) })`: one more minute at full traffic during which an alarm of the group still rolls the deployment back (one function per stack serves every group); otherwise no hook
   */
  readonly afterAllowTraffic?: LifecycleHook;
}

/** Construction properties for `LambdaDeployment`. */
export interface LambdaDeploymentProps extends DeploymentGroupOptions {
  /**
   * The function to deploy safely.
   *
   * A concrete `lambda.Function`, because the pattern publishes its `currentVersion`: a new
   * version, and so a CodeDeploy deployment, whenever its code or configuration changes.
   */
  readonly lambdaFunction: lambda.Function;

  /**
   * The version the alias points to.
   *
   * @default - `lambdaFunction.currentVersion`
   */
  readonly version?: lambda.IVersion;

  /**
   * Who publishes versions and shifts the alias: `cdk deploy` (every code or configuration change
   * publishes a version and CloudFormation's alias update runs the CodeDeploy deployment) or a
   * pipeline. With `PIPELINE` the pattern publishes one first version, which the alias starts on
   * and which the template never changes, so no later `cdk deploy` moves the alias; the pipeline
   * publishes versions and runs deployments (`CreateDeployment` with a `LambdaAppSpec`).
   *
   * @default DeploymentSource.CDK_DEPLOY
   */
  readonly deploymentSource?: DeploymentSource;

  /**
   * What CloudFormation does with the version a deployment replaced, once the stack update that
   * replaced it has succeeded. `RETAIN` keeps every published version (as SAM's `AutoPublishAlias`
   * does), so the versions you may need to roll back to, or that a CodeDeploy redeployment names,
   * still exist; the function's deletion still deletes them all. `DESTROY` is aws-cdk-lib's default
   * for `currentVersion`: only the live version remains after each update. Applies to the version
   * the pattern publishes (`lambdaFunction.currentVersion`), overriding its
   * `currentVersionOptions.removalPolicy`; a `version` you pass is left as it is.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly oldVersions?: RemovalPolicy;

  /**
   * Name of the alias whose traffic CodeDeploy shifts.
   *
   * @default 'live'
   */
  readonly aliasName?: string;

  /**
   * Provisioned concurrency of the alias.
   *
   * @default - none
   */
  readonly provisionedConcurrentExecutions?: number;

  /**
   * The CodeDeploy application; pass one to put several deployments in one application.
   *
   * @default - the stack's shared Lambda application (one per stack, for all its LambdaDeployments)
   */
  readonly application?: codedeploy.ILambdaApplication;

  /**
   * How traffic shifts to the new version: predefined (`LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES` ...)
   * or a custom `LambdaDeploymentConfig` (canary or linear: step 1-99 %, whole-minute intervals,
   * all shifts within 2,880 minutes).
   *
   * @default codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES
   */
  readonly deploymentConfig?: codedeploy.ILambdaDeploymentConfig;

  /**
   * Lifecycle hooks: Lambda functions CodeDeploy invokes before and after the traffic shift.
   *
   * @default - no hook before the shift; after it, when the deployment has alarms, an alarm check that watches them for one more minute
   */
  readonly hooks?: LambdaDeploymentHooks;

  /**
   * The default alarms on the alias (errors, throttles).
   *
   * @default - both alarms, threshold 1 in one 1-minute period
   */
  readonly defaultAlarms?: LambdaDeploymentAlarmOptions;

  /**
   * Attach the AWS managed `AWSCodeDeployRoleForLambdaLimited` policy to the service role the
   * pattern creates, instead of scoped inline statements. Ignored when `role` is given.
   *
   * @default false
   */
  readonly useAwsManagedPolicy?: boolean;
}
