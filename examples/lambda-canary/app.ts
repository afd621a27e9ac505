import { App } from 'aws-cdk-lib';
import { writeNagReport } from '../compliance';
import { LambdaCanaryStack } from './stack';

const app = new App();
new LambdaCanaryStack(app, 'LambdaCanaryExample');
writeNagReport(app);
app.synth();
