import { ArnFormat, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { CodeDeployServiceRole, ComputePlatform, DeploymentRevision, DeploymentTrigger, EcsAppSpec } from '../../src';

/** What already exists in the account, as the user guide's ECS tutorial starts: identifiers only. */
export interface ExistingEcsService {
  readonly vpcId: string;
  readonly availabilityZones: string[];
  readonly privateSubnetIds: string[];
  readonly clusterName: string;
  /** A service created with the CODE_DEPLOY deployment controller (the tutorial's step 1). */
  readonly serviceName: string;
  readonly serviceSecurityGroupId: string;
  /** `app/<name>/<id>`: the end of the load balancer's ARN. */
  readonly loadBalancerFullName: string;
  readonly loadBalancerSecurityGroupId: string;
  /** The last part of each listener's ARN. */
  readonly productionListenerId: string;
  readonly testListenerId: string;
  /** `<name>/<id>`: the end of each target group's ARN. */
  readonly blueTargetGroup: string;
  readonly greenTargetGroup: string;
}

/** Placeholder identifiers for `cdk synth` without an account; put yours here (or in context) to deploy. */
export const SAMPLE_EXISTING: ExistingEcsService = {
  vpcId: 'vpc-0a1b2c3d4e5f67890',
  availabilityZones: ['us-east-1a', 'us-east-1b'],
  privateSubnetIds: ['subnet-0a1b2c3d4e5f67890', 'subnet-0f9e8d7c6b5a43210'],
  clusterName: 'tutorial-cluster',
  serviceName: 'tutorial-service',
  serviceSecurityGroupId: 'sg-0a1b2c3d4e5f67890',
  loadBalancerFullName: 'app/tutorial-alb/0123456789abcdef',
  loadBalancerSecurityGroupId: 'sg-0f9e8d7c6b5a43210',
  productionListenerId: '1111111111111111',
  testListenerId: '2222222222222222',
  blueTargetGroup: 'tutorial-blue/0123456789abcdef',
  greenTargetGroup: 'tutorial-green/fedcba9876543210',
};

/**
 * Blue/green deployments for an ECS service that already exists (with its load balancer, listeners
 * and target groups, none of them in this stack), from the library's building blocks: a
 * least-privilege `CodeDeployServiceRole`, aws-cdk-lib's `EcsDeploymentGroup`, the new task
 * definition as an `EcsAppSpec`, and a `DeploymentTrigger` that deploys it on `cdk deploy`. The
 * listeners stay outside CloudFormation, so no stack update can point them back at the idle group.
 */
export class EcsExistingServiceStack extends Stack {
  constructor(scope: Construct, id: string, existing: ExistingEcsService, props?: StackProps) {
    super(scope, id, props);

    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: existing.vpcId,
      availabilityZones: existing.availabilityZones,
      privateSubnetIds: existing.privateSubnetIds,
    });
    const cluster = ecs.Cluster.fromClusterAttributes(this, 'Cluster', { clusterName: existing.clusterName, vpc });
    const service = ecs.FargateService.fromFargateServiceAttributes(this, 'Service', { cluster, serviceName: existing.serviceName });
    // ARNs in this stack's partition, Region and account.
    const elbArn = (resource: string, resourceName: string) =>
      this.formatArn({ service: 'elasticloadbalancing', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
    const loadBalancerArn = elbArn('loadbalancer', existing.loadBalancerFullName);
    const productionListenerArn = elbArn('listener', `${existing.loadBalancerFullName}/${existing.productionListenerId}`);
    const testListenerArn = elbArn('listener', `${existing.loadBalancerFullName}/${existing.testListenerId}`);
    const lbSecurityGroup = ec2.SecurityGroup.fromSecurityGroupId(this, 'LoadBalancerSecurityGroup', existing.loadBalancerSecurityGroupId);
    const listener = (name: string, listenerArn: string) =>
      elbv2.ApplicationListener.fromApplicationListenerAttributes(this, name, { listenerArn, securityGroup: lbSecurityGroup });
    const targetGroup = (name: string, fullName: string) =>
      elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(this, name, { targetGroupArn: elbArn('targetgroup', fullName), loadBalancerArns: loadBalancerArn });
    const blue = targetGroup('Blue', existing.blueTargetGroup);
    const green = targetGroup('Green', existing.greenTargetGroup);

    // The revision this stack deploys: a new task definition (its roles are passed to ECS by CodeDeploy).
    const taskDefinition = new ecs.FargateTaskDefinition(this, 'Web', { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('web', {
      containerName: 'web',
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:1.27'),
      portMappings: [{ containerPort: 80 }],
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
    });

    // CodeDeploy's role: this service and the task roles, these listeners, the alarm.
    const role = new CodeDeployServiceRole(this, 'ServiceRole', { computePlatform: ComputePlatform.ECS });
    role.grantEcsService(service, [taskDefinition.taskRole, taskDefinition.obtainExecutionRole()]);
    const lbFullName = existing.loadBalancerFullName;
    role.grantModifyListeners([productionListenerArn, testListenerArn], lbFullName);
    const unhealthy = new cloudwatch.Alarm(this, 'Unhealthy', {
      metric: new cloudwatch.MathExpression({
        expression: 'MAX([FILL(blue, 0), FILL(green, 0)])',
        usingMetrics: Object.fromEntries(([['blue', existing.blueTargetGroup], ['green', existing.greenTargetGroup]] as const).map(([name, tg]) => [name, new cloudwatch.Metric({
          namespace: 'AWS/ApplicationELB',
          metricName: 'UnHealthyHostCount',
          statistic: 'Maximum',
          period: Duration.minutes(1),
          dimensionsMap: { LoadBalancer: lbFullName, TargetGroup: `targetgroup/${tg}` },
        })])),
        period: Duration.minutes(1),
      }),
      threshold: 1,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    role.grantReadAlarms([unhealthy]);

    const group = new codedeploy.EcsDeploymentGroup(this, 'DeploymentGroup', {
      service,
      // Immutable to aws-cdk-lib, which would attach the AWS managed AWSCodeDeployRoleForECS to a role it can change.
      role: role.withoutPolicyUpdates(),
      deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES,
      blueGreenDeploymentConfig: {
        blueTargetGroup: blue,
        greenTargetGroup: green,
        listener: listener('Production', productionListenerArn),
        testListener: listener('Test', testListenerArn),
        terminationWaitTime: Duration.minutes(5),
      },
      alarms: [unhealthy],
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: true },
    });
    // CodeDeploy checks the role's permissions when the group is created, and uses them in every deployment.
    const policy = role.node.findChild('DefaultPolicy');
    group.node.addDependency(policy);

    const appSpec = new EcsAppSpec({
      taskDefinitionArn: taskDefinition.taskDefinitionArn,
      containerName: 'web',
      containerPort: 80,
      networkConfiguration: {
        subnets: existing.privateSubnetIds,
        securityGroups: [existing.serviceSecurityGroupId],
        assignPublicIp: false,
      },
    });
    const trigger = new DeploymentTrigger(this, 'Deploy', {
      applicationName: group.application.applicationName,
      deploymentGroupName: group.deploymentGroupName,
      deploymentConfig: group.deploymentConfig,
      revision: DeploymentRevision.fromAppSpecContent(appSpec.toJson(this)),
      ecsService: service,
      // The first cdk deploy deploys the new task definition too: the service exists already.
      deployOnCreate: true,
    });
    trigger.node.addDependency(policy);
  }
}
