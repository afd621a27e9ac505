import { Annotations, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { CodeDeployAgent } from './codedeploy-agent';
import { AgentInstallation, AutoScalingProcess, ServerDeploymentAlarmOptions, ServerDeploymentProps, ServerLoadBalancer } from './server-deployment-props';
import { AgentMajorVersion } from '../common/agent-version';
import { DeploymentSource } from '../common/deployment-source';
import { CodeDeployServiceRole } from '../iam/codedeploy-service-role';
import { TRAFFIC_EVENTS } from '../private/appspec-rules';
import { acknowledgeCompliance, OwnedResource } from '../private/compliance';
import { acknowledge } from '../private/nag';
import {
  grantStatements,
  launchTemplateStatements,
  serverAutoScalingStatements,
  serverDescribeStatements,
  serverLoadBalancerStatements,
} from '../private/permissions';
import { perStack } from '../private/shared';
import { cdkDeployOnlyOptionProblems, customDeploymentConfigResource, throwIfErrors, validateAlarmTuning, validateConfigPlatform } from '../private/validation';

/** At most 10 Auto Scaling groups, Classic Load Balancers and target groups each per deployment group. */
export const MAX_PER_KIND = 10;
/** Tag groups and tags per group (CodeDeploy quota). */
const MAX_TAG_GROUPS = 3;
const MAX_TAGS_PER_GROUP = 10;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;


/** The role of an Auto Scaling group's instances, when this app knows it. */
export function instanceRoleOf(group: autoscaling.IAutoScalingGroup): iam.IRole | undefined {
  if (!(group instanceof autoscaling.AutoScalingGroup)) {
    return undefined;
  }
  try {
    return group.role;
  } catch {
    return undefined; // a launch template without a role
  }
}

function hasUserData(group: autoscaling.AutoScalingGroup): boolean {
  try {
    return group.userData !== undefined;
  } catch {
    return false;
  }
}

export function usesLaunchTemplate(group: autoscaling.IAutoScalingGroup): boolean {
  const cfn = group.node.defaultChild as autoscaling.CfnAutoScalingGroup | undefined;
  return cfn instanceof autoscaling.CfnAutoScalingGroup && (cfn.launchTemplate !== undefined || cfn.mixedInstancesPolicy !== undefined);
}

/** The stack's revision bucket, created once per stack. */
export function revisionBucketOf(scope: Construct): s3.IBucket {
  return perStack(scope, 'CodeDeployPatternsRevisions', s3.Bucket, createRevisionBucket);
}

function createRevisionBucket(stack: Stack, id: string): s3.Bucket {
  const bucket = new s3.Bucket(stack, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // Every revision stays addressable by version: rollbacks and Auto Scaling launches use earlier ones.
    versioned: true,
  });
  acknowledgeCompliance(bucket, OwnedResource.REVISION_BUCKET);
  acknowledge(
    bucket,
    'AwsSolutions-S1',
    'Holds CodeDeploy revision bundles, written only by the deployment trigger (each copy is a CloudTrail event) and read by the deployment groups\' instances; pass revisionBucket with server access logging to log every read.',
  );
  return bucket;
}

