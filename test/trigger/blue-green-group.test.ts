import * as codedeploySdk from '@aws-sdk/client-codedeploy';
import { triggerHarness } from './trigger-harness';
import { SERVER_BLUE_GREEN_GROUP_RESOURCE_TYPE } from '../../src/trigger/server-blue-green-group';

/**
 * The EC2 blue/green deployment group custom resource (issue 20, design B2 of
 * ec2-blue-green-design.md), answered by the bundled trigger handler against the local fake with the
 * real AWS SDK v3 client: what it sends to CodeDeploy on Create, Update (the fleets and the style
 * stay as the deployments left them), a rename and Delete, and what it never does (adopt or delete
 * a group it did not create).
 */

const h = triggerHarness({ TRIGGER_RESPONSE_RESERVE_MS: '20' });

const PROPS = {
  ApplicationName: 'shop',
  DeploymentGroupName: 'web',
  ServiceRoleArn: 'arn:aws:iam::123456789012:role/codedeploy',
  DeploymentConfigName: 'CodeDeployDefault.HalfAtATime',
  FleetAutoScalingGroupName: 'web-fleet-1',
  TargetGroupNames: ['web-tg'],
  AlarmNames: ['web-5xx', 'web-unhealthy'],
  IgnorePollAlarmFailure: 'false',
  AutoRollbackEvents: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'],
  TerminationHook: 'false',
};

function groupEvent(requestType: 'Create' | 'Update' | 'Delete', props: Record<string, unknown> = {}, options: { old?: Record<string, unknown>; physicalId?: string } = {}): any {
  const base = h.event(requestType, {});
  return {
    ...base,
    ResourceType: SERVER_BLUE_GREEN_GROUP_RESOURCE_TYPE,
    LogicalResourceId: 'WebGroup',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: options.physicalId ?? 'shop/web' }),
    ...(options.old ? { OldResourceProperties: { ServiceToken: base.ServiceToken, ...PROPS, ...options.old } } : {}),
    ResourceProperties: { ServiceToken: base.ServiceToken, ...PROPS, ...props },
  };
}

async function answer(e: any): Promise<any> {
  h.fake.calls.length = 0;
  h.fake.responses.length = 0;
  await h.run(e, 10_000);
  expect(h.fake.responses).toHaveLength(1);
  return h.fake.responses[0];
}

const inputOf = (operation: string) => h.fake.callsOf(operation).map((c) => c.body);

