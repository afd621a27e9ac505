import { Duration, Token } from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';

/**
 * Throws one error that lists every problem found, each naming the construct path,
 * so a user learns about all bad props of one construct at once.
 */
export function throwIfErrors(scope: IConstruct, errors: string[]): void {
  if (errors.length === 0) {
    return;
  }
  const lines = errors.map((e) => `  - ${e}`).join('\n');
  throw new Error(`[${scope.node.path}] invalid configuration:\n${lines}`);
}

/** CodeDeploy's names (applications, deployment groups): 1-100 letters, digits and . _ + = , @ - (a quota, not adjustable). */
export const CODEDEPLOY_NAME = /^[A-Za-z0-9._+=,@-]{1,100}$/;

/**
 * What CodeDeploy would reject in a name it takes (an application or deployment group name).
 * `ifEmpty` is the fix for an empty name (the prop may be optional, or must name something existing).
 */
export function codeDeployNameProblems(prop: string, name: string | undefined, ifEmpty: string): string[] {
  if (name === undefined || Token.isUnresolved(name)) {
    return [];
  }
  if (typeof name !== 'string' || name.length === 0) {
    return [`${prop} is empty; ${ifEmpty}`];
  }
  const errors: string[] = [];
  if (name.length > 100) {
    errors.push(`${prop} must be 1 to 100 characters long (CodeDeploy quota); received ${name.length} characters: "${name}". Use a shorter name.`);
  }
  if (!/^[A-Za-z0-9._+=,@-]*$/.test(name)) {
    errors.push(`${prop} may only contain letters, digits and . _ + = , @ -; received "${name}". Remove the other characters.`);
  }
  return errors;
}

/** Deployment group names of the patterns (optional: CloudFormation generates one). */
export function validateDeploymentGroupName(name: string | undefined): string[] {
  return codeDeployNameProblems('deploymentGroupName', name, 'give a name of 1 to 100 characters, or omit it to let CloudFormation generate one.');
}

/** Maximum minutes between the first and the last Lambda/ECS traffic shift (CodeDeploy quota: 2 days). */
export const MAX_TRAFFIC_SHIFT_MINUTES = 2880;

/**
 * Checks a time-based canary or linear traffic routing against CodeDeploy's rules:
 * step 1-99 %, interval in whole minutes >= 1, and the deployment's traffic shifting
 * fitting in 2,880 minutes.
 *
 * For linear routing the user guide gives the bound as
 * `interval x number of shifts <= 2,880` (25 % -> 4 shifts -> at most 720 minutes); we use
 * the guide's rule rather than the looser "last shift" reading.
 */
export function validateTimeBasedRouting(
  kind: 'canary' | 'linear',
  percentage: number | undefined,
  intervalMinutes: number | undefined,
): string[] {
  const errors: string[] = [];
  const label = kind === 'canary' ? 'Canary' : 'Linear';
  if (percentage !== undefined && !Token.isUnresolved(percentage)) {
    if (!Number.isInteger(percentage) || percentage < 1 || percentage > 99) {
      errors.push(
        `${label} traffic routing percentage must be a whole number from 1 to 99; received ${percentage}. Use a value in that range, or an all-at-once configuration to shift 100 % at once.`,
      );
    }
  }
  if (intervalMinutes !== undefined && !Token.isUnresolved(intervalMinutes)) {
    if (!Number.isInteger(intervalMinutes) || intervalMinutes < 1) {
      errors.push(
        `${label} traffic routing interval must be a whole number of minutes, at least 1; received ${intervalMinutes} minutes. Use Duration.minutes(n) with n >= 1.`,
      );
    } else if (kind === 'canary' && intervalMinutes > MAX_TRAFFIC_SHIFT_MINUTES) {
      errors.push(
        `Canary traffic routing interval must be at most ${MAX_TRAFFIC_SHIFT_MINUTES} minutes (CodeDeploy's 2-day limit between the first and the last traffic shift); received ${intervalMinutes} minutes. Use a shorter interval.`,
      );
    } else if (
      kind === 'linear' &&
      percentage !== undefined &&
      !Token.isUnresolved(percentage) &&
      percentage >= 1 &&
      percentage <= 99
    ) {
      const shifts = Math.ceil(100 / percentage);
      const total = shifts * intervalMinutes;
      if (total > MAX_TRAFFIC_SHIFT_MINUTES) {
        const maxInterval = Math.floor(MAX_TRAFFIC_SHIFT_MINUTES / shifts);
        errors.push(
          `Linear traffic routing of ${percentage} % every ${intervalMinutes} minutes takes ${shifts} shifts x ${intervalMinutes} = ${total} minutes, over CodeDeploy's limit of ${MAX_TRAFFIC_SHIFT_MINUTES} minutes. With ${percentage} % steps use an interval of at most ${maxInterval} minutes, or a larger step.`,
        );
      }
    }
  }
  return errors;
}

