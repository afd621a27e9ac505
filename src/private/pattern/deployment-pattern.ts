import { Annotations, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IConstruct } from 'constructs';
import { sharedApplication, sharedServiceRole } from './shared-resources';
import { DeploymentGroupOptions, DeploymentStateChangeOptions } from '../../common/deployment-options';
import { isHook } from '../../hooks/is-hook';
import { LifecycleHook } from '../../hooks/lifecycle-hook';
import { LifecycleEvent, LifecycleHookBindOptions } from '../../hooks/lifecycle-hook-bind';
import { CodeDeployServiceRole, ComputePlatform } from '../../iam/codedeploy-service-role';
import { DeploymentTrigger, DeploymentTriggerProps } from '../../trigger/deployment-trigger';
import { acknowledgeCompliance, OwnedResource } from '../compliance';
import { dependOn } from '../dependencies';
import {
  allAlarms,
  applyNotifications,
  autoRollbackConfig,
  deploymentStateChangeRule,
  validateSharedOptions,
  warnRiskyOptions,
} from '../deployment-group';
import { Emergency, emergencyDescription, emergencyFor, markEmergency } from '../emergency';
import { grantDescribeAlarms, immutableView, warnMissingStatements } from '../permissions';
import { throwIfErrors, validateDeploymentGroupName, validateManagedPolicyOption } from '../validation';

/** What the skeleton reads from every pattern's props. */
export interface PatternOptions extends DeploymentGroupOptions {
  /** Whether a service role the pattern creates gets the AWS managed policy. */
  readonly useAwsManagedPolicy?: boolean;
}

/** A CodeDeploy application of any platform. */
export interface PatternApplication extends IConstruct {
  readonly applicationName: string;
  readonly applicationArn: string;
}

/** A deployment group of any platform, as the skeleton uses it. */
export interface PatternGroup extends IConstruct {
  readonly deploymentGroupName: string;
  readonly deploymentGroupArn: string;
  addAlarm(alarm: cloudwatch.IAlarm): void;
  /** Lets the role read every alarm of the group, also those added later. */
  addAlarmReader(role: iam.IRole): void;
}

/** The deployment-group props the skeleton decides for every platform. */
export interface PatternGroupBasics<A> {
  /** The role that gets the grants of the group's own methods (the group holds an immutable view). */
  readonly grantRole: iam.IRole;
  readonly application: A;
  readonly deploymentGroupName?: string;
  readonly role: iam.IRole;
  readonly alarms: cloudwatch.IAlarm[];
  readonly ignorePollAlarmsFailure?: boolean;
  readonly ignoreAlarmConfiguration?: boolean;
  readonly autoRollback: codedeploy.AutoRollbackConfig;
}

/** What one platform supplies: everything in which the platforms differ. */
export interface PlatformParts<A extends PatternApplication, G extends PatternGroup> {
  readonly platform: ComputePlatform;
  readonly options: PatternOptions;
  /** The user's application, if given. */
  readonly application?: A;
  /** The platform's application class, for the stack's shared one. */
  readonly newApplication: (scope: Construct, id: string) => A;
  /** Creates the platform's default alarms (in the pattern's scope). */
  readonly defaultAlarms: () => cloudwatch.IAlarm[];
  /** Creates the platform's L2 deployment group from the shared basics. */
  readonly deploymentGroup: (basics: PatternGroupBasics<A>) => G;
  /** The configuration to warn about when it is all at once; undefined when the platform allows no other. */
  readonly riskyConfigName: (group: G) => string | undefined;
  /**
   * Grants the platform's permissions to the service role; returns the statements it could not add
   * (an immutable role), which the skeleton names in one warning.
   */
  readonly grants: (role: iam.IRole, usesAwsManagedPolicy: boolean) => iam.PolicyStatement[];
}

/** The platform-typed parts the skeleton created. */
export interface PatternParts<A, G> {
  readonly application: A;
  readonly deploymentGroup: G;
}

