import { triggerHarness } from './trigger-harness';
import { FakeAutoScalingGroup } from '../fakes/fake-aws';

/**
 * The trigger's EC2 blue/green steps (issue 20, design B2): the bundled handler against the local
 * fake with the real SDK clients. Each path of the design study's failure table that the trigger
 * owns ends in exactly one CloudFormation answer.
 */

const h = triggerHarness({
  TRIGGER_POLL_MIN_MS: '10',
  TRIGGER_POLL_MAX_MS: '40',
  TRIGGER_HANDOVER_MS: '100',
  TRIGGER_RESPONSE_RESERVE_MS: '20',
});

const BLUE_GREEN_CONFIG = JSON.stringify({
  greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' },
  deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
  terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' },
});

function event(requestType: 'Create' | 'Update' | 'Delete', fleet: string, key = 'rev-2.zip'): any {
  return h.event(requestType, {
    S3Location: { Bucket: 'revisions', Key: key, BundleType: 'zip' },
    TimeoutSeconds: '30',
    DeployOnCreate: 'true',
    BlueGreenFleet: { AutoScalingGroupName: fleet, BlueGreenConfiguration: BLUE_GREEN_CONFIG },
  });
}

async function run(e: any): Promise<any> {
  await h.run(e, 20_000);
  expect(h.fake.responses).toHaveLength(1); // exactly one answer to CloudFormation, always
  return h.fake.responses[0];
}

function inService(n: number, prefix: string): FakeAutoScalingGroup['instances'] {
  return Array.from({ length: n }, (_, i) => ({ id: `i-${prefix}${i}`, state: 'InService' }));
}

/** The group on `fleets` in `style`. */
function group(fleets: string[], style: 'IN_PLACE' | 'BLUE_GREEN'): void {
  h.fake.groups.set('app/group', {
    applicationName: 'app',
    deploymentGroupName: 'group',
    autoScalingGroups: fleets,
    deploymentStyle: { deploymentType: style, deploymentOption: 'WITH_TRAFFIC_CONTROL' },
  });
}

const calls = (operation: string) => h.fake.callsOf(operation).map((c) => c.body);

