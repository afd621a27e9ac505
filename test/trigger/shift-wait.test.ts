import { triggerHarness } from './trigger-harness';
import { TimelineStep } from '../fakes/fake-aws';

/**
 * An ECS deployment answered when its termination wait starts (the default): no event reports that
 * moment, but it cannot come before the traffic shift ends, which the deployment configuration
 * bounds. The bundled handler waits on its event queue until then (a failure still answers at once),
 * reading the deployment target's AllowTraffic only when the shift can have ended, and polls after.
 * Real SDK clients against the fake; a configuration minute is 100 ms here.
 */

const FALLBACK_MS = 2_000;
const POLL_MAX_MS = 40;

const h = triggerHarness({
  TRIGGER_POLL_MIN_MS: '10',
  TRIGGER_POLL_MAX_MS: String(POLL_MAX_MS),
  TRIGGER_HANDOVER_MS: '100',
  TRIGGER_RESPONSE_RESERVE_MS: '20',
  TRIGGER_EVENT_FALLBACK_MS: String(FALLBACK_MS),
  TRIGGER_MINUTE_MS: '100',
});

const CANARY_15 = { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 15 } };
const CANARY_5 = { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } };
const LINEAR_10_EVERY_2 = { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 10, linearInterval: 2 } };
const AT_ONCE = { type: 'AllAtOnce' };

