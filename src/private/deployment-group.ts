import { Annotations, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { grantPublishNotifications } from './permissions';
import { DeploymentGroupOptions, DeploymentNotification, DeploymentStateChangeOptions } from '../common/deployment-options';

/**
 * At most 10 alarms per deployment group. The user guide says "up to ten" in the monitoring chapter and 20
 * in the quota table; the CreateDeploymentGroup API reference allows 10, so we enforce 10.
 */
export const MAX_ALARMS = 10;
/** At most 10 triggers (notifications) per deployment group. */
export const MAX_NOTIFICATIONS = 10;

/** Validates the options every pattern shares. */
export function validateSharedOptions(options: DeploymentGroupOptions, defaultAlarmCount: number): string[] {
  const errors: string[] = [];
  const alarms = (options.alarms?.length ?? 0) + defaultAlarmCount;
  if (alarms > MAX_ALARMS) {
    errors.push(
      `A deployment group takes at most ${MAX_ALARMS} alarms; this one would have ${alarms} (${options.alarms?.length ?? 0} given in alarms + ${defaultAlarmCount} default alarms). Combine alarms into a composite alarm, or turn off default alarms you don't need.`,
    );
  }
  const notifications = options.notifications ?? [];
  if (notifications.length > MAX_NOTIFICATIONS) {
    errors.push(
      `A deployment group takes at most ${MAX_NOTIFICATIONS} notifications (CodeDeploy triggers); received ${notifications.length}. Send several events to one topic instead.`,
    );
  }
  const names = new Set<string>();
  notifications.forEach((n, i) => {
    const name = notificationName(n, i);
    if (n.events.length === 0) {
      errors.push(`notifications[${i}] ("${name}") has no events; list at least one DeploymentEvent.`);
    }
    if (!Token.isUnresolved(name)) {
      if (names.has(name)) {
        errors.push(`notifications[${i}] reuses the name "${name}"; trigger names must be unique in a deployment group.`);
      }
      names.add(name);
    }
  });
  const rollback = options.autoRollback;
  if (rollback?.deploymentInAlarm === true && alarms === 0) {
    errors.push(
      'autoRollback.deploymentInAlarm is true but the deployment group has no alarms. Add alarms, keep the default alarms on, or set deploymentInAlarm to false.',
    );
  }
  return errors;
}

/**
 * The rollback configuration: the user's, or on failure, on stop, and on alarm when the group has
 * alarms. `deploymentInAlarm` stays unset unless given: aws-cdk-lib's groups then decide when they
 * render, from every alarm the group has by then (also alarms added with `addAlarm` later).
 */
export function autoRollbackConfig(options: DeploymentGroupOptions): codedeploy.AutoRollbackConfig {
  return {
    failedDeployment: options.autoRollback?.failedDeployment ?? true,
    stoppedDeployment: options.autoRollback?.stoppedDeployment ?? true,
    deploymentInAlarm: options.autoRollback?.deploymentInAlarm,
  };
}

function notificationName(n: DeploymentNotification, index: number): string {
  return n.name ?? `Notification${index + 1}`;
}

/** The notifications as CodeDeploy trigger configurations (CloudFormation's and the API's shape alike, camel case). */
export function notificationTriggers(notifications: DeploymentNotification[]) {
  return notifications.map((n, i) => ({
    triggerName: notificationName(n, i),
    triggerTargetArn: n.topic.topicArn,
    triggerEvents: [...new Set(n.events)],
  }));
}

/** Lets the service role publish to each notification's topic (and the topic accept it, for topics whose policy allows only their owner). */
export function grantNotifications(role: iam.IRole, notifications: DeploymentNotification[]): void {
  for (const n of notifications) {
    grantPublishNotifications(role, n.topic);
    n.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCodeDeployServiceRolePublish',
        actions: ['sns:Publish'],
        principals: [new iam.ArnPrincipal(role.roleArn)],
        resources: [n.topic.topicArn],
      }),
    );
  }
}