export function validateServerOptions(props: ServerDeploymentProps, installAgent: AgentInstallation): string[] {
  const errors: string[] = [];
  const groups = props.autoScalingGroups ?? [];
  if (groups.length === 0 && !props.ec2InstanceTags && !props.onPremiseInstanceTags) {
    errors.push('The deployment group has no instances: give autoScalingGroups, ec2InstanceTags or onPremiseInstanceTags.');
  }
  if (groups.length > MAX_PER_KIND) {
    errors.push(`A deployment group takes at most ${MAX_PER_KIND} Auto Scaling groups; received ${groups.length}. Split them across deployment groups.`);
  }
  errors.push(...validateTagSet('ec2InstanceTags', props.ec2InstanceTags));
  errors.push(...validateTagSet('onPremiseInstanceTags', props.onPremiseInstanceTags));
  const lbs = props.loadBalancers ?? [];
  const classic = lbs.filter((l) => l.isClassic).length;
  if (classic > MAX_PER_KIND) {
    errors.push(`A deployment group takes at most ${MAX_PER_KIND} Classic Load Balancers; received ${classic}.`);
  }
  if (lbs.length - classic > MAX_PER_KIND) {
    errors.push(`A deployment group takes at most ${MAX_PER_KIND} target groups; received ${lbs.length - classic}.`);
  }
  const seen = new Set<IConstruct>();
  for (const lb of lbs) {
    if (seen.has(lb._construct())) {
      errors.push(`loadBalancers lists ${lb._construct().node.path} twice.`);
    }
    seen.add(lb._construct());
  }
  if (props.terminationHook && groups.length === 0) {
    errors.push('terminationHook installs a hook in the Auto Scaling groups, but autoScalingGroups is empty; add groups or drop terminationHook.');
  }
  if (props.outdatedInstancesStrategy && groups.length === 0) {
    errors.push('outdatedInstancesStrategy is about instances Auto Scaling launches during a deployment, but autoScalingGroups is empty; drop it.');
  }
  errors.push(...validateSuspendedProcesses(props.suspendAutoScalingProcesses, groups.length));
  errors.push(...validateDeploymentSource(props));
  if (installAgent === AgentInstallation.USER_DATA) {
    const imported = groups.filter((g) => !(g instanceof autoscaling.AutoScalingGroup));
    if (groups.length === 0 || imported.length > 0) {
      errors.push(
        `installAgent USER_DATA adds user data to Auto Scaling groups defined in this app${imported.length > 0 ? `; ${imported.map((g) => g.node.path).join(', ')} is imported` : ', and there are none'}. Use SYSTEMS_MANAGER or NONE.`,
      );
    }
    for (const g of groups) {
      if (g instanceof autoscaling.AutoScalingGroup && !hasUserData(g)) {
        errors.push(
          `installAgent USER_DATA: the launch template of ${g.node.path} has no user data to add the agent installation to. Give the launch template userData (ec2.UserData.forLinux()), or use SYSTEMS_MANAGER.`,
        );
      }
    }
  }
  if (props.agentMajorVersion !== undefined && installAgent === AgentInstallation.NONE) {
    errors.push(
      'agentMajorVersion chooses what the pattern installs, and installAgent is NONE (the agent is on the instances already); drop agentMajorVersion, or install with SYSTEMS_MANAGER or USER_DATA.',
    );
  }
  if (props.agentMajorVersion === AgentMajorVersion.V2 && installAgent === AgentInstallation.USER_DATA) {
    const windows = groups.filter((g) => g instanceof autoscaling.AutoScalingGroup && g.osType === ec2.OperatingSystemType.WINDOWS);
    if (windows.length > 0) {
      errors.push(
        `installAgent USER_DATA installs agent 2.x with the user guide's Linux installer (latestv2/install), and ${windows.map((g) => g.node.path).join(', ')} runs Windows. Use SYSTEMS_MANAGER (package AWSCodeDeployAgentV2) for Windows instances.`,
      );
    }
  }
  if (props.agentUpdateSchedule && installAgent !== AgentInstallation.SYSTEMS_MANAGER) {
    errors.push(`agentUpdateSchedule applies to installAgent SYSTEMS_MANAGER; installAgent is ${installAgent}. Drop one of the two.`);
  }
  if (props.instanceRoles && props.instanceRoles.length === 0) {
    errors.push('instanceRoles is empty; omit it to get an instance profile for tagged instances, or list the roles.');
  }
  errors.push(...validateDeploymentConfig(props));
  return errors;
}

/** With PIPELINE the pipeline supplies revisions and starts deployments; the options of cdk deploy's deployments are errors. */
function validateDeploymentSource(props: ServerDeploymentProps): string[] {
  const source = props.deploymentSource ?? DeploymentSource.CDK_DEPLOY;
  if (source === DeploymentSource.CDK_DEPLOY) {
    return props.revision
      ? []
      : ['revision is required: the revision every cdk deploy deploys (ServerRevision.fromDirectory(...) or .fromBucket(...)); or set deploymentSource: DeploymentSource.PIPELINE when a pipeline deploys.'];
  }
  const errors: string[] = [];
  if (props.revision) {
    errors.push('deploymentSource is PIPELINE, so the pipeline supplies the revisions and cdk deploy deploys none: drop revision (zip it for the pipeline\'s source instead), or use DeploymentSource.CDK_DEPLOY.');
  }
  errors.push(...cdkDeployOnlyOptionProblems([
    ['revisionBucket', props.revisionBucket],
    ['deploymentTimeout', props.deploymentTimeout],
    ['fileExistsBehavior', props.fileExistsBehavior],
    ['ignoreApplicationStopFailures', props.ignoreApplicationStopFailures],
    ['waitForInstances', props.waitForInstances],
  ]));
  return errors;
}

