import * as path from 'path';
import { Duration, Fn, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AutoScalingProcess, ServerDeployment, ServerLoadBalancer, ServerRevision } from '../../src';

/**
 * A small web site on an Auto Scaling group of Amazon Linux 2023 instances behind an internal
 * Application Load Balancer, deployed in place by CodeDeploy one instance at a time: each
 * instance is taken out of the target group, updated from the `web/` folder (appspec.yml and
 * scripts), validated and put back. Edit `web/site/index.html` and run `cdk deploy`.
 */
export class ServerInPlaceStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', { availabilityZones: [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())], natGateways: 1 });
    vpc.addFlowLog('FlowLog');

    const instanceRole = new iam.Role(this, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const instanceSecurityGroup = new ec2.SecurityGroup(this, 'InstanceSecurityGroup', { vpc, description: 'Web instances', allowAllOutbound: true });
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
      role: instanceRole,
      securityGroup: instanceSecurityGroup,
      requireImdsv2: true,
      detailedMonitoring: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
    });
    const fleet = new autoscaling.AutoScalingGroup(this, 'Fleet', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate,
      minCapacity: 2,
      maxCapacity: 4,
      healthChecks: autoscaling.HealthChecks.withAdditionalChecks({
        additionalTypes: [autoscaling.AdditionalHealthCheckType.ELB],
        gracePeriod: Duration.minutes(5),
      }),
    });

    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', { vpc, internetFacing: false });
    const listener = loadBalancer.addListener('Http', { port: 80, open: false });
    listener.connections.allowDefaultPortFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), 'HTTP from the VPC');
    const targetGroup = listener.addTargets('Web', {
      port: 80,
      targets: [fleet],
      healthCheck: { path: '/', healthyHttpCodes: '200', interval: Duration.seconds(10), healthyThresholdCount: 2 },
      deregistrationDelay: Duration.seconds(30),
    });

    const web = new ServerDeployment(this, 'Deployment', {
      revision: ServerRevision.fromDirectory(path.join(__dirname, 'web')),
      autoScalingGroups: [fleet],
      loadBalancers: [ServerLoadBalancer.application(targetGroup)],
      deploymentConfig: codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME,
      terminationHook: true,
      // Scale-in and rebalancing wait until the deployment ends, so they cannot take an instance mid-update.
      suspendAutoScalingProcesses: [AutoScalingProcess.TERMINATE, AutoScalingProcess.AZ_REBALANCE],
    });
    void web;

    // Findings on the parts this app builds around the pattern: acknowledged here, with our reasons,
    // the way any cdk-nag 3 user acknowledges a finding on their own resources.
    Validations.of(loadBalancer).acknowledge(
      { id: 'AwsSolutions-ELB2', reason: 'Example load balancer; enable access logs to an S3 bucket of yours in production.' },
      { id: 'AwsSolutions-EC23', reason: 'Internal load balancer open to the VPC\'s own CIDR on port 80 only (cdk-nag cannot evaluate the CIDR token).' },
    );
    Validations.of(fleet).acknowledge({ id: 'AwsSolutions-AS3', reason: 'Example fleet; add scaling notifications to a topic of yours in production.' });
  }
}
