// The trigger's steps for an EC2 blue/green deployment to a fleet CloudFormation created for this
// revision (design B2 of ../shared/reference/ec2-blue-green-design.md, issue 20). Bundled into the
// trigger handler; the calls go through `FleetApi` (the real SDK's in the handler).
//
// Before the deployment: the first one (the group still IN_PLACE) deploys in place to the new
// fleet; every later one sizes the new fleet like the live one (CodeDeploy needs fleets of one size,
// user guide "NO_INSTANCES") and suspends the processes that would change either fleet meanwhile.
// After it: the group moves to the new fleet (BLUE_GREEN after the first), the processes resume.
import type * as AutoScalingSdk from '@aws-sdk/client-auto-scaling';
import type * as CodeDeploySdk from '@aws-sdk/client-codedeploy';

/** Trigger property: the fleet this revision deploys to. */
export interface BlueGreenFleetProperties {
  /** The Auto Scaling group CloudFormation created for this revision (the green fleet). */
  readonly AutoScalingGroupName: string;
  /** The group's blue/green settings (JSON of BlueGreenDeploymentConfiguration), applied after the first deployment. */
  readonly BlueGreenConfiguration: string;
  /**
   * The tag every generation of the fleet carries (`Key`, `Value`): generations that are neither
   * live nor the target were left by a failed cleanup deletion, and are deleted.
   */
  readonly FleetTag?: { Key: string; Value: string };
  /**
   * Processes suspended on both fleets during the deployment.
   * Default: AlarmNotification, ScheduledActions, AZRebalance (scaling policies, schedules and rebalancing).
   */
  readonly SuspendProcesses?: string[];
}

/** What the prepare step decided, carried to the create step and to the end. */
export interface FleetProgress {
  /** bootstrap: the group is IN_PLACE and deploys in place to `target`; blueGreen: from `live` to `target`. */
  readonly mode: 'bootstrap' | 'blueGreen';
  readonly target: string;
  /** The fleets the group listed before (blueGreen). */
  readonly live: string[];
  /** Instances the new fleet was sized to (blueGreen). */
  readonly size?: number;
}

export interface FleetApi {
  getGroup(applicationName: string, deploymentGroupName: string): Promise<CodeDeploySdk.DeploymentGroupInfo | undefined>;
  updateGroup(input: CodeDeploySdk.UpdateDeploymentGroupInput): Promise<unknown>;
  describe(names: string[]): Promise<AutoScalingSdk.AutoScalingGroup[]>;
  /** Every group with this tag. */
  describeTagged(key: string, value: string): Promise<AutoScalingSdk.AutoScalingGroup[]>;
  /** Deletes a group and terminates its instances. */
  deleteGroup(name: string): Promise<unknown>;
  /** The replacement (green) instances of a blue/green deployment. */
  deploymentInstances(deploymentId: string): Promise<string[]>;
  /** Terminates an instance of a group, which launches a replacement (the desired capacity stays). */
  replaceInstance(instanceId: string): Promise<unknown>;
  setDesired(name: string, desired: number): Promise<unknown>;
  suspend(name: string, processes: string[]): Promise<unknown>;
  resume(name: string, processes: string[]): Promise<unknown>;
}

export const DEFAULT_SUSPENDED = ['AlarmNotification', 'ScheduledActions', 'AZRebalance'];

export function parseBlueGreenFleet(raw: unknown): string[] {
  const problems: string[] = [];
  const v = raw as Record<string, unknown>;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return [`BlueGreenFleet must be an object; received ${JSON.stringify(raw)?.slice(0, 80)}`];
  }
  if (typeof v.AutoScalingGroupName !== 'string' || v.AutoScalingGroupName === '') {
    problems.push('BlueGreenFleet.AutoScalingGroupName must be a non-empty string');
  }
  try {
    const config = JSON.parse(String(v.BlueGreenConfiguration));
    if (config?.greenFleetProvisioningOption?.action !== 'DISCOVER_EXISTING') {
      problems.push('BlueGreenFleet.BlueGreenConfiguration must discover the fleet the trigger names (greenFleetProvisioningOption DISCOVER_EXISTING)');
    }
  } catch {
    problems.push('BlueGreenFleet.BlueGreenConfiguration must be the JSON of a BlueGreenDeploymentConfiguration');
  }
  if (v.SuspendProcesses !== undefined && (!Array.isArray(v.SuspendProcesses) || v.SuspendProcesses.some((p) => typeof p !== 'string'))) {
    problems.push('BlueGreenFleet.SuspendProcesses must be a list of process names');
  }
  return problems;
}

