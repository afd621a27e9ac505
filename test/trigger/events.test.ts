import { triggerHarness } from './trigger-harness';
import { TimelineStep } from '../fakes/fake-aws';

/**
 * The trigger's event mailbox: the bundled handler waits on the SQS queue EventBridge fills with the
 * group's terminal state changes, reading the deployment when its event arrives and once per
 * fallback interval otherwise. Real SDK clients (CodeDeploy, SQS JSON protocol) against the fake.
 */

const FALLBACK_MS = 2_000;

const h = triggerHarness({
  TRIGGER_POLL_MIN_MS: '10',
  TRIGGER_POLL_MAX_MS: '40',
  TRIGGER_HANDOVER_MS: '100',
  TRIGGER_RESPONSE_RESERVE_MS: '20',
  TRIGGER_EVENT_FALLBACK_MS: String(FALLBACK_MS),
});

/** An update of an EC2/on-premises revision (a trigger that waits for events). */
const event = (properties: Record<string, unknown>) =>
  h.event('Update', { S3Location: { Bucket: 'revisions', Key: 'app.zip', BundleType: 'zip' }, TimeoutSeconds: '60', ...properties });

async function run(e: any): Promise<any> {
  await h.run(e, 30_000);
  expect(h.fake.responses).toHaveLength(1);
  return h.fake.responses[0];
}

const latencyMs = (response: any) => {
  const d = [...h.fake.deployments.values()].find((x) => x.id === response.Data.DeploymentId)!;
  return response.receivedAt - h.fake.terminalAt(d)!;
};
const reads = () => h.fake.callsOf('GetDeployment').length;
const steps = (...s: TimelineStep[]) => s;

describe('waiting on state-change events', () => {
  test('success: answered within moments of the event, reading the deployment once after creating it and once on the event', async () => {
    const queue = h.fake.eventQueue('app/group', { delayMs: 100 });
    h.fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 3_500, status: 'Succeeded' })];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    // Two fallback reads may fall inside 3.5 s (every 2 s); the event adds one.
    expect(reads()).toBeLessThanOrEqual(4);
    expect(latencyMs(response)).toBeLessThan(100 + 500);
    expect(h.fake.queues.get(queue)!.messages).toEqual([]);
    expect(h.logs.some((l) => l.message === 'state change event' && l.states?.[0] === 'SUCCESS')).toBe(true);
  });

  test('without a queue the same deployment takes a read every few tens of milliseconds (the dense schedule)', async () => {
    h.fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 3_500, status: 'Succeeded' })];
    const response = await run(event({}));
    expect(response.Status).toBe('SUCCESS');
    // Polls 10-40 ms apart: about 90 reads on an idle machine. The bound leaves room for a loaded
    // one (a read taking 250 ms) and stays three times the event-driven wait's at most 4.
    expect(reads()).toBeGreaterThan(12);
  });

  test('failure and stop: the event wakes the trigger, which fails with CodeDeploy\'s error text', async () => {
    const queue = h.fake.eventQueue('app/group');
    h.fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 700, status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS', errorMessage: 'too few healthy instances' })];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/failed: HEALTH_CONSTRAINTS: too few healthy instances/);
    expect(latencyMs(response)).toBeLessThan(500);
    expect(reads()).toBe(2);
  });

  test('lost events: the fallback read finds the end within the fallback interval', async () => {
    const queue = h.fake.eventQueue('app/group', { drop: true });
    h.fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 2_500, status: 'Succeeded' })];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(latencyMs(response)).toBeLessThan(FALLBACK_MS + 500);
    expect(reads()).toBeLessThanOrEqual(4);
  });

  test('an older deployment\'s event in the queue is consumed and does not end the wait', async () => {
    const queue = h.fake.eventQueue('app/group');
    h.fake.seedDeployment('app/group', steps({ at: 0, status: 'Failed', errorCode: 'X', errorMessage: 'old' }));
    h.fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 1_200, status: 'Succeeded' })];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(h.fake.callsOf('DeleteMessageBatch').length).toBeGreaterThanOrEqual(2);
    expect(reads()).toBeLessThanOrEqual(2);
    expect(latencyMs(response)).toBeLessThan(500);
  });

  test('behind a running deployment: woken by its end, then deploys and waits for its own event', async () => {
    const queue = h.fake.eventQueue('app/group');
    h.fake.seedDeployment('app/group', steps({ at: 0, status: 'InProgress' }, { at: 900, status: 'Succeeded' }));
    h.fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 900, status: 'Succeeded' })];
    const started = Date.now();
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(response.receivedAt - started).toBeLessThan(900 + 900 + 1_000);
    expect(h.fake.callsOf('CreateDeployment')).toHaveLength(2); // the refused one, then ours
  });

  test('a queue it cannot read (deleted, no permission): polls the deployment instead, and says so once', async () => {
    h.fake.failNext('ReceiveMessage', { status: 400, type: 'AccessDenied', message: 'not authorized to perform sqs:ReceiveMessage' });
    const queue = h.fake.eventQueue('app/group');
    h.fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 600, status: 'Succeeded' })];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(h.logs.filter((l) => l.message === 'cannot read the event queue; polling the deployment instead')).toHaveLength(1);
    expect(h.fake.callsOf('ReceiveMessage')).toHaveLength(1);
    expect(latencyMs(response)).toBeLessThan(500);
  });

  test('throttled queue reads are retried; the deployment is still seen', async () => {
    h.fake.failNext('ReceiveMessage', { status: 400, type: 'ThrottlingException' }, 2);
    const queue = h.fake.eventQueue('app/group');
    h.fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 600, status: 'Succeeded' })];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(h.logs.filter((l) => l.message === 'cannot read the event queue; polling the deployment instead')).toHaveLength(0);
  });

  test('timeout: the wait ends at the deadline, not at the next fallback read, and stops the deployment', async () => {
    const queue = h.fake.eventQueue('app/group');
    h.fake.nextTimelines = [steps({ at: 0, status: 'InProgress' })];
    const started = Date.now();
    const response = await run(event({ EventQueueUrl: queue, TimeoutSeconds: '1' }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/did not finish within 1 seconds .* stopped it with rollback/);
    expect(response.receivedAt - started).toBeLessThan(1_000 + 700);
    expect(h.fake.callsOf('StopDeployment')).toHaveLength(1);
  });
});

