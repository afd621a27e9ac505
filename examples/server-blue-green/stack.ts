import * as path from 'path';
import { Duration, Fn, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ServerBlueGreenDeployment, ServerLoadBalancer, ServerRevision } from '../../src';

/**
 * The web app of `server-in-place`, deployed blue/green: every `cdk deploy` of a changed `web`
 * folder (or a new launch-template version, e.g. a new AMI) brings up a new fleet the size of the
 * live one, installs the revision there, moves the load balancer's traffic to it and leaves the old
 * fleet for CloudFormation to delete. A failed deployment or a firing alarm sends the traffic back.
 */
export class ServerBlueGreenStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', { availabilityZones: [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())], natGateways: 1 });
    vpc.addFlowLog('FlowLog');
    const instanceRole = new iam.Role(this, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const launchTemplate = new ec2.LaunchTemplate(this, 'LaunchTemplate', {
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
      role: instanceRole,
      securityGroup: new ec2.SecurityGroup(this, 'InstanceSecurityGroup', { vpc }),
      requireImdsv2: true,
      detailedMonitoring: true,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
    });

    // The load balancer and a target group of instance targets; CodeDeploy registers each new fleet in it.
    const loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', { vpc, internetFacing: false, dropInvalidHeaderFields: true });
    const targetGroup = new elbv2.ApplicationTargetGroup(this, 'Web', {
      vpc,
      port: 80,
      targetType: elbv2.TargetType.INSTANCE,
      healthCheck: { path: '/', interval: Duration.seconds(15), healthyThresholdCount: 2 },
      deregistrationDelay: Duration.seconds(30),
    });
    loadBalancer.addListener('Http', { port: 80, open: false, defaultTargetGroups: [targetGroup] });
    loadBalancer.connections.allowFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), ec2.Port.tcp(80), 'HTTP from the VPC');
    launchTemplate.connections.allowFrom(loadBalancer, ec2.Port.tcp(80), 'HTTP from the load balancer');

    // Besides the pattern's default alarms (unhealthy hosts, failed status checks): server errors of the app.
    const serverErrors = new cloudwatch.Alarm(this, 'ServerErrors', {
      metric: targetGroup.metrics.httpCodeTarget(elbv2.HttpCodeTarget.TARGET_5XX_COUNT, { period: Duration.minutes(1), statistic: 'Sum' }),
      threshold: 5,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const events = new sns.Topic(this, 'FleetEvents', { enforceSSL: true });

    new ServerBlueGreenDeployment(this, 'Deployment', {
      revision: ServerRevision.fromDirectory(path.join(__dirname, '..', 'server-in-place', 'web')),
      vpc,
      launchTemplate,
      loadBalancers: [ServerLoadBalancer.application(targetGroup)],
      alarms: [serverErrors],
      fleetNotifications: [{ topic: events }],
    });

    // Findings on the parts this app builds around the pattern, acknowledged with our reasons.
    Validations.of(loadBalancer).acknowledge({ id: 'AwsSolutions-ELB2', reason: 'Example load balancer; turn on access logs to a bucket of yours in production.' });
    Validations.of(loadBalancer).acknowledge({ id: 'AwsSolutions-EC23', reason: 'Ingress is port 80 from the VPC\'s CIDR block, a CloudFormation reference cdk-nag cannot evaluate.' });
    Validations.of(events).acknowledge({ id: 'AwsSolutions-SNS2', reason: 'Example topic of fleet events; encrypt it with a key of yours in production.' });
  }
}
