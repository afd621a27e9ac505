import { Duration, Token } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { EcsDeploymentProps } from './ecs-deployment-props';
import { DeploymentEvent, DeploymentState } from '../common/deployment-options';
import { DeploymentSource } from '../common/deployment-source';

// The ECS engine of `EcsDeployment` (issue 17): what of the shared API it takes, and how.

/** How ECS shifts traffic (the service's deployment strategy). */
export interface NativeStrategy {
  readonly strategy: ecs.DeploymentStrategy;
  readonly linear?: ecs.TrafficShiftConfig;
  readonly canary?: ecs.TrafficShiftConfig;
}

/**
 * CodeDeploy's predefined ECS configurations, as ECS strategies with the same steps: the engine
 * takes the same `deploymentConfig` as the CodeDeploy engine.
 */
const PREDEFINED: Record<string, NativeStrategy> = {
  'CodeDeployDefault.ECSAllAtOnce': { strategy: ecs.DeploymentStrategy.BLUE_GREEN },
  'CodeDeployDefault.ECSLinear10PercentEvery1Minutes': {
    strategy: ecs.DeploymentStrategy.LINEAR,
    linear: { stepPercent: 10, stepBakeTime: Duration.minutes(1) },
  },
  'CodeDeployDefault.ECSLinear10PercentEvery3Minutes': {
    strategy: ecs.DeploymentStrategy.LINEAR,
    linear: { stepPercent: 10, stepBakeTime: Duration.minutes(3) },
  },
  'CodeDeployDefault.ECSCanary10Percent5Minutes': {
    strategy: ecs.DeploymentStrategy.CANARY,
    canary: { stepPercent: 10, stepBakeTime: Duration.minutes(5) },
  },
  'CodeDeployDefault.ECSCanary10Percent15Minutes': {
    strategy: ecs.DeploymentStrategy.CANARY,
    canary: { stepPercent: 10, stepBakeTime: Duration.minutes(15) },
  },
};

/** The strategy of a deployment configuration; undefined for a custom one. */
export function nativeStrategy(config: codedeploy.IEcsDeploymentConfig): NativeStrategy | undefined {
  return PREDEFINED[config.deploymentConfigName];
}

/**
 * The lifecycle stages of ECS that stand for CodeDeploy's ECS hook events. CloudFormation's
 * schema for `AWS::ECS::Service` (as cfn-lint carries it) has no `PRE_PRODUCTION_TRAFFIC_SHIFT`, so
 * `beforeAllowTraffic` runs at `POST_TEST_TRAFFIC_SHIFT`, the last stage before production traffic
 * moves (README, "When references disagree").
 */
export const NATIVE_STAGES: Record<string, string> = {
  beforeInstall: 'PRE_SCALE_UP',
  afterInstall: 'POST_SCALE_UP',
  afterAllowTestTraffic: 'POST_TEST_TRAFFIC_SHIFT',
  beforeAllowTraffic: 'POST_TEST_TRAFFIC_SHIFT',
  afterAllowTraffic: 'POST_PRODUCTION_TRAFFIC_SHIFT',
};

/**
 * ECS's service deployment events (`detail.eventName` of "ECS Deployment State Change", ECS guide
 * "Amazon ECS service deployment state change events") for CodeDeploy's notification events and
 * deployment states. ECS sends no other: a stop, a rollback (an in-progress event with another
 * reason), readiness and instance events have no counterpart.
 */
export const NATIVE_EVENT_NAMES: Record<string, string> = {
  [DeploymentEvent.DEPLOYMENT_START]: 'SERVICE_DEPLOYMENT_IN_PROGRESS',
  [DeploymentEvent.DEPLOYMENT_SUCCESS]: 'SERVICE_DEPLOYMENT_COMPLETED',
  [DeploymentEvent.DEPLOYMENT_FAILURE]: 'SERVICE_DEPLOYMENT_FAILED',
};
export const NATIVE_STATE_NAMES: Record<string, string> = {
  [DeploymentState.START]: 'SERVICE_DEPLOYMENT_IN_PROGRESS',
  [DeploymentState.SUCCESS]: 'SERVICE_DEPLOYMENT_COMPLETED',
  [DeploymentState.FAILURE]: 'SERVICE_DEPLOYMENT_FAILED',
};

