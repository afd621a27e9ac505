import { App } from 'aws-cdk-lib';
import { writeNagReport } from '../compliance';
import { ServerBlueGreenStack } from './stack';

const app = new App();
new ServerBlueGreenStack(app, 'ServerBlueGreenExample');
writeNagReport(app);
app.synth();
