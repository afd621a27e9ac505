/**
 * How many cdk-nag findings the library acknowledges in a default deployment of each pattern, per
 * rule pack: the figure the "honest compliance" work is measured by. Prints a Markdown table.
 *
 *   npx ts-node --project test/tsconfig.json scripts/acknowledgement-report.ts
 */
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { EcsDeployment, LambdaDeployment, ServerDeployment, ServerRevision } from '../src';
import { acknowledgements, testStack } from '../test/harness';
import { ecsFixture, serverFixture, userFunction } from '../test/util';

const WEB = path.join(__dirname, '..', 'examples', 'server-in-place', 'web');
const patterns: Record<string, (s: Stack) => void> = {
  LambdaDeployment: (s) => new LambdaDeployment(s, 'Dep', { lambdaFunction: userFunction(s, 'Fn') }),
  EcsDeployment: (s) => {
    const { cluster, taskDefinition } = ecsFixture(s);
    new EcsDeployment(s, 'Dep', { cluster, taskDefinition });
  },
  ServerDeployment: (s) => new ServerDeployment(s, 'Dep', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [serverFixture(s).asg] }),
};
const packOf = (id: string) => (id.startsWith('AwsSolutions') ? 'AwsSolutions' : id.startsWith('CodeDeploy') ? 'CodeDeploy' : id.split('-')[0]);
const packs = ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321', 'Serverless', 'CodeDeploy'];
console.log(`| pattern (defaults) | ${packs.join(' | ')} | total |`);
console.log(`| --- | ${packs.map(() => '---').join(' | ')} | --- |`);
for (const [name, build] of Object.entries(patterns)) {
  const stack = testStack();
  build(stack);
  const acks = acknowledgements(stack);
  const counts = packs.map((p) => acks.filter((a) => packOf(a.id) === p).length);
  console.log(`| ${name} | ${counts.join(' | ')} | ${acks.length} |`);
}