/**
 * Validates the traffic routing of a custom deployment configuration defined in this app
 * (read from its `AWS::CodeDeploy::DeploymentConfig`); predefined configurations need no check.
 */
export function validateCustomTrafficRouting(config: unknown): string[] {
  const routing = customTrafficRouting(config);
  if (!routing || Token.isUnresolved(routing)) {
    return [];
  }
  const errors: string[] = [];
  if (routing.timeBasedCanary) {
    errors.push(
      ...validateTimeBasedRouting('canary', routing.timeBasedCanary.canaryPercentage, routing.timeBasedCanary.canaryInterval),
    );
  }
  if (routing.timeBasedLinear) {
    errors.push(
      ...validateTimeBasedRouting('linear', routing.timeBasedLinear.linearPercentage, routing.timeBasedLinear.linearInterval),
    );
  }
  return errors.map((e) => `deploymentConfig ${(config as IConstruct).node.path}: ${e}`);
}

/**
 * The L1 resource of a deployment configuration defined in this app, or undefined for a
 * predefined one. Predefined configurations (`CodeDeployDefault.*`) are detached constructs whose
 * `.node` throws (and leaves an error file in cdk.out for the CLI), so they are recognised
 * without touching it.
 */
export function customDeploymentConfigResource(config: unknown): IConstruct | undefined {
  if (!config || typeof config !== 'object' || !Construct.isConstruct(config)) {
    return undefined;
  }
  const name = (config as any).deploymentConfigName;
  if (typeof name === 'string' && !Token.isUnresolved(name) && name.startsWith('CodeDeployDefault.')) {
    return undefined;
  }
  return (config as IConstruct).node.defaultChild;
}

/** The traffic routing of a configuration defined in this app, or undefined for a predefined one. */
function customTrafficRouting(config: unknown): any {
  return (customDeploymentConfigResource(config) as any)?.trafficRoutingConfig;
}

/** Minutes the predefined ECS configurations take to shift all traffic (user guide, "Predefined deployment configurations for an Amazon ECS compute platform"). */
const PREDEFINED_ECS_SHIFT_MINUTES: Record<string, number> = {
  'CodeDeployDefault.ECSAllAtOnce': 0,
  'CodeDeployDefault.ECSLinear10PercentEvery1Minutes': 10,
  'CodeDeployDefault.ECSLinear10PercentEvery3Minutes': 30,
  'CodeDeployDefault.ECSCanary10Percent5Minutes': 5,
  'CodeDeployDefault.ECSCanary10Percent15Minutes': 15,
};

/**
 * How many minutes a configuration takes to shift all traffic (canary: its interval; linear: one
 * interval per step, the user guide's bound), or undefined when unknown (tokens, unknown names).
 */
export function trafficShiftMinutes(config: unknown): number | undefined {
  const name = (config as any)?.deploymentConfigName;
  if (typeof name === 'string' && name in PREDEFINED_ECS_SHIFT_MINUTES) {
    return PREDEFINED_ECS_SHIFT_MINUTES[name];
  }
  const routing = customTrafficRouting(config);
  if (!routing || Token.isUnresolved(routing)) {
    return undefined;
  }
  if (routing.type === 'AllAtOnce') {
    return 0;
  }
  const canary = routing.timeBasedCanary;
  if (canary && !Token.isUnresolved(canary.canaryInterval)) {
    return canary.canaryInterval;
  }
  const linear = routing.timeBasedLinear;
  if (linear && !Token.isUnresolved(linear.linearInterval) && !Token.isUnresolved(linear.linearPercentage) && linear.linearPercentage > 0) {
    return Math.ceil(100 / linear.linearPercentage) * linear.linearInterval;
  }
  return undefined;
}

