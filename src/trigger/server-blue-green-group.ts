// The EC2 blue/green deployment group as a custom resource (CloudFormation cannot declare one:
// aws-cloudformation/cloudformation-coverage-roadmap#2071), answered by the deployment trigger's
// function. Bundled into the trigger handler. Design: ../shared/reference/ec2-blue-green-design.md,
// §3.0 and §3.B2 (a fleet CloudFormation replaces per revision; DISCOVER_EXISTING; KEEP_ALIVE).
//
// The Auto Scaling groups of the group (which fleet is live) and its deployment style belong to
// the deployments, not to the template: Create starts on the template's fleet IN_PLACE (the first
// deployment has no original fleet to shift from), and every Update keeps both as CodeDeploy and
// the trigger left them (terraform-provider-aws#2233 and the one public CDK construct show what
// resending the template's list does).
import type * as CodeDeploySdk from '@aws-sdk/client-codedeploy';

/** The resource type the trigger function answers with the blue/green deployment group. */
export const SERVER_BLUE_GREEN_GROUP_RESOURCE_TYPE = 'Custom::CodeDeployServerBlueGreenGroup';

/** Resource properties (CloudFormation passes every scalar as a string). */
export interface BlueGreenGroupProperties {
  readonly ApplicationName: string;
  readonly DeploymentGroupName: string;
  readonly ServiceRoleArn: string;
  readonly DeploymentConfigName: string;
  /** The fleet the group starts on (Create); later fleets come from the deployments. */
  readonly FleetAutoScalingGroupName: string;
  /** Target groups of Application or Network Load Balancers (names). */
  readonly TargetGroupNames?: string[];
  /** Classic Load Balancers (names). */
  readonly ClassicLoadBalancerNames?: string[];
  readonly AlarmNames?: string[];
  readonly IgnorePollAlarmFailure?: string;
  /** "true": the alarms stay listed but CodeDeploy ignores them (the emergency switch). */
  readonly IgnoreAlarms?: string;
  /** DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST. */
  readonly AutoRollbackEvents?: string[];
  /** CONTINUE_DEPLOYMENT (default) or STOP_DEPLOYMENT. */
  readonly ReadyAction?: string;
  /** Minutes to wait for ContinueDeployment with STOP_DEPLOYMENT. */
  readonly ReadyWaitMinutes?: string;
  readonly TerminationHook?: string;
  /** UPDATE or IGNORE. */
  readonly OutdatedInstancesStrategy?: string;
  /** SNS notifications (CodeDeploy triggers). */
  readonly TriggerConfigurations?: Array<{ TriggerName: string; TriggerTargetArn: string; TriggerEvents: string[] }>;
}

/** The CodeDeploy calls the resource makes (the real SDK's in the handler). */
export interface BlueGreenGroupApi {
  create(input: CodeDeploySdk.CreateDeploymentGroupInput): Promise<void>;
  update(input: CodeDeploySdk.UpdateDeploymentGroupInput): Promise<CodeDeploySdk.UpdateDeploymentGroupOutput>;
  /** The group, or undefined when it (or its application) does not exist. */
  get(applicationName: string, deploymentGroupName: string): Promise<CodeDeploySdk.DeploymentGroupInfo | undefined>;
  /** Deletes the group; undefined when it (or its application) did not exist. */
  delete(applicationName: string, deploymentGroupName: string): Promise<CodeDeploySdk.DeleteDeploymentGroupOutput | undefined>;
}

export interface BlueGreenGroupOutcome {
  readonly physicalId: string;
  readonly reason: string;
  /** Auto Scaling groups the group lists afterwards. */
  readonly autoScalingGroups: string[];
  readonly deploymentType: string;
}

const ROLLBACK_EVENTS = ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST'];

