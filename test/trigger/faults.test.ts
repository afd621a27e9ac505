import { triggerHarness } from './trigger-harness';
import { TimelineStep } from '../fakes/fake-aws';

/**
 * The bundled trigger handler under faults of the transport around it: the CloudFormation
 * response URL failing or hanging, the hand-over to the next invocation failing, and a hand-over
 * delivered twice (asynchronous invocations are at least once). Real SDK v3 clients against the
 * local fake; every timeline ends with exactly one accepted CloudFormation response.
 */

const h = triggerHarness({
  TRIGGER_POLL_MIN_MS: '10',
  TRIGGER_POLL_MAX_MS: '40',
  // Hand over with a second left, so that a failing Invoke (three SDK attempts) still leaves time to stop and answer.
  TRIGGER_HANDOVER_MS: '1000',
  TRIGGER_RESPONSE_TIMEOUT_MS: '300',
  TRIGGER_RESPONSE_BACKOFF_MS: '20',
  TRIGGER_RESPONSE_BACKOFF_MAX_MS: '100',
  TRIGGER_RESPONSE_RESERVE_MS: '50',
  // The SDK's own retries of Invoke (3 attempts) stay; keep their backoff short.
  AWS_MAX_ATTEMPTS: '3',
});

const event = (properties: Record<string, unknown> = {}) =>
  h.event('Update', { AppSpecContent: '{"version":0.0,"Resources":[]}', TimeoutSeconds: '30', ...properties });
const context = (budgetMs: number) => h.context(budgetMs);
const run = (e: any, budgetMs = 5_000) => h.run(e, budgetMs);

const timeline = (...steps: TimelineStep[]) => steps;
const respondAttempts = () => h.fake.callsOf('Respond').length;

