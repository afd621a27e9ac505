import * as path from 'node:path';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Template } from 'aws-cdk-lib/assertions';
import { EcsDeployment, HttpCheckTarget, LifecycleHook } from '../../src';
import { hookHandler } from '../../src/hooks/runtime/hook-handler';
import { FakeCodeDeploy } from '../../src/testing/fake-codedeploy';
import { stateChange } from '../../src/trigger/deployment-trigger.lambda';
import { Moto } from '../fakes/moto';
import { testStack } from '../harness';
import { ecsFixture, hookAt } from '../util';

/**
 * The deployment trigger's mailbox rules, as the template defines them, against an EventBridge and
 * an SQS nobody here wrote (moto), read by the trigger's own parser:
 * - a built-in hook's announcement end to end: the bundled handler (switched on by the environment
 *   variable the template gives its function) reports to the fake CodeDeploy, reads the
 *   deployment's group there and puts its event on moto's default bus; moto matches it against the
 *   hook rule's pattern and delivers it to the queue;
 * - CodeDeploy's own state-change event, shaped as AWS's documentation shows it, against the
 *   state-change rule's pattern.
 */

const moto = new Moto();
let fake: FakeCodeDeploy;
let events: EventBridgeClient;
let sqs: SQSClient;
let queueUrl: string;
let handler: (event: any, context: any) => Promise<{ status: string }>;
let announceVariable: Record<string, string>;
const saved = { ...process.env };

/** The template of an ECS deployment with a built-in AfterAllowTraffic hook: its hook rule's pattern (names put in) and the hook's switch. */
function synthesized(application: string, group: string) {
  const stack = testStack();
  const { cluster, taskDefinition } = ecsFixture(stack);
  new EcsDeployment(stack, 'Web', { cluster, taskDefinition, hooks: { afterAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('https://example.com/health') }) } });
  const t = Template.fromStack(stack).toJSON();
  const names: Record<string, string> = { 'AWS::CodeDeploy::Application': application, 'AWS::CodeDeploy::DeploymentGroup': group };
  const patternOf = (source: string) => {
    const rule = Object.values(t.Resources).find((r: any) => r.Type === 'AWS::Events::Rule' && r.Properties.EventPattern.source?.[0] === source) as any;
    return JSON.parse(JSON.stringify(rule.Properties.EventPattern), (_k, v) => (v && typeof v === 'object' && typeof v.Ref === 'string' ? names[t.Resources[v.Ref].Type] : v));
  };
  const pattern = patternOf('cdk-codedeploy-patterns');
  const stateChanges = patternOf('aws.codedeploy');
  const hookId = hookAt({ toJSON: () => t }, 'AfterAllowTraffic');
  const hook = Object.entries(t.Resources).find(([id, r]: [string, any]) => r.Type === 'AWS::Lambda::Function' && hookId.test(id))![1] as any;
  const variables = hook.Properties.Environment.Variables;
  return { pattern, stateChanges, variables: { HOOK_ANNOUNCE_STATUS: variables.HOOK_ANNOUNCE_STATUS } };
}

beforeAll(async () => {
  await moto.start();
  fake = await new FakeCodeDeploy().start();
  const { pattern, stateChanges, variables } = synthesized('shop', 'web');
  announceVariable = variables;
  events = new EventBridgeClient(moto.clientConfig());
  sqs = new SQSClient(moto.clientConfig());
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'mailbox' }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  await events.send(new PutRuleCommand({ Name: 'hook-announcements', EventPattern: JSON.stringify(pattern) }));
  await events.send(new PutTargetsCommand({ Rule: 'hook-announcements', Targets: [{ Id: 'mailbox', Arn: queueArn }] }));
  await events.send(new PutRuleCommand({ Name: 'state-changes', EventPattern: JSON.stringify(stateChanges) }));
  await events.send(new PutTargetsCommand({ Rule: 'state-changes', Targets: [{ Id: 'mailbox', Arn: queueArn }] }));
  // The hook talks to the fake for CodeDeploy (and CloudWatch) and to moto for EventBridge.
  Object.assign(process.env, fake.env(), { AWS_ENDPOINT_URL_EVENTBRIDGE: moto.endpoint });
  const bundle = path.join(__dirname, '..', '..', 'assets', 'hooks', 'handlers', 'alarm-check.lambda', 'index.js');
  handler = jest.requireActual(bundle).handler;
}, 30_000);

afterAll(async () => {
  process.env = saved;
  events?.destroy();
  sqs?.destroy();
  await fake?.stop();
  moto.stop();
});

beforeEach(() => {
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});
afterEach(() => {
  jest.restoreAllMocks();
  for (const key of ['HOOK_CONFIG', 'HOOK_DEADLINE_MS', 'HOOK_ANNOUNCE_STATUS']) delete process.env[key];
});

