import { App } from 'aws-cdk-lib';
import { LambdaCanaryStack } from '../../examples/lambda-canary/stack';

/**
 * Integration app: the lambda-canary example as one stack. The test command (test/integ/snapshots.test.ts)
 * synthesizes it and compares it with the committed snapshot, offline, as `npx projen integ:lambda-canary:assert` does;
 * `npx projen integ:lambda-canary:deploy` deploys it to the account of your AWS credentials, runs the
 * CodeDeploy deployment, destroys it, and refreshes the snapshot.
 */
// No creation stack traces: they hold absolute paths, and the snapshot must match on every machine.
const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
new LambdaCanaryStack(app, 'IntegLambdaCanary');
app.synth();