describe('EC2 blue/green fleet steps of the trigger', () => {
  beforeEach(() => {
    h.fake.strictGroups = true;
  });

  test('the first deployment (group IN_PLACE, created on this fleet): in place, then the group becomes BLUE_GREEN', async () => {
    group(['web-1'], 'IN_PLACE');
    h.fake.autoScalingGroups = (name) => (name === 'web-1' ? { desired: 2, instances: inService(2, 'a') } : undefined);
    const response = await run(event('Create', 'web-1', 'rev-1.zip'));
    expect(response.Status).toBe('SUCCESS');
    expect(response.Reason).toMatch(/app\/group deploys blue\/green from now on, from web-1/);
    const [create] = calls('CreateDeployment');
    expect(create.targetInstances).toBeUndefined();
    // No sizing and no suspension on the first deployment; the group already listed the fleet.
    expect(calls('UpdateAutoScalingGroup')).toEqual([]);
    expect(calls('SuspendProcesses')).toEqual([]);
    expect(calls('UpdateDeploymentGroup')).toEqual([{
      applicationName: 'app',
      currentDeploymentGroupName: 'group',
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      blueGreenDeploymentConfiguration: JSON.parse(BLUE_GREEN_CONFIG),
    }]);
  });

  test('a new revision: the new fleet sized like the live one (3), processes suspended on both, the deployment targets it, then the group moves to it and its processes resume', async () => {
    group(['web-1'], 'BLUE_GREEN');
    // The new fleet starts at its minimum (1) and reaches 3 InService after the trigger sized it.
    h.fake.autoScalingGroups = (name) => {
      if (name === 'web-1') {
        return { desired: 3, instances: inService(3, 'a'), max: 6 };
      }
      const sized = h.fake.callsOf('UpdateAutoScalingGroup').length > 0;
      return name === 'web-2' ? { desired: sized ? 3 : 1, min: 1, max: 6, instances: inService(sized ? 3 : 1, 'b') } : undefined;
    };
    const response = await run(event('Update', 'web-2'));
    expect(response.Status).toBe('SUCCESS');
    expect(response.Reason).toMatch(/app\/group moved to web-2 \(3 instances\); web-1 is left for CloudFormation to delete/);
    expect(calls('UpdateAutoScalingGroup')).toEqual([{ AutoScalingGroupName: 'web-2', DesiredCapacity: '3' }]);
    const processes = ['AlarmNotification', 'ScheduledActions', 'AZRebalance'];
    expect(calls('SuspendProcesses')).toEqual([
      { AutoScalingGroupName: 'web-2', ScalingProcesses: processes },
      { AutoScalingGroupName: 'web-1', ScalingProcesses: processes },
    ]);
    expect(calls('CreateDeployment')[0].targetInstances).toEqual({ autoScalingGroups: ['web-2'] });
    expect(calls('UpdateDeploymentGroup')).toEqual([{ applicationName: 'app', currentDeploymentGroupName: 'group', autoScalingGroups: ['web-2'] }]);
    expect(calls('ResumeProcesses')).toEqual([{ AutoScalingGroupName: 'web-2', ScalingProcesses: processes }]);
    expect(h.fake.groups.get('app/group').autoScalingGroups).toEqual(['web-2']);
    // The order: sized and suspended before the deployment, moved after it succeeded.
    const order = h.fake.calls.map((c) => c.operation).filter((o) => ['UpdateAutoScalingGroup', 'SuspendProcesses', 'CreateDeployment', 'UpdateDeploymentGroup', 'ResumeProcesses'].includes(o));
    expect(order).toEqual(['UpdateAutoScalingGroup', 'SuspendProcesses', 'SuspendProcesses', 'CreateDeployment', 'UpdateDeploymentGroup', 'ResumeProcesses']);
  });

  test('the deployment fails (CodeDeploy reroutes to the live fleet): the group stays on it, every fleet resumes, the stack operation fails', async () => {
    group(['web-1'], 'BLUE_GREEN');
    h.fake.autoScalingGroups = (name) => (name === 'web-1' || name === 'web-2' ? { desired: 2, instances: inService(2, name), max: 4 } : undefined);
    h.fake.nextTimelines = [[{ at: 0, status: 'InProgress' }, { at: 60, status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS', errorMessage: 'The overall deployment failed' }]];
    const response = await run(event('Update', 'web-2'));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/failed: HEALTH_CONSTRAINTS: The overall deployment failed/);
    expect(calls('UpdateDeploymentGroup')).toEqual([]);
    expect(h.fake.groups.get('app/group').autoScalingGroups).toEqual(['web-1']);
    expect(calls('ResumeProcesses').map((c) => c.AutoScalingGroupName)).toEqual(['web-1', 'web-2']);
  });

  test('the deployment is stopped (an alarm, or by hand): like a failure, the group stays on the live fleet and every fleet resumes', async () => {
    group(['web-1'], 'BLUE_GREEN');
    h.fake.autoScalingGroups = (name) => (name === 'web-1' || name === 'web-2' ? { desired: 2, instances: inService(2, name), max: 4 } : undefined);
    h.fake.nextTimelines = [[{ at: 0, status: 'InProgress' }, { at: 60, status: 'Stopped', errorCode: 'ALARM_ACTIVE', errorMessage: 'One or more alarms have been activated' }]];
    const response = await run(event('Update', 'web-2'));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/was stopped: ALARM_ACTIVE: One or more alarms have been activated/);
    expect(calls('UpdateDeploymentGroup')).toEqual([]);
    expect(calls('ResumeProcesses').map((c) => c.AutoScalingGroupName)).toEqual(['web-1', 'web-2']);
  });

  test('a stack rollback after the switch (a later resource failed): the old fleet is sized like the live one and the old revision deployed to it, a reverse blue/green', async () => {
    group(['web-2'], 'BLUE_GREEN');
    h.fake.autoScalingGroups = (name) => (name === 'web-1' || name === 'web-2' ? { desired: 2, instances: inService(2, name), max: 4 } : undefined);
    const response = await run(event('Update', 'web-1', 'rev-1.zip'));
    expect(response.Status).toBe('SUCCESS');
    expect(calls('CreateDeployment')[0]).toMatchObject({
      revision: { s3Location: { key: 'rev-1.zip' } },
      targetInstances: { autoScalingGroups: ['web-1'] },
    });
    expect(h.fake.groups.get('app/group').autoScalingGroups).toEqual(['web-1']);
  });

  test('a stack rollback after the deployment failed (the group never left the live fleet, which runs this revision): nothing to do', async () => {
    group(['web-1'], 'BLUE_GREEN');
    h.fake.seedDeployment('app/group', [{ at: 0, status: 'Succeeded' }], { revision: { revisionType: 'S3', s3Location: { bucket: 'revisions', key: 'rev-1.zip', bundleType: 'zip' } } });
    const response = await run(event('Update', 'web-1', 'rev-1.zip'));
    expect(response.Status).toBe('SUCCESS');
    expect(response.Reason).toMatch(/already deployed s3:\/\/revisions\/rev-1.zip; no deployment needed/);
    expect(calls('CreateDeployment')).toEqual([]);
    expect(calls('UpdateAutoScalingGroup')).toEqual([]);
  });

  test('the same bundle on a new fleet (a launch-template change) is deployed, not skipped', async () => {
    group(['web-1'], 'BLUE_GREEN');
    h.fake.seedDeployment('app/group', [{ at: 0, status: 'Succeeded' }], { revision: { revisionType: 'S3', s3Location: { bucket: 'revisions', key: 'rev-2.zip', bundleType: 'zip' } } });
    h.fake.autoScalingGroups = (name) => (name === 'web-1' || name === 'web-2' ? { desired: 2, instances: inService(2, name), max: 4 } : undefined);
    const response = await run(event('Update', 'web-2'));
    expect(response.Status).toBe('SUCCESS');
    expect(calls('CreateDeployment')).toHaveLength(1);
  });

  test('the live fleet is larger than the new fleet may grow: no deployment, a message to raise maxCapacity', async () => {
    group(['web-1'], 'BLUE_GREEN');
    h.fake.autoScalingGroups = (name) => (name === 'web-1' ? { desired: 5, instances: inService(5, 'a') } : name === 'web-2' ? { desired: 1, max: 4, instances: inService(1, 'b') } : undefined);
    const response = await run(event('Update', 'web-2'));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toBe('the live fleet has 5 InService instances, more than the new fleet\'s maximum of 4; CodeDeploy needs fleets of one size. Raise maxCapacity, then deploy again. No deployment was started.');
    expect(calls('CreateDeployment')).toEqual([]);
    expect(calls('SuspendProcesses')).toEqual([]);
  });

  test('the new fleet never gets its instances InService: timeout before any deployment, processes resumed', async () => {
    group(['web-1'], 'BLUE_GREEN');
    h.fake.autoScalingGroups = (name) => (name === 'web-1' ? { desired: 2, instances: inService(2, 'a') } : name === 'web-2' ? { desired: 2, max: 4, instances: [{ id: 'i-b0', state: 'Pending' }] } : undefined);
    const e = event('Update', 'web-2');
    e.ResourceProperties.TimeoutSeconds = '1';
    const response = await run(e);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/Timed out after 1 seconds waiting for the instances of app\/group: Auto Scaling group web-2 has 0 of 2 instances InService\. No deployment was started\./);
    expect(calls('CreateDeployment')).toEqual([]);
    expect(calls('ResumeProcesses').map((c) => c.AutoScalingGroupName)).toEqual(['web-1', 'web-2']);
  });

  test('moving the group fails after a successful deployment: the stack operation fails and says so (CloudFormation keeps the fleet the group lists)', async () => {
    group(['web-1'], 'BLUE_GREEN');
    h.fake.autoScalingGroups = (name) => (name === 'web-1' || name === 'web-2' ? { desired: 2, instances: inService(2, name), max: 4 } : undefined);
    h.fake.failNext('UpdateDeploymentGroup', { status: 400, type: 'AccessDeniedException', message: 'not authorized to perform codedeploy:UpdateDeploymentGroup' });
    const response = await run(event('Update', 'web-2'));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/succeeded\. the deployment succeeded, but moving the deployment group to web-2 failed \(AccessDeniedException: not authorized/);
  });

  test('a fleet a failed cleanup left behind (tagged, neither live nor the target) is deleted with its instances; a failed deletion does not stop the deployment', async () => {
    group(['web-2'], 'BLUE_GREEN');
    h.fake.autoScalingGroups = (name) => (['web-0', 'web-1', 'web-2', 'web-3'].includes(name) ? { desired: 2, instances: inService(2, name), max: 4 } : undefined);
    h.fake.taggedAutoScalingGroups = (key, value) => (key === 'cdk-codedeploy-patterns:fleet' && value === 'web' ? ['web-0', 'web-1', 'web-2', 'web-3'] : []);
    h.fake.failNext('DeleteAutoScalingGroup', { status: 400, type: 'ScalingActivityInProgress', message: 'scaling activity in progress' });
    const e = event('Update', 'web-3');
    e.ResourceProperties.BlueGreenFleet.FleetTag = { Key: 'cdk-codedeploy-patterns:fleet', Value: 'web' };
    const response = await run(e);
    expect(response.Status).toBe('SUCCESS');
    // Never the live fleet (web-2) or the target (web-3).
    expect(calls('DeleteAutoScalingGroup')).toEqual([
      { AutoScalingGroupName: 'web-0', ForceDelete: 'true' },
      { AutoScalingGroupName: 'web-1', ForceDelete: 'true' },
    ]);
    expect(h.logs.some((l) => l.message === 'could not delete a fleet a failed cleanup left behind; delete it by hand' && l.autoScalingGroup === 'web-0')).toBe(true);
    expect(h.logs.some((l) => l.message === 'deleted a fleet a failed cleanup left behind' && l.autoScalingGroup === 'web-1')).toBe(true);
    expect(calls('CreateDeployment')[0].targetInstances).toEqual({ autoScalingGroups: ['web-3'] });
  });

  describe('stack delete (the trigger\'s Delete)', () => {
    const TAG = { Key: 'cdk-codedeploy-patterns:fleet', Value: 'web' };
    beforeEach(() => {
      h.fake.autoScalingGroups = (name) => (/^web-\d$/.test(name) ? { desired: 2, instances: inService(2, name), max: 4 } : undefined);
    });
    function deleteEvent(fleet: string): any {
      const e = event('Delete', fleet);
      e.ResourceProperties.BlueGreenFleet.FleetTag = TAG;
      return e;
    }

    test('generations a failed cleanup left behind are deleted (they are in no template and would outlive the stack); the template\'s fleet and the live one are left to CloudFormation', async () => {
      group(['web-2'], 'BLUE_GREEN');
      h.fake.taggedAutoScalingGroups = (key, value) => (key === TAG.Key && value === TAG.Value ? ['web-0', 'web-1', 'web-2'] : []);
      const response = await run(deleteEvent('web-2'));
      expect(response.Status).toBe('SUCCESS');
      expect(response.Reason).toMatch(/also deleted web-0, web-1, fleet generations a failed cleanup had left behind/);
      expect(calls('DeleteAutoScalingGroup')).toEqual([
        { AutoScalingGroupName: 'web-0', ForceDelete: 'true' },
        { AutoScalingGroupName: 'web-1', ForceDelete: 'true' },
      ]);
      // No deployment, no change to the group or the fleets' processes.
      expect(calls('CreateDeployment')).toEqual([]);
      expect(calls('UpdateDeploymentGroup')).toEqual([]);
      expect(calls('SuspendProcesses')).toEqual([]);
    });

    test('a fleet the group lists is never deleted, even when it is not the template\'s (the group moved on in a deployment CloudFormation then rolled back)', async () => {
      group(['web-3'], 'BLUE_GREEN');
      h.fake.taggedAutoScalingGroups = () => ['web-2', 'web-3'];
      const response = await run(deleteEvent('web-2'));
      expect(response.Status).toBe('SUCCESS');
      expect(response.Reason).toMatch(/no fleet generations were left behind/);
      expect(calls('DeleteAutoScalingGroup')).toEqual([]);
    });

    test('the deployment group already gone: only the template\'s fleet is kept', async () => {
      h.fake.taggedAutoScalingGroups = () => ['web-1', 'web-2'];
      const response = await run(deleteEvent('web-2'));
      expect(response.Status).toBe('SUCCESS');
      expect(calls('DeleteAutoScalingGroup')).toEqual([{ AutoScalingGroupName: 'web-1', ForceDelete: 'true' }]);
    });

    test('Auto Scaling unreachable or denied: the delete still succeeds (never blocks a stack delete) and the reason says what to delete by hand', async () => {
      group(['web-2'], 'BLUE_GREEN');
      h.fake.failNext('DescribeAutoScalingGroups', { status: 403, type: 'AccessDenied', message: 'not authorized' });
      const response = await run(deleteEvent('web-2'));
      expect(response.Status).toBe('SUCCESS');
      expect(response.Reason).toMatch(/could not look for fleet generations left behind \(.*not authorized.*\): delete Auto Scaling groups tagged cdk-codedeploy-patterns:fleet=web by hand/);
      expect(calls('DeleteAutoScalingGroup')).toEqual([]);
    });

    test('without a fleet tag (properties of an older version): nothing but the answer', async () => {
      const response = await run(event('Delete', 'web-2'));
      expect(response.Status).toBe('SUCCESS');
      expect(h.fake.calls.map((c) => c.operation)).toEqual(['Respond']);
    });
  });

  test('an instance launched into the new fleet after the deployment started (no revision, no traffic) is replaced once the group lists the fleet', async () => {
    group(['web-1'], 'BLUE_GREEN');
    h.fake.autoScalingGroups = (name) =>
      name === 'web-1' ? { desired: 2, instances: inService(2, 'a'), max: 4 } : name === 'web-2' ? { desired: 2, max: 4, instances: [...inService(2, 'b'), { id: 'i-late', state: 'InService' }] } : undefined;
    h.fake.deploymentInstances = (_id, types) => (types.includes('Green') ? ['i-b0', 'i-b1'] : []);
    const response = await run(event('Update', 'web-2'));
    expect(response.Status).toBe('SUCCESS');
    expect(response.Reason).toMatch(/Replaced i-late, launched into web-2 after the deployment started/);
    expect(calls('ListDeploymentInstances')).toEqual([expect.objectContaining({ instanceTypeFilter: ['Green'] })]);
    expect(calls('TerminateInstanceInAutoScalingGroup')).toEqual([{ InstanceId: 'i-late', ShouldDecrementDesiredCapacity: 'false' }]);
    // After the group moved to the fleet (so the replacement gets the revision from its launch hook).
    const order = h.fake.calls.map((c) => c.operation).filter((o) => ['UpdateDeploymentGroup', 'TerminateInstanceInAutoScalingGroup'].includes(o));
    expect(order).toEqual(['UpdateDeploymentGroup', 'TerminateInstanceInAutoScalingGroup']);
  });

  test('the deployment\'s instances unknown (an empty list): nothing is terminated', async () => {
    group(['web-1'], 'BLUE_GREEN');
    h.fake.autoScalingGroups = (name) => (name === 'web-1' || name === 'web-2' ? { desired: 2, instances: inService(2, name), max: 4 } : undefined);
    const response = await run(event('Update', 'web-2'));
    expect(response.Status).toBe('SUCCESS');
    expect(calls('TerminateInstanceInAutoScalingGroup')).toEqual([]);
  });

  test('the deployment runs past its timeout: stopped with rollback, every fleet resumes, the group stays', async () => {
    group(['web-1'], 'BLUE_GREEN');
    h.fake.autoScalingGroups = (name) => (name === 'web-1' || name === 'web-2' ? { desired: 2, instances: inService(2, name), max: 4 } : undefined);
    h.fake.nextTimelines = [[{ at: 0, status: 'InProgress' }]];
    const e = event('Update', 'web-2');
    e.ResourceProperties.TimeoutSeconds = '1';
    const response = await run(e);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/did not finish within 1 seconds \(status InProgress\); stopped it with rollback/);
    expect(calls('StopDeployment')).toEqual([expect.objectContaining({ autoRollbackEnabled: true })]);
    expect(calls('UpdateDeploymentGroup')).toEqual([]);
    expect(calls('ResumeProcesses').map((c) => c.AutoScalingGroupName)).toEqual(['web-1', 'web-2']);
  });

  test('properties it cannot use fail the operation, naming what was wrong', async () => {
    const e = event('Update', '');
    e.ResourceProperties.BlueGreenFleet.BlueGreenConfiguration = '{"greenFleetProvisioningOption":{"action":"COPY_AUTO_SCALING_GROUP"}}';
    const response = await run(e);
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('BlueGreenFleet.AutoScalingGroupName must be a non-empty string');
    expect(response.Reason).toContain('BlueGreenFleet.BlueGreenConfiguration must discover the fleet the trigger names (greenFleetProvisioningOption DISCOVER_EXISTING)');
  });
});
