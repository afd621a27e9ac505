import { App } from 'aws-cdk-lib';
import { writeNagReport } from '../compliance';
import { ServerAgentV2Stack } from './stack';

const app = new App();
new ServerAgentV2Stack(app, 'ServerAgentV2Example');
writeNagReport(app);
app.synth();
