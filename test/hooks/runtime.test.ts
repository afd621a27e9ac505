import { hookHandler } from '../../src/hooks/runtime/hook-handler';
import { FakeCodeDeploy } from '../../src/testing/fake-codedeploy';

/**
 * The hook runtime helper with the real AWS SDK v3 CodeDeploy client on the wire, against the
 * fake CodeDeploy the package ships for users' own tests.
 */

let fake: FakeCodeDeploy;
let logs: any[];

beforeAll(async () => {
  fake = await new FakeCodeDeploy().start();
  Object.assign(process.env, fake.env());
});

afterAll(async () => {
  await fake.stop();
});

beforeEach(() => {
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => {
    logs.push(JSON.parse(line));
  });
});

afterEach(() => {
  jest.restoreAllMocks();
});

const lambdaContext = (ms = 30_000) => {
  const until = Date.now() + ms;
  return { getRemainingTimeInMillis: () => until - Date.now() };
};

async function invoke(handler: ReturnType<typeof hookHandler>, contextMs = 30_000) {
  const event = fake.hookEvent();
  const outcome = await handler(event, lambdaContext(contextMs));
  return { event, outcome, statuses: fake.statusesOf(event.LifecycleEventHookExecutionId) };
}

describe('hookHandler', () => {
  test('a passing check reports Succeeded once; logs are JSON with the deployment id', async () => {
    const { event, outcome, statuses } = await invoke(hookHandler(async (_e, ctx) => {
      ctx.log('checking', { url: 'http://example' });
      return 'all good';
    }));
    expect(outcome).toEqual({ status: 'Succeeded', reason: 'all good' });
    expect(statuses.map((s) => s.status)).toEqual(['Succeeded']);
    expect(statuses[0].deploymentId).toBe(event.DeploymentId);
    expect(logs.every((l) => l.deploymentId === event.DeploymentId)).toBe(true);
    expect(logs.map((l) => l.message)).toEqual(['checking', 'hook finished', 'status reported']);
  });

  test('a check that throws reports Failed once, with the error in the log', async () => {
    const { outcome, statuses } = await invoke(hookHandler(async () => {
      throw new Error('HTTP 503 from the test listener');
    }));
    expect(outcome).toEqual({ status: 'Failed', reason: 'the check threw: Error: HTTP 503 from the test listener' });
    expect(statuses.map((s) => s.status)).toEqual(['Failed']);
  });

  test('a check that returns false reports Failed', async () => {
    const { outcome, statuses } = await invoke(hookHandler(() => false));
    expect(outcome.status).toBe('Failed');
    expect(statuses.map((s) => s.status)).toEqual(['Failed']);
  });

  test('a check that hangs past its deadline reports Failed at the deadline, aborts its signal, and never reports twice', async () => {
    let signal: AbortSignal | undefined;
    let release: () => void = () => undefined;
    const started = Date.now();
    const { outcome, statuses } = await invoke(hookHandler(async (_e, ctx) => {
      signal = ctx.signal;
      await new Promise<void>((resolve) => { release = resolve; });
      return true;
    }, { deadlineMs: 300 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome).toEqual({ status: 'Failed', reason: 'the check did not finish within 300 ms' });
    expect(signal?.aborted).toBe(true);
    release(); // the check finishing late changes nothing
    await new Promise((r) => setTimeout(r, 50));
    expect(statuses.map((s) => s.status)).toEqual(['Failed']);
  });

  test('the deadline stays inside the Lambda timeout (reserve for reporting)', async () => {
    const started = Date.now();
    const { outcome } = await invoke(hookHandler(() => new Promise(() => undefined), { reserveMs: 1_000 }), 1_400);
    expect(outcome.status).toBe('Failed');
    expect(Date.now() - started).toBeLessThan(1_200);
  });

  test('a throttled status call is retried until it goes through, and reported once', async () => {
    fake.failNext({ type: 'ThrottlingException', message: 'Rate exceeded' }, 4);
    const before = fake.calls.length;
    const { statuses } = await invoke(hookHandler(() => true));
    expect(statuses.map((s) => s.status)).toEqual(['Succeeded']);
    expect(fake.calls.length - before).toBeGreaterThanOrEqual(5);
  });

  test('5xx and dropped connections are retried too', async () => {
    fake.failNext({ type: 'InternalFailure', httpStatus: 500 }, 3);
    fake.failNext({ type: 'reset' }, 3);
    const { statuses } = await invoke(hookHandler(() => true));
    expect(statuses.map((s) => s.status)).toEqual(['Succeeded']);
  });

  test('a status call that is denied is not retried: the handler fails loudly', async () => {
    fake.failNext({ type: 'AccessDeniedException', message: 'not authorized to perform codedeploy:PutLifecycleEventHookExecutionStatus' });
    const event = fake.hookEvent();
    await expect(hookHandler(() => true)(event, lambdaContext())).rejects.toThrow(/not authorized/);
    expect(logs.some((l) => l.message === 'could not report the status' && l.level === 'error')).toBe(true);
  });

  test('the fake accepts one status per hook execution, like CodeDeploy', async () => {
    const event = fake.hookEvent();
    await hookHandler(() => true)(event, lambdaContext());
    await expect(hookHandler(() => true, { statusAttempts: 1 })(event, lambdaContext())).rejects.toThrow(/already completed|completed hook execution/);
    expect(fake.statusesOf(event.LifecycleEventHookExecutionId)).toHaveLength(1);
  });
});