function namesOf(group: CodeDeploySdk.DeploymentGroupInfo): string[] {
  return (group.autoScalingGroups ?? []).map((g) => g.name!).filter(Boolean);
}

/**
 * Whether the group already runs on exactly the target fleet: then the revision is live when the
 * last successful deployment deployed it (the caller compares the revision).
 */
export async function groupIsOnFleet(api: FleetApi, app: string, group: string, target: string): Promise<boolean> {
  const info = await api.getGroup(app, group);
  const names = info ? namesOf(info) : [];
  return names.length === 1 && names[0] === target;
}

/**
 * Generations of the fleet that are neither live nor the target: CloudFormation failed to delete
 * them in a cleanup (it skips such failures, aws/aws-cdk-cli#1564). They serve no traffic (out of
 * the group, deregistered), so they are deleted with their instances. A failure is logged, never
 * fatal: the deployment does not depend on it.
 */
export async function removeLeftoverFleets(
  api: FleetApi,
  fleet: BlueGreenFleetProperties,
  live: string[],
  log: (message: string, extra?: Record<string, unknown>) => void,
): Promise<string[]> {
  if (!fleet.FleetTag) {
    return [];
  }
  const keep = new Set([...live, fleet.AutoScalingGroupName]);
  const leftovers = (await api.describeTagged(fleet.FleetTag.Key, fleet.FleetTag.Value))
    .map((g) => g.AutoScalingGroupName!)
    .filter((name) => name && !keep.has(name));
  const removed: string[] = [];
  for (const name of leftovers) {
    try {
      await api.deleteGroup(name);
      removed.push(name);
      log('deleted a fleet a failed cleanup left behind', { autoScalingGroup: name });
    } catch (err) {
      log('could not delete a fleet a failed cleanup left behind; delete it by hand', { autoScalingGroup: name, error: String((err as Error)?.message ?? err) });
    }
  }
  return removed;
}

/**
 * Delete of the trigger (the stack, or the pattern, is deleted): CloudFormation deletes the fleet
 * in its template, but generations a failed cleanup left behind are in no template and would
 * outlive the stack with their instances. They are deleted here, never the template's fleet or one
 * the group lists. Never throws: a delete is never blocked; what could not be done is in the reason.
 */
export async function removeFleetsOnDelete(
  api: FleetApi,
  app: string,
  group: string,
  fleet: BlueGreenFleetProperties,
  log: (message: string, extra?: Record<string, unknown>) => void,
): Promise<string> {
  if (!fleet.FleetTag) {
    return 'Deleted; deployments are not touched on delete.';
  }
  try {
    const info = await api.getGroup(app, group);
    const removed = await removeLeftoverFleets(api, fleet, info ? namesOf(info) : [], log);
    return removed.length > 0
      ? `Deleted; also deleted ${removed.join(', ')}, fleet generations a failed cleanup had left behind.`
      : 'Deleted; no fleet generations were left behind.';
  } catch (err) {
    const error = String((err as Error)?.message ?? err);
    log('could not look for fleet generations a failed cleanup left behind; look for Auto Scaling groups tagged with the fleet tag', { error });
    return `Deleted; could not look for fleet generations left behind (${error}): delete Auto Scaling groups tagged ${fleet.FleetTag.Key}=${fleet.FleetTag.Value} by hand.`;
  }
}

