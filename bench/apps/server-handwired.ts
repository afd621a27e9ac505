import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as assets from 'aws-cdk-lib/aws-s3-assets';
import * as cr from 'aws-cdk-lib/custom-resources';
import { serverFixture } from './fixtures';

const WEB = path.join(__dirname, '..', '..', 'examples', 'server-in-place', 'web');

/**
 * The same as server-pattern.ts with aws-cdk-lib L2s only: application and deployment group with
 * the agent installed by user data, an unhealthy-hosts alarm with rollback, the folder as a zip
 * asset the instances may read, and CreateDeployment from an AwsCustomResource on every change
 * (it does not wait for the instances or for the result).
 */
export function build(stack: Stack, id: string): void {
  const { role, asg, targetGroup } = serverFixture(stack, id);
  // --- user code begin
  const application = new codedeploy.ServerApplication(stack, `${id}App`);
  const unhealthy = new cloudwatch.Alarm(stack, `${id}Unhealthy`, {
    metric: targetGroup.metrics.unhealthyHostCount({ period: Duration.minutes(1), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const group = new codedeploy.ServerDeploymentGroup(stack, `${id}Group`, {
    application,
    autoScalingGroups: [asg],
    installAgent: true,
    loadBalancers: [codedeploy.LoadBalancer.application(targetGroup)],
    alarms: [unhealthy],
    autoRollback: { failedDeployment: true, deploymentInAlarm: true, stoppedDeployment: true },
    deploymentConfig: codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME,
  });
  const bundle = new assets.Asset(stack, `${id}Bundle`, { path: WEB });
  bundle.grantRead(role);
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['s3:GetObject'],
    resources: [`arn:${stack.partition}:s3:::aws-codedeploy-${stack.region}/*`],
  }));
  const deploy = {
    service: 'CodeDeploy',
    action: 'createDeployment',
    parameters: {
      applicationName: application.applicationName,
      deploymentGroupName: group.deploymentGroupName,
      revision: { revisionType: 'S3', s3Location: { bucket: bundle.s3BucketName, key: bundle.s3ObjectKey, bundleType: 'zip' } },
    },
    physicalResourceId: cr.PhysicalResourceId.fromResponse('deploymentId'),
  };
  const deployment = new cr.AwsCustomResource(stack, `${id}Deploy`, {
    onCreate: deploy,
    onUpdate: deploy,
    policy: cr.AwsCustomResourcePolicy.fromStatements([
      new iam.PolicyStatement({ actions: ['codedeploy:CreateDeployment', 'codedeploy:GetDeploymentConfig', 'codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'], resources: ['*'] }),
    ]),
    installLatestAwsSdk: false,
  });
  deployment.node.addDependency(group, asg);
  // --- user code end
}
