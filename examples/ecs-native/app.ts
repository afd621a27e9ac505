import { App } from 'aws-cdk-lib';
import { writeNagReport } from '../compliance';
import { EcsNativeStack } from './stack';

const app = new App();
new EcsNativeStack(app, 'EcsNativeExample');
writeNagReport(app);
app.synth();
