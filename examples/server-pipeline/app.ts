import { App } from 'aws-cdk-lib';
import { writeNagReport } from '../compliance';
import { ServerPipelineStack } from './stack';

const app = new App();
new ServerPipelineStack(app, 'ServerPipelineExample');
writeNagReport(app);
app.synth();
