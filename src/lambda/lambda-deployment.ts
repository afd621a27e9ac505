import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { DeploymentGroupOptions, DeploymentStateChangeOptions } from '../common/deployment-options';
import { LifecycleEvent, LifecycleHook } from '../hooks/lifecycle-hook';
import { CodeDeployServiceRole, ComputePlatform } from '../iam/codedeploy-service-role';
import { acknowledgeCompliance, OwnedResource } from '../private/compliance';
import {
  allAlarms,
  applyNotifications,
  autoRollbackConfig,
  warnRiskyOptions,
  deploymentStateChangeRule,
  validateSharedOptions,
} from '../private/deployment-group';
import { GrantingLambdaDeploymentGroup } from '../private/granting-groups';
import { isHook } from '../private/hooks';
import { grantDescribeAlarms, grantShiftAliasTraffic, immutableView, warnMissingStatements } from '../private/permissions';
import { sharedApplication, sharedServiceRole } from '../private/shared';
import {
  throwIfErrors,
  validateAlarmTuning,
  validateConfigPlatform,
  validateCustomTrafficRouting,
  validateDeploymentGroupName,
  validateManagedPolicyOption,
} from '../private/validation';

/** The alarms `LambdaDeployment` defines on the alias by default. */
export interface LambdaDeploymentAlarmOptions {
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

  /**
   * Period of the metrics, a whole number of minutes.
   *
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;

  /**
   * Number of periods over which the threshold is compared.
   *
   * @default 1
   */
  readonly evaluationPeriods?: number;
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
   * Hook run before traffic shifts (`BeforeAllowTraffic`).
   *
   * @default - no hook
   */
  readonly preTraffic?: LifecycleHook;

  /**
   * Hook run after all traffic has shifted (`AfterAllowTraffic`). `LifecycleHook.none()` for none.
   *
   * @default - when the deployment has alarms, `LifecycleHook.alarmCheck(alarms, { observeFor: Duration.minutes(1) })`: one more minute at full traffic during which an alarm still rolls the deployment back; otherwise no hook
   */
  readonly postTraffic?: LifecycleHook;

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

/**
 * Deploys a Lambda function through AWS CodeDeploy: every change publishes a new version and
 * CodeDeploy shifts the alias' traffic to it (canary, linear or all at once), running the
 * pre- and post-traffic hooks and rolling back when an alarm fires or a hook fails.
 *
 * Defines a version and an alias of the function, a CodeDeploy Lambda application (unless
 * given), a deployment group, a least-privilege service role (unless given), and CloudWatch
 * alarms on the alias' errors and throttles.
 */
export class LambdaDeployment extends Construct {
  /** The alias CodeDeploy shifts; point event sources, API integrations and permissions at it. */
  public readonly alias: lambda.Alias;

  /** The version the alias points to after a successful deployment. */
  public readonly version: lambda.IVersion;

  /** The CodeDeploy application. */
  public readonly application: codedeploy.ILambdaApplication;

  /** The CodeDeploy deployment group. */
  public readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;

  /** The service role CodeDeploy assumes. */
  public readonly role: iam.IRole;

  /** Every alarm that stops the deployment: the default alarms followed by the user's. */
  public readonly alarms: cloudwatch.IAlarm[];

