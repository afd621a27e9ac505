import * as net from 'node:net';
import { hookHandler, inProgress } from '../../src/hooks/runtime/hook-handler';
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

describe('hookHandler under ECS-native deployments (the return-value protocol)', () => {
  const ecsContext = () => lambdaContext(30_000);
  const statusCalls = () => fake.calls.filter((c) => c.operation === 'PutLifecycleEventHookExecutionStatus').length;

  test('a passing check answers SUCCEEDED and makes no status call; logs carry the execution and stage', async () => {
    const before = statusCalls();
    const event = fake.ecsHookEvent({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' });
    let seen: any;
    const response = await hookHandler(async (_e, ctx) => {
      seen = {
        engine: ctx.engine, id: ctx.deploymentId, exec: ctx.lifecycleEventHookExecutionId, stage: ctx.lifecycleStage, service: ctx.serviceArn,
      };
      return 'all good';
    })(event, ecsContext());
    expect(response).toEqual({ hookStatus: 'SUCCEEDED' });
    expect(seen).toEqual({ engine: 'ECS', id: event.resourceArn, exec: event.executionId, stage: 'POST_TEST_TRAFFIC_SHIFT', service: event.executionDetails.serviceArn });
    expect(statusCalls()).toBe(before);
    expect(logs.find((l) => l.message === 'hook finished')).toMatchObject({ executionId: event.executionId, lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT', hookStatus: 'SUCCEEDED' });
  });

  test('a check that throws, returns false or passes its deadline answers FAILED (ECS rolls back)', async () => {
    const thrown = await hookHandler(() => {
      throw new Error('HTTP 503');
    })(fake.ecsHookEvent(), ecsContext());
    expect(thrown).toEqual({ hookStatus: 'FAILED' });
    expect(await hookHandler(() => false)(fake.ecsHookEvent(), ecsContext())).toEqual({ hookStatus: 'FAILED' });
    const started = Date.now();
    expect(await hookHandler(() => new Promise(() => undefined), { deadlineMs: 200 })(fake.ecsHookEvent(), ecsContext())).toEqual({ hookStatus: 'FAILED' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test('IN_PROGRESS, then SUCCEEDED: ECS invokes again after callBackDelay with the returned details merged into hookDetails', async () => {
    const handler = hookHandler((_e, ctx) => {
      const round = Number(ctx.details.round ?? 0) + 1;
      return round < 3 ? inProgress({ callBackDelaySeconds: 5, details: { round } }) : `passed on round ${round}`;
    });
    const runs = await fake.runEcsHook(handler, fake.ecsHookEvent({ hookDetails: { threshold: 3 } }));
    expect(runs.map((r) => r.hookStatus)).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'SUCCEEDED']);
    expect(runs[0].response).toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 5, hookDetails: { round: 1 } });
    // The service definition's details stay; the hook's own are merged in.
    expect(runs[2].event.hookDetails).toEqual({ threshold: 3, round: 2 });
  });

  test('the same in-progress check under CodeDeploy: the helper waits the delay itself and reports once', async () => {
    let rounds = 0;
    const check = (_e: unknown, ctx: any) => {
      rounds++;
      return ctx.details.waited ? 'done' : inProgress({ callBackDelaySeconds: 1, details: { waited: true } });
    };
    const started = Date.now();
    const { outcome, statuses } = await invoke(hookHandler(check));
    expect(outcome).toEqual({ status: 'Succeeded', reason: 'done' });
    expect(rounds).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(statuses.map((s) => s.status)).toEqual(['Succeeded']);
  });

  test('under CodeDeploy, a delay longer than the time left fails at once instead of waiting past the deadline', async () => {
    const { outcome, statuses } = await invoke(hookHandler(() => inProgress({ callBackDelaySeconds: 600 }), { deadlineMs: 5_000 }));
    expect(outcome.status).toBe('Failed');
    expect(outcome.reason).toMatch(/still in progress after 1 round\(s\).*no time left to wait 600000 ms/);
    expect(statuses.map((s) => s.status)).toEqual(['Failed']);
  });

  test('an event of neither engine is an error naming what each sends', async () => {
    await expect(hookHandler(() => true)({ foo: 1 } as any, ecsContext())).rejects.toThrow(/not a lifecycle hook event: CodeDeploy sends DeploymentId .*ECS executionId and lifecycleStage; received \{"foo":1\}/);
    expect(() => inProgress({ callBackDelaySeconds: 0 })).toThrow(/callBackDelaySeconds must be at least 1; received 0/);
  });
});

describe('announceStatus (HOOK_ANNOUNCE_STATUS=true)', () => {
  test('an EventBridge that never answers (no route to it) costs at most the announcement\'s bound; the status stands', async () => {
    // Accepts connections and never answers, as an unreachable endpoint behaves to the client.
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const saved = { ...process.env };
    Object.assign(process.env, {
      HOOK_ANNOUNCE_STATUS: 'true',
      HOOK_ANNOUNCE_TIMEOUT_MS: '500',
      AWS_ENDPOINT_URL_EVENTBRIDGE: `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}`,
    });
    try {
      let runtime!: typeof import('../../src/hooks/runtime/hook-handler');
      // A fresh module: its announcement clients are made with this environment.
      jest.isolateModules(() => {
        runtime = jest.requireActual('../../src/hooks/runtime/hook-handler');
      });
      fake.addDeployment('d-SILENT0001', { revisionType: 'AppSpecContent', appSpecContent: { content: '{}' } }, 'app', 'group');
      const event = fake.hookEvent('d-SILENT0001');
      const started = Date.now();
      const outcome = await runtime.hookHandler(async () => true)(event, lambdaContext());
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(outcome.status).toBe('Succeeded');
      expect(fake.statusesOf(event.LifecycleEventHookExecutionId).map((st) => st.status)).toEqual(['Succeeded']);
      expect(logs.find((l) => l.message === 'the step after reporting failed; the status stands')).toMatchObject({ level: 'warn', error: expect.stringMatching(/abort/i) });
    } finally {
      process.env = saved;
      silent.close();
    }
  });
});