const SUSPENDABLE: string[] = Object.values(AutoScalingProcess);

/** The processes CodeDeploy accepts in `EC2DeploymentOptions` (API reference), each once, with Auto Scaling groups to suspend them in. */
function validateSuspendedProcesses(processes: AutoScalingProcess[] | undefined, groupCount: number): string[] {
  if (processes === undefined) {
    return [];
  }
  if (processes.length === 0) {
    return ['suspendAutoScalingProcesses is empty; omit it to let scaling go on during deployments, or list the processes to suspend.'];
  }
  const errors: string[] = [];
  if (groupCount === 0) {
    errors.push(
      'suspendAutoScalingProcesses suspends processes of the groups in autoScalingGroups, and there are none: CodeDeploy rejects processes to suspend in a deployment group without Auto Scaling groups (InvalidAutoScalingGroupProcessToSuspendException). Add autoScalingGroups or drop suspendAutoScalingProcesses.',
    );
  }
  const seen = new Set<string>();
  for (const p of processes) {
    if (!SUSPENDABLE.includes(p)) {
      errors.push(`suspendAutoScalingProcesses: CodeDeploy can suspend ${SUSPENDABLE.join(', ')} (case-sensitive); received "${p}". Use the AutoScalingProcess values.`);
    } else if (seen.has(p)) {
      errors.push(`suspendAutoScalingProcesses lists ${p} twice; list each process once.`);
    }
    seen.add(p);
  }
  return errors;
}

function validateTagSet(prop: string, tagSet: codedeploy.InstanceTagSet | undefined): string[] {
  if (!tagSet) {
    return [];
  }
  const errors: string[] = [];
  const groups = tagSet.instanceTagGroups;
  if (groups.length === 0) {
    errors.push(`${prop} has no tag groups; give at least one tag or omit it.`);
  }
  if (groups.length > MAX_TAG_GROUPS) {
    errors.push(`${prop} has ${groups.length} tag groups; CodeDeploy allows at most ${MAX_TAG_GROUPS}.`);
  }
  groups.forEach((group, i) => {
    const entries = Object.entries(group);
    const count = entries.reduce((n, [, values]) => n + Math.max(1, values.length), 0);
    if (count === 0) {
      errors.push(`${prop} tag group ${i + 1} is empty; remove it or add a tag.`);
    }
    if (count > MAX_TAGS_PER_GROUP) {
      errors.push(`${prop} tag group ${i + 1} has ${count} tags; CodeDeploy allows at most ${MAX_TAGS_PER_GROUP} per group.`);
    }
    for (const [key, values] of entries) {
      if (!Token.isUnresolved(key) && key.length > MAX_TAG_KEY) {
        errors.push(`${prop}: tag key "${key.slice(0, 40)}..." is ${key.length} characters; at most ${MAX_TAG_KEY}.`);
      }
      if (key === '' && values.length === 0) {
        errors.push(`${prop} tag group ${i + 1} has a tag with neither key nor value.`);
      }
      for (const v of values) {
        if (!Token.isUnresolved(v) && v.length > MAX_TAG_VALUE) {
          errors.push(`${prop}: the value of tag "${key}" is ${v.length} characters; at most ${MAX_TAG_VALUE}.`);
        }
      }
    }
  });
  return errors;
}

