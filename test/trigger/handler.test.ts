import { FUNCTION_ARN, triggerHarness } from './trigger-harness';
import { TimelineStep } from '../fakes/fake-aws';

/**
 * The bundled trigger handler (what ships in the package), end to end against a local fake of
 * CodeDeploy, ECS, Lambda and the CloudFormation response URL, with the real AWS SDK v3 clients.
 */

const POLL_MAX_MS = 40;

const h = triggerHarness({
  TRIGGER_POLL_MIN_MS: '10',
  TRIGGER_POLL_MAX_MS: String(POLL_MAX_MS),
  TRIGGER_HANDOVER_MS: '100',
  // Budgets here are fractions of a second: keep only a little back for the last log line.
  TRIGGER_RESPONSE_RESERVE_MS: '20',
});

const APPSPEC = JSON.stringify({
  version: '0.0',
  Resources: [
    {
      TargetService: {
        Type: 'AWS::ECS::Service',
        Properties: {
          TaskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2',
          LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8080 },
        },
      },
    },
  ],
});

function event(requestType: 'Create' | 'Update' | 'Delete', properties: Record<string, unknown> = {}): any {
  return h.event(requestType, { AppSpecContent: APPSPEC, TimeoutSeconds: '30', WaitForTermination: 'false', DeployOnCreate: 'false', ...properties });
}

/** Runs the handler like Lambda would: CloudFormation's invocation, then every self-invocation. */
async function run(e: any, budgetMs = 20_000): Promise<any> {
  await h.run(e, budgetMs);
  expect(h.fake.responses).toHaveLength(1); // exactly one answer to CloudFormation, always
  return h.fake.responses[0];
}

function timeline(...steps: TimelineStep[]): TimelineStep[] {
  return steps;
}

function latencyMs(response: any): number {
  const d = [...h.fake.deployments.values()].find((x) => x.id === response.Data.DeploymentId)!;
  return response.receivedAt - h.fake.terminalAt(d)!;
}