/**
 * Adds the notifications as trigger configurations of the L1 deployment group (the L2 has no
 * trigger support) and lets the service role publish to each topic.
 */
export function applyNotifications(
  deploymentGroup: IConstruct,
  role: iam.IRole,
  notifications: DeploymentNotification[],
): void {
  if (notifications.length === 0) {
    return;
  }
  const cfn = deploymentGroup.node.defaultChild as codedeploy.CfnDeploymentGroup;
  cfn.triggerConfigurations = notificationTriggers(notifications);
  grantNotifications(role, notifications);
}

/** An EventBridge rule matching state changes of one deployment group's deployments. */
export function deploymentStateChangeRule(
  scope: Construct,
  id: string,
  applicationName: string,
  deploymentGroupName: string,
  options: DeploymentStateChangeOptions = {},
): events.Rule {
  const detail: Record<string, unknown> = {
    application: [applicationName],
    deploymentGroup: [deploymentGroupName],
  };
  if (options.states && options.states.length > 0) {
    detail.state = [...new Set(options.states)];
  }
  const rule = new events.Rule(scope, id, {
    ruleName: options.ruleName,
    description: options.description ?? 'State changes of CodeDeploy deployments of one deployment group',
    eventPattern: {
      source: ['aws.codedeploy'],
      detailType: ['CodeDeploy Deployment State-change Notification'],
      detail,
    },
  });
  if (options.target) {
    rule.addTarget(options.target);
  }
  return rule;
}

/** The alarms of a pattern: its defaults followed by the user's. */
export function allAlarms(defaults: cloudwatch.IAlarm[], user: cloudwatch.IAlarm[] | undefined): cloudwatch.IAlarm[] {
  return [...defaults, ...(user ?? [])];
}

/**
 * Valid but risky choices get a warning users can acknowledge (`Validations.of(x).acknowledge()` /
 * `Annotations.acknowledgeWarning`): they are allowed, but the deployment loses a safety net.
 */
export function warnRiskyOptions(
  scope: Construct,
  options: DeploymentGroupOptions,
  alarmCount: number,
  deploymentConfigName: string | undefined,
): void {
  const warn = (id: string, message: string) => Annotations.of(scope).addWarningV2(`cdk-codedeploy-patterns:${id}`, message);
  if (options.autoRollback?.failedDeployment === false) {
    warn(
      'noFailureRollback',
      'autoRollback.failedDeployment is false: a failed deployment stays where it stopped (for Lambda, the alias can stay split between two versions). Keep rollback on failure unless you roll back by hand.',
    );
  }
  if (options.autoRollback?.deploymentInAlarm === false && alarmCount > 0) {
    warn(
      'noAlarmRollback',
      'autoRollback.deploymentInAlarm is false although the deployment has alarms: an alarm stops the deployment but leaves it half done. Keep alarm rollback on.',
    );
  }
  if (options.ignoreAlarmConfiguration === true) {
    warn(
      'ignoreAlarmConfiguration',
      'ignoreAlarmConfiguration is true: deployments do not watch the alarms, so nothing stops or rolls back a bad version until the scripts or hooks fail. Turn it off once the deployment that needed it is through.',
    );
  }
  if (options.ignorePollAlarmsFailure === true) {
    warn(
      'ignorePollAlarmsFailure',
      'ignorePollAlarmsFailure is true: when CodeDeploy cannot read the alarms (permissions, throttling) the deployment goes on unwatched. Leave it false unless alarm reads are known to fail.',
    );
  }
  if (deploymentConfigName !== undefined && !Token.isUnresolved(deploymentConfigName) && /AllAtOnce$/.test(deploymentConfigName)) {
    warn(
      'allAtOnce',
      `deploymentConfig is ${deploymentConfigName}: every instance or all traffic changes at once, so alarms can only roll back after everyone got the new version. Prefer a canary, linear or one-at-a-time configuration.`,
    );
  }
}