/** Prepares the fleets; a string is why no deployment can start. */
export async function prepareFleet(
  api: FleetApi,
  app: string,
  group: string,
  fleet: BlueGreenFleetProperties,
  log: (message: string, extra?: Record<string, unknown>) => void = () => undefined,
): Promise<FleetProgress | string> {
  const target = fleet.AutoScalingGroupName;
  const info = await api.getGroup(app, group);
  if (!info) {
    return `deployment group ${app}/${group} does not exist; no deployment was started.`;
  }
  const live = namesOf(info);
  await removeLeftoverFleets(api, fleet, live, log);
  if (info.deploymentStyle?.deploymentType !== 'BLUE_GREEN') {
    // The first deployment: no original fleet to shift from, so in place, on the new fleet.
    if (!(live.length === 1 && live[0] === target)) {
      await api.updateGroup({ applicationName: app, currentDeploymentGroupName: group, autoScalingGroups: [target] });
    }
    return { mode: 'bootstrap', target, live };
  }
  if (live.includes(target)) {
    return `${target} is already a live fleet of ${app}/${group} but does not run this revision; a blue/green deployment needs a new fleet (the pattern names one per revision). No deployment was started.`;
  }
  const groups = await api.describe([...live, target]);
  const green = groups.find((g) => g.AutoScalingGroupName === target);
  if (!green) {
    return `the new fleet ${target} does not exist; no deployment was started.`;
  }
  const size = groups
    .filter((g) => live.includes(g.AutoScalingGroupName!))
    .reduce((n, g) => n + (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService').length, 0);
  if (size === 0) {
    return `the live fleet (${live.join(', ') || 'none'}) has no InService instances to shift traffic from; CodeDeploy would fail with NO_INSTANCES. Scale it up (or restore its instances), then deploy again. No deployment was started.`;
  }
  if (size > (green.MaxSize ?? 0)) {
    return `the live fleet has ${size} InService instances, more than the new fleet's maximum of ${green.MaxSize}; CodeDeploy needs fleets of one size. Raise maxCapacity, then deploy again. No deployment was started.`;
  }
  const desired = Math.max(size, green.MinSize ?? 0);
  await api.setDesired(target, desired);
  const processes = fleet.SuspendProcesses ?? DEFAULT_SUSPENDED;
  if (processes.length > 0) {
    for (const name of [target, ...live]) {
      await api.suspend(name, processes);
    }
  }
  return { mode: 'blueGreen', target, live, size: desired };
}

/**
 * After a successful deployment: the group moves to the new fleet (after the first, it becomes
 * BLUE_GREEN) and the new fleet's processes resume. The old fleet is CloudFormation's to delete.
 */
export async function fleetSucceeded(
  api: FleetApi,
  app: string,
  group: string,
  fleet: BlueGreenFleetProperties,
  progress: FleetProgress,
  deploymentId: string,
): Promise<string> {
  if (progress.mode === 'bootstrap') {
    await api.updateGroup({
      applicationName: app,
      currentDeploymentGroupName: group,
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      blueGreenDeploymentConfiguration: JSON.parse(fleet.BlueGreenConfiguration),
    });
    return `${app}/${group} deploys blue/green from now on, from ${progress.target}.`;
  }
  await api.updateGroup({ applicationName: app, currentDeploymentGroupName: group, autoScalingGroups: [progress.target] });
  const processes = fleet.SuspendProcesses ?? DEFAULT_SUSPENDED;
  if (processes.length > 0) {
    await api.resume(progress.target, processes);
  }
  const replaced = await replaceMissedInstances(api, progress.target, deploymentId);
  return `${app}/${group} moved to ${progress.target} (${progress.size} instances); ${progress.live.join(', ')} is left for CloudFormation to delete.` +
    (replaced.length > 0 ? ` Replaced ${replaced.join(', ')}, launched into ${progress.target} after the deployment started (no revision, no traffic); their replacements get the revision from the group.` : '');
}

/** After a failed, stopped or abandoned deployment: every fleet's processes resume; the group stays on the live fleet. */
export async function fleetFailed(api: FleetApi, fleet: BlueGreenFleetProperties, progress: FleetProgress): Promise<void> {
  const processes = fleet.SuspendProcesses ?? DEFAULT_SUSPENDED;
  if (progress.mode !== 'blueGreen' || processes.length === 0) {
    return;
  }
  for (const name of [...progress.live, progress.target]) {
    await api.resume(name, processes);
  }
}

/**
 * Instances Auto Scaling launched into the new fleet after the deployment started (a replaced
 * unhealthy instance, say) got neither the revision nor traffic, and the fleet had no launch hook
 * then. Now that the group lists the fleet, a replacement gets the revision from the launch hook,
 * so they are terminated (the desired capacity stays). Only when the deployment's replacement
 * instances are known: an empty list never terminates the fleet.
 */
async function replaceMissedInstances(api: FleetApi, target: string, deploymentId: string): Promise<string[]> {
  const deployed = new Set(await api.deploymentInstances(deploymentId));
  if (deployed.size === 0) {
    return [];
  }
  const [fleet] = await api.describe([target]);
  const missed = (fleet?.Instances ?? [])
    .filter((i) => i.InstanceId && i.LifecycleState === 'InService' && !deployed.has(i.InstanceId))
    .map((i) => i.InstanceId!);
  for (const id of missed) {
    await api.replaceInstance(id);
  }
  return missed;
}
