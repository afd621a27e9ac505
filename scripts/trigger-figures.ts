/**
 * Measures the deployment trigger with its real poll schedule (1 s backing off to 5 s) against the
 * local fake CodeDeploy: API calls per deployment and the time from the deployment reaching a
 * terminal state to CloudFormation receiving the answer. Usage: ts-node scripts/trigger-figures.ts
 * (after `npx projen bundle`). Prints one JSON line per scenario.
 */
import * as path from 'node:path';
import { FakeAws, TimelineStep } from '../test/fakes/fake-aws';

async function main() {
  const fake = await new FakeAws().start();
  Object.assign(process.env, fake.env());
  const bundle = path.join(__dirname, '..', 'assets', 'trigger', 'deployment-trigger.lambda', 'index.js');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(bundle);
  const log = console.log;
  const scenarios: Array<[string, TimelineStep[], () => void]> = [
    ['succeeds after 20 s', [{ at: 0, status: 'InProgress' }, { at: 20_000, status: 'Succeeded' }], () => undefined],
    ['fails after 12 s', [{ at: 0, status: 'InProgress' }, { at: 12_000, status: 'Failed', errorCode: 'HEALTH_CONSTRAINTS', errorMessage: 'unhealthy' }], () => undefined],
    ['queued 8 s behind a running deployment, then 10 s', [{ at: 0, status: 'InProgress' }, { at: 10_000, status: 'Succeeded' }],
      () => fake.seedDeployment('app/group', [{ at: 0, status: 'InProgress' }, { at: 8_000, status: 'Succeeded' }])],
  ];
  for (const [name, timeline, setup] of scenarios) {
    fake.calls.length = 0;
    fake.responses.length = 0;
    fake.deployments.clear();
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
      ResourceProperties: { ApplicationName: 'app', DeploymentGroupName: 'group', AppSpecContent: '{}', TimeoutSeconds: '600' },
    };
    await handler(event, { invokedFunctionArn: 'fn', getRemainingTimeInMillis: () => until - Date.now() });
    console.log = log;
    const response = fake.responses[0];
    const own = [...fake.deployments.values()].find((d) => d.id === response.Data.DeploymentId)!;
    const apiCalls = fake.calls.filter((c) => c.service !== 'cfn').length;
    log(JSON.stringify({ scenario: name, status: response.Status, apiCalls, reportLatencyMs: response.receivedAt - fake.terminalAt(own)! }));
  }
  await fake.stop();
}

main().catch((e) => { console.error(e); process.exit(1); });