interface Assembled {
  readonly application: PatternApplication;
  readonly deploymentGroup: PatternGroup;
  readonly role: iam.IRole;
  readonly defaultAlarms: cloudwatch.IAlarm[];
  readonly alarms: cloudwatch.IAlarm[];
}

/**
 * The one skeleton of the three patterns (`LambdaDeployment`, `EcsDeployment`, `ServerDeployment`):
 * shared validation, the application and service role (the stack's shared ones unless given),
 * default alarms, the L2 deployment group on an immutable view of the role, risky-option warnings,
 * grants, notifications, hook binding, the trigger that deploys on `cdk deploy`, `addAlarm` and
 * `onDeploymentStateChange`. A platform supplies only what differs (`PlatformParts`).
 *
 * Hidden from jsii: its public members are copied into each pattern (jsii erases `@internal`
 * base classes), so Python, Java, C# and Go users see three plain classes.
 *
 * @internal
 */
export abstract class DeploymentPatternBase extends Construct {
  private assembled?: Assembled;

  /**
   * The emergency switch, when it is on for this pattern (known after `_validate`): deploy at once,
   * without hooks or alarms (src/private/emergency.ts).
   *
   * @internal
   */
  protected _emergency?: Emergency;

  /** The service role CodeDeploy assumes. */
  public get role(): iam.IRole {
    return this.parts().role;
  }

  /** Every alarm that stops the deployment: the default alarms followed by the user's. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.parts().alarms;
  }

  /** The default alarms the pattern defined (empty when turned off or not applicable). */
  public get defaultAlarms(): cloudwatch.IAlarm[] {
    return this.parts().defaultAlarms;
  }