/** Checks a custom `ServerDeploymentConfig` defined in this app (predefined ones are always valid). */
function validateDeploymentConfig(props: ServerDeploymentProps): string[] {
  const config = props.deploymentConfig as unknown as IConstruct | undefined;
  const cfn = customDeploymentConfigResource(config);
  if (!(cfn instanceof codedeploy.CfnDeploymentConfig)) {
    return [];
  }
  const errors: string[] = [];
  const where = `deploymentConfig ${config!.node.path}`;
  const mhh = cfn.minimumHealthyHosts as codedeploy.CfnDeploymentConfig.MinimumHealthyHostsProperty | undefined;
  errors.push(...validateHealthyHosts(`${where}: minimumHealthyHosts`, mhh));
  const zonal = cfn.zonalConfig as codedeploy.CfnDeploymentConfig.ZonalConfigProperty | undefined;
  if (zonal && !Token.isUnresolved(zonal)) {
    if (props.onPremiseInstanceTags) {
      errors.push(`${where} has a zonal configuration, which CodeDeploy supports for EC2 instances only; this group also deploys to on-premises instances. Use a configuration without zonalConfig.`);
    }
    for (const [name, value] of [
      ['monitorDuration', zonal.monitorDurationInSeconds],
      ['firstZoneMonitorDuration', zonal.firstZoneMonitorDurationInSeconds],
    ] as Array<[string, unknown]>) {
      if (typeof value === 'number' && (!Number.isInteger(value) || value < 0)) {
        errors.push(`${where}: zonalConfig.${name} must be a whole number of seconds, 0 or more; received ${value} seconds.`);
      }
    }
    errors.push(
      ...validateHealthyHosts(
        `${where}: zonalConfig.minimumHealthyHostsPerZone`,
        zonal.minimumHealthyHostsPerZone as codedeploy.CfnDeploymentConfig.MinimumHealthyHostsPerZoneProperty | undefined,
      ),
    );
  }
  return errors;
}

function validateHealthyHosts(where: string, mhh: { type: string; value: number } | undefined): string[] {
  if (!mhh || Token.isUnresolved(mhh) || Token.isUnresolved(mhh.value)) {
    return [];
  }
  if (mhh.type === 'HOST_COUNT' && (!Number.isInteger(mhh.value) || mhh.value < 0)) {
    return [`${where} by host count must be a whole number, 0 or more; received ${mhh.value}.`];
  }
  if (mhh.type === 'FLEET_PERCENT' && (!Number.isInteger(mhh.value) || mhh.value < 0 || mhh.value > 100)) {
    return [`${where} as a fleet percentage must be a whole number from 0 to 100; received ${mhh.value}.`];
  }
  if (mhh.type === 'FLEET_PERCENT' && mhh.value === 100) {
    return [`${where} of 100 % leaves no instance to update, so every deployment fails at once; use at most 99.`];
  }
  return [];
}

/**
 * A custom configuration that keeps at least as many hosts healthy as the Auto Scaling groups have
 * at their minimum size cannot update any instance while the groups run at that size: CodeDeploy
 * fails such a deployment at once (user guide, minimum healthy hosts). Known only when every
 * instance source is an Auto Scaling group of this app with a literal minimum size.
 */
export function warnHealthyHostsAboveFleet(scope: Construct, props: ServerDeploymentProps): void {
  const cfn = customDeploymentConfigResource(props.deploymentConfig);
  const groups = props.autoScalingGroups ?? [];
  if (!(cfn instanceof codedeploy.CfnDeploymentConfig) || groups.length === 0 || props.ec2InstanceTags || props.onPremiseInstanceTags) {
    return;
  }
  const mhh = cfn.minimumHealthyHosts as codedeploy.CfnDeploymentConfig.MinimumHealthyHostsProperty | undefined;
  if (!mhh || Token.isUnresolved(mhh) || mhh.type !== 'HOST_COUNT' || Token.isUnresolved(mhh.value)) {
    return;
  }
  let fleet = 0;
  for (const group of groups) {
    const min = (group.node.defaultChild as autoscaling.CfnAutoScalingGroup | undefined)?.minSize;
    if (min === undefined || Token.isUnresolved(min) || !/^\d+$/.test(min)) {
      return;
    }
    fleet += Number(min);
  }
  if (mhh.value >= fleet) {
    Annotations.of(scope).addWarningV2(
      'cdk-codedeploy-patterns:minimumHealthyHostsTooHigh',
      `The deployment configuration keeps ${mhh.value} hosts healthy, but the Auto Scaling groups' minimum size adds up to ${fleet}: at that size CodeDeploy cannot take any instance out and fails the deployment. Lower minimumHealthyHosts below ${fleet} or raise the groups' minimum capacity.`,
    );
  }
}

/**
 * IDs of the EC2 instances of the scope's stack that a CodeDeploy tag set selects: every tag group
 * matches (groups are AND-ed), a group matches when one of its filters does (key and value, key
 * only when the values are empty, value only when the key is empty).
 */