describe('triggers with an AppSpec revision (Lambda, or ECS without its service) wait on their mailbox too', () => {
  const ecsAppSpec = JSON.stringify({ version: '0.0', Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: 'td:2' } } }] });
  const lambdaAppSpec = JSON.stringify({ version: '0.0', Resources: [{ fn: { Type: 'AWS::Lambda::Function', Properties: { Name: 'f', Alias: 'live', CurrentVersion: '1', TargetVersion: '2' } } }] });
  const appSpecEvent = (content: string, queue: string) => h.event('Update', { AppSpecContent: content, TimeoutSeconds: '60', EventQueueUrl: queue });

  test('a Lambda deployment: answered on its event, reading the deployment twice', async () => {
    const queue = h.fake.eventQueue('app/group', { delayMs: 100 });
    h.fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 3_500, status: 'Succeeded' })];
    const response = await run(appSpecEvent(lambdaAppSpec, queue));
    expect(response.Status).toBe('SUCCESS');
    expect(latencyMs(response)).toBeLessThan(100 + 500);
    expect(reads()).toBeLessThanOrEqual(4);
    expect(h.logs.some((l) => l.message === 'state change event')).toBe(true);
  });

  test('an ECS deployment without its service, answered when its termination wait starts (no event reports it): polled, not left to the fallback read', async () => {
    const queue = h.fake.eventQueue('app/group');
    h.fake.nextTimelines = [steps(
      { at: 0, status: 'InProgress' },
      { at: 1_000, status: 'InProgress', instanceTerminationWaitTimeStarted: true },
      { at: 30_000, status: 'Succeeded', instanceTerminationWaitTimeStarted: true },
    )];
    const response = await run(appSpecEvent(ecsAppSpec, queue));
    expect(response.Status).toBe('SUCCESS');
    expect(response.Reason).toMatch(/shifted all traffic and passed its hooks; the original task set is kept for the termination wait/);
    const d = [...h.fake.deployments.values()][0];
    // 10-40 ms polls; the 2 s fallback read would answer up to a second later.
    expect(response.receivedAt - (d.createdAt + 1_000)).toBeLessThan(300);
    expect(h.logs.some((l) => l.message === 'an ECS deployment without its service: polling for the termination wait')).toBe(true);
  });
});
