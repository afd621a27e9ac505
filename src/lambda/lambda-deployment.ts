import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LambdaDeploymentProps } from './lambda-deployment-props';
import { addHookFunction, lambdaDefaultAlarmCount, lambdaDefaultAlarms, validateLambdaOptions } from './lambda-deployment-rules';
import { DeploymentSource } from '../common/deployment-source';
import { LifecycleHook } from '../hooks/lifecycle-hook';
import { LifecycleEvent } from '../hooks/lifecycle-hook-bind';
import { ComputePlatform } from '../iam/codedeploy-service-role';
import { GrantingLambdaDeploymentGroup } from '../private/granting-groups';
import { DeploymentPatternBase } from '../private/pattern/deployment-pattern';
import { grantShiftAliasTraffic } from '../private/permissions';

/**
 * Deploys a Lambda function through AWS CodeDeploy: every change publishes a new version and
 * CodeDeploy shifts the alias' traffic to it (canary, linear or all at once), running the
 * pre- and post-traffic hooks and rolling back when an alarm fires or a hook fails.
 *
 * Defines a version and an alias of the function, a CodeDeploy Lambda application (unless
 * given), a deployment group, a least-privilege service role (unless given), and CloudWatch
 * alarms on the alias' errors and throttles.
 */
export class LambdaDeployment extends DeploymentPatternBase {
  /** The alias CodeDeploy shifts; point event sources, API integrations and permissions at it. */
  public readonly alias: lambda.Alias;

  /** The version the alias points to after a successful deployment (with `PIPELINE`: the first version, the alias's start). */
  public readonly version: lambda.IVersion;

  /** Who publishes versions and shifts the alias. */
  public readonly deploymentSource: DeploymentSource;

  /** The CodeDeploy application. */
  public readonly application: codedeploy.ILambdaApplication;

  /** The CodeDeploy deployment group. */
  public readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;

  constructor(scope: Construct, id: string, props: LambdaDeploymentProps) {
    super(scope, id);
    const alarmOptions = props.defaultAlarms ?? {};
    this._validate(props, lambdaDefaultAlarmCount(alarmOptions), validateLambdaOptions(props));

    this.deploymentSource = props.deploymentSource ?? DeploymentSource.CDK_DEPLOY;
    this.version = this.deploymentSource === DeploymentSource.PIPELINE
      ? firstVersion(this, props.lambdaFunction)
      : props.version ?? publishedVersion(props.lambdaFunction, props.oldVersions ?? RemovalPolicy.RETAIN);
    this.alias = new lambda.Alias(this, 'Alias', {
      aliasName: props.aliasName ?? 'live',
      version: this.version,
      provisionedConcurrentExecutions: props.provisionedConcurrentExecutions,
    });
    const alias = this.alias;
    const parts = this._assemble({
      platform: ComputePlatform.LAMBDA,
      options: props,
      application: props.application,
      newApplication: (s, name) => new codedeploy.LambdaApplication(s, name),
      defaultAlarms: () => lambdaDefaultAlarms(this, alias, alarmOptions),
      deploymentGroup: (basics) => new GrantingLambdaDeploymentGroup(this, 'DeploymentGroup', {
        ...basics,
        alias,
        deploymentConfig: this._emergency
          ? codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE
          : props.deploymentConfig ?? codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      }),
      riskyConfigName: (group) => (this._emergency ? undefined : group.deploymentConfig.deploymentConfigName),
      grants: (role) => grantShiftAliasTraffic(role, alias),
    });
    this.application = parts.application;
    this.deploymentGroup = parts.deploymentGroup;

    const hookOptions = { lambdaFunction: this.version.lambda };
    const before = this._bindHook(props.hooks?.beforeAllowTraffic, LifecycleEvent.BEFORE_ALLOW_TRAFFIC, hookOptions);
    if (before) {
      addHookFunction(this, 'hooks.beforeAllowTraffic', before, props.lambdaFunction, () => this.deploymentGroup.addPreHook(before));
    }
    const afterHook = props.hooks?.afterAllowTraffic ??
      (this.alarms.length > 0 ? LifecycleHook.deploymentGroupAlarmCheck({ observeFor: Duration.minutes(1) }) : undefined);
    const after = this._bindHook(afterHook, LifecycleEvent.AFTER_ALLOW_TRAFFIC, hookOptions);
    if (after) {
      addHookFunction(this, 'hooks.afterAllowTraffic', after, props.lambdaFunction, () => this.deploymentGroup.addPostHook(after));
    }

    this._warnIfNoAlarms(
      'This deployment has no alarms, so CodeDeploy cannot stop or roll back a bad version on its own. Keep the default alarms or pass alarms.',
    );
    // Updating the alias is what runs the CodeDeploy deployment, so every permission the deployment
    // uses (the service role's policies; the hooks' functions and roles) must be in place first.
    // None of those policies refers to the alias (see grantShiftAliasTraffic), so there is no cycle.
    this.alias.node.addDependency(this.role);
  }

  /** Sends events of this function's alias (not of `$LATEST`) to the function. */
  public addEventSource(source: lambda.IEventSource): void {
    this.alias.addEventSource(source);
  }
}

/**
 * The function's `currentVersion` with the removal policy the deployment wants for it. CloudFormation
 * applies the policy a resource had in the template it is removed from, so the version a later
 * update replaces is kept (RETAIN) or deleted (DESTROY) by that update's cleanup.
 */
function publishedVersion(fn: lambda.Function, removalPolicy: RemovalPolicy): lambda.Version {
  const version = fn.currentVersion;
  (version.node.defaultChild as lambda.CfnVersion).applyRemovalPolicy(removalPolicy);
  return version;
}

/**
 * With PIPELINE: one version the alias starts on, whose resource never changes (fixed ID, no code
 * hash), so CloudFormation never publishes another or moves the alias; kept on stack updates.
 */
function firstVersion(scope: Construct, fn: lambda.Function): lambda.Version {
  return new lambda.Version(scope, 'FirstVersion', {
    lambda: fn,
    description: 'The version the alias starts on; a pipeline publishes and deploys the next ones',
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
