/**
 * Deploy waiting: the bundled DeploymentTrigger handler against the local fake CodeDeploy with
 * scripted deployment timelines, time compressed by BENCH_SCALE (the handler's poll schedule is
 * compressed by the same factor through TRIGGER_POLL_MIN_MS / TRIGGER_POLL_MAX_MS, set by the
 * caller, so API calls are what they would be in real time and latencies scale back exactly).
 * With BENCH_EVENTS set, the trigger waits on an event queue the fake fills with the deployment's
 * terminal state change (BENCH_SCALE compresses its fallback read, TRIGGER_EVENT_FALLBACK_MS, and the
 * minute of a deployment configuration, TRIGGER_MINUTE_MS, too).
 * Prints one JSON line per scenario: API calls to CodeDeploy and the time from the deployment
 * reaching its terminal state to CloudFormation receiving the answer, in real-time seconds.
 */
import * as path from 'node:path';
import { FakeAws, TimelineStep } from '../test/fakes/fake-aws';

const SCALE = Number(process.env.BENCH_SCALE ?? '60');
const min = (m: number) => (m * 60_000) / SCALE;

async function main() {
  const fake = await new FakeAws().start();
  Object.assign(process.env, fake.env());
  const bundle = path.join(__dirname, '..', 'assets', 'trigger', 'deployment-trigger.lambda', 'index.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(bundle);
  const log = console.log;
  // ECS: answered when the original task set's termination wait starts (no event reports it). The
  // trigger reads the configuration's traffic routing (here CodeDeploy's predefined values).
  const ecs = (config: string, routing: any) => () => {
    fake.groupConfigs.set('app/group', config);
    fake.deploymentConfigs.set(config, routing);
    fake.services.set('svc', { serviceName: 'svc', taskSets: [{ status: 'PRIMARY', taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1' }] });
  };
  const shift = (start: number, end: number, wait: number): TimelineStep[] => [
    { at: 0, status: 'InProgress' },
    { at: min(start), status: 'InProgress', allowTraffic: 'InProgress' },
    { at: min(end), status: 'InProgress', allowTraffic: 'Succeeded' },
    { at: min(wait), status: 'InProgress', allowTraffic: 'Succeeded', instanceTerminationWaitTimeStarted: true },
  ];
  // The same with the AfterAllowTraffic hook running from the shift's end until the termination wait
  // (a second before it, the hook reports and, if it is a built-in hook, announces that).
  const hooked = (start: number, end: number, wait: number): TimelineStep[] => [
    { at: 0, status: 'InProgress' },
    { at: min(start), status: 'InProgress', allowTraffic: 'InProgress' },
    { at: min(end), status: 'InProgress', allowTraffic: 'Succeeded', afterAllowTraffic: 'InProgress' },
    { at: min(wait) - 1_000 / SCALE, status: 'InProgress', allowTraffic: 'Succeeded', afterAllowTraffic: 'Succeeded', hookAnnounced: 'Succeeded' },
    { at: min(wait), status: 'InProgress', allowTraffic: 'Succeeded', afterAllowTraffic: 'Succeeded', instanceTerminationWaitTimeStarted: true },
  ];
  // A built-in AfterAllowTraffic hook announces its status: the trigger is told, and its mailbox gets the event.
  const announcing = { AfterTrafficHookAnnounces: 'true' };
  const scenarios: Array<[string, TimelineStep[], () => void, Record<string, string>?]> = [
    ['succeeds after 2 min', [{ at: 0, status: 'InProgress' }, { at: min(2), status: 'Succeeded' }], () => undefined],
    ['succeeds after 15 min', [{ at: 0, status: 'InProgress' }, { at: min(15), status: 'Succeeded' }], () => undefined],
    ['fails at 5 min', [{ at: 0, status: 'InProgress' }, { at: min(5), status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS', errorMessage: 'unhealthy' }], () => undefined],
    ['queued 3 min behind a running deployment, then 2 min', [{ at: 0, status: 'InProgress' }, { at: min(2), status: 'Succeeded' }],
      () => fake.seedDeployment('app/group', [{ at: 0, status: 'InProgress' }, { at: min(3), status: 'Succeeded' }])],
    ['ECS linear 10 % every minute: tasks and test traffic 6 min, shift 9 min, no hook after traffic; answered at the termination wait (15 min)',
      shift(6, 15, 15.05), ecs('CodeDeployDefault.ECSLinear10PercentEvery1Minutes', { type: 'TimeBasedLinear', timeBasedLinear: { linearPercentage: 10, linearInterval: 1 } })],
    ['ECS canary 10 % for 5 min: tasks 2 min, shift 5 min, your own hook function after traffic 2 min; answered at the termination wait (9 min)',
      hooked(2, 7, 9), ecs('CodeDeployDefault.ECSCanary10Percent5Minutes', { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } })],
    ['ECS canary 10 % for 5 min: tasks 2 min, shift 5 min, a built-in hook after traffic 2 min (announces its status); answered at the termination wait (9 min)',
      hooked(2, 7, 9), ecs('CodeDeployDefault.ECSCanary10Percent5Minutes', { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } }), announcing],
    ['ECS canary 10 % for 5 min: tasks 2 min, shift 5 min, a built-in hook after traffic 8 min (announces its status); answered at the termination wait (15 min)',
      hooked(2, 7, 15), ecs('CodeDeployDefault.ECSCanary10Percent5Minutes', { type: 'TimeBasedCanary', timeBasedCanary: { canaryPercentage: 10, canaryInterval: 5 } }), announcing],
  ];
  for (const [name, timeline, setup, extra] of scenarios) {
    fake.calls.length = 0;
    fake.responses.length = 0;
    fake.deployments.clear();
    fake.queues.clear();
    fake.services.clear();
    fake.groupConfigs.clear();
    fake.deploymentConfigs.clear();
    fake.nextTimelines = [timeline];
    setup();
    console.log = () => undefined;
    const until = Date.now() + 900_000;
    const event = {
      RequestType: 'Update',
      ResponseURL: fake.responseUrl,
      StackId: 's',
      RequestId: 'r',
      LogicalResourceId: 'T',
      PhysicalResourceId: 'p',
      ResourceType: 'Custom::CodeDeployDeployment',
      ResourceProperties: {
        ApplicationName: 'app',
        DeploymentGroupName: 'group',
        AppSpecContent: '{}',
        TimeoutSeconds: '3000',
        ...(fake.services.has('svc') ? { EcsClusterName: 'cluster', EcsServiceName: 'svc' } : {}),
        // With BENCH_EVENTS, the group's state-change events (and, where the hook announces, its
        // announcement) arrive half a second after the change, as EventBridge delivers them, in a
        // queue the trigger waits on.
        ...(process.env.BENCH_EVENTS ? { EventQueueUrl: fake.eventQueue('app/group', { delayMs: 500 / SCALE, hookEvents: extra !== undefined }), ...extra } : {}),
      },
    };
    await handler(event, { invokedFunctionArn: 'fn', getRemainingTimeInMillis: () => until - Date.now() });
    console.log = log;
    const response = fake.responses[0];
    const own = [...fake.deployments.values()].find((d) => d.id === response.Data?.DeploymentId);
    // ECS: the moment the trigger answers on is the start of the termination wait.
    const waitStarts = own?.timeline.find((step) => step.instanceTerminationWaitTimeStarted);
    const terminal = own ? (waitStarts ? own.createdAt + waitStarts.at : fake.terminalAt(own)) : undefined;
    // CodeDeploy (and ECS) calls; the queue's long polls are counted apart.
    const apiCalls = fake.calls.filter((c) => c.service !== 'cfn' && c.service !== 'sqs').length;
    const queueCalls = fake.calls.filter((c) => c.service === 'sqs').length;
    log(JSON.stringify({
      scenario: name,
      status: response.Status,
      apiCalls,
      queueCalls,
      reportLatencySeconds: terminal === undefined ? null : ((response.receivedAt - terminal) * SCALE) / 1000,
    }));
  }
  await fake.stop();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
