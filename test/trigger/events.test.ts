import * as path from 'node:path';
import { FakeAws, TimelineStep } from '../fakes/fake-aws';

/**
 * The trigger's event mailbox: the bundled handler waits on the SQS queue EventBridge fills with the
 * group's terminal state changes, reading the deployment when its event arrives and once per
 * fallback interval otherwise. Real SDK clients (CodeDeploy, SQS JSON protocol) against the fake.
 */

const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'trigger', 'deployment-trigger.lambda', 'index.js');
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:trigger';
const FALLBACK_MS = 2_000;

let fake: FakeAws;
let handler: (event: any, context: any) => Promise<void>;
let logs: any[];

beforeAll(async () => {
  fake = await new FakeAws().start();
  Object.assign(process.env, fake.env(), {
    TRIGGER_POLL_MIN_MS: '10',
    TRIGGER_POLL_MAX_MS: '40',
    TRIGGER_HANDOVER_MS: '100',
    TRIGGER_RESPONSE_RESERVE_MS: '20',
    TRIGGER_EVENT_FALLBACK_MS: String(FALLBACK_MS),
  });
  handler = jest.requireActual(BUNDLE).handler;
});

afterAll(async () => {
  await fake.stop();
});

beforeEach(() => {
  fake.reset();
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => {
    logs.push(JSON.parse(line));
  });
});

afterEach(() => {
  jest.restoreAllMocks();
});

function event(properties: Record<string, unknown>): any {
  return {
    RequestType: 'Update',
    ServiceToken: FUNCTION_ARN,
    ResponseURL: fake.responseUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
    RequestId: `req-${Math.random()}`,
    LogicalResourceId: 'Trigger',
    ResourceType: 'Custom::CodeDeployDeployment',
    PhysicalResourceId: 'deployment-trigger:app/group',
    ResourceProperties: {
      ServiceToken: FUNCTION_ARN,
      ApplicationName: 'app',
      DeploymentGroupName: 'group',
      S3Location: { Bucket: 'revisions', Key: 'app.zip', BundleType: 'zip' },
      TimeoutSeconds: '60',
      ...properties,
    },
  };
}

async function run(e: any, budgetMs = 30_000): Promise<any> {
  const until = Date.now() + budgetMs;
  await handler(e, { invokedFunctionArn: FUNCTION_ARN, getRemainingTimeInMillis: () => until - Date.now() });
  expect(fake.responses).toHaveLength(1);
  return fake.responses[0];
}

const latencyMs = (response: any) => {
  const d = [...fake.deployments.values()].find((x) => x.id === response.Data.DeploymentId)!;
  return response.receivedAt - fake.terminalAt(d)!;
};
const reads = () => fake.callsOf('GetDeployment').length;
const steps = (...s: TimelineStep[]) => s;

describe('waiting on state-change events', () => {
  test('success: answered within moments of the event, reading the deployment once after creating it and once on the event', async () => {
    const queue = fake.eventQueue('app/group', { delayMs: 100 });
    fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 3_500, status: 'Succeeded' })];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    // Two fallback reads may fall inside 3.5 s (every 2 s); the event adds one.
    expect(reads()).toBeLessThanOrEqual(4);
    expect(latencyMs(response)).toBeLessThan(100 + 500);
    expect(fake.queues.get(queue)!.messages).toEqual([]);
    expect(logs.some((l) => l.message === 'state change event' && l.states?.[0] === 'SUCCESS')).toBe(true);
  });

  test('without a queue the same deployment takes a read every few tens of milliseconds (the dense schedule)', async () => {
    fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 1_000, status: 'Succeeded' })];
    const response = await run(event({}));
    expect(response.Status).toBe('SUCCESS');
    expect(reads()).toBeGreaterThan(20);
  });

  test('failure and stop: the event wakes the trigger, which fails with CodeDeploy\'s error text', async () => {
    const queue = fake.eventQueue('app/group');
    fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 700, status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS', errorMessage: 'too few healthy instances' })];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/failed: HEALTH_CONSTRAINTS: too few healthy instances/);
    expect(latencyMs(response)).toBeLessThan(500);
    expect(reads()).toBe(2);
  });

  test('lost events: the fallback read finds the end within the fallback interval', async () => {
    const queue = fake.eventQueue('app/group', { drop: true });
    fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 2_500, status: 'Succeeded' })];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(latencyMs(response)).toBeLessThan(FALLBACK_MS + 500);
    expect(reads()).toBeLessThanOrEqual(4);
  });

  test('an older deployment\'s event in the queue is consumed and does not end the wait', async () => {
    const queue = fake.eventQueue('app/group');
    fake.seedDeployment('app/group', steps({ at: 0, status: 'Failed', errorCode: 'X', errorMessage: 'old' }));
    fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 1_200, status: 'Succeeded' })];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(fake.callsOf('DeleteMessageBatch').length).toBeGreaterThanOrEqual(2);
    expect(reads()).toBeLessThanOrEqual(2);
    expect(latencyMs(response)).toBeLessThan(500);
  });

  test('behind a running deployment: woken by its end, then deploys and waits for its own event', async () => {
    const queue = fake.eventQueue('app/group');
    fake.seedDeployment('app/group', steps({ at: 0, status: 'InProgress' }, { at: 900, status: 'Succeeded' }));
    fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 900, status: 'Succeeded' })];
    const started = Date.now();
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(response.receivedAt - started).toBeLessThan(900 + 900 + 1_000);
    expect(fake.callsOf('CreateDeployment')).toHaveLength(2); // the refused one, then ours
  });

  test('a queue it cannot read (deleted, no permission): polls the deployment instead, and says so once', async () => {
    fake.failNext('ReceiveMessage', { status: 400, type: 'AccessDenied', message: 'not authorized to perform sqs:ReceiveMessage' });
    const queue = fake.eventQueue('app/group');
    fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 600, status: 'Succeeded' })];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(logs.filter((l) => l.message === 'cannot read the event queue; polling the deployment instead')).toHaveLength(1);
    expect(fake.callsOf('ReceiveMessage')).toHaveLength(1);
    expect(latencyMs(response)).toBeLessThan(500);
  });

  test('throttled queue reads are retried; the deployment is still seen', async () => {
    fake.failNext('ReceiveMessage', { status: 400, type: 'ThrottlingException' }, 2);
    const queue = fake.eventQueue('app/group');
    fake.nextTimelines = [steps({ at: 0, status: 'InProgress' }, { at: 600, status: 'Succeeded' })];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(logs.filter((l) => l.message === 'cannot read the event queue; polling the deployment instead')).toHaveLength(0);
  });

  test('timeout: the wait ends at the deadline, not at the next fallback read, and stops the deployment', async () => {
    const queue = fake.eventQueue('app/group');
    fake.nextTimelines = [steps({ at: 0, status: 'InProgress' })];
    const started = Date.now();
    const response = await run(event({ EventQueueUrl: queue, TimeoutSeconds: '1' }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/did not finish within 1 seconds .* stopped it with rollback/);
    expect(response.receivedAt - started).toBeLessThan(1_000 + 700);
    expect(fake.callsOf('StopDeployment')).toHaveLength(1);
  });
});
