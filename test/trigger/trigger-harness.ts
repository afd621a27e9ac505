import * as path from 'node:path';
import { FakeAws } from '../fakes/fake-aws';

/**
 * What the trigger handler tests share: the bundled handler (what ships in the package) loaded
 * with the real AWS SDK v3 clients pointed at a local `FakeAws`, the JSON log lines of each test,
 * CloudFormation events, and a run that performs the handler's self-invocations like Lambda.
 */

const BUNDLE = path.join(__dirname, '..', '..', 'assets', 'trigger', 'deployment-trigger.lambda', 'index.js');
export const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:trigger';

export interface TriggerHarness {
  readonly fake: FakeAws;
  readonly handler: (event: any, context: any) => Promise<void>;
  /** The log lines of the running test, parsed. */
  readonly logs: any[];
  /** A Lambda context whose remaining time counts down from `budgetMs`. */
  context(budgetMs: number): any;
  /** A CloudFormation custom resource event for app/group with these resource properties. */
  event(requestType: 'Create' | 'Update' | 'Delete', properties: Record<string, unknown>): any;
  /** CloudFormation's invocation, then every self-invocation (each once, each with a fresh budget). */
  run(event: any, budgetMs: number): Promise<void>;
}

/**
 * Registers the suite's set-up: starts the fake, sets `env` (the handler's timing variables) with
 * the fake's endpoints, loads the bundle once (the SDK clients read the endpoints when it loads),
 * resets the fake and captures the log lines before each test.
 */
export function triggerHarness(env: Record<string, string>): TriggerHarness {
  const h = { logs: [] as any[] } as { -readonly [K in keyof TriggerHarness]: TriggerHarness[K] };
  beforeAll(async () => {
    h.fake = await new FakeAws().start();
    Object.assign(process.env, h.fake.env(), env);
    h.handler = jest.requireActual(BUNDLE).handler;
  });
  afterAll(async () => {
    await h.fake.stop();
  });
  beforeEach(() => {
    h.fake.reset();
    h.logs = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => {
      h.logs.push(JSON.parse(line));
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });
  h.context = (budgetMs) => {
    const until = Date.now() + budgetMs;
    return { invokedFunctionArn: FUNCTION_ARN, getRemainingTimeInMillis: () => until - Date.now() };
  };
  h.event = (requestType, properties) => ({
    RequestType: requestType,
    ServiceToken: FUNCTION_ARN,
    ResponseURL: h.fake.responseUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1',
    RequestId: `req-${Math.random()}`,
    LogicalResourceId: 'Trigger',
    ResourceType: 'Custom::CodeDeployDeployment',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'deployment-trigger:app/group' }),
    ResourceProperties: { ServiceToken: FUNCTION_ARN, ApplicationName: 'app', DeploymentGroupName: 'group', ...properties },
  });
  h.run = async (event, budgetMs) => {
    await h.handler(event, h.context(budgetMs));
    let handled = 0;
    while (handled < h.fake.invocations.length) {
      await h.handler(h.fake.invocations[handled++], h.context(budgetMs));
    }
  };
  return h;
}
