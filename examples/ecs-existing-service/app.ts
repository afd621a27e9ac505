import { App } from 'aws-cdk-lib';
import { EcsExistingServiceStack, SAMPLE_EXISTING } from './stack';
import { writeNagReport } from '../compliance';

const app = new App();
// The identifiers of your service, load balancer, listeners and target groups: context `existing` (JSON), else the sample's.
const given = app.node.tryGetContext('existing');
new EcsExistingServiceStack(app, 'EcsExistingServiceExample', given ? JSON.parse(given) : SAMPLE_EXISTING, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT ?? '123456789012', region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1' },
});
writeNagReport(app);
app.synth();