  /** The default alarms the pattern defined (empty when turned off). */
  public readonly defaultAlarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: LambdaDeploymentProps) {
    super(scope, id);

    const alarmOptions = props.defaultAlarms ?? {};
    const defaultAlarmCount = (alarmOptions.errors ?? true ? 1 : 0) + (alarmOptions.throttles ?? true ? 1 : 0);
    throwIfErrors(this, [
      ...validateDeploymentGroupName(props.deploymentGroupName),
      ...validateSharedOptions(props, defaultAlarmCount),
      ...validateAliasName(props.aliasName),
      ...validateAlarmTuning(
        { errorsThreshold: alarmOptions.errorsThreshold, throttlesThreshold: alarmOptions.throttlesThreshold },
        alarmOptions.evaluationPeriods,
        alarmOptions.period,
      ),
      ...validateCustomTrafficRouting(props.deploymentConfig),
      ...validateConfigPlatform(props.deploymentConfig, 'Lambda'),
      ...(props.version && !Token.isUnresolved(props.version.version) && props.version.version === '$LATEST'
        ? ['version is $LATEST (fn.latestVersion): an alias on $LATEST is never shifted by CodeDeploy, so every change goes live at once with no canary, alarms or rollback. Omit version (the pattern uses lambdaFunction.currentVersion) or pass a published version.']
        : []),
      ...validateManagedPolicyOption(props.role, props.useAwsManagedPolicy),
    ]);

    this.version = props.version ?? props.lambdaFunction.currentVersion;
    this.alias = new lambda.Alias(this, 'Alias', {
      aliasName: props.aliasName ?? 'live',
      version: this.version,
      provisionedConcurrentExecutions: props.provisionedConcurrentExecutions,
    });

    // One application per stack unless given; with it, one service role per stack (each pattern adds its grants).
    this.application = props.application ?? sharedApplication(this, ComputePlatform.LAMBDA, (s, name) => new codedeploy.LambdaApplication(s, name));
    this.role =
      props.role ??
      (props.application
        ? new CodeDeployServiceRole(this, 'ServiceRole', {
          computePlatform: ComputePlatform.LAMBDA,
          applicationName: this.application.applicationName,
          useAwsManagedPolicy: props.useAwsManagedPolicy,
        })
        : sharedServiceRole(this, ComputePlatform.LAMBDA, this.application.applicationName, props.useAwsManagedPolicy ?? false));

    this.defaultAlarms = this.createDefaultAlarms(alarmOptions);
    this.defaultAlarms.forEach((a) => acknowledgeCompliance(a, OwnedResource.DEFAULT_ALARM));
    this.alarms = allAlarms(this.defaultAlarms, props.alarms);

    this.deploymentGroup = new GrantingLambdaDeploymentGroup(this, 'DeploymentGroup', {
      grantRole: this.role,
      alias: this.alias,
      application: this.application,
      deploymentGroupName: props.deploymentGroupName,
      deploymentConfig: props.deploymentConfig ?? codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      // aws-cdk-lib attaches AWSCodeDeployRoleForLambdaLimited to a role it can change; we grant ourselves.
      role: immutableView(this, 'ImmutableServiceRole', this.role),
      alarms: this.alarms,
      ignorePollAlarmsFailure: props.ignorePollAlarmsFailure,
      ignoreAlarmConfiguration: props.ignoreAlarmConfiguration,
      autoRollback: autoRollbackConfig(props, this.alarms.length),
    });

    warnRiskyOptions(this, props, this.alarms.length, this.deploymentGroup.deploymentConfig.deploymentConfigName);
    warnMissingStatements(this, this.role, grantShiftAliasTraffic(this.role, this.alias));
    warnMissingStatements(this, this.role, grantDescribeAlarms(this.role, this.alarms.map((a) => a.alarmArn)));
    applyNotifications(this.deploymentGroup, this.role, props.notifications ?? []);

    const notItself = (name: string, fn: lambda.IFunction) => {
      if (fn.node === props.lambdaFunction.node) {
        throwIfErrors(this, [
          `${name} is the deployed function itself (${props.lambdaFunction.node.path}): CodeDeploy would invoke $LATEST as the hook and wait for a PutLifecycleEventHookExecutionStatus it never sends. Use a separate hook function, or LifecycleHook.invokeCheck() to test the new version.`,
        ]);
      }
      return fn;
    };
    /** aws-cdk-lib's error for an imported hook it cannot grant on names neither this construct nor the fix. */
    const withPath = (name: string, fn: lambda.IFunction, add: () => void) => {
      try {
        add();
      } catch (e) {
        throwIfErrors(this, [
          `${name}: CodeDeploy's role could not be given permission to invoke ${fn.node.path} (${fn.functionArn}), an imported function (aws-cdk-lib: "${(e as Error).message.split('\n')[0]}"). If it is in this account, import it with lambda.Function.fromFunctionAttributes(..., { sameEnvironment: true }); if it is in another account, give its resource policy lambda:InvokeFunction for the service role and import it with { skipPermissions: true }.`,
        ]);
      }
    };
    if (isHook(props.preTraffic)) {
      const hook = props.preTraffic.bind(this, this.hookBindOptions(LifecycleEvent.BEFORE_ALLOW_TRAFFIC));
      const fn = notItself('preTraffic', hook.hookFunction);
      withPath('preTraffic', fn, () => this.deploymentGroup.addPreHook(fn));
    }
    const postTraffic =
      props.postTraffic ?? (this.alarms.length > 0 ? LifecycleHook.alarmCheck(this.alarms, { observeFor: Duration.minutes(1) }) : undefined);
    if (isHook(postTraffic)) {
      const hook = postTraffic.bind(this, this.hookBindOptions(LifecycleEvent.AFTER_ALLOW_TRAFFIC));
      const fn = notItself('postTraffic', hook.hookFunction);
      withPath('postTraffic', fn, () => this.deploymentGroup.addPostHook(fn));
    }

    if (this.alarms.length === 0) {
      Annotations.of(this).addWarningV2(
        'cdk-codedeploy-patterns:noAlarms',
        'This deployment has no alarms, so CodeDeploy cannot stop or roll back a bad version on its own. Keep the default alarms or pass alarms.',
      );
    }

    // Updating the alias is what runs the CodeDeploy deployment, so every permission the deployment
    // uses (the service role's policies; the hooks' functions and roles) must be in place first.
    // None of those policies refers to the alias (see grantShiftAliasTraffic), so there is no cycle.
    this.alias.node.addDependency(this.role);
  }