describe('the CloudFormation response', () => {
  test('5xx four times in a row: retried, and the succeeded deployment is reported as SUCCESS', async () => {
    h.fake.responseFaults = [500, 503, 500, 502];
    await run(event());
    expect(respondAttempts()).toBe(5);
    expect(h.fake.responses).toHaveLength(1);
    expect(h.fake.responses[0]).toMatchObject({ Status: 'SUCCESS', Reason: expect.stringMatching(/succeeded/) });
    // Every attempt carried the same verdict.
    expect(h.fake.callsOf('Respond').map((c) => c.body.Status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(h.logs.filter((l) => l.message === 'CloudFormation response not delivered; retrying')).toHaveLength(4);
  });

  test('a PUT that never answers times out and is retried (the invocation does not hang)', async () => {
    h.fake.responseFaults = ['hang'];
    const started = Date.now();
    await run(event());
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(respondAttempts()).toBe(2);
    expect(h.fake.responses).toHaveLength(1);
    expect(h.fake.responses[0].Status).toBe('SUCCESS');
    expect(h.logs.some((l) => /did not answer within 300 ms/.test(l.error ?? ''))).toBe(true);
  });

  test('a failed deployment stays FAILED through response errors', async () => {
    h.fake.nextTimelines = [timeline({ at: 0, status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS', errorMessage: 'unhealthy' })];
    h.fake.responseFaults = [500, 500];
    await run(event());
    expect(h.fake.responses).toHaveLength(1);
    expect(h.fake.responses[0]).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/HEALTH_CONSTRAINTS: unhealthy/) });
    expect(h.fake.callsOf('Respond').map((c) => c.body.Status)).toEqual(['FAILED', 'FAILED', 'FAILED']);
  });

  test('the response URL down for longer than the invocation: keeps trying until the end, never sends another verdict, never throws', async () => {
    h.fake.responseFaults = Array(1000).fill(500);
    await expect(run(event(), 2_500)).resolves.toBeUndefined();
    expect(h.fake.responses).toHaveLength(0);
    expect(respondAttempts()).toBeGreaterThan(5);
    expect(new Set(h.fake.callsOf('Respond').map((c) => c.body.Status))).toEqual(new Set(['SUCCESS']));
    expect(h.logs.at(-1)).toMatchObject({ level: 'error', message: expect.stringMatching(/could not deliver the CloudFormation response/) });
    h.fake.responseFaults = [];
  });
});

describe('the hand-over', () => {
  test('Invoke fails: the running deployment is stopped with rollback first, then FAILED names it', async () => {
    h.fake.nextTimelines = [timeline({ at: 0, status: 'InProgress' }, { at: 5_000, status: 'Succeeded' })];
    h.fake.failNext('Invoke', { status: 500, type: 'ServiceException', message: 'Lambda is having a bad day' }, 3);
    await run(event(), 1_300);
    expect(h.fake.callsOf('Invoke')).toHaveLength(3); // the SDK's own attempts
    const stop = h.fake.callsOf('StopDeployment');
    expect(stop).toHaveLength(1);
    const id = h.fake.callsOf('CreateDeployment').length === 1 ? [...h.fake.deployments.keys()][0] : undefined;
    expect(stop[0].body).toEqual({ deploymentId: id, autoRollbackEnabled: true });
    expect(h.fake.responses).toHaveLength(1);
    expect(h.fake.responses[0]).toMatchObject({
      Status: 'FAILED',
      Data: { DeploymentId: id },
      Reason: expect.stringMatching(/could not hand the wait over to the next invocation \(ServiceException: Lambda is having a bad day\), so nobody would watch it; stopped it with rollback/),
    });
  });

  test('Invoke fails before any deployment was created: FAILED, nothing to stop', async () => {
    h.fake.seedDeployment('app/group', timeline({ at: 0, status: 'InProgress' }, { at: 5_000, status: 'Succeeded' }));
    h.fake.failNext('CreateDeployment', { status: 400, type: 'DeploymentLimitExceededException', message: 'in progress' });
    h.fake.failNext('Invoke', { status: 500, type: 'ServiceException' }, 3);
    await run(event(), 1_300);
    expect(h.fake.callsOf('StopDeployment')).toHaveLength(0);
    expect(h.fake.responses).toHaveLength(1);
    expect(h.fake.responses[0].Reason).toMatch(/no deployment was started on app\/group/);
  });
});

describe('duplicated invocations (asynchronous invocations come at least once)', () => {
  const ownDeployments = () => [...h.fake.deployments.values()].filter((d) => d.input !== undefined);

  test('CloudFormation\'s invocation delivered twice at once: one deployment, adopted by the duplicate; both answers the same', async () => {
    h.fake.nextTimelines = [timeline({ at: 0, status: 'InProgress' }, { at: 200, status: 'Succeeded' })];
    const e = event({ Description: 'cdk deploy of Stack/Web' });
    await Promise.all([h.handler(e, context(5_000)), h.handler(e, context(5_000))]);
    expect(h.fake.callsOf('CreateDeployment')).toHaveLength(2);
    expect(ownDeployments()).toHaveLength(1);
    const id = ownDeployments()[0].id;
    // The request's marker in the description is what the duplicate recognised.
    expect(ownDeployments()[0].input.description).toMatch(/^cdk deploy of Stack\/Web \[cfn [0-9a-f]{12}\]$/);
    expect(h.logs.some((l) => l.message === 'the active deployment is this request\'s own; waiting for it' && l.deploymentId === id)).toBe(true);
    expect(h.fake.responses.map((r) => [r.Status, r.Data.DeploymentId])).toEqual([['SUCCESS', id], ['SUCCESS', id]]);
  });

  test('a hand-over in the create phase delivered twice: the late duplicate adopts the deployment instead of starting another', async () => {
    // Queued behind another deployment past the first invocation's budget, so the chain hands over before creating.
    h.fake.seedDeployment('app/group', timeline({ at: 0, status: 'InProgress' }, { at: 400, status: 'Succeeded' }));
    h.fake.nextTimelines = [timeline({ at: 0, status: 'InProgress' }, { at: 100, status: 'Succeeded' })];
    await h.handler(event(), context(1_250));
    expect(h.fake.invocations).toHaveLength(1);
    expect(h.fake.invocations[0].Progress).toMatchObject({ phase: 'blocked', marker: expect.stringMatching(/^\[cfn /) });
    // Lambda delivers the hand-over twice, one after the other.
    const handOver = h.fake.invocations[0];
    let handled = 1;
    await h.handler(handOver, context(5_000));
    while (handled < h.fake.invocations.length) await h.handler(h.fake.invocations[handled++], context(5_000));
    await h.handler(handOver, context(5_000));
    expect(ownDeployments()).toHaveLength(1);
    expect(h.fake.callsOf('CreateDeployment').filter((c) => c.body.description?.includes('[cfn')).length).toBe(h.fake.callsOf('CreateDeployment').length);
    const id = ownDeployments()[0].id;
    expect(h.logs.some((l) => l.message === 'this request\'s deployment already exists; waiting for it' && l.deploymentId === id)).toBe(true);
    expect(new Set(h.fake.responses.map((r) => `${r.Status} ${r.Data.DeploymentId}`))).toEqual(new Set([`SUCCESS ${id}`]));
  });
});

describe('the log says what the deployment waits for', () => {
  test('a deployment waiting for approval (Ready) is logged once as such', async () => {
    h.fake.nextTimelines = [timeline({ at: 0, status: 'InProgress' }, { at: 50, status: 'Ready' }, { at: 250, status: 'Succeeded' })];
    await run(event());
    const approval = h.logs.filter((l) => /waits for approval: run ContinueDeployment/.test(l.message));
    expect(approval).toHaveLength(1);
    expect(approval[0]).toMatchObject({ status: 'Ready', deploymentId: expect.stringMatching(/^d-/) });
    expect(h.fake.responses).toHaveLength(1);
    expect(h.fake.responses[0].Status).toBe('SUCCESS');
  });
});

describe('malformed properties fail at once, with every problem and the value received', () => {
  test.each([
    ['an AppSpec given as an object', { AppSpecContent: { version: 0.0 } }, /AppSpecContent must be the AppSpec as a non-empty JSON or YAML string; received \{"version":0\}/],
    ['an empty AppSpec', { AppSpecContent: '  ' }, /AppSpecContent must be the AppSpec as a non-empty JSON or YAML string; received "  "/],
    ['a list given as a string', { AppSpecContent: undefined, S3Location: { Bucket: 'b', Key: 'k.zip', BundleType: 'zip' }, WaitForAutoScalingGroups: 'web-asg' }, /WaitForAutoScalingGroups must be a list of names; received "web-asg"/],
    ['an S3 location without a bundle type', { AppSpecContent: undefined, S3Location: { Bucket: 'b', Key: 'k.zip' } }, /S3Location must be an object with Bucket, Key and BundleType strings; received \{"Bucket":"b","Key":"k.zip"\}/],
    ['both kinds of revision', { S3Location: { Bucket: 'b', Key: 'k.zip', BundleType: 'zip' } }, /give AppSpecContent or S3Location, not both/],
    ['a flag that is not a boolean', { WaitForTermination: 'yes' }, /WaitForTermination must be "true" or "false"; received "yes"/],
  ])('%s', async (_name, props, message) => {
    await run(event(props));
    expect(h.fake.calls.filter((c) => c.service !== 'cfn')).toEqual([]);
    expect(h.fake.responses).toHaveLength(1);
    expect(h.fake.responses[0]).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(message) });
  });

  test('all problems at once', async () => {
    await run(event({ AppSpecContent: '', WaitForTermination: 1, TimeoutSeconds: '-5' }));
    expect(h.fake.responses[0].Reason).toMatch(/AppSpecContent must .*; WaitForTermination must .*; TimeoutSeconds must be a positive number; received "-5"/);
  });
});

describe('no redundant deployment after a wait or on a rollback', () => {
  const ECS_APPSPEC = JSON.stringify({
    version: 0.0,
    Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1', LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8080 } } } }],
  });
  const taskSet = (revision: number) => ({
    serviceName: 'svc',
    taskSets: [{ status: 'PRIMARY', taskDefinition: `arn:aws:ecs:us-east-1:123456789012:task-definition/web:${revision}`, loadBalancers: [{ containerName: 'web', containerPort: 8080 }] }],
  });

  test('ECS UPDATE_ROLLBACK queued behind the stopped deployment: once it has rolled back, the old revision already runs, so no second deployment', async () => {
    h.fake.services.clear();
    h.fake.services.set('svc', taskSet(2)); // the failing deployment is still live
    h.fake.seedDeployment('app/group', timeline({ at: 0, status: 'InProgress' }, { at: 300, status: 'Stopped' }));
    await h.handler(event({ AppSpecContent: ECS_APPSPEC, EcsClusterName: 'c', EcsServiceName: 'svc' }), context(1_250));
    expect(h.fake.invocations[0].Progress.phase).toBe('blocked');
    h.fake.services.set('svc', taskSet(1)); // CodeDeploy rolled back to revision 1
    for (let i = 0; i < h.fake.invocations.length; i++) await h.handler(h.fake.invocations[i], context(5_000));
    expect(h.fake.callsOf('CreateDeployment')).toHaveLength(1); // the first attempt, refused while the other ran
    expect([...h.fake.deployments.values()].filter((d) => d.input)).toHaveLength(0);
    expect(h.fake.responses).toHaveLength(1);
    expect(h.fake.responses[0]).toMatchObject({ Status: 'SUCCESS', Data: { DeploymentId: '' } });
    expect(h.fake.responses[0].Reason).toMatch(/already runs .*task-definition\/web:1 .*\(after deployment d-\w+ finished\)/);
  });

  const S3 = { AppSpecContent: undefined, S3Location: { Bucket: 'revisions', Key: 'CodeDeploy/web/old.zip', BundleType: 'zip' } };

  test('EC2 Update to the bundle the group\'s last successful deployment deployed (CodeDeploy rolled back to it): no deployment', async () => {
    h.fake.seedDeployment('app/group', timeline({ at: 0, status: 'Succeeded' }), {
      revision: { revisionType: 'S3', s3Location: { bucket: 'revisions', key: 'CodeDeploy/web/old.zip', bundleType: 'zip', eTag: 'abc' } },
    });
    await run(event(S3));
    expect(h.fake.callsOf('GetDeploymentGroup')).toHaveLength(1);
    expect(h.fake.callsOf('CreateDeployment')).toHaveLength(0);
    expect(h.fake.responses[0]).toMatchObject({ Status: 'SUCCESS', Reason: expect.stringMatching(/already deployed s3:\/\/revisions\/CodeDeploy\/web\/old\.zip; no deployment needed/) });
  });

  test('EC2 Update to another bundle: deployed', async () => {
    h.fake.seedDeployment('app/group', timeline({ at: 0, status: 'Succeeded' }), {
      revision: { revisionType: 'S3', s3Location: { bucket: 'revisions', key: 'CodeDeploy/web/old.zip', bundleType: 'zip' } },
    });
    await run(event({ ...S3, S3Location: { ...S3.S3Location, Key: 'CodeDeploy/web/new.zip' } }));
    expect(h.fake.callsOf('CreateDeployment')).toHaveLength(1);
    expect(h.fake.responses[0].Status).toBe('SUCCESS');
  });
});