describe('deployment trigger handler', () => {
  test('Update: creates a deployment with the AppSpec and reports success once it succeeds', async () => {
    h.fake.nextTimelines = [timeline({ at: 0, status: 'InProgress' }, { at: 150, status: 'Succeeded' })];
    const response = await run(event('Update'));
    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'deployment-trigger:app/group',
      LogicalResourceId: 'Trigger',
      Data: { DeploymentId: expect.stringMatching(/^d-/) },
    });
    const create = h.fake.callsOf('CreateDeployment');
    expect(create).toHaveLength(1);
    expect(create[0].body).toMatchObject({
      applicationName: 'app',
      deploymentGroupName: 'group',
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: APPSPEC } },
    });
    // Answered within one 40 ms poll of the terminal state, below the 1 s of an unconfigured first
    // poll; the slack covers the fake's round trips on a loaded 2-core machine (219 ms seen there,
    // 507 ms in a fresh-clone build where this first test of the file also loads the SDK clients).
    expect(latencyMs(response)).toBeLessThanOrEqual(POLL_MAX_MS + 900);
    // Structured logs carry the deployment id.
    const parsed = h.logs;
    expect(parsed.some((l) => l.deploymentId === response.Data.DeploymentId && l.level === 'info')).toBe(true);
  });

  test('failure: fails the stack operation with the deployment id and CodeDeploy\'s error text', async () => {
    h.fake.nextTimelines = [
      timeline(
        { at: 0, status: 'InProgress' },
        { at: 100, status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS', errorMessage: 'The replacement task set is unhealthy' },
      ),
    ];
    const response = await run(event('Update'));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/Deployment d-\w+ on app\/group failed: HEALTH_CONSTRAINTS: The replacement task set is unhealthy/);
    expect(response.Data.DeploymentId).toMatch(/^d-/);
  });

  test('stopped: fails with "was stopped" and the error text', async () => {
    h.fake.nextTimelines = [
      timeline({ at: 0, status: 'InProgress' }, { at: 60, status: 'Stopped', errorCode: 'ALARM_ACTIVE', errorMessage: 'Alarm 5xx fired' }),
    ];
    const response = await run(event('Update'));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/was stopped: ALARM_ACTIVE: Alarm 5xx fired/);
  });

  test('already in progress: waits for the running deployment, then deploys', async () => {
    const running = h.fake.seedDeployment('app/group', timeline({ at: 0, status: 'InProgress' }, { at: 200, status: 'Succeeded' }));
    h.fake.nextTimelines = [timeline({ at: 0, status: 'InProgress' }, { at: 50, status: 'Succeeded' })];
    const response = await run(event('Update'));
    expect(response.Status).toBe('SUCCESS');
    expect(response.Data.DeploymentId).not.toBe(running.id);
    const creates = h.fake.callsOf('CreateDeployment');
    expect(creates).toHaveLength(2); // rejected once, then accepted after the running one finished
    expect(creates[1].at).toBeGreaterThanOrEqual(h.fake.terminalAt(running)!);
    expect(h.fake.callsOf('ListDeployments')).toHaveLength(1);
    expect(h.fake.callsOf('GetDeployment').some((c) => c.body.deploymentId === running.id)).toBe(true);
  });

  test('already in progress past the timeout: fails naming the blocking deployment', async () => {
    const running = h.fake.seedDeployment('app/group', timeline({ at: 0, status: 'InProgress' }));
    const response = await run(event('Update', { TimeoutSeconds: '1' }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain(`deployment ${running.id} is still in progress on app/group`);
    expect(h.fake.callsOf('StopDeployment')).toHaveLength(0); // never stops somebody else's deployment
  });

  test('throttling and 5xx: retried until the deployment is seen', async () => {
    h.fake.nextTimelines = [timeline({ at: 0, status: 'InProgress' }, { at: 100, status: 'Succeeded' })];
    h.fake.failNext('CreateDeployment', { status: 500, type: 'InternalFailure' }, 1);
    h.fake.failNext('GetDeployment', { status: 400, type: 'ThrottlingException', message: 'Rate exceeded' }, 5);
    const response = await run(event('Update'));
    expect(response.Status).toBe('SUCCESS');
    expect(h.fake.callsOf('CreateDeployment')).toHaveLength(2);
    expect(h.fake.deployments.size).toBe(1); // the retried create did not start a second deployment
    expect(h.logs.some((l) => l.level === 'warn' && /ThrottlingException/.test(JSON.stringify(l)))).toBe(true);
  });

  test('timeout: stops the deployment with rollback and fails', async () => {
    h.fake.nextTimelines = [timeline({ at: 0, status: 'InProgress' })];
    const response = await run(event('Update', { TimeoutSeconds: '1' }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/did not finish within 1 seconds \(status InProgress\); stopped it with rollback \(stop status: Pending/);
    const stop = h.fake.callsOf('StopDeployment');
    expect(stop).toHaveLength(1);
    expect(stop[0].body).toEqual({ deploymentId: response.Data.DeploymentId, autoRollbackEnabled: true });
  });

  test('access denied (not transient): fails at once with the error', async () => {
    h.fake.failNext('CreateDeployment', { status: 400, type: 'AccessDeniedException', message: 'not authorized to perform codedeploy:CreateDeployment' });
    const response = await run(event('Update'));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/AccessDeniedException: not authorized to perform codedeploy:CreateDeployment/);
    expect(h.fake.callsOf('CreateDeployment')).toHaveLength(1);
  });

  test('delete: answers at once and touches no deployment', async () => {
    h.fake.seedDeployment('app/group', timeline({ at: 0, status: 'InProgress' }));
    const response = await run(event('Delete'));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'deployment-trigger:app/group' });
    expect(h.fake.calls.filter((c) => c.service !== 'cfn')).toHaveLength(0);
  });

  test('delete with broken properties still succeeds', async () => {
    const e = event('Delete');
    e.ResourceProperties = { ServiceToken: FUNCTION_ARN };
    const response = await run(e);
    expect(response.Status).toBe('SUCCESS');
  });

  test('ECS create: the new service already runs the task definition, so no deployment', async () => {
    h.fake.services.set('svc', {
      serviceName: 'svc',
      taskSets: [
        {
          status: 'PRIMARY',
          taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2',
          loadBalancers: [{ containerName: 'web', containerPort: 8080 }],
        },
      ],
    });
    const response = await run(event('Create', { EcsClusterName: 'cluster', EcsServiceName: 'svc' }));
    expect(response).toMatchObject({ Status: 'SUCCESS', Data: { DeploymentId: '' } });
    expect(response.Reason).toMatch(/already runs .*task-definition\/web:2/);
    expect(h.fake.callsOf('DescribeServices')[0].body).toEqual({ cluster: 'cluster', services: ['svc'] });
    expect(h.fake.callsOf('CreateDeployment')).toHaveLength(0);
  });

  test('ECS update: a new task definition revision is deployed', async () => {
    h.fake.services.set('svc', {
      serviceName: 'svc',
      taskSets: [
        { status: 'ACTIVE', taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2' },
        { status: 'PRIMARY', taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1' },
      ],
    });
    const response = await run(event('Update', { EcsClusterName: 'cluster', EcsServiceName: 'svc' }));
    expect(response.Status).toBe('SUCCESS');
    expect(h.fake.callsOf('CreateDeployment')).toHaveLength(1);
  });

  test('create without an ECS service and without deployOnCreate: nothing to deploy', async () => {
    const response = await run(event('Create'));
    expect(response.Status).toBe('SUCCESS');
    expect(h.fake.callsOf('CreateDeployment')).toHaveLength(0);
  });

  test('create with deployOnCreate and an S3 revision: deploys the bundle with its ETag', async () => {
    const response = await run(
      event('Create', {
        AppSpecContent: undefined,
        DeployOnCreate: 'true',
        S3Location: { Bucket: 'b', Key: 'app.zip', BundleType: 'zip', ETag: 'abc', Version: '' },
        FileExistsBehavior: 'OVERWRITE',
      }),
    );
    expect(response.Status).toBe('SUCCESS');
    expect(h.fake.callsOf('CreateDeployment')[0].body).toMatchObject({
      revision: { revisionType: 'S3', s3Location: { bucket: 'b', key: 'app.zip', bundleType: 'zip', eTag: 'abc' } },
      fileExistsBehavior: 'OVERWRITE',
    });
  });

  test('ECS: success as soon as the termination wait starts, unless asked to wait for it', async () => {
    const steps = timeline(
      { at: 0, status: 'InProgress' },
      { at: 80, status: 'InProgress', instanceTerminationWaitTimeStarted: true },
      { at: 400, status: 'Succeeded', instanceTerminationWaitTimeStarted: true },
    );
    h.fake.nextTimelines = [steps];
    const early = await run(event('Update'));
    expect(early.Status).toBe('SUCCESS');
    expect(early.Reason).toMatch(/original task set is kept for the termination wait/);
    expect(early.receivedAt - [...h.fake.deployments.values()][0].createdAt).toBeLessThan(400);

    h.fake.responses.length = 0;
    h.fake.deployments.clear();
    const late = await run(event('Update', { WaitForTermination: 'true' }));
    expect(late.Status).toBe('SUCCESS');
    expect(late.Reason).toMatch(/succeeded/);
    expect(late.receivedAt - [...h.fake.deployments.values()][0].createdAt).toBeGreaterThanOrEqual(400);
  });

  test('long waits hand over to a new invocation of the function, answering once', async () => {
    h.fake.nextTimelines = [timeline({ at: 0, status: 'InProgress' }, { at: 700, status: 'Succeeded' })];
    const response = await run(event('Update'), 250);
    expect(response.Status).toBe('SUCCESS');
    expect(h.fake.invocations.length).toBeGreaterThanOrEqual(2);
    expect(h.fake.invocations[0].Progress).toMatchObject({ phase: 'wait', deploymentId: response.Data.DeploymentId, invocation: 2 });
    expect(h.fake.callsOf('CreateDeployment')).toHaveLength(1);
  });

  test('invalid properties: fails with what is missing', async () => {
    const response = await run(event('Update', { TimeoutSeconds: 'soon' }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/TimeoutSeconds must be a positive number; received "soon"/);
  });
  describe('EC2/on-premises', () => {
    const SERVER = {
      AppSpecContent: undefined,
      DeployOnCreate: 'true',
      S3Location: { Bucket: 'revisions', Key: 'CodeDeploy/web/abc123.zip', BundleType: 'zip', ETag: '', Version: '' },
      CopyFrom: { Bucket: 'cdk-assets', Key: 'abc123.zip' },
    };
    const ASSOCIATION = 'assoc-1111';
    const inService = (...ids: string[]) => ids.map((id) => ({ id, state: 'InService' }));

    test('copies the asset into the revision bucket, then deploys the copy with its ETag and version', async () => {
      const response = await run(event('Create', { ...SERVER, IgnoreApplicationStopFailures: 'true' }));
      expect(response.Status).toBe('SUCCESS');
      expect(h.fake.copies.get('revisions/CodeDeploy/web/abc123.zip')).toBe('cdk-assets/abc123.zip');
      const calls = h.fake.calls.map((c) => c.operation);
      expect(calls.indexOf('CopyObject')).toBeLessThan(calls.indexOf('CreateDeployment'));
      expect(h.fake.callsOf('CreateDeployment')[0].body).toMatchObject({
        revision: {
          revisionType: 'S3',
          s3Location: { bucket: 'revisions', key: 'CodeDeploy/web/abc123.zip', bundleType: 'zip', eTag: '0123456789abcdef0123456789abcdef', version: 'v-fake-1' },
        },
        ignoreApplicationStopFailures: true,
      });
    });

    test('a failing copy fails the stack operation before any deployment', async () => {
      h.fake.failNext('CopyObject', { status: 403, type: 'AccessDenied', message: 'Access Denied' });
      const response = await run(event('Update', SERVER));
      expect(response.Status).toBe('FAILED');
      expect(response.Reason).toMatch(/AccessDenied: Access Denied/);
      expect(h.fake.callsOf('CreateDeployment')).toHaveLength(0);
    });

    test('waits until the Auto Scaling group has its instances InService and the agent installed, then deploys', async () => {
      h.fake.autoScalingGroups = (name, call) =>
        name !== 'web-asg' ? undefined
          : call === 0 ? { desired: 2, instances: [{ id: 'i-1', state: 'Pending' }] }
            : call === 1 ? { desired: 2, instances: [...inService('i-1'), { id: 'i-2', state: 'Pending' }] }
              : { desired: 2, instances: inService('i-1', 'i-2') };
      h.fake.associationStatuses = (id, call) =>
        id === 'i-2' && call === 0 ? undefined // not registered with Systems Manager yet
          : id === 'i-2' && call === 1 ? [{ associationId: ASSOCIATION, status: 'Pending' }]
            : [{ associationId: 'other', status: 'Failed' }, { associationId: ASSOCIATION, status: 'Success' }];
      const response = await run(event('Create', { ...SERVER, WaitForAutoScalingGroups: ['web-asg'], AgentAssociationIds: [ASSOCIATION] }));
      expect(response.Status).toBe('SUCCESS');
      expect(h.fake.callsOf('DescribeAutoScalingGroups').length).toBeGreaterThanOrEqual(3);
      expect(h.fake.callsOf('DescribeAutoScalingGroups')[0].body).toEqual({ names: ['web-asg'] });
      expect(h.fake.callsOf('DescribeInstanceAssociationsStatus').filter((c) => c.body.InstanceId === 'i-2')).toHaveLength(3);
      // Nothing was copied or deployed before every instance was ready.
      const firstCreate = h.fake.callsOf('CreateDeployment')[0].at;
      const lastCheck = Math.max(...h.fake.callsOf('DescribeInstanceAssociationsStatus').map((c) => c.at));
      expect(firstCreate).toBeGreaterThanOrEqual(lastCheck);
      const waits = h.logs.filter((l) => l.message === 'waiting for instances').map((l) => l.waitingFor);
      expect(waits).toEqual([
        'Auto Scaling group web-asg has 0 of 2 instances InService',
        'Auto Scaling group web-asg has 1 of 2 instances InService',
        'instance i-2 has not registered with Systems Manager yet',
        'the CodeDeploy agent installation (association assoc-1111) on i-2 is Pending',
      ]);
    });

    test('tagged instances (the guide\'s tutorials): waits until the agent installation of one of their tags succeeded, then deploys', async () => {
      const TAG_A = 'assoc-tag-a';
      const TAG_B = 'assoc-tag-b';
      // i-7 is targeted by tag A only (B never appears on it); i-8 by both, A failing, B succeeding.
      h.fake.associationStatuses = (id, call) =>
        id === 'i-7' && call === 0 ? undefined
          : id === 'i-7' && call === 1 ? [{ associationId: TAG_A, status: 'Pending' }]
            : id === 'i-7' ? [{ associationId: TAG_A, status: 'Success' }]
              : [{ associationId: TAG_A, status: 'Failed' }, { associationId: TAG_B, status: 'Success' }];
      const response = await run(event('Create', { ...SERVER, WaitForInstances: ['i-7', 'i-8'], AgentAssociationIds: [TAG_A, TAG_B] }));
      expect(response.Status).toBe('SUCCESS');
      expect(h.fake.callsOf('DescribeAutoScalingGroups')).toHaveLength(0);
      const firstCreate = h.fake.callsOf('CreateDeployment')[0].at;
      expect(firstCreate).toBeGreaterThanOrEqual(Math.max(...h.fake.callsOf('DescribeInstanceAssociationsStatus').map((c) => c.at)));
      expect(h.fake.callsOf('CreateDeployment')).toHaveLength(1);
      const waits = h.logs.filter((l) => l.message === 'waiting for instances').map((l) => l.waitingFor);
      expect(waits).toEqual([
        'instance i-7 has not registered with Systems Manager yet',
        'the CodeDeploy agent installation (association assoc-tag-a) on i-7 is Pending',
      ]);
    });

    test('tagged instances: a failed installation with none succeeding fails without deploying', async () => {
      h.fake.associationStatuses = () => [{ associationId: 'assoc-tag-a', status: 'Failed', errorCode: 'PackageInstallFailed' }];
      const failed = await run(event('Create', { ...SERVER, WaitForInstances: ['i-7'], AgentAssociationIds: ['assoc-tag-a', 'assoc-tag-b'] }));
      expect(failed.Status).toBe('FAILED');
      expect(failed.Reason).toMatch(/The CodeDeploy agent could not be installed on i-7: State Manager association assoc-tag-a failed \(PackageInstallFailed\)/);
      expect(h.fake.callsOf('CreateDeployment')).toHaveLength(0);
    });

    test('tagged instances: when the tag set selects no instance of the stack (they live elsewhere), it deploys at once', async () => {
      const none = await run(event('Create', { ...SERVER, WaitForInstances: [], AgentAssociationIds: ['assoc-tag-a'] }));
      expect(none.Status).toBe('SUCCESS');
      expect(h.fake.callsOf('CreateDeployment')).toHaveLength(1);
    });

    test('a failed agent installation fails the stack operation with the association error, without deploying', async () => {
      h.fake.autoScalingGroups = () => ({ desired: 1, instances: inService('i-9') });
      h.fake.associationStatuses = () => [{ associationId: ASSOCIATION, status: 'Failed', detailedStatus: 'Failed', errorCode: 'PackageInstallFailed' }];
      const response = await run(event('Create', { ...SERVER, WaitForAutoScalingGroups: ['web-asg'], AgentAssociationIds: [ASSOCIATION] }));
      expect(response.Status).toBe('FAILED');
      expect(response.Reason).toMatch(/The CodeDeploy agent could not be installed on i-9: State Manager association assoc-1111 failed \(Failed: PackageInstallFailed\)/);
      expect(h.fake.callsOf('CreateDeployment')).toHaveLength(0);
      expect(h.fake.callsOf('CopyObject')).toHaveLength(0);
    });

    test('instances that never become ready: times out naming what it waited for', async () => {
      h.fake.autoScalingGroups = () => ({ desired: 3, instances: inService('i-1') });
      const response = await run(event('Create', { ...SERVER, TimeoutSeconds: '1', WaitForAutoScalingGroups: ['web-asg'] }));
      expect(response.Status).toBe('FAILED');
      expect(response.Reason).toMatch(/Timed out after 1 seconds waiting for the instances of app\/group: Auto Scaling group web-asg has 1 of 3 instances InService\. No deployment was started\./);
      expect(h.fake.callsOf('CreateDeployment')).toHaveLength(0);
    });

    test('a group that does not exist yet, then throttling, are waited out', async () => {
      // Calls 0-3 are throttled (below); call 4 finds no group yet; then it exists.
      h.fake.autoScalingGroups = (_name, call) => (call <= 4 ? undefined : { desired: 1, instances: inService('i-1') });
      // More throttles than the SDK's own 3 attempts, so the handler's retry is exercised too.
      h.fake.failNext('DescribeAutoScalingGroups', { status: 400, type: 'Throttling', message: 'Rate exceeded' }, 4);
      const response = await run(event('Update', { ...SERVER, WaitForAutoScalingGroups: ['web-asg'] }));
      expect(response.Status).toBe('SUCCESS');
      expect(h.logs.some((l) => /transient error; retrying/.test(JSON.stringify(l)) && /Rate exceeded/.test(JSON.stringify(l)))).toBe(true);
      expect(h.logs.some((l) => /Auto Scaling group web-asg does not exist yet/.test(JSON.stringify(l)))).toBe(true);
      expect(h.fake.callsOf('DescribeAutoScalingGroups').length).toBeGreaterThanOrEqual(6);
    });

    test('a failed deployment reports the deployment id and error text', async () => {
      h.fake.nextTimelines = [timeline({ at: 0, status: 'InProgress' }, { at: 80, status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS', errorMessage: 'The overall deployment failed because too many individual instances failed deployment' })];
      const response = await run(event('Update', SERVER));
      expect(response.Status).toBe('FAILED');
      expect(response.Reason).toMatch(/^Deployment d-\w+ on app\/group failed: HEALTH_CONSTRAINTS: The overall deployment failed/);
    });
  });
});
