import * as path from 'path';
import { Duration, Fn, Stack, StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { AgentMajorVersion, ServerDeployment, ServerRevision } from '../../src';

/** The tag that puts an instance into the deployment group. */
const TAG = { key: 'codedeploy-app', value: 'agent-v2-example' };

/**
 * The user guide's EC2 tutorial (tag an instance, install the agent, deploy a revision) with the
 * CodeDeploy agent 2.x: one tagged Amazon Linux 2023 instance in a private subnet, the agent
 * installed by Systems Manager from the `AWSCodeDeployAgentV2` package, and the `server-in-place`
 * web folder deployed to it on every `cdk deploy` that changes it. The deployment waits until the
 * agent is installed on the instance; where 2.x is not yet available in the Region, it stops
 * before deploying and names the instance.
 */
export class ServerAgentV2Stack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', { availabilityZones: [Fn.select(0, Fn.getAzs())], natGateways: 1 });
    vpc.addFlowLog('FlowLog');

    // An alarm of yours rolls the deployment back: here, the instance failing its status checks.
    const statusChecks = (instanceId: string) =>
      new cloudwatch.Alarm(this, 'StatusCheckAlarm', {
        metric: new cloudwatch.Metric({
          namespace: 'AWS/EC2',
          metricName: 'StatusCheckFailed',
          dimensionsMap: { InstanceId: instanceId },
          statistic: 'Maximum',
          period: Duration.minutes(1),
        }),
        threshold: 1,
        evaluationPeriods: 2,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });

    // Instances are found by their tag. With no instanceRoles, the pattern creates an instance
    // profile allowed to read this group's revisions and the 2.x package; the instance launches with it.
    const instanceTags = new codedeploy.InstanceTagSet({ [TAG.key]: [TAG.value] });
    const web = new ServerDeployment(this, 'Deployment', {
      revision: ServerRevision.fromDirectory(path.join(__dirname, '..', 'server-in-place', 'web')),
      ec2InstanceTags: instanceTags,
      agentMajorVersion: AgentMajorVersion.V2,
    });

    const instance = new ec2.Instance(this, 'Instance', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
      instanceProfile: web.instanceProfile!.instanceProfile,
      requireImdsv2: true,
      detailedMonitoring: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
    });
    Tags.of(instance).add(TAG.key, TAG.value);
    web.deploymentGroup.addAlarm(statusChecks(instance.instanceId));

    Validations.of(instance).acknowledge({
      id: 'AwsSolutions-EC29',
      reason: 'Example instance, replaced freely; use an Auto Scaling group or termination protection in production.',
    });
  }
}