function ecsDeployment(routing: any): void {
  h.fake.groupConfigs.set('app/group', 'Custom.Shift');
  h.fake.deploymentConfigs.set('Custom.Shift', routing);
  // The revision is not live yet: the replacement task definition differs from the primary task set's.
  h.fake.services.set('svc', {
    serviceName: 'svc',
    taskSets: [{ status: 'PRIMARY', taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1' }],
  });
}

const event = (properties: Record<string, unknown> = {}) => h.event('Update', {
  AppSpecContent: JSON.stringify({ version: 0.0, Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:2', LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 80 } } } }] }),
  EcsClusterName: 'cluster',
  EcsServiceName: 'svc',
  TimeoutSeconds: '60',
  ...properties,
});

async function run(e: any): Promise<any> {
  await h.run(e, 30_000);
  expect(h.fake.responses).toHaveLength(1);
  return h.fake.responses[0];
}

const codeDeployCalls = () => h.fake.calls.filter((c) => c.service === 'codedeploy').length;
const reads = (operation: string) => h.fake.callsOf(operation).length;
const steps = (...s: TimelineStep[]) => s;
/** A shift that starts at `start` ms, ends at `end`, and a termination wait that starts at `wait`. */
const shift = (start: number, end: number, wait: number, then: TimelineStep[] = []) => steps(
  { at: 0, status: 'InProgress' },
  { at: start, status: 'InProgress', allowTraffic: 'InProgress' },
  { at: end, status: 'InProgress', allowTraffic: 'Succeeded' },
  { at: wait, status: 'InProgress', allowTraffic: 'Succeeded', instanceTerminationWaitTimeStarted: true },
  ...then,
);
const answeredAfterWaitStarted = (response: any, waitAt: number) => {
  const d = [...h.fake.deployments.values()].find((x) => x.id === response.Data.DeploymentId)!;
  return response.receivedAt - (d.createdAt + waitAt);
};

describe('ECS: waiting for the termination wait without polling through the traffic shift', () => {
  test('canary: sleeps on the queue until the shift can have ended, reads the target twice, then polls only the last moments', async () => {
    ecsDeployment(CANARY_15);
    const queue = h.fake.eventQueue('app/group');
    // Tasks and test traffic until 1 s, a 1.5 s canary (15 configuration minutes), the termination wait 0.2 s after it.
    h.fake.nextTimelines = [shift(1_000, 2_600, 2_800)];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(response.Reason).toMatch(/the original task set is kept for the termination wait/);
    // Within one dense poll of the moment, as before.
    expect(answeredAfterWaitStarted(response, 2_800)).toBeLessThanOrEqual(POLL_MAX_MS + 400);
    // The configuration once; the target when the deployment starts (Pending: not before 1.5 s) and at
    // 1.5 s (shifting since 1 s: not before 2.5 s), then at 2.5 s it may end any moment: polling.
    expect(reads('GetDeploymentConfig')).toBe(1);
    expect(reads('GetDeploymentTarget')).toBeGreaterThanOrEqual(2);
    expect(reads('GetDeploymentTarget')).toBeLessThanOrEqual(4);
    const firstPoll = h.fake.callsOf('GetDeployment')[2]?.at ?? Infinity;
    const created = h.fake.callsOf('CreateDeployment')[0].at;
    expect(firstPoll - created).toBeGreaterThanOrEqual(1_400);
    // Polling 10-40 ms apart through all 2.8 s would be about a hundred reads (see the next test).
    expect(reads('GetDeployment')).toBeLessThan(40);
    expect(h.logs.some((l) => l.message === 'the traffic shift takes at least' && l.minMs === 1_500)).toBe(true);
  });

  test('the same deployment without a queue (a trigger of an older template) polls throughout and never reads the target', async () => {
    ecsDeployment(CANARY_15);
    h.fake.nextTimelines = [shift(1_000, 2_600, 2_800)];
    const response = await run(event());
    expect(response.Status).toBe('SUCCESS');
    expect(reads('GetDeploymentTarget')).toBe(0);
    expect(reads('GetDeploymentConfig')).toBe(0);
    expect(reads('GetDeployment')).toBeGreaterThan(40);
  });

  test('linear: the shift takes its steps after the first (9 of 2 configuration minutes each)', async () => {
    ecsDeployment(LINEAR_10_EVERY_2);
    const queue = h.fake.eventQueue('app/group');
    h.fake.nextTimelines = [shift(300, 2_200, 2_300)];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(answeredAfterWaitStarted(response, 2_300)).toBeLessThanOrEqual(POLL_MAX_MS + 400);
    expect(h.logs.some((l) => l.message === 'the traffic shift takes at least' && l.minMs === 1_800)).toBe(true);
    expect(reads('GetDeploymentTarget')).toBeLessThanOrEqual(4);
  });

  test('a failure while the shift cannot have ended: the event answers at once', async () => {
    ecsDeployment(CANARY_15);
    const queue = h.fake.eventQueue('app/group');
    h.fake.nextTimelines = [steps(
      { at: 0, status: 'InProgress' },
      { at: 400, status: 'InProgress', allowTraffic: 'InProgress' },
      { at: 900, status: 'Failed', errorCode: 'ALARM_ACTIVE', errorMessage: 'alarm 5xx is in ALARM', allowTraffic: 'InProgress' },
    )];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/ALARM_ACTIVE: alarm 5xx is in ALARM/);
    expect(answeredAfterWaitStarted(response, 900)).toBeLessThan(500);
    expect(codeDeployCalls()).toBeLessThanOrEqual(6);
  });

  test('all at once: nothing bounds the shift, so it polls (the configuration read once, the target never)', async () => {
    ecsDeployment(AT_ONCE);
    const queue = h.fake.eventQueue('app/group');
    h.fake.nextTimelines = [shift(500, 600, 700)];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(answeredAfterWaitStarted(response, 700)).toBeLessThanOrEqual(POLL_MAX_MS + 400);
    expect(reads('GetDeploymentConfig')).toBe(1);
    expect(reads('GetDeploymentTarget')).toBe(0);
    expect(reads('GetDeployment')).toBeGreaterThan(10);
  });

  test('a target it cannot read (no permission): polls instead, says so once, never fails the deployment for it', async () => {
    ecsDeployment(CANARY_15);
    const queue = h.fake.eventQueue('app/group');
    h.fake.failNext('GetDeploymentTarget', { status: 400, type: 'AccessDeniedException', message: 'not authorized to perform codedeploy:GetDeploymentTarget' });
    h.fake.nextTimelines = [shift(200, 1_800, 1_900)];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(answeredAfterWaitStarted(response, 1_900)).toBeLessThanOrEqual(POLL_MAX_MS + 400);
    expect(reads('GetDeploymentTarget')).toBe(1);
    expect(h.logs.filter((l) => l.message === 'cannot read the deployment target; polling for the termination wait')).toHaveLength(1);
  });

  test('a configuration it cannot read: polls, as without a bound', async () => {
    h.fake.groupConfigs.set('app/group', 'Custom.Gone');
    h.fake.services.set('svc', { serviceName: 'svc', taskSets: [{ status: 'PRIMARY', taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1' }] });
    const queue = h.fake.eventQueue('app/group');
    h.fake.nextTimelines = [shift(200, 300, 400)];
    const response = await run(event({ EventQueueUrl: queue }));
    expect(response.Status).toBe('SUCCESS');
    expect(reads('GetDeploymentTarget')).toBe(0);
    expect(h.logs.some((l) => l.message === 'cannot read the deployment configuration; polling for the termination wait')).toBe(true);
  });

  test('waitForTermination: answered on the SUCCESS event, the shift is not watched', async () => {
    ecsDeployment(CANARY_15);
    const queue = h.fake.eventQueue('app/group');
    h.fake.nextTimelines = [shift(200, 1_800, 1_900, [{ at: 2_400, status: 'Succeeded' }])];
    const response = await run(event({ EventQueueUrl: queue, WaitForTermination: 'true' }));
    expect(response.Status).toBe('SUCCESS');
    expect(answeredAfterWaitStarted(response, 2_400)).toBeLessThan(500);
    expect(reads('GetDeploymentTarget')).toBe(0);
    expect(reads('GetDeployment')).toBeLessThanOrEqual(4);
  });

  describe('a built-in AfterAllowTraffic hook that announces its status (AfterTrafficHookAnnounces)', () => {
    /**
     * A 5-minute canary (0.5 s here) shifting from 0.3 s to 0.8 s, then the hook until `reported`;
     * CodeDeploy shows it done from `shown` and starts the termination wait at `wait`.
     */
    const withHook = (reported: number, shown: number, wait: number, hookStatus: 'Succeeded' | 'Failed' = 'Succeeded', then: TimelineStep[] = []) => steps(
      { at: 0, status: 'InProgress' },
      { at: 300, status: 'InProgress', allowTraffic: 'InProgress' },
      { at: 800, status: 'InProgress', allowTraffic: 'Succeeded', afterAllowTraffic: 'InProgress' },
      { at: reported, status: 'InProgress', allowTraffic: 'Succeeded', afterAllowTraffic: 'InProgress', hookAnnounced: hookStatus },
      { at: shown, status: 'InProgress', allowTraffic: 'Succeeded', afterAllowTraffic: hookStatus },
      ...(hookStatus === 'Succeeded' ? [{ at: wait, status: 'InProgress', allowTraffic: 'Succeeded' as const, afterAllowTraffic: hookStatus, instanceTerminationWaitTimeStarted: true }] : []),
      ...then,
    );
    /** Runs the trigger on this timeline (canary of 5 minutes), told that the hook announces unless `announces` is false; the queue gets announcements unless `hookRule` is false. */
    async function runHooked(timeline: TimelineStep[], options: { announces?: boolean; hookRule?: boolean } = {}) {
      ecsDeployment(CANARY_5);
      const queue = h.fake.eventQueue('app/group', { hookEvents: options.hookRule ?? true });
      h.fake.nextTimelines = [timeline];
      return run(event({ EventQueueUrl: queue, ...(options.announces === false ? {} : { AfterTrafficHookAnnounces: 'true' }) }));
    }
    const waitedForAnnouncement = () => h.logs.some((l) => l.message === 'the AfterAllowTraffic hook runs: waiting for its announcement');
    const readsBetween = (operation: string, from: number, to: number) => {
      const created = h.fake.callsOf('CreateDeployment')[0].at;
      return h.fake.callsOf(operation).filter((c) => c.at - created > from && c.at - created < to).length;
    };

    test('waits on the mailbox while the hook runs, and answers within a poll of the termination wait after the announcement', async () => {
      const response = await runHooked(withHook(1_800, 1_800, 1_900));
      expect(response.Status).toBe('SUCCESS');
      expect(response.Reason).toMatch(/the original task set is kept for the termination wait/);
      expect(answeredAfterWaitStarted(response, 1_900)).toBeLessThanOrEqual(POLL_MAX_MS + 400);
      expect(waitedForAnnouncement()).toBe(true);
      expect(h.logs.some((l) => l.message === 'the AfterAllowTraffic hook reported: polling for the termination wait')).toBe(true);
      // While the hook runs (after the shift's last polls, 1 s to 1.8 s) no read: the fallback read is 2 s away.
      expect(readsBetween('GetDeployment', 1_000, 1_750)).toBe(0);
      expect(readsBetween('GetDeploymentTarget', 1_000, 1_750)).toBe(0);
    });

    test('the same hook without AfterTrafficHookAnnounces (another function) polls through it', async () => {
      const response = await runHooked(withHook(1_800, 1_800, 1_900), { announces: false });
      expect(response.Status).toBe('SUCCESS');
      expect(answeredAfterWaitStarted(response, 1_900)).toBeLessThanOrEqual(POLL_MAX_MS + 400);
      // Polled 10-40 ms apart through the hook.
      expect(readsBetween('GetDeployment', 1_000, 1_750)).toBeGreaterThan(10);
    });

    test('CodeDeploy shows the hook done only after the announcement: polled from the announcement on', async () => {
      const response = await runHooked(withHook(1_300, 1_600, 1_700));
      expect(response.Status).toBe('SUCCESS');
      expect(answeredAfterWaitStarted(response, 1_700)).toBeLessThanOrEqual(POLL_MAX_MS + 400);
      expect(readsBetween('GetDeployment', 1_350, 1_550)).toBeGreaterThan(3);
    });

    test('a target that lists no AfterAllowTraffic event: polled for, as without an announcement', async () => {
      const response = await runHooked(shift(300, 800, 1_500));
      expect(response.Status).toBe('SUCCESS');
      expect(answeredAfterWaitStarted(response, 1_500)).toBeLessThanOrEqual(POLL_MAX_MS + 400);
      expect(waitedForAnnouncement()).toBe(false);
      expect(readsBetween('GetDeployment', 1_000, 1_450)).toBeGreaterThan(5);
    });

    test('a lost announcement: the fallback read finds the termination wait', async () => {
      // A queue without the hook rule: the announcement never arrives.
      const response = await runHooked(withHook(1_200, 1_200, 1_300), { hookRule: false });
      expect(response.Status).toBe('SUCCESS');
      expect(answeredAfterWaitStarted(response, 1_300)).toBeLessThanOrEqual(FALLBACK_MS + 400);
      expect(waitedForAnnouncement()).toBe(true);
    });

    test('a hook that fails: the FAILURE event of the deployment answers at once', async () => {
      const response = await runHooked(withHook(1_200, 1_200, 0, 'Failed', [
        { at: 1_300, status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS', errorMessage: 'AfterAllowTraffic hook failed', allowTraffic: 'Succeeded', afterAllowTraffic: 'Failed' },
      ]));
      expect(response.Status).toBe('FAILED');
      expect(response.Reason).toMatch(/AfterAllowTraffic hook failed/);
      expect(answeredAfterWaitStarted(response, 1_300)).toBeLessThan(500);
    });
  });
});