export function taggedInstanceIds(scope: IConstruct, tagSet: codedeploy.InstanceTagSet): string[] {
  const matches = (tags: Record<string, string>) => tagSet.instanceTagGroups.every((group) =>
    Object.entries(group).some(([key, values]) => {
      if (key === '') {
        return Object.values(tags).some((v) => values.includes(v));
      }
      return key in tags && (values.length === 0 || values.includes(tags[key]));
    }));
  return Stack.of(scope).node.findAll()
    .filter((c): c is ec2.CfnInstance => c instanceof ec2.CfnInstance && Stack.of(c) === Stack.of(scope))
    .filter((i) => matches(i.tags.tagValues()))
    .map((i) => i.ref);
}

/** The defaults `ServerDeployment` derives from its props before it creates anything. */
export interface ServerPlan {
  readonly loadBalancers: ServerLoadBalancer[];
  readonly autoScalingGroups: autoscaling.IAutoScalingGroup[];
  readonly installAgent: AgentInstallation;
  readonly unhealthyHostsAlarm: boolean;
  readonly statusCheckAlarm: boolean;
  readonly defaultAlarmCount: number;
  /** Who deploys revisions (CDK_DEPLOY unless chosen). */
  readonly deploymentSource: DeploymentSource;
  /** The agent's major version (V1 unless chosen). */
  readonly agentMajorVersion: AgentMajorVersion;
  /** The Auto Scaling processes CodeDeploy suspends during deployments (none: empty). */
  readonly suspendedProcesses: AutoScalingProcess[];
  /** Target groups of another target type than instance (known now, or when targets are added later). */
  readonly targetTypeProblems: () => string[];
  /** Every problem of the EC2/on-premises-only props. */
  readonly errors: string[];
}

/** The defaults and problems of the EC2/on-premises-only props. */
export function planServerDeployment(props: ServerDeploymentProps): ServerPlan {
  const loadBalancers = props.loadBalancers ?? [];
  const autoScalingGroups = props.autoScalingGroups ?? [];
  const alarmOptions = props.defaultAlarms ?? {};
  const unhealthyHostsAlarm = (alarmOptions.unhealthyHosts ?? true) && loadBalancers.length > 0;
  const statusCheckAlarm = (alarmOptions.instanceStatusChecks ?? true) && autoScalingGroups.length > 0;
  const installAgent = props.installAgent ?? AgentInstallation.SYSTEMS_MANAGER;
  // CodeDeploy registers and deregisters instances by ID. Known now when given in the target
  // group's props; when set by targets added later, checked again at synth.
  const targetTypeProblems = () => loadBalancers.flatMap((lb, i) => {
    const type = lb._targetType();
    return type !== undefined && type !== 'instance'
      ? [`loadBalancers[${i}]: ${lb._construct().node.path} has target type ${type}; CodeDeploy registers EC2 instances by instance ID, so an EC2/on-premises deployment needs a target group of target type instance (elbv2.TargetType.INSTANCE).`]
      : [];
  });
  const errors = [
    ...validateServerOptions(props, installAgent),
    ...targetTypeProblems(),
    ...validateConfigPlatform(props.deploymentConfig, 'Server'),
    ...validateAlarmTuning({ unhealthyHostsThreshold: alarmOptions.unhealthyHostsThreshold }, alarmOptions.evaluationPeriods, alarmOptions.period),
    ...(alarmOptions.instanceStatusChecks === true && autoScalingGroups.length === 0
      ? ['defaultAlarms.instanceStatusChecks needs autoScalingGroups: the status-check metric is aggregated per Auto Scaling group; drop it.']
      : []),
    ...(alarmOptions.unhealthyHosts === true && loadBalancers.length === 0
      ? ['defaultAlarms.unhealthyHosts needs loadBalancers: without a load balancer there is no health metric; drop it.']
      : []),
    ...(unhealthyHostsAlarm && loadBalancers.length > MAX_PER_KIND
      ? [`The unhealthy-hosts alarm combines one metric per load balancer, and a metric math alarm takes at most 10 metrics; received ${loadBalancers.length} load balancers. Set defaultAlarms.unhealthyHosts to false and pass your own alarms.`]
      : []),
  ];
  return {
    loadBalancers,
    autoScalingGroups,
    installAgent,
    agentMajorVersion: props.agentMajorVersion ?? AgentMajorVersion.V1,
    deploymentSource: props.deploymentSource ?? DeploymentSource.CDK_DEPLOY,
    suspendedProcesses: [...new Set(props.suspendAutoScalingProcesses ?? [])],
    unhealthyHostsAlarm,
    statusCheckAlarm,
    defaultAlarmCount: (unhealthyHostsAlarm ? 1 : 0) + (statusCheckAlarm ? 1 : 0),
    targetTypeProblems,
    errors,
  };
}

