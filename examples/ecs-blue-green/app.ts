import { App } from 'aws-cdk-lib';
import { writeNagReport } from '../compliance';
import { EcsBlueGreenStack } from './stack';

const app = new App();
new EcsBlueGreenStack(app, 'EcsBlueGreenExample');
writeNagReport(app);
app.synth();