/** Runs the alarm check (one alarm, OK) for a deployment of `application/group`, with the environment given. */
async function runHook(deploymentId: string, application: string, group: string, env: Record<string, string>, known = true) {
  if (known) {
    fake.addDeployment(deploymentId, { revisionType: 'AppSpecContent', appSpecContent: { content: '{"version":0.0,"Resources":[]}' } }, application, group);
  }
  fake.setAlarmState('5xx', 'OK');
  delete process.env.HOOK_ANNOUNCE_STATUS;
  Object.assign(process.env, env, {
    HOOK_CONFIG: JSON.stringify({ alarmNames: ['5xx'], observeMs: 0, intervalMs: 10, failOnInsufficientData: false }),
    HOOK_DEADLINE_MS: '10000',
  });
  const event = fake.hookEvent(deploymentId);
  const until = Date.now() + 30_000;
  const outcome = await handler(event, { getRemainingTimeInMillis: () => until - Date.now() });
  return { event, outcome };
}

async function receive(waitSeconds: number): Promise<string[]> {
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: waitSeconds, MaxNumberOfMessages: 10 }));
  return (out.Messages ?? []).map((m) => m.Body!);
}

test('the template switches the announcement on for the hook', () => {
  expect(announceVariable).toEqual({ HOOK_ANNOUNCE_STATUS: 'true' });
});

test('the status reported, the event reaches the group\'s mailbox through the rule, and the trigger reads it as the hook\'s announcement', async () => {
  const { event, outcome } = await runHook('d-ANNOUNCE01', 'shop', 'web', announceVariable);
  expect(outcome.status).toBe('Succeeded');
  expect(fake.statusesOf(event.LifecycleEventHookExecutionId).map((s) => s.status)).toEqual(['Succeeded']);
  const bodies = await receive(5);
  expect(bodies).toHaveLength(1);
  expect(stateChange(bodies[0])).toEqual({ deploymentId: 'd-ANNOUNCE01', state: 'hook Succeeded', hook: true });
  const detail = JSON.parse(bodies[0]).detail;
  expect(detail).toEqual({ deploymentId: 'd-ANNOUNCE01', application: 'shop', deploymentGroup: 'web', lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status: 'Succeeded' });
});

test('another group\'s announcement does not match the rule; without the switch nothing is announced', async () => {
  await runHook('d-ANNOUNCE02', 'shop', 'admin', announceVariable);
  await runHook('d-ANNOUNCE03', 'shop', 'web', {});
  expect(await receive(1)).toEqual([]);
});

test('an announcement that fails (the deployment cannot be read) is logged; the reported status stands', async () => {
  const logs: any[] = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => logs.push(JSON.parse(line)));
  const { event, outcome } = await runHook('d-ANNOUNCE04', 'shop', 'web', announceVariable, false);
  expect(outcome.status).toBe('Succeeded');
  expect(fake.statusesOf(event.LifecycleEventHookExecutionId).map((s) => s.status)).toEqual(['Succeeded']);
  expect(logs.find((l) => l.message === 'the step after reporting failed; the status stands')).toMatchObject({ level: 'warn', error: expect.stringMatching(/DeploymentDoesNotExistException/) });
  expect(await receive(1)).toEqual([]);
});

/** CodeDeploy's own event, shaped as AWS's documentation shows a deployment state change (names put in). */
function codeDeployEvent(group: string, state: string) {
  return {
    Source: 'aws.codedeploy',
    DetailType: 'CodeDeploy Deployment State-change Notification',
    Resources: ['arn:aws:codedeploy:us-east-1:123456789012:application:shop', `arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:shop/${group}`],
    Detail: JSON.stringify({ instanceGroupId: '9fd2fbef-2157-40d8-91e7-6845af69e2d2', region: 'us-east-1', application: 'shop', deploymentId: 'd-STATE0001', state, deploymentGroup: group }),
  };
}

test('the mailbox\'s state-change rule from the template takes the group\'s terminal states only, and the trigger reads them', async () => {
  await events.send(new PutEventsCommand({
    Entries: [codeDeployEvent('web', 'START'), codeDeployEvent('admin', 'SUCCESS'), codeDeployEvent('web', 'SUCCESS')],
  }));
  const bodies = await receive(5);
  expect(bodies.map((b) => stateChange(b))).toEqual([{ deploymentId: 'd-STATE0001', state: 'SUCCESS', hook: false }]);
});

test('your own handler made with hookHandler announces the same way where the environment says so', async () => {
  const own = hookHandler(async () => 'smoke test passed');
  fake.addDeployment('d-OWN000001', { revisionType: 'AppSpecContent', appSpecContent: { content: '{"version":0.0,"Resources":[]}' } }, 'shop', 'web');
  Object.assign(process.env, announceVariable);
  const event = fake.hookEvent('d-OWN000001');
  const until = Date.now() + 30_000;
  expect(await own(event, { getRemainingTimeInMillis: () => until - Date.now() })).toEqual({ status: 'Succeeded', reason: 'smoke test passed' });
  const bodies = await receive(5);
  expect(bodies.map((b) => stateChange(b))).toEqual([{ deploymentId: 'd-OWN000001', state: 'hook Succeeded', hook: true }]);
});