/** The platform a predefined configuration belongs to, from its name (user guide, "Working with deployment configurations"). */
function predefinedPlatform(name: string): 'Server' | 'Lambda' | 'ECS' | undefined {
  if (!name.startsWith('CodeDeployDefault.')) {
    return undefined;
  }
  const rest = name.slice('CodeDeployDefault.'.length);
  return rest.startsWith('ECS') ? 'ECS' : rest.startsWith('Lambda') ? 'Lambda' : 'Server';
}

/**
 * A predefined configuration of another compute platform (TypeScript accepts any of them, since
 * the configuration interfaces have the same shape; CodeDeploy rejects the deployment group).
 */
export function validateConfigPlatform(config: unknown, platform: 'Server' | 'Lambda' | 'ECS'): string[] {
  const name = (config as any)?.deploymentConfigName;
  if (typeof name !== 'string' || Token.isUnresolved(name)) {
    return [];
  }
  const own = predefinedPlatform(name);
  if (own && own !== platform) {
    return [
      `deploymentConfig ${name} is a predefined configuration of the ${own} compute platform; CodeDeploy rejects it for a ${platform} deployment group. ` +
        `Use one of the ${platform} configurations (${platform === 'ECS' ? 'codedeploy.EcsDeploymentConfig' : platform === 'Lambda' ? 'codedeploy.LambdaDeploymentConfig' : 'codedeploy.ServerDeploymentConfig'}).`,
    ];
  }
  return [];
}

/**
 * Validates the tuning of a pattern's default alarms: each threshold above 0, evaluation periods a
 * whole number >= 1, the period whole minutes (the load balancer and Lambda metrics are per minute).
 */
export function validateAlarmTuning(
  thresholds: Record<string, number | undefined>,
  evaluationPeriods: number | undefined,
  period: Duration | undefined,
): string[] {
  const errors: string[] = [];
  for (const [label, v] of Object.entries(thresholds)) {
    if (v !== undefined && !Token.isUnresolved(v) && !(v > 0)) {
      errors.push(`defaultAlarms.${label} must be greater than 0; received ${v}. A threshold of 0 would alarm on every deployment.`);
    }
  }
  const ev = evaluationPeriods;
  if (ev !== undefined && !Token.isUnresolved(ev) && (!Number.isInteger(ev) || ev < 1)) {
    errors.push(`defaultAlarms.evaluationPeriods must be a whole number of at least 1; received ${ev}.`);
  }
  if (period && !Token.isUnresolved(period.toSeconds())) {
    const seconds = period.toSeconds();
    if (seconds < 60 || seconds % 60 !== 0) {
      errors.push(`defaultAlarms.period must be a whole number of minutes (the metrics are published per minute); received ${period.toString()}.`);
    }
  }
  return errors;
}

/** `useAwsManagedPolicy` only configures a role the pattern creates. */
export function validateManagedPolicyOption(role: unknown, useAwsManagedPolicy: boolean | undefined): string[] {
  return role && useAwsManagedPolicy
    ? ['useAwsManagedPolicy only applies to the role the pattern creates; attach policies to the role you pass yourself, or drop one of the two props.']
    : [];
}

/**
 * With `DeploymentSource.PIPELINE` the pipeline starts the deployments, so the options of the ones
 * `cdk deploy` would start have nothing to act on: one error per option given ([name, value]).
 */
export function cdkDeployOnlyOptionProblems(options: Array<[string, unknown]>): string[] {
  return options
    .filter(([, value]) => value !== undefined)
    .map(([name]) => `${name} applies to the deployments cdk deploy starts, and deploymentSource is PIPELINE (the pipeline starts them); drop ${name}.`);
}
