import { App } from 'aws-cdk-lib';
import { EcsNativeStack } from '../../examples/ecs-native/stack';

/**
 * Integration app: the ecs-native example as one stack. The test command (test/integ/snapshots.test.ts)
 * synthesizes it and compares it with the committed snapshot, offline, as `npx projen integ:ecs-native:assert` does;
 * `npx projen integ:ecs-native:deploy` deploys it to the account of your AWS credentials (ECS runs the
 * first deployment when CloudFormation creates the service), destroys it, and refreshes the snapshot.
 */
// No creation stack traces: they hold absolute paths, and the snapshot must match on every machine.
const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
new EcsNativeStack(app, 'IntegEcsNative');
app.synth();
