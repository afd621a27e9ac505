import {
  AutoScalingClient, CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand, DeleteAutoScalingGroupCommand, DescribeAutoScalingGroupsCommand,
} from '@aws-sdk/client-auto-scaling';
import { triggerHarness } from './trigger-harness';
import { Moto } from '../fakes/moto';

/**
 * The trigger's EC2 blue/green fleet steps against moto's Auto Scaling (an implementation nobody
 * here wrote), with the real SDK: what the fleets look like afterwards is read back from moto, not
 * from a record of our own calls. CodeDeploy and the CloudFormation response URL are the local
 * fake's (moto's CodeDeploy has no UpdateDeploymentGroup).
 */

const h = triggerHarness({
  TRIGGER_POLL_MIN_MS: '10',
  TRIGGER_POLL_MAX_MS: '40',
  TRIGGER_HANDOVER_MS: '100',
  TRIGGER_RESPONSE_RESERVE_MS: '20',
});
const moto = new Moto();
let autoscaling: AutoScalingClient;

const TAG = { Key: 'cdk-codedeploy-patterns:fleet', Value: 'web' };
const SUSPENDED = ['AZRebalance', 'AlarmNotification', 'ScheduledActions'];

beforeAll(async () => {
  await moto.start();
  // Registered after the harness's set-up: the handler's Auto Scaling client (created on first use) talks to moto.
  process.env.AWS_ENDPOINT_URL_AUTO_SCALING = moto.endpoint;
  autoscaling = new AutoScalingClient(moto.clientConfig());
  await autoscaling.send(new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'web', ImageId: 'ami-12c6146b', InstanceType: 't3.micro' }));
}, 30_000);

afterAll(() => {
  autoscaling?.destroy();
  moto.stop();
});

/** A fleet generation in moto: tagged like the pattern's, `desired` instances. */
async function fleet(name: string, desired: number, min = 2): Promise<void> {
  await autoscaling.send(new CreateAutoScalingGroupCommand({
    AutoScalingGroupName: name,
    LaunchConfigurationName: 'web',
    MinSize: Math.min(min, desired),
    MaxSize: 6,
    DesiredCapacity: desired,
    AvailabilityZones: ['us-east-1a'],
    Tags: [{ ...TAG, PropagateAtLaunch: false, ResourceId: name, ResourceType: 'auto-scaling-group' }],
  }));
}

async function fleets(): Promise<Map<string, { desired: number; instances: string[]; suspended: string[] }>> {
  const out = await autoscaling.send(new DescribeAutoScalingGroupsCommand({}));
  return new Map((out.AutoScalingGroups ?? []).map((g) => [g.AutoScalingGroupName!, {
    desired: g.DesiredCapacity!,
    instances: (g.Instances ?? []).map((i) => i.InstanceId!).sort(),
    suspended: (g.SuspendedProcesses ?? []).map((p) => p.ProcessName!).sort(),
  }]));
}

function group(fleetNames: string[]): void {
  h.fake.groups.set('app/group', {
    applicationName: 'app',
    deploymentGroupName: 'group',
    autoScalingGroups: fleetNames,
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
  });
}

function event(requestType: 'Update' | 'Delete', target: string): any {
  return h.event(requestType, {
    S3Location: { Bucket: 'revisions', Key: 'rev-2.zip', BundleType: 'zip' },
    TimeoutSeconds: '30',
    DeployOnCreate: 'true',
    BlueGreenFleet: {
      AutoScalingGroupName: target,
      FleetTag: TAG,
      BlueGreenConfiguration: JSON.stringify({
        greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' },
        deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' },
      }),
    },
  });
}

async function run(e: any): Promise<any> {
  await h.run(e, 20_000);
  expect(h.fake.responses).toHaveLength(1);
  return h.fake.responses[0];
}

describe('EC2 blue/green fleet steps against moto\'s Auto Scaling', () => {
  afterEach(async () => {
    for (const name of (await fleets()).keys()) {
      await autoscaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: true }));
    }
  });

  test('a deployment: the leftover generation deleted, the group moved, the new fleet\'s processes resumed, an instance the deployment missed replaced', async () => {
    await fleet('web-0', 1);
    await fleet('web-1', 3);
    await fleet('web-2', 3);
    group(['web-1']);
    const before = await fleets();
    // The deployment installed on two of web-2's instances; the one it missed is replaced after the switch.
    const green = before.get('web-2')!.instances;
    h.fake.deploymentInstances = (_id, types) => (types.includes('Green') ? green.slice(1) : []);
    const response = await run(event('Update', 'web-2'));
    expect(response.Status).toBe('SUCCESS');
    const after = await fleets();
    expect([...after.keys()].sort()).toEqual(['web-1', 'web-2']);
    // Processes back on; the missed instance replaced by Auto Scaling, the size kept.
    expect(after.get('web-2')!.desired).toBe(3);
    expect(after.get('web-2')!.suspended).toEqual([]);
    expect(after.get('web-2')!.instances).toHaveLength(3);
    expect(after.get('web-2')!.instances).not.toContain(green[0]);
    expect(after.get('web-2')!.instances).toEqual(expect.arrayContaining(green.slice(1)));
    expect(response.Reason).toContain(`Replaced ${green[0]}, launched into web-2 after the deployment started`);
    // The old fleet keeps its instances and stays suspended until CloudFormation deletes it in cleanup.
    expect(after.get('web-1')!.instances).toEqual(before.get('web-1')!.instances);
    expect(after.get('web-1')!.suspended).toEqual(SUSPENDED);
    expect(h.fake.groups.get('app/group')!.autoScalingGroups).toEqual(['web-2']);
  });

  test('a failed deployment: the new fleet was sized like the live one, every fleet resumes, the group stays on the live fleet, nothing deleted', async () => {
    await fleet('web-1', 3);
    await fleet('web-2', 2);
    group(['web-1']);
    h.fake.nextTimelines = [[{ at: 0, status: 'Failed' }]];
    const response = await run(event('Update', 'web-2'));
    expect(response.Status).toBe('FAILED');
    const after = await fleets();
    expect([...after.keys()].sort()).toEqual(['web-1', 'web-2']);
    expect(after.get('web-2')!.desired).toBe(3);
    expect(after.get('web-2')!.instances).toHaveLength(3);
    expect(after.get('web-1')!.suspended).toEqual([]);
    expect(after.get('web-2')!.suspended).toEqual([]);
    expect(h.fake.groups.get('app/group')!.autoScalingGroups).toEqual(['web-1']);
  });

  test('stack delete: generations in no template are deleted by their tag, the live and the template\'s fleet are left to CloudFormation', async () => {
    await fleet('web-0', 1);
    await fleet('web-1', 1);
    await fleet('web-2', 2);
    group(['web-2']);
    const response = await run(event('Delete', 'web-2'));
    expect(response.Status).toBe('SUCCESS');
    expect([...(await fleets()).keys()]).toEqual(['web-2']);
  });
});
