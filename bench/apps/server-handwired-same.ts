import * as path from 'path';
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as assets from 'aws-cdk-lib/aws-s3-assets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { serverFixture } from './fixtures';

const WEB = path.join(__dirname, '..', '..', 'examples', 'server-in-place', 'web');
/** The waiting handler a hand-wirer writes and bundles (the library's own bundle stands in for it). */
const HANDLER = path.join(__dirname, '..', '..', 'assets', 'trigger', 'deployment-trigger.lambda');

/**
 * server-pattern.ts's architecture wired with aws-cdk-lib only: the resources `ServerDeployment`
 * creates, one for one (52 in the stack). Beside server-handwired.ts, which leaves most of them
 * out, it tells what the library's code costs apart from what its architecture costs. The agent
 * through a State Manager association, two alarms with rollback, a versioned revision bucket the
 * instances read, a waiting custom resource backed by a function of your own with its log group
 * and no retries, and an event queue with the group's terminal state changes for it to wait on.
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
  const statusChecks = new cloudwatch.Alarm(stack, `${id}StatusChecks`, {
    metric: new cloudwatch.Metric({
      namespace: 'AWS/EC2',
      metricName: 'StatusCheckFailed',
      dimensionsMap: { AutoScalingGroupName: asg.autoScalingGroupName },
      period: Duration.minutes(1),
      statistic: 'Maximum',
    }),
    threshold: 1,
    evaluationPeriods: 2,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const group = new codedeploy.ServerDeploymentGroup(stack, `${id}Group`, {
    application,
    autoScalingGroups: [asg],
    installAgent: false,
    loadBalancers: [codedeploy.LoadBalancer.application(targetGroup)],
    alarms: [unhealthy, statusChecks],
    autoRollback: { failedDeployment: true, deploymentInAlarm: true, stoppedDeployment: true },
    deploymentConfig: codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME,
  });
  new ssm.CfnAssociation(stack, `${id}Agent`, {
    name: 'AWS-ConfigureAWSPackage',
    parameters: { action: ['Install'], name: ['AWSCodeDeployAgent'] },
    scheduleExpression: 'cron(0 2 ? * SUN *)',
    complianceSeverity: 'HIGH',
    targets: [{ key: 'tag:aws:autoscaling:groupName', values: [asg.autoScalingGroupName] }],
  });
  const revisions = new s3.Bucket(stack, `${id}Revisions`, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    versioned: true,
  });
  revisions.grantRead(role);
  const bundle = new assets.Asset(stack, `${id}Bundle`, { path: WEB });
  const queue = new sqs.Queue(stack, `${id}Events`, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.hours(1) });
  new events.Rule(stack, `${id}StateChanges`, {
    eventPattern: {
      source: ['aws.codedeploy'],
      detailType: ['CodeDeploy Deployment State-change Notification'],
      detail: { application: [application.applicationName], deploymentGroup: [group.deploymentGroupName], state: ['SUCCESS', 'FAILURE', 'STOP'] },
    },
    targets: [new targets.SqsQueue(queue)],
  });
  const logGroup = new logs.LogGroup(stack, `${id}DeployLogs`, { retention: logs.RetentionDays.ONE_YEAR });
  const deployer = new lambda.Function(stack, `${id}Deployer`, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(HANDLER),
    timeout: Duration.minutes(15),
    memorySize: 256,
    logGroup,
    retryAttempts: 0,
  });
  deployer.addToRolePolicy(new iam.PolicyStatement({
    actions: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment', 'codedeploy:ListDeployments', 'codedeploy:StopDeployment', 'codedeploy:GetDeploymentGroup'],
    resources: [group.deploymentGroupArn],
  }));
  deployer.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:GetDeploymentConfig'], resources: [group.deploymentConfig.deploymentConfigArn] }));
  deployer.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'], resources: [application.applicationArn] }));
  deployer.addToRolePolicy(new iam.PolicyStatement({ actions: ['autoscaling:DescribeAutoScalingGroups', 'ssm:DescribeInstanceAssociationsStatus'], resources: ['*'] }));
  queue.grantConsumeMessages(deployer);
  bundle.grantRead(deployer);
  revisions.grantPut(deployer);
  new CustomResource(stack, `${id}Deploy`, {
    serviceToken: deployer.functionArn,
    resourceType: 'Custom::CodeDeployDeployment',
    properties: {
      ApplicationName: application.applicationName,
      DeploymentGroupName: group.deploymentGroupName,
      CopyFrom: { Bucket: bundle.s3BucketName, Key: bundle.s3ObjectKey },
      S3Location: { Bucket: revisions.bucketName, Key: `${id}/revision.zip`, BundleType: 'zip' },
      WaitForAutoScalingGroups: [asg.autoScalingGroupName],
      EventQueueUrl: queue.queueUrl,
      TimeoutSeconds: '3000',
    },
    serviceTimeout: Duration.minutes(55),
  });
  // --- user code end
}