export function parseBlueGreenGroupProperties(raw: Record<string, unknown>): BlueGreenGroupProperties {
  const problems: string[] = [];
  const shown = (v: unknown) => JSON.stringify(v)?.slice(0, 80) ?? String(v);
  for (const key of ['ApplicationName', 'DeploymentGroupName', 'ServiceRoleArn', 'DeploymentConfigName', 'FleetAutoScalingGroupName']) {
    if (typeof raw?.[key] !== 'string' || raw[key] === '') {
      problems.push(`${key} must be a non-empty string; received ${shown(raw?.[key])}`);
    }
  }
  for (const key of ['TargetGroupNames', 'ClassicLoadBalancerNames', 'AlarmNames', 'AutoRollbackEvents']) {
    const v = raw?.[key];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === ''))) {
      problems.push(`${key} must be a list of names; received ${shown(v)}`);
    }
  }
  const asList = (v: unknown) => (Array.isArray(v) ? v : []);
  if (asList(raw?.TargetGroupNames).length + asList(raw?.ClassicLoadBalancerNames).length === 0) {
    // User guide: a load balancer is required for blue/green (it is how traffic moves).
    problems.push('a blue/green deployment group needs at least one target group or Classic Load Balancer (TargetGroupNames, ClassicLoadBalancerNames)');
  }
  for (const e of (raw?.AutoRollbackEvents as string[] | undefined) ?? []) {
    if (!ROLLBACK_EVENTS.includes(e)) {
      problems.push(`AutoRollbackEvents: ${shown(e)} is not one of ${ROLLBACK_EVENTS.join(', ')}`);
    }
  }
  if (raw?.ReadyAction !== undefined && !['CONTINUE_DEPLOYMENT', 'STOP_DEPLOYMENT'].includes(raw.ReadyAction as string)) {
    problems.push(`ReadyAction must be CONTINUE_DEPLOYMENT or STOP_DEPLOYMENT; received ${shown(raw.ReadyAction)}`);
  }
  if (raw?.OutdatedInstancesStrategy !== undefined && !['UPDATE', 'IGNORE'].includes(raw.OutdatedInstancesStrategy as string)) {
    problems.push(`OutdatedInstancesStrategy must be UPDATE or IGNORE; received ${shown(raw.OutdatedInstancesStrategy)}`);
  }
  for (const key of ['IgnorePollAlarmFailure', 'IgnoreAlarms', 'TerminationHook']) {
    const v = raw?.[key];
    if (v !== undefined && !['true', 'false', true, false].includes(v as any)) {
      problems.push(`${key} must be "true" or "false"; received ${shown(v)}`);
    }
  }
  const triggers = raw?.TriggerConfigurations;
  if (triggers !== undefined && (!Array.isArray(triggers) || triggers.some((t: any) =>
    typeof t?.TriggerName !== 'string' || typeof t?.TriggerTargetArn !== 'string' || !Array.isArray(t?.TriggerEvents)))) {
    problems.push(`TriggerConfigurations must be a list of { TriggerName, TriggerTargetArn, TriggerEvents }; received ${shown(triggers)}`);
  }
  if (problems.length > 0) {
    throw new Error(`invalid resource properties: ${problems.join('; ')}`);
  }
  return raw as unknown as BlueGreenGroupProperties;
}