describe('blue/green deployment group resource', () => {
  beforeEach(() => {
    h.fake.strictGroups = true;
  });

  test('Create: the group IN_PLACE on the template\'s fleet with the load balancer, alarms and rollback (the first deployment has no original fleet)', async () => {
    const response = await answer(groupEvent('Create'));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'shop/web', Data: { DeploymentGroupName: 'web', DeploymentType: 'IN_PLACE' } });
    const [input] = inputOf('CreateDeploymentGroup');
    expect(input).toEqual({
      applicationName: 'shop',
      deploymentGroupName: 'web',
      serviceRoleArn: 'arn:aws:iam::123456789012:role/codedeploy',
      deploymentConfigName: 'CodeDeployDefault.HalfAtATime',
      autoScalingGroups: ['web-fleet-1'],
      deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      loadBalancerInfo: { targetGroupInfoList: [{ name: 'web-tg' }] },
      alarmConfiguration: { enabled: true, ignorePollAlarmFailure: false, alarms: [{ name: 'web-5xx' }, { name: 'web-unhealthy' }] },
      autoRollbackConfiguration: { enabled: true, events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
      terminationHookEnabled: false,
      outdatedInstancesStrategy: 'UPDATE',
      triggerConfigurations: [],
    });
    // Every enumerated value is one the SDK's model knows.
    expect(Object.values(codedeploySdk.DeploymentType)).toContain(input.deploymentStyle.deploymentType);
    expect(Object.values(codedeploySdk.DeploymentOption)).toContain(input.deploymentStyle.deploymentOption);
    expect(Object.values(codedeploySdk.OutdatedInstancesStrategy)).toContain(input.outdatedInstancesStrategy);
    input.autoRollbackConfiguration.events.forEach((e: string) => expect(Object.values(codedeploySdk.AutoRollbackEvent)).toContain(e));
  });

  test('the emergency switch (IgnoreAlarms): the alarms stay listed, CodeDeploy ignores them until the switch is gone', async () => {
    await answer(groupEvent('Create', { IgnoreAlarms: 'true' }));
    expect(inputOf('CreateDeploymentGroup')[0].alarmConfiguration).toEqual({ enabled: false, ignorePollAlarmFailure: false, alarms: [{ name: 'web-5xx' }, { name: 'web-unhealthy' }] });
    h.fake.groups.set('shop/web', { applicationName: 'shop', deploymentGroupName: 'web', autoScalingGroups: ['web-fleet-1'], deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' } });
    await answer(groupEvent('Update', { IgnoreAlarms: 'false' }, { old: { IgnoreAlarms: 'true' } }));
    expect(inputOf('UpdateDeploymentGroup')[0].alarmConfiguration).toMatchObject({ enabled: true });
    const bad = await answer(groupEvent('Create', { IgnoreAlarms: 'yes' }));
    expect(bad.Status).toBe('FAILED');
    expect(bad.Reason).toMatch(/IgnoreAlarms must be "true" or "false"; received "yes"/);
  });

  test('Update while still IN_PLACE: the template\'s settings, the live fleet kept (not the template\'s new fleet name)', async () => {
    h.fake.groups.set('shop/web', { applicationName: 'shop', deploymentGroupName: 'web', autoScalingGroups: ['web-fleet-1'], deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' } });
    const response = await answer(groupEvent('Update', { FleetAutoScalingGroupName: 'web-fleet-2', AlarmNames: ['web-5xx'] }, { old: {} }));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'shop/web', Data: { DeploymentType: 'IN_PLACE' } });
    const [input] = inputOf('UpdateDeploymentGroup');
    expect(input).toMatchObject({
      applicationName: 'shop',
      currentDeploymentGroupName: 'web',
      autoScalingGroups: ['web-fleet-1'],
      deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      alarmConfiguration: { enabled: true, alarms: [{ name: 'web-5xx' }] },
    });
    expect(input.blueGreenDeploymentConfiguration).toBeUndefined();
    expect(input.newDeploymentGroupName).toBeUndefined();
  });

  test('Update after blue/green deployments: BLUE_GREEN on the fleet the last deployment moved it to, discovering the next fleet and keeping the old one alive', async () => {
    h.fake.groups.set('shop/web', { applicationName: 'shop', deploymentGroupName: 'web', autoScalingGroups: ['web-fleet-2'], deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' } });
    const response = await answer(groupEvent('Update', { FleetAutoScalingGroupName: 'web-fleet-3', DeploymentConfigName: 'CodeDeployDefault.OneAtATime' }, { old: {} }));
    expect(response.Data.DeploymentType).toBe('BLUE_GREEN');
    const [input] = inputOf('UpdateDeploymentGroup');
    expect(input).toMatchObject({
      autoScalingGroups: ['web-fleet-2'],
      deploymentConfigName: 'CodeDeployDefault.OneAtATime',
      deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
      blueGreenDeploymentConfiguration: {
        greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' },
        deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' },
      },
    });
    const bg = input.blueGreenDeploymentConfiguration;
    expect(Object.values(codedeploySdk.GreenFleetProvisioningAction)).toContain(bg.greenFleetProvisioningOption.action);
    expect(Object.values(codedeploySdk.DeploymentReadyAction)).toContain(bg.deploymentReadyOption.actionOnTimeout);
    expect(Object.values(codedeploySdk.InstanceAction)).toContain(bg.terminateBlueInstancesOnDeploymentSuccess.action);
  });

  test('notifications become the group\'s triggers; a template without them removes them (an empty list)', async () => {
    h.fake.groups.set('shop/web', { autoScalingGroups: ['web-fleet-1'], deploymentStyle: { deploymentType: 'IN_PLACE', deploymentOption: 'WITH_TRAFFIC_CONTROL' } });
    const triggers = [{ TriggerName: 'failures', TriggerTargetArn: 'arn:aws:sns:us-east-1:123456789012:ops', TriggerEvents: ['DeploymentFailure', 'DeploymentRollback'] }];
    await answer(groupEvent('Update', { TriggerConfigurations: triggers }, { old: {} }));
    const sent = inputOf('UpdateDeploymentGroup')[0].triggerConfigurations;
    expect(sent).toEqual([{ triggerName: 'failures', triggerTargetArn: 'arn:aws:sns:us-east-1:123456789012:ops', triggerEvents: ['DeploymentFailure', 'DeploymentRollback'] }]);
    sent[0].triggerEvents.forEach((e: string) => expect(Object.values(codedeploySdk.TriggerEventType)).toContain(e));
    await answer(groupEvent('Update', {}, { old: { TriggerConfigurations: triggers } }));
    expect(inputOf('UpdateDeploymentGroup')[0].triggerConfigurations).toEqual([]);
  });

  test('STOP_DEPLOYMENT waits the given minutes for ContinueDeployment', async () => {
    h.fake.groups.set('shop/web', { autoScalingGroups: ['web-fleet-2'], deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' } });
    await answer(groupEvent('Update', { ReadyAction: 'STOP_DEPLOYMENT', ReadyWaitMinutes: '30' }, { old: {} }));
    expect(inputOf('UpdateDeploymentGroup')[0].blueGreenDeploymentConfiguration.deploymentReadyOption).toEqual({ actionOnTimeout: 'STOP_DEPLOYMENT', waitTimeInMinutes: 30 });
  });

  test('a rename creates the new group on the old group\'s fleet and style; CloudFormation\'s Delete of the old one then removes it', async () => {
    h.fake.groups.set('shop/web', { applicationName: 'shop', deploymentGroupName: 'web', autoScalingGroups: ['web-fleet-2'], deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' } });
    const response = await answer(groupEvent('Update', { DeploymentGroupName: 'web-v2' }, { old: {} }));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'shop/web-v2' });
    expect(inputOf('CreateDeploymentGroup')[0]).toMatchObject({
      deploymentGroupName: 'web-v2',
      autoScalingGroups: ['web-fleet-2'],
      deploymentStyle: { deploymentType: 'BLUE_GREEN' },
      blueGreenDeploymentConfiguration: { greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' } },
    });
    const deleted = await answer(groupEvent('Delete', {}, { physicalId: 'shop/web' }));
    expect(deleted.Status).toBe('SUCCESS');
    expect(inputOf('DeleteDeploymentGroup')).toEqual([{ applicationName: 'shop', deploymentGroupName: 'web' }]);
    expect([...h.fake.groups.keys()]).toEqual(['shop/web-v2']);
  });

  test('a group of that name that this stack did not create is neither adopted nor deleted when CloudFormation cleans up the failed Create', async () => {
    h.fake.groups.set('shop/web', { applicationName: 'shop', deploymentGroupName: 'web', autoScalingGroups: ['someone-elses'] });
    const response = await answer(groupEvent('Create'));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^Blue\/green deployment group error: .*deployment group web already exists in application shop and was not created by this stack; delete it, or give the pattern another deploymentGroupName/);
    expect(response.PhysicalResourceId).toBe('not-created:shop/web');
    const cleanup = await answer(groupEvent('Delete', {}, { physicalId: response.PhysicalResourceId }));
    expect(cleanup.Status).toBe('SUCCESS');
    expect(inputOf('DeleteDeploymentGroup')).toEqual([]);
    expect(h.fake.groups.get('shop/web').autoScalingGroups).toEqual(['someone-elses']);
  });

  test('Update of a group deleted outside CloudFormation fails and says why (its live fleet is unknown)', async () => {
    const response = await answer(groupEvent('Update', {}, { old: {} }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/deployment group shop\/web no longer exists \(deleted outside CloudFormation\); its fleets are unknown, so it is not recreated/);
    expect(inputOf('UpdateDeploymentGroup')).toEqual([]);
    expect(inputOf('CreateDeploymentGroup')).toEqual([]);
  });

  test('Delete of a group that is already gone succeeds (never blocks a stack delete)', async () => {
    const response = await answer(groupEvent('Delete'));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'shop/web' });
    expect(response.Reason).toMatch(/did not exist; nothing to delete/);
  });

  test('properties it cannot use fail the operation, naming each problem', async () => {
    const response = await answer(groupEvent('Create', { TargetGroupNames: [], AutoRollbackEvents: ['ON_ALARM'], ReadyAction: 'WAIT', FleetAutoScalingGroupName: '' }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('FleetAutoScalingGroupName must be a non-empty string; received ""');
    expect(response.Reason).toContain('a blue/green deployment group needs at least one target group or Classic Load Balancer');
    expect(response.Reason).toContain('AutoRollbackEvents: "ON_ALARM" is not one of DEPLOYMENT_FAILURE, DEPLOYMENT_STOP_ON_ALARM, DEPLOYMENT_STOP_ON_REQUEST');
    expect(response.Reason).toContain('ReadyAction must be CONTINUE_DEPLOYMENT or STOP_DEPLOYMENT; received "WAIT"');
    expect(inputOf('CreateDeploymentGroup')).toEqual([]);
  });
});
