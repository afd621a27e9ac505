import { App } from 'aws-cdk-lib';
import { writeNagReport } from '../compliance';
import { ServerInPlaceStack } from './stack';

const app = new App();
new ServerInPlaceStack(app, 'ServerInPlaceExample');
writeNagReport(app);
app.synth();