/** The blue/green settings of the template: discover the fleet the trigger names, keep the original alive for CloudFormation to delete. */
export function blueGreenConfiguration(props: BlueGreenGroupProperties): CodeDeploySdk.BlueGreenDeploymentConfiguration {
  const stop = props.ReadyAction === 'STOP_DEPLOYMENT';
  return {
    greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' },
    deploymentReadyOption: stop
      ? { actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: Number(props.ReadyWaitMinutes ?? '60') }
      : { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
    // Not TERMINATE: terminating instances of a group CloudFormation owns makes the group launch new ones.
    terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' },
  };
}

/** The settings every call sends, from the template. */
function settings(props: BlueGreenGroupProperties) {
  const alarms = props.AlarmNames ?? [];
  const events = props.AutoRollbackEvents ?? [];
  return {
    serviceRoleArn: props.ServiceRoleArn,
    deploymentConfigName: props.DeploymentConfigName,
    loadBalancerInfo: {
      ...((props.TargetGroupNames ?? []).length > 0 ? { targetGroupInfoList: props.TargetGroupNames!.map((name) => ({ name })) } : {}),
      ...((props.ClassicLoadBalancerNames ?? []).length > 0 ? { elbInfoList: props.ClassicLoadBalancerNames!.map((name) => ({ name })) } : {}),
    },
    alarmConfiguration: {
      enabled: alarms.length > 0 && String(props.IgnoreAlarms) !== 'true',
      ignorePollAlarmFailure: String(props.IgnorePollAlarmFailure) === 'true',
      alarms: alarms.map((name) => ({ name })),
    },
    autoRollbackConfiguration: { enabled: events.length > 0, events: events as CodeDeploySdk.AutoRollbackEvent[] },
    terminationHookEnabled: String(props.TerminationHook) === 'true',
    // Always sent: an empty list removes the triggers the template no longer has.
    triggerConfigurations: (props.TriggerConfigurations ?? []).map((t) => ({
      triggerName: t.TriggerName,
      triggerTargetArn: t.TriggerTargetArn,
      triggerEvents: t.TriggerEvents as CodeDeploySdk.TriggerEventType[],
    })),
    outdatedInstancesStrategy: (props.OutdatedInstancesStrategy ?? 'UPDATE') as CodeDeploySdk.OutdatedInstancesStrategy,
  };
}

function physicalIdOf(props: BlueGreenGroupProperties): string {
  return `${props.ApplicationName}/${props.DeploymentGroupName}`;
}

/**
 * Create: the group IN_PLACE on the template's fleet, so the first deployment (which has no original
 * fleet to shift from) installs the revision in place; the trigger switches the group to BLUE_GREEN
 * after it succeeded. A group that already exists under the name is not adopted: it is someone else's.
 */
export async function createBlueGreenGroup(
  api: BlueGreenGroupApi,
  props: BlueGreenGroupProperties,
  fleets?: string[],
  style?: CodeDeploySdk.DeploymentStyle,
): Promise<BlueGreenGroupOutcome> {
  const autoScalingGroups = fleets ?? [props.FleetAutoScalingGroupName];
  const deploymentStyle = style ?? { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' };
  try {
    await api.create({
      applicationName: props.ApplicationName,
      deploymentGroupName: props.DeploymentGroupName,
      ...settings(props),
      autoScalingGroups,
      deploymentStyle,
      ...(deploymentStyle.deploymentType === 'BLUE_GREEN' ? { blueGreenDeploymentConfiguration: blueGreenConfiguration(props) } : {}),
    });
  } catch (err) {
    if ((err as any)?.name === 'DeploymentGroupAlreadyExistsException') {
      throw new Error(
        `deployment group ${props.DeploymentGroupName} already exists in application ${props.ApplicationName} and was not created by this stack; ` +
          'delete it, or give the pattern another deploymentGroupName.',
      );
    }
    throw err;
  }
  return {
    physicalId: physicalIdOf(props),
    reason: `Created ${physicalIdOf(props)} (${deploymentStyle.deploymentType}) on ${autoScalingGroups.join(', ')}.`,
    autoScalingGroups,
    deploymentType: deploymentStyle.deploymentType!,
  };
}

/**
 * Update: the template's settings, with the fleets and the deployment style the group has now.
 * Another name or application is a new group (CloudFormation deletes the old one afterwards) that
 * starts on the old group's fleets and style.
 */
export async function updateBlueGreenGroup(
  api: BlueGreenGroupApi,
  props: BlueGreenGroupProperties,
  old: BlueGreenGroupProperties,
): Promise<BlueGreenGroupOutcome> {
  const moved = old.ApplicationName !== props.ApplicationName || old.DeploymentGroupName !== props.DeploymentGroupName;
  const live = await api.get(old.ApplicationName, old.DeploymentGroupName);
  if (!live) {
    throw new Error(
      `deployment group ${physicalIdOf(old)} no longer exists (deleted outside CloudFormation); its fleets are unknown, so it is not recreated. ` +
        'Delete and recreate the stack\'s blue/green deployment, or recreate the group by hand with the live fleet.',
    );
  }
  const fleets = (live.autoScalingGroups ?? []).map((g) => g.name!).filter(Boolean);
  const style = live.deploymentStyle ?? { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' };
  if (moved) {
    return createBlueGreenGroup(api, props, fleets.length > 0 ? fleets : undefined, style);
  }
  const blueGreen = style.deploymentType === 'BLUE_GREEN';
  const out = await api.update({
    applicationName: props.ApplicationName,
    currentDeploymentGroupName: props.DeploymentGroupName,
    ...settings(props),
    autoScalingGroups: fleets,
    deploymentStyle: style,
    ...(blueGreen ? { blueGreenDeploymentConfiguration: blueGreenConfiguration(props) } : {}),
  });
  const leftover = (out.hooksNotCleanedUp ?? []).map((h) => `${h.hook} on ${h.name}`);
  return {
    physicalId: physicalIdOf(props),
    reason: `Updated ${physicalIdOf(props)} (${style.deploymentType}), kept on ${fleets.join(', ') || 'no Auto Scaling group'}` +
      (leftover.length ? `; lifecycle hooks CodeDeploy could not remove: ${leftover.join(', ')}` : '') + '.',
    autoScalingGroups: fleets,
    deploymentType: style.deploymentType!,
  };
}

/** Delete: the group (never blocks a stack delete when it is already gone); reports hooks CodeDeploy could not remove. */
export async function deleteBlueGreenGroup(api: BlueGreenGroupApi, props: Pick<BlueGreenGroupProperties, 'ApplicationName' | 'DeploymentGroupName'>): Promise<string> {
  const out = await api.delete(props.ApplicationName, props.DeploymentGroupName);
  if (!out) {
    return `Deployment group ${props.ApplicationName}/${props.DeploymentGroupName} did not exist; nothing to delete.`;
  }
  const leftover = (out.hooksNotCleanedUp ?? []).map((h) => `${h.hook} on ${h.name}`);
  return `Deleted ${props.ApplicationName}/${props.DeploymentGroupName}` +
    (leftover.length ? `; lifecycle hooks CodeDeploy could not remove (delete them with the Auto Scaling groups): ${leftover.join(', ')}` : '') + '.';
}