  /**
   * Adds an alarm to the deployment group and lets the service role read it.
   * (`deploymentGroup.addAlarm()` does the same.)
   */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
    this.deploymentGroup.addAlarm(alarm);
  }

  /** Sends events of this function's alias (not of `$LATEST`) to the function. */
  public addEventSource(source: lambda.IEventSource): void {
    this.alias.addEventSource(source);
  }

  /** An EventBridge rule matching state changes of this deployment group's deployments. */
  public onDeploymentStateChange(id: string, options: DeploymentStateChangeOptions = {}): events.Rule {
    return deploymentStateChangeRule(
      this,
      id,
      this.application.applicationName,
      this.deploymentGroup.deploymentGroupName,
      options,
    );
  }

  private hookBindOptions(lifecycleEvent: LifecycleEvent) {
    return {
      deploymentGroupArn: this.deploymentGroup.deploymentGroupArn,
      serviceRole: this.role,
      lifecycleEvent,
      applicationArn: this.application.applicationArn,
      lambdaFunction: this.version.lambda,
    };
  }

  private createDefaultAlarms(options: LambdaDeploymentAlarmOptions): cloudwatch.IAlarm[] {
    const period = options.period ?? Duration.minutes(1);
    const evaluationPeriods = options.evaluationPeriods ?? 1;
    const alarms: cloudwatch.IAlarm[] = [];
    const common = {
      evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    if (options.errors ?? true) {
      alarms.push(
        new cloudwatch.Alarm(this, 'ErrorsAlarm', {
          ...common,
          alarmDescription: `Errors of ${this.alias.aliasName}: stops and rolls back the CodeDeploy deployment`,
          metric: this.alias.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
          threshold: options.errorsThreshold ?? 1,
        }),
      );
    }
    if (options.throttles ?? true) {
      alarms.push(
        new cloudwatch.Alarm(this, 'ThrottlesAlarm', {
          ...common,
          alarmDescription: `Throttles of ${this.alias.aliasName}: stops and rolls back the CodeDeploy deployment`,
          metric: this.alias.metricThrottles({ period, statistic: cloudwatch.Stats.SUM }),
          threshold: options.throttlesThreshold ?? 1,
        }),
      );
    }
    return alarms;
  }
}

function validateAliasName(name: string | undefined): string[] {
  if (name === undefined || Token.isUnresolved(name)) {
    return [];
  }
  if (!/^[a-zA-Z0-9_-]{1,128}$/.test(name) || /^[0-9]+$/.test(name)) {
    return [
      `aliasName must be 1-128 letters, digits, "-" or "_" and not only digits (a number names a version); received "${name}".`,
    ];
  }
  return [];
}

