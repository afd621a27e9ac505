import { App } from 'aws-cdk-lib';
import { ServerBlueGreenStack } from '../../examples/server-blue-green/stack';

/**
 * Integration app: the server-blue-green example as one stack. The test command (test/integ/snapshots.test.ts)
 * synthesizes it and compares it with the committed snapshot, offline, as `npx projen integ:server-blue-green:assert` does;
 * `npx projen integ:server-blue-green:deploy` deploys it to the account of your AWS credentials (the first deployment
 * runs in place on the first fleet), destroys it, and refreshes the snapshot.
 */
// No creation stack traces: they hold absolute paths, and the snapshot must match on every machine.
const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
new ServerBlueGreenStack(app, 'IntegServerBlueGreen');
app.synth();