/** The default alarms: unhealthy hosts behind the load balancers, failed EC2 status checks of the groups. */
export function serverDefaultAlarms(
  scope: Construct,
  plan: Pick<ServerPlan, 'unhealthyHostsAlarm' | 'statusCheckAlarm' | 'loadBalancers' | 'autoScalingGroups'>,
  options: ServerDeploymentAlarmOptions,
): cloudwatch.IAlarm[] {
  const period = options.period ?? Duration.minutes(1);
  const alarm = (id: string, description: string, label: string, usingMetrics: Record<string, cloudwatch.IMetric>, threshold: number) => {
    const names = Object.keys(usingMetrics);
    return new cloudwatch.Alarm(scope, id, {
      alarmDescription: `${description}: stops and rolls back the CodeDeploy deployment`,
      metric: new cloudwatch.MathExpression({
        expression: names.length === 1 ? `FILL(${names[0]}, 0)` : `MAX([${names.map((n) => `FILL(${n}, 0)`).join(', ')}])`,
        usingMetrics,
        period,
        label,
      }),
      threshold,
      evaluationPeriods: options.evaluationPeriods ?? 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  };
  const alarms: cloudwatch.IAlarm[] = [];
  if (plan.unhealthyHostsAlarm) {
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    const errors: string[] = [];
    plan.loadBalancers.forEach((lb, i) => {
      try {
        usingMetrics[`lb${i}`] = lb._unhealthyHosts(period);
      } catch (e) {
        // aws-cdk-lib's own error names neither this construct nor a way out.
        errors.push(
          `loadBalancers[${i}]: ${lb._construct().node.path} is not attached to a load balancer (aws-cdk-lib: "${(e as Error).message}"), so it has no UnHealthyHostCount metric for the default alarm. Add it to a listener, or set defaultAlarms.unhealthyHosts to false and pass your own alarms.`,
        );
      }
    });
    throwIfErrors(scope, errors);
    alarms.push(alarm('UnhealthyHostsAlarm', `Unhealthy hosts of ${scope.node.path}`, 'Unhealthy hosts (maximum over the load balancers)', usingMetrics, options.unhealthyHostsThreshold ?? 1));
  }
  if (plan.statusCheckAlarm) {
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    plan.autoScalingGroups.forEach((group, i) => {
      // EC2 publishes status checks every minute, also aggregated per Auto Scaling group.
      usingMetrics[`asg${i}`] = new cloudwatch.Metric({
        namespace: 'AWS/EC2',
        metricName: 'StatusCheckFailed',
        dimensionsMap: { AutoScalingGroupName: group.autoScalingGroupName },
        statistic: 'Maximum',
        period,
      });
    });
    alarms.push(alarm('StatusCheckAlarm', `Failed EC2 status checks of ${scope.node.path}'s instances`, 'Failed EC2 status checks (maximum over the Auto Scaling groups)', usingMetrics, 1));
  }
  return alarms;
}

/**
 * Grants the EC2/on-premises platform's permissions to the service role (its Auto Scaling groups
 * and load balancers; the AWS managed policy already has those on "*") and, with any policy,
 * `iam:PassRole` for launch templates, which the AWS managed policy lacks too (user guide, "Create
 * a service role for CodeDeploy"). Returns what an immutable role could not get.
 */
export function grantServerPlatform(scope: Construct, role: iam.IRole, managed: boolean, plan: ServerPlan): iam.PolicyStatement[] {
  const missing: iam.PolicyStatement[] = [];
  const groups = plan.autoScalingGroups;
  if (!managed) {
    missing.push(...grantStatements(role, [
      // A CodeDeployServiceRole has the describe statements from its creation.
      ...(role instanceof CodeDeployServiceRole ? [] : serverDescribeStatements()),
      ...serverAutoScalingStatements(scope, groups.map((g) => g.autoScalingGroupName), plan.suspendedProcesses.length > 0),
      ...serverLoadBalancerStatements(
        plan.loadBalancers.flatMap((lb) => lb._classicLoadBalancerArns(scope)),
        plan.loadBalancers.flatMap((lb) => lb._targetGroupArns()),
      ),
    ]));
  }
  for (const g of groups.filter(usesLaunchTemplate)) {
    const instanceRole = instanceRoleOf(g);
    if (instanceRole) {
      missing.push(...grantStatements(role, launchTemplateStatements(scope, instanceRole)));
    } else {
      Annotations.of(scope).addWarningV2(
        'cdk-codedeploy-patterns:launchTemplateRole',
        `${g.node.path} uses a launch template whose role is unknown; the service role needs iam:PassRole on that role (grantLaunchTemplateInstances) for CodeDeploy to launch instances.`,
      );
    }
  }
  return missing;
}

/** The instance roles this app knows of the Auto Scaling groups, and the groups whose role it does not. */
export function autoScalingInstanceRoles(groups: autoscaling.IAutoScalingGroup[]): { roles: iam.IRole[]; unknown: string[] } {
  const roles: iam.IRole[] = [];
  const unknown: string[] = [];
  for (const g of groups) {
    const role = instanceRoleOf(g);
    if (role) {
      roles.push(role);
    } else {
      unknown.push(g.node.path);
    }
  }
  return { roles, unknown };
}

/**
 * What the trigger waits for before it deploys: the Auto Scaling groups' instances, the tagged EC2
 * instances of this stack (the guide's tutorials: tag an instance, install the agent, then deploy;
 * found when the template is written, after Tags aspects have run, and their IDs in the trigger's
 * properties make CloudFormation create them first), and the agent's State Manager associations.
 */
export function instanceWaits(scope: Construct, props: ServerDeploymentProps, agent: CodeDeployAgent | undefined) {
  const groups = props.autoScalingGroups ?? [];
  const waitAll = props.waitForInstances ?? true;
  const waitGroups = waitAll && groups.length > 0;
  const tagSet = props.ec2InstanceTags;
  const waitTagged = waitAll && tagSet !== undefined;
  const groupAssociation = agent?.autoScalingGroupAssociation;
  const tagAssociations = waitTagged ? (agent?.associations ?? []).filter((a) => a.node.id.startsWith('Ec2Tag')) : [];
  const associationIds = [
    ...(waitGroups && groupAssociation ? [groupAssociation.attrAssociationId] : []),
    ...tagAssociations.map((a) => a.attrAssociationId),
  ];
  return {
    waitForAutoScalingGroups: waitGroups ? groups : undefined,
    waitForInstanceIds: waitTagged ? Lazy.list({ produce: () => taggedInstanceIds(scope, tagSet!) }) : undefined,
    agentAssociationIds: associationIds.length > 0 ? associationIds : undefined,
  };
}

/** Warnings about scripts that never run and deployments nothing can stop. */
export function warnServerChoices(scope: Construct, appSpecHookEvents: string[], plan: ServerPlan): void {
  const trafficHooks = appSpecHookEvents.filter((e) => TRAFFIC_EVENTS.includes(e));
  if (trafficHooks.length > 0 && plan.loadBalancers.length === 0) {
    Annotations.of(scope).addWarningV2(
      'cdk-codedeploy-patterns:trafficHooksWithoutLoadBalancer',
      `The AppSpec has scripts for ${trafficHooks.join(', ')}, which only run when the deployment group has a load balancer; this one has none, so they never run.`,
    );
  }
  if (plan.suspendedProcesses.includes(AutoScalingProcess.SCHEDULED_ACTIONS)) {
    Annotations.of(scope).addWarningV2(
      'cdk-codedeploy-patterns:scheduledActionsSkipped',
      'suspendAutoScalingProcesses includes ScheduledActions: a scheduled action whose start time falls in a deployment is skipped, not run when the deployment ends (CodeDeploy API reference, EC2DeploymentOptions). A scheduled scale-out before a peak can be lost; keep deployments out of those windows or drop ScheduledActions.',
    );
  }
}