/** CloudFormation's range of `BakeTimeInMinutes` (and of each step's bake time). */
export const MAX_BAKE_MINUTES = 1440;

/** Options that exist for the CodeDeploy engine only: an error each with the ECS engine, naming why. */
export function nativeProblems(props: EcsDeploymentProps): string[] {
  const errors: string[] = [];
  const onlyCodeDeploy = (name: string, why: string) =>
    errors.push(`${name} exists only with engine CODE_DEPLOY (${why}); drop it, or use EcsDeploymentEngine.CODE_DEPLOY.`);
  const given: Array<[string, unknown, string]> = [
    ['application', props.application, 'the ECS engine creates no CodeDeploy application'],
    ['role', props.role, 'the ECS engine has no CodeDeploy service role; ECS uses the listeners\' infrastructure role'],
    ['useAwsManagedPolicy', props.useAwsManagedPolicy, 'it is the CodeDeploy service role\'s policy'],
    ['deploymentGroupName', props.deploymentGroupName, 'the ECS engine creates no deployment group'],
    ['autoRollback', props.autoRollback, 'ECS rolls back on a failed hook or an alarm, always'],
    ['ignorePollAlarmsFailure', props.ignorePollAlarmsFailure, 'CodeDeploy polls the alarms; ECS reads them itself'],
    ['deploymentTimeout', props.deploymentTimeout, 'it bounds the trigger\'s wait; with the ECS engine CloudFormation waits for the service'],
    ['blueGreen.waitForTermination', props.blueGreen?.waitForTermination, 'it is the trigger\'s; CloudFormation waits for the ECS deployment itself'],
    [
      'blueGreen.deploymentApprovalWaitTime',
      props.blueGreen?.deploymentApprovalWaitTime,
      'ECS\'s approval is a PAUSE hook, which CloudFormation\'s AWS::ECS::Service schema does not have yet',
    ],
  ];
  for (const [name, value, why] of given) {
    if (value !== undefined) {
      onlyCodeDeploy(name, why);
    }
  }
  (props.notifications ?? []).forEach((n, i) => {
    const unmapped = (n.events ?? []).filter((e) => NATIVE_EVENT_NAMES[e] === undefined);
    if (unmapped.length > 0) {
      errors.push(
        `notifications[${i}] has ${unmapped.join(', ')}, which ECS does not send: with the ECS engine, notifications come from ECS's deployment events, ` +
          'for which DeploymentStart, DeploymentSuccess and DeploymentFailure stand. Drop the others, or use engine CODE_DEPLOY.',
      );
    }
  });
  if (props.deploymentSource === DeploymentSource.PIPELINE) {
    onlyCodeDeploy('deploymentSource PIPELINE', 'CodePipeline\'s CodeDeploy-to-ECS action needs a deployment group; with the ECS engine a pipeline updates the service, which this pattern does not offer yet');
  }
  const config = props.deploymentConfig;
  if (config && !Token.isUnresolved(config.deploymentConfigName) && !nativeStrategy(config)) {
    errors.push(
      `deploymentConfig ${config.deploymentConfigName} has no ECS strategy: the ECS engine takes CodeDeploy's predefined ECS configurations ` +
        `(${Object.keys(PREDEFINED).join(', ')}). Use one of them, or engine CODE_DEPLOY for a custom configuration.`,
    );
  } else if (config && Token.isUnresolved(config.deploymentConfigName)) {
    errors.push(
      `deploymentConfig ${(config as any).node?.path ?? ''} is a custom CodeDeploy configuration; the ECS engine takes CodeDeploy's predefined ECS configurations. Use one of them, or engine CODE_DEPLOY.`,
    );
  }
  const wait = props.blueGreen?.terminationWaitTime;
  if (wait && !Token.isUnresolved(wait.toMinutes({ integral: false })) && wait.toMinutes({ integral: false }) > MAX_BAKE_MINUTES) {
    errors.push(
      `blueGreen.terminationWaitTime is ECS's bake time with the ECS engine, at most ${MAX_BAKE_MINUTES} minutes (CloudFormation's BakeTimeInMinutes); received ${wait.toMinutes({ integral: false })} minutes.`,
    );
  }
  return errors;
}