  /**
   * Adds an alarm to the deployment group and lets the service role read it.
   * (`deploymentGroup.addAlarm()` does the same.)
   */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
    this.parts().deploymentGroup.addAlarm(alarm);
  }

  /** An EventBridge rule matching state changes of this deployment group's deployments. */
  public onDeploymentStateChange(id: string, options: DeploymentStateChangeOptions = {}): events.Rule {
    const { application, deploymentGroup } = this.parts();
    return deploymentStateChangeRule(this, id, application.applicationName, deploymentGroup.deploymentGroupName, options);
  }

  /**
   * Throws one error listing every problem: the shared options' and the platform's.
   *
   * @internal
   */
  protected _validate(options: PatternOptions, defaultAlarmCount: number, platformErrors: string[]): void {
    const emergency = emergencyFor(this);
    this._emergency = emergency.emergency;
    throwIfErrors(this, [
      ...emergency.errors,
      ...validateDeploymentGroupName(options.deploymentGroupName),
      ...validateSharedOptions(options, defaultAlarmCount),
      ...platformErrors,
      ...validateManagedPolicyOption(options.role, options.useAwsManagedPolicy),
    ]);
  }

  /**
   * Application, role, default alarms, deployment group, warnings, grants and notifications.
   *
   * @internal
   */
  protected _assemble<A extends PatternApplication, G extends PatternGroup>(parts: PlatformParts<A, G>): PatternParts<A, G> {
    const options = parts.options;
    // One application per stack unless given; with it, one service role per stack (each pattern adds its grants).
    const application = parts.application ?? sharedApplication(this, parts.platform, parts.newApplication);
    const role =
      options.role ??
      (parts.application
        ? new CodeDeployServiceRole(this, 'ServiceRole', {
          computePlatform: parts.platform,
          applicationName: application.applicationName,
          useAwsManagedPolicy: options.useAwsManagedPolicy,
        })
        : sharedServiceRole(this, parts.platform, application.applicationName, options.useAwsManagedPolicy ?? false));

    const defaultAlarms = parts.defaultAlarms();
    defaultAlarms.forEach((a) => acknowledgeCompliance(a, OwnedResource.DEFAULT_ALARM));
    const alarms = allAlarms(defaultAlarms, options.alarms);

    const deploymentGroup = parts.deploymentGroup({
      grantRole: role,
      application,
      deploymentGroupName: options.deploymentGroupName,
      // aws-cdk-lib attaches the AWS managed policy to a role it can change; the patterns grant themselves.
      role: immutableView(this, 'ImmutableServiceRole', role),
      alarms,
      ignorePollAlarmsFailure: options.ignorePollAlarmsFailure,
      // An emergency deploys even while an alarm fires (the alarms stay defined, CodeDeploy ignores them).
      ignoreAlarmConfiguration: this._emergency ? true : options.ignoreAlarmConfiguration,
      autoRollback: autoRollbackConfig(options),
    });
    this.assembled = { application, deploymentGroup, role, defaultAlarms, alarms };
    if (this._emergency) {
      markEmergency(this, this._emergency, 'deploys all at once, runs no lifecycle hooks and ignores its alarms', deploymentGroup);
    }

    warnRiskyOptions(this, options, alarms.length, parts.riskyConfigName(deploymentGroup));
    const managed = role instanceof CodeDeployServiceRole && role.usesAwsManagedPolicy;
    warnMissingStatements(this, role, parts.grants(role, managed));
    warnMissingStatements(this, role, grantDescribeAlarms(role, alarms.map((a) => a.alarmArn)));
    applyNotifications(deploymentGroup, role, options.notifications ?? []);
    return { application, deploymentGroup };
  }

  /**
   * Binds a hook (unless none) to a lifecycle event of this deployment group.
   *
   * @internal
   */
  protected _bindHook(
    hook: LifecycleHook | undefined,
    lifecycleEvent: LifecycleEvent,
    platform: Partial<LifecycleHookBindOptions> = {},
  ): lambda.IFunction | undefined {
    if (!isHook(hook) || this._emergency) {
      // In an emergency the hooks are not run at all: no hook can hold the fix back.
      return undefined;
    }
    const { application, deploymentGroup, role, alarms } = this.parts();
    const fn = hook.bind(this, {
      deploymentGroupArn: deploymentGroup.deploymentGroupArn,
      serviceRole: role,
      lifecycleEvent,
      applicationArn: application.applicationArn,
      alarms,
      ...platform,
    }).hookFunction;
    if (hook._readsGroupAlarms && fn.role) {
      deploymentGroup.addAlarmReader(fn.role);
    }
    return fn;
  }

  /**
   * The trigger that runs a deployment of this group on `cdk deploy`, after the group and the
   * service role's permissions exist.
   *
   * @internal
   */
  protected _deployOnUpdate(
    props: Omit<DeploymentTriggerProps, 'applicationName' | 'deploymentGroupName' | 'description'>,
  ): DeploymentTrigger {
    const { application, deploymentGroup, role } = this.parts();
    const trigger = new DeploymentTrigger(this, 'Deploy', {
      applicationName: application.applicationName,
      deploymentGroupName: deploymentGroup.deploymentGroupName,
      description: this._emergency ? emergencyDescription(this._emergency) : `cdk deploy of ${this.node.path}`.slice(0, 100),
      ...props,
    });
    dependOn(trigger, deploymentGroup, [deploymentGroup.deploymentGroupName]);
    trigger.node.addDependency(role);
    return trigger;
  }

  /**
   * Warns, with the platform's advice, when nothing can stop a bad deployment but its own failure.
   *
   * @internal
   */
  protected _warnIfNoAlarms(message: string): void {
    // Checked at synth, on the alarms the group renders: alarms added with addAlarm() after construction count.
    const cfn = this.parts().deploymentGroup.node.defaultChild as codedeploy.CfnDeploymentGroup;
    this.node.addValidation({
      validate: () => {
        const config = Stack.of(this).resolve(cfn.alarmConfiguration);
        if (!Array.isArray(config?.alarms) || config.alarms.length === 0) {
          Annotations.of(this).addWarningV2('cdk-codedeploy-patterns:noAlarms', message);
        }
        return [];
      },
    });
  }

  private parts(): Assembled {
    if (!this.assembled) {
      throw new Error(`${this.node.path}: the deployment group is read before the pattern created it (a bug in cdk-codedeploy-patterns).`);
    }
    return this.assembled;
  }
}
