import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  BlueGreenLoadBalancerType,
  DeploymentEvent,
  DeploymentState,
  EcsDeployment,
  EcsDeploymentProps,
  HttpCheckTarget,
  LifecycleHook,
} from '../../src';
import { complianceSuite, nagFindings, snapshotSuite, testStack } from '../harness';
import { acknowledgeFixture, acknowledgeTrafficChoices, acknowledgeUserChoice, ecsFixture, secureTopic, userFunction } from '../util';

function deploy(stack: Stack, props: Partial<EcsDeploymentProps> = {}): EcsDeployment {
  const { cluster, taskDefinition } = ecsFixture(stack);
  return new EcsDeployment(stack, 'Web', { cluster, taskDefinition, ...props });
}

function everythingOn(stack: Stack): EcsDeployment {
  const application = new codedeploy.EcsApplication(stack, 'SharedApp', { applicationName: 'shared-ecs' });
  const config = new codedeploy.EcsDeploymentConfig(stack, 'Linear', {
    trafficRouting: codedeploy.TrafficRouting.timeBasedLinear({ interval: Duration.minutes(1), percentage: 20 }),
  });
  const latency = new cloudwatch.Alarm(stack, 'LatencyAlarm', {
    metric: new cloudwatch.Metric({ namespace: 'MyApp', metricName: 'Latency' }),
    threshold: 500,
    evaluationPeriods: 1,
  });
  acknowledgeFixture(latency, 'the user\'s alarm, paging is theirs', 'CloudWatchAlarmAction');
  const topic = secureTopic(stack, 'Topic');
  const hook = (id: string) => LifecycleHook.fromFunction(userFunction(stack, id));
  const dep = deploy(stack, {
    application,
    deploymentGroupName: 'web-prod',
    deploymentConfig: config,
    service: {
      desiredCount: 3,
      serviceName: 'web',
      healthCheckGracePeriod: Duration.seconds(120),
    },
    traffic: {
      productionPort: 8000,
      testPort: 9000,
      testTrafficPeers: [ec2.Peer.ipv4('10.99.0.0/16')],
      deregistrationDelay: Duration.seconds(10),
      healthCheck: { path: '/health', healthyHttpCodes: '200' },
    },
    hooks: {
      beforeInstall: hook('BeforeInstall'),
      afterInstall: hook('AfterInstall'),
      afterAllowTestTraffic: hook('AfterTestTraffic'),
      beforeAllowTraffic: hook('BeforeTraffic'),
      afterAllowTraffic: hook('AfterTraffic'),
    },
    blueGreen: {
      terminationWaitTime: Duration.minutes(10),
      // waited for: 5 (linear) + 15 (approval) + 10 fit in the 40-minute timeout
      deploymentApprovalWaitTime: Duration.minutes(15),
      waitForTermination: true,
    },
    deploymentTimeout: Duration.minutes(40),
    defaultAlarms: { http5xxThreshold: 10, unhealthyHostsThreshold: 2, period: Duration.minutes(2), evaluationPeriods: 3 },
    alarms: [latency],
    ignorePollAlarmsFailure: true,
    autoRollback: { failedDeployment: true, stoppedDeployment: false, deploymentInAlarm: true },
    notifications: [{ topic, events: [DeploymentEvent.DEPLOYMENT_FAILURE], name: 'failures' }],
  });
  const onFailure = dep.onDeploymentStateChange('OnFailure', { states: [DeploymentState.FAILURE], target: new targets.SnsTopic(topic) });
  acknowledgeFixture(onFailure, 'the user\'s rule target, without a dead-letter queue', 'EventBusDLQ');
  return dep;
}

function appSpecOf(t: Template): any {
  const trigger = Object.values(t.findResources('Custom::CodeDeployDeployment'))[0] as any;
  return trigger.Properties.AppSpecContent;
}

describe('EcsDeployment', () => {
  describe('defaults', () => {
    let stack: Stack;
    let dep: EcsDeployment;
    let t: Template;
    beforeAll(() => {
      stack = testStack();
      dep = deploy(stack);
      t = Template.fromStack(stack);
    });

    test('a Fargate service with the CODE_DEPLOY controller, 2 tasks, in private subnets without public IPs', () => {
      t.hasResourceProperties('AWS::ECS::Service', {
        DeploymentController: { Type: 'CODE_DEPLOY' },
        DesiredCount: 2,
        LaunchType: 'FARGATE',
        HealthCheckGracePeriodSeconds: 60,
        DeploymentConfiguration: { MinimumHealthyPercent: 100, MaximumPercent: 200 },
        NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'DISABLED', Subnets: [{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') }] } },
        LoadBalancers: [{ ContainerName: 'web', ContainerPort: 8080, TargetGroupArn: { Ref: Match.stringLikeRegexp('BlueTargetGroup') } }],
        // The family, not a revision: CloudFormation never updates a CODE_DEPLOY service's task definition.
        TaskDefinition: Match.anyValue(),
      });
      expect(dep.service).toBeInstanceOf(ecs.FargateService);
    });

    test('an internet-facing ALB: production listener 80, test listener 8080, each forwarding to the live target group read before any update of it', () => {
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing', Type: 'application' });
      const live = Match.stringLikeRegexp('^WebTrafficLiveTargetGroups');
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 80,
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: { 'Fn::GetAtt': [live, 'ProductionTargetGroupArn'] } }],
      });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
        Port: 8080,
        Protocol: 'HTTP',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: { 'Fn::GetAtt': [live, 'TestTargetGroupArn'] } }],
      });
      // On creation (no listener yet) the reading answers blue and green; later, where they forward.
      t.hasResourceProperties('Custom::CodeDeployLiveTargetGroups', {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CodeDeployPatternsListenerReaderFunction'), 'Arn'] },
        LoadBalancerArn: { Ref: Match.stringLikeRegexp('^WebTrafficLoadBalancer') },
        BlueTargetGroupArn: { Ref: Match.stringLikeRegexp('BlueTargetGroup') },
        GreenTargetGroupArn: { Ref: Match.stringLikeRegexp('GreenTargetGroup') },
        ProductionPort: 80,
        TestPort: 8080,
        // Every other property of each listener, so any change of a listener updates the reading first.
        ProductionListener: { LoadBalancerArn: { Ref: Match.stringLikeRegexp('^WebTrafficLoadBalancer') }, Port: 80, Protocol: 'HTTP' },
        TestListener: { LoadBalancerArn: { Ref: Match.stringLikeRegexp('^WebTrafficLoadBalancer') }, Port: 8080, Protocol: 'HTTP' },
      });
    });

    test('two IP target groups on the container port with a derived health check and 30 s draining', () => {
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        Port: 8080,
        Protocol: 'HTTP',
        TargetType: 'ip',
        HealthCheckPath: '/',
        HealthCheckIntervalSeconds: 15,
        HealthyThresholdCount: 2,
        UnhealthyThresholdCount: 3,
        Matcher: { HttpCode: '200-399' },
        TargetGroupAttributes: Match.arrayWith([{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }]),
      });
    });

    test('security groups: 80 from anywhere, 8080 (test) from the VPC only, containers only from the load balancer', () => {
      const lbSg = Object.entries(t.findResources('AWS::EC2::SecurityGroup')).find(([id]) => id.includes('TrafficLoadBalancerSecurityGroup'))![1] as any;
      const ingress = lbSg.Properties.SecurityGroupIngress;
      expect(ingress).toEqual([
        expect.objectContaining({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 }),
        expect.objectContaining({ CidrIp: { 'Fn::GetAtt': [expect.stringMatching(/^Vpc/), 'CidrBlock'] }, FromPort: 8080, ToPort: 8080 }),
      ]);
      t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        FromPort: 8080,
        ToPort: 8080,
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('TrafficLoadBalancerSecurityGroup'), 'GroupId'] },
      });
    });

    test('the service is created after both listeners', () => {
      const service = Object.values(t.findResources('AWS::ECS::Service'))[0] as any;
      const listeners = Object.keys(t.findResources('AWS::ElasticLoadBalancingV2::Listener'));
      expect(listeners).toHaveLength(2);
      for (const l of listeners) expect(service.DependsOn).toContain(l);
    });

    test('an ECS deployment group: canary 10 % for 5 minutes, 5-minute termination wait, both listeners', () => {
      t.hasResourceProperties('AWS::CodeDeploy::Application', { ComputePlatform: 'ECS' });
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentConfigName: 'CodeDeployDefault.ECSCanary10Percent5Minutes',
        DeploymentStyle: { DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
        BlueGreenDeploymentConfiguration: {
          TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 5 },
          DeploymentReadyOption: { ActionOnTimeout: 'CONTINUE_DEPLOYMENT' },
        },
        LoadBalancerInfo: {
          TargetGroupPairInfoList: [
            {
              TargetGroups: [
                { Name: { 'Fn::GetAtt': [Match.stringLikeRegexp('BlueTargetGroup'), 'TargetGroupName'] } },
                { Name: { 'Fn::GetAtt': [Match.stringLikeRegexp('GreenTargetGroup'), 'TargetGroupName'] } },
              ],
              ProdTrafficRoute: { ListenerArns: [{ Ref: Match.stringLikeRegexp('ProductionListener') }] },
              TestTrafficRoute: { ListenerArns: [{ Ref: Match.stringLikeRegexp('TestListener') }] },
            },
          ],
        },
        AutoRollbackConfiguration: {
          Enabled: true,
          Events: Match.arrayEquals(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']),
        },
      });
    });

    test('5xx and unhealthy-host alarms over both target groups, wired to the group', () => {
      t.resourceCountIs('AWS::CloudWatch::Alarm', 2);
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 5,
        EvaluationPeriods: 2,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'FILL(blue, 0) + FILL(green, 0)' }),
          Match.objectLike({ Id: 'blue', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'HTTPCode_Target_5XX_Count', Namespace: 'AWS/ApplicationELB' }), Stat: 'Sum', Period: 60 }) }),
        ]),
      });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 1,
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'MAX([FILL(blue, 0), FILL(green, 0)])' }),
          Match.objectLike({ Id: 'green', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'UnHealthyHostCount' }), Stat: 'Maximum' }) }),
        ]),
      });
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: Match.stringLikeRegexp('Http5xxAlarm') } }, { Name: { Ref: Match.stringLikeRegexp('UnhealthyHostsAlarm') } }] },
      });
      expect(dep.alarms).toHaveLength(2);
    });

    test('the service role: task sets of this service, these two listeners, PassRole of the task roles, no managed policy', () => {
      const roles = t.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'codedeploy.amazonaws.com' } })] } } });
      expect(Object.keys(roles)).toHaveLength(1);
      expect((Object.values(roles)[0] as any).Properties.ManagedPolicyArns).toBeUndefined();
      const policy = JSON.stringify(t.findResources('AWS::IAM::Policy'));
      expect(policy).toContain('ecs:CreateTaskSet');
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'elasticloadbalancing:ModifyListener',
              Resource: [{ Ref: Match.stringLikeRegexp('ProductionListener') }, { Ref: Match.stringLikeRegexp('TestListener') }],
            }),
          ]),
        },
      });
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'iam:PassRole',
              Condition: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
              Resource: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('TaskDefTaskRole'), 'Arn'] }, { 'Fn::GetAtt': [Match.stringLikeRegexp('TaskDefExecutionRole'), 'Arn'] }],
            }),
          ]),
        },
      });
    });

    test('the AppSpec names the task definition revision, container and port, and the service network', () => {
      const content = JSON.stringify(appSpecOf(t));
      expect(content).toContain('\\"TaskDefinition\\":\\"');
      expect(content).toMatch(/"Ref":"TaskDef[0-9A-F]{8}"/);
      expect(content).toContain('\\"LoadBalancerInfo\\":{\\"ContainerName\\":\\"web\\",\\"ContainerPort\\":8080}');
      expect(content).toContain('\\"AssignPublicIp\\":\\"DISABLED\\"');
      expect(content).not.toContain('Hooks');
      expect(dep.appSpec!.props.containerName).toBe('web');
    });

    test('the trigger deploys on cdk deploy: 50-minute timeout, after the group, scoped to this group', () => {
      const trigger = Object.values(t.findResources('Custom::CodeDeployDeployment'))[0] as any;
      expect(trigger.Properties).toMatchObject({
        ApplicationName: { Ref: expect.stringMatching(/Application/) },
        DeploymentGroupName: { Ref: expect.stringMatching(/DeploymentGroup/) },
        TimeoutSeconds: 3000,
        WaitForTermination: false,
        DeployOnCreate: false,
        EcsClusterName: { Ref: expect.stringMatching(/^Cluster/) },
        EcsServiceName: { 'Fn::GetAtt': [expect.stringMatching(/Service/), 'Name'] },
        ServiceTimeout: '3300',
      });
      // After the group through the Ref above; a DependsOn on it as well would be redundant (cfn-lint W3005).
      expect(trigger.DependsOn.filter((d: string) => /WebDeploymentGroup/.test(d))).toEqual([]);
      t.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Timeout: 900, MemorySize: 256 });
      t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('CodeDeployPatternsDeploymentTriggerRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment', 'codedeploy:ListDeployments', 'codedeploy:StopDeployment'],
              Resource: {
                'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codedeploy:us-east-1:123456789012:deploymentgroup:', { Ref: Match.stringLikeRegexp('CodeDeployPatternsECSApplication') }, '/', { Ref: Match.stringLikeRegexp('WebDeploymentGroup') }]],
              },
            }),
            Match.objectLike({ Action: 'ecs:DescribeServices' }),
          ]),
        },
      });
    });

    test('everything is exposed', () => {
      expect(dep.loadBalancer).toBeDefined();
      expect(dep.productionListener).toBeDefined();
      expect(dep.testListener).toBeDefined();
      expect(dep.blueTargetGroup).toBeDefined();
      expect(dep.greenTargetGroup).toBeDefined();
      expect(dep.application).toBeDefined();
      expect(dep.deploymentGroup).toBeDefined();
      expect(dep.role).toBeDefined();
      expect(dep.appSpec).toBeDefined();
      expect(dep.trigger!.deploymentId).toBeDefined();
    });

    test('no warnings', () => {
      expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    });
  });

  describe('props', () => {
    test('everything on: hooks in the AppSpec, custom config, waits, ports, alarms, notifications', () => {
      const stack = testStack();
      const dep = everythingOn(stack);
      const t = Template.fromStack(stack);
      const content = JSON.stringify(appSpecOf(t));
      const order = ['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'].map((e) => content.indexOf(`\\"${e}\\":\\"`));
      expect(order.every((i) => i > 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        ApplicationName: { Ref: Match.stringLikeRegexp('SharedApp') },
        DeploymentGroupName: 'web-prod',
        DeploymentConfigName: { Ref: Match.stringLikeRegexp('Linear') },
        BlueGreenDeploymentConfiguration: {
          TerminateBlueInstancesOnDeploymentSuccess: { TerminationWaitTimeInMinutes: 10 },
          DeploymentReadyOption: { ActionOnTimeout: 'STOP_DEPLOYMENT', WaitTimeInMinutes: 15 },
        },
        AlarmConfiguration: { Enabled: true, IgnorePollAlarmFailure: true, Alarms: Match.arrayWith([{ Name: { Ref: Match.stringLikeRegexp('LatencyAlarm') } }]) },
        AutoRollbackConfiguration: { Events: Match.arrayEquals(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']) },
        TriggerConfigurations: [{ TriggerName: 'failures', TriggerEvents: ['DeploymentFailure'] }],
      });
      t.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 3, ServiceName: 'web', HealthCheckGracePeriodSeconds: 120 });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8000 });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 9000 });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/health', Matcher: { HttpCode: '200' } });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', { Threshold: 10, EvaluationPeriods: 3 });
      t.hasResourceProperties('Custom::CodeDeployDeployment', { TimeoutSeconds: 2400, WaitForTermination: true, ServiceTimeout: '2700' });
      t.hasResourceProperties('AWS::Events::Rule', { EventPattern: { detail: { state: ['FAILURE'], deploymentGroup: [{ Ref: Match.anyValue() }] } } });
      // Each hook function may report status on exactly this group, and only the service role invokes it.
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('AfterTestTrafficRole') }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'codedeploy:PutLifecycleEventHookExecutionStatus' })]) },
      });
      expect(dep.alarms).toHaveLength(3);
    });

    test('a Network Load Balancer: all at once, TCP, unhealthy-host alarm only', () => {
      const stack = testStack();
      const dep = deploy(stack, { traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK } });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Type: 'network' });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'TCP' });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { Protocol: 'TCP', HealthCheckProtocol: 'TCP' });
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce' });
      t.resourceCountIs('AWS::CloudWatch::Alarm', 1);
      expect(JSON.stringify(t.findResources('AWS::CloudWatch::Alarm'))).toContain('AWS/NetworkELB');
      expect(dep.listeners.loadBalancerType).toBe(BlueGreenLoadBalancerType.NETWORK);
    });

    test('HTTPS: both listeners use the certificates, on 443 and 8443', () => {
      const stack = testStack();
      const cert = acm.Certificate.fromCertificateArn(stack, 'Cert', stack.formatArn({ service: 'acm', resource: 'certificate', resourceName: 'abc' }));
      deploy(stack, { traffic: { certificates: [elbv2.ListenerCertificate.fromCertificateManager(cert)] } });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS', Certificates: [Match.anyValue()] });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8443, Protocol: 'HTTPS', Certificates: [Match.anyValue()] });
    });

    test('internal load balancer: production open to the VPC only', () => {
      const stack = testStack();
      deploy(stack, { traffic: { internetFacing: false } });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
      const lbSg = Object.entries(t.findResources('AWS::EC2::SecurityGroup')).find(([id]) => id.includes('TrafficLoadBalancerSecurityGroup'))![1] as any;
      expect(JSON.stringify(lbSg)).not.toContain('0.0.0.0/0');
      expect(lbSg.Properties.SecurityGroupIngress).toHaveLength(2);
    });

    test('no test listener: no test route in the group', () => {
      const stack = testStack();
      const dep = deploy(stack, { traffic: { testListener: false } });
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        LoadBalancerInfo: { TargetGroupPairInfoList: [Match.objectLike({ TestTrafficRoute: Match.absent() })] },
      });
      expect(dep.testListener).toBeUndefined();
    });

    test('an existing Application Load Balancer gets the listeners', () => {
      const stack = testStack();
      const { cluster, taskDefinition } = ecsFixture(stack);
      const alb = new elbv2.ApplicationLoadBalancer(stack, 'MyAlb', { vpc: cluster.vpc, internetFacing: false });
      const dep = new EcsDeployment(stack, 'Web', { cluster, taskDefinition, traffic: { applicationLoadBalancer: alb } });
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { LoadBalancerArn: { Ref: Match.stringLikeRegexp('MyAlb') } });
      expect(dep.loadBalancer).toBe(alb);
    });

    test('an EC2 task definition (bridge mode) runs as an EC2 service with instance targets', () => {
      const stack = testStack();
      const { cluster } = ecsFixture(stack);
      cluster.addCapacity('Capacity', { instanceType: new ec2.InstanceType('t3.small'), machineImage: ecs.EcsOptimizedImage.amazonLinux2023() });
      const td = new ecs.Ec2TaskDefinition(stack, 'Ec2Task', { networkMode: ecs.NetworkMode.BRIDGE });
      td.addContainer('app', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), memoryLimitMiB: 256, portMappings: [{ containerPort: 80 }] });
      const dep = new EcsDeployment(stack, 'Web', { cluster, taskDefinition: td });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::ECS::Service', { LaunchType: 'EC2', DeploymentController: { Type: 'CODE_DEPLOY' } });
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { TargetType: 'instance', Port: 80 });
      expect(dep.service).toBeInstanceOf(ecs.Ec2Service);
      expect(JSON.stringify(appSpecOf(t))).not.toContain('NetworkConfiguration');
    });

    test('capacity provider strategies go to the service and the AppSpec', () => {
      const stack = testStack();
      const strategies = [{ capacityProvider: 'FARGATE_SPOT', weight: 2 }, { capacityProvider: 'FARGATE', base: 1, weight: 1 }];
      deploy(stack, { service: { capacityProviderStrategies: strategies } });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::ECS::Service', { CapacityProviderStrategy: [{ CapacityProvider: 'FARGATE_SPOT', Weight: 2 }, { CapacityProvider: 'FARGATE', Base: 1, Weight: 1 }], LaunchType: Match.absent() });
      expect(JSON.stringify(appSpecOf(t))).toContain('\\"CapacityProviderStrategy\\":[{\\"Base\\":0,\\"CapacityProvider\\":\\"FARGATE_SPOT\\",\\"Weight\\":2}');
    });

    test('default alarms off: a warning that nothing stops a bad task definition', () => {
      const stack = testStack();
      deploy(stack, { defaultAlarms: { http5xx: false, unhealthyHosts: false } });
      Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('no alarms'))).toHaveLength(1);
    });

    test('two patterns in one stack share one trigger function', () => {
      const stack = testStack();
      const { cluster, taskDefinition } = ecsFixture(stack);
      const td2 = new ecs.FargateTaskDefinition(stack, 'Td2');
      td2.addContainer('api', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), portMappings: [{ containerPort: 80 }] });
      new EcsDeployment(stack, 'A', { cluster, taskDefinition });
      new EcsDeployment(stack, 'B', { cluster, taskDefinition: td2 });
      const t = Template.fromStack(stack);
      t.resourceCountIs('Custom::CodeDeployDeployment', 2);
      t.resourceCountIs('Custom::CodeDeployLiveTargetGroups', 2);
      // One trigger function and one listener reader for the stack.
      expect(Object.keys(t.findResources('AWS::Lambda::Function')).sort()).toEqual([
        expect.stringMatching(/^CodeDeployPatternsDeploymentTriggerFunction/),
        expect.stringMatching(/^CodeDeployPatternsListenerReaderFunction/),
      ]);
    });
  });

  describe('access logs and deletion protection of the load balancer it creates', () => {
    const logBucket = (stack: Stack) => new s3.Bucket(stack, 'Logs', { encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true });

    test('off by default, so the findings surface in the user\'s stack (not acknowledged by the library)', () => {
      const stack = testStack();
      deploy(stack);
      Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.not(Match.arrayWith([Match.objectLike({ Key: 'access_logs.s3.enabled' })])),
      });
      expect(nagFindings(stack).join('\n')).toMatch(/AwsSolutions-ELB2 at TestStack\/Web\/Traffic\/LoadBalancer/);
    });

    test('accessLogBucket: logs with the prefix, the Region\'s delivery allowed by the bucket policy, and no ELB2 finding', () => {
      const stack = testStack();
      const bucket = logBucket(stack);
      deploy(stack, { traffic: { accessLogBucket: bucket, accessLogPrefix: 'web' } });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([
          { Key: 'access_logs.s3.enabled', Value: 'true' },
          { Key: 'access_logs.s3.bucket', Value: { Ref: Match.stringLikeRegexp('^Logs') } },
          { Key: 'access_logs.s3.prefix', Value: 'web' },
        ]),
      });
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:PutObject', Effect: 'Allow' })]) },
      });
      expect(nagFindings(stack).filter((f) => f.includes('Traffic/LoadBalancer') && f.startsWith('AwsSolutions-ELB2'))).toEqual([]);
    });

    test('deletionProtection turns the attribute on', () => {
      const stack = testStack();
      deploy(stack, { traffic: { deletionProtection: true } });
      Template.fromStack(stack).hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
        LoadBalancerAttributes: Match.arrayWith([{ Key: 'deletion_protection.enabled', Value: 'true' }]),
      });
    });

    test.each<[string, (stack: Stack) => void, RegExp]>([
      ['access logs in a stack without a Region', () => {
        const stack = new Stack(new App(), 'Agnostic');
        deploy(stack, { traffic: { accessLogBucket: logBucket(stack) } });
      }, /accessLogBucket: the load balancer's access logs need a stack with a concrete Region \(aws-cdk-lib: "Region is required to enable ELBv2 access logging"\)/],
      ['access logs on the user\'s load balancer', (stack) => {
        const vpc = new ec2.Vpc(stack, 'Vpc2');
        deploy(stack, { traffic: { applicationLoadBalancer: new elbv2.ApplicationLoadBalancer(stack, 'Mine', { vpc }), accessLogBucket: logBucket(stack) } });
      }, /accessLogBucket applies to the load balancer the construct creates, but TestStack\/Mine was given/],
      ['deletion protection on the user\'s load balancer', (stack) => {
        const vpc = new ec2.Vpc(stack, 'Vpc2');
        deploy(stack, { traffic: { applicationLoadBalancer: new elbv2.ApplicationLoadBalancer(stack, 'Mine', { vpc }), deletionProtection: true } });
      }, /deletionProtection applies to the load balancer the construct creates, but TestStack\/Mine was given/],
      ['access logs on a Network Load Balancer', (stack) => {
        deploy(stack, { traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK, accessLogBucket: logBucket(stack) } });
      }, /accessLogBucket applies to an Application Load Balancer/],
      ['a prefix without a bucket', (stack) => deploy(stack, { traffic: { accessLogPrefix: 'web' } }), /accessLogPrefix is "web" but there is no accessLogBucket/],
      ['a KMS-encrypted log bucket', (stack) => {
        deploy(stack, { traffic: { accessLogBucket: new s3.Bucket(stack, 'Kms', { encryption: s3.BucketEncryption.KMS }) } });
      }, /is encrypted with a KMS key; Elastic Load Balancing writes access logs only to buckets encrypted with Amazon S3 managed keys/],
    ])('error: %s', (_name, build, message) => {
      expect(() => build(testStack())).toThrow(message);
    });
  });

  describe('validation', () => {
    const cases: Array<[string, (stack: Stack) => void, RegExp]> = [
      ['NLB with a canary', (s) => deploy(s, { traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK }, deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES }), /Network Load Balancer only supports all-at-once traffic shifting .*deploymentConfig is CodeDeployDefault.ECSCanary10Percent5Minutes\. Use EcsDeploymentConfig.ALL_AT_ONCE/],
      ['NLB with a custom config', (s) => deploy(s, { traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK }, deploymentConfig: new codedeploy.EcsDeploymentConfig(s, 'C', { trafficRouting: codedeploy.TrafficRouting.allAtOnce() }) }), /custom configuration\. Use EcsDeploymentConfig.ALL_AT_ONCE/],
      ['NLB with a 5xx alarm', (s) => deploy(s, { traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK }, defaultAlarms: { http5xx: true } }), /http5xx needs an Application Load Balancer/],
      ['termination wait over 2,880 minutes', (s) => deploy(s, { blueGreen: { terminationWaitTime: Duration.minutes(2881) } }), /terminationWaitTime must be a whole number of minutes from 0 to 2880; received 2881 minutes/],
      ['termination wait in seconds', (s) => deploy(s, { blueGreen: { terminationWaitTime: Duration.seconds(90) } }), /received 1.5 minutes/],
      ['approval wait over 2,880 minutes', (s) => deploy(s, { blueGreen: { deploymentApprovalWaitTime: Duration.days(3) } }), /deploymentApprovalWaitTime must be a whole number of minutes from 1 to 2880; received 4320/],
      ['hook on test traffic without a test listener', (s) => deploy(s, { traffic: { testListener: false }, hooks: { afterAllowTestTraffic: LifecycleHook.fromFunction(userFunction(s, 'H')) } }), /hooks\.afterAllowTestTraffic needs a test listener, but traffic\.testListener is false/],
      ['unknown container', (s) => deploy(s, { containerName: 'api' }), /has no container named "api"; containers: web/],
      ['unmapped port', (s) => deploy(s, { containerPort: 9090 }), /Container "web" does not map port 9090; mapped ports: 8080/],
      ['same production and test port', (s) => deploy(s, { traffic: { productionPort: 8080, testPort: 8080 } }), /productionPort and testPort are both 8080/],
      ['port out of range', (s) => deploy(s, { traffic: { productionPort: 70000 } }), /productionPort must be a whole number from 1 to 65535; received 70000/],
      ['testPort without a test listener', (s) => deploy(s, { traffic: { testListener: false, testPort: 9000 } }), /testPort is 9000 but testListener is false; drop testPort or turn the test listener on/],
      ['both load balancers', (s) => {
        const { cluster, taskDefinition } = ecsFixture(s);
        new EcsDeployment(s, 'Web', {
          cluster,
          taskDefinition,
          traffic: {
            applicationLoadBalancer: new elbv2.ApplicationLoadBalancer(s, 'A', { vpc: cluster.vpc }),
            networkLoadBalancer: new elbv2.NetworkLoadBalancer(s, 'N', { vpc: cluster.vpc }),
          },
        });
      }, /either applicationLoadBalancer or networkLoadBalancer, not both/],
      ['trigger timeout over 55 minutes', (s) => deploy(s, { deploymentTimeout: Duration.minutes(60) }), /timeout must be from 1 to 55 minutes .*received Duration.minutes\(60\)/],
      ['too many alarms', (s) => deploy(s, { alarms: Array.from({ length: 9 }, (_, i) => new cloudwatch.Alarm(s, `A${i}`, { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }), threshold: 1, evaluationPeriods: 1 })) }), /at most 10 alarms; this one would have 11/],
      ['bad threshold', (s) => deploy(s, { defaultAlarms: { unhealthyHostsThreshold: 0 } }), /unhealthyHostsThreshold must be greater than 0; received 0/],
      ['bad period', (s) => deploy(s, { defaultAlarms: { period: Duration.seconds(90) } }), /period must be a whole number of minutes .*received Duration.seconds\(90\)/],
      ['negative desired count', (s) => deploy(s, { service: { desiredCount: -1 } }), /desiredCount must be a whole number of at least 0; received -1/],
      ['bad group name', (s) => deploy(s, { deploymentGroupName: 'has space' }), /deploymentGroupName/],
      ['managed policy with own role', (s) => deploy(s, { useAwsManagedPolicy: true, role: new iam.Role(s, 'R', { assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com') }) }), /useAwsManagedPolicy only applies to the role the pattern creates/],
      ['capacity strategy with two bases', (s) => deploy(s, { service: { capacityProviderStrategies: [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 1, weight: 1 }] } }), /only one capacity provider may have a base; received bases on FARGATE, FARGATE_SPOT/],
    ];
    test.each(cases)('%s', (_name, build, message) => {
      const stack = testStack();
      expect(() => build(stack)).toThrow(message);
    });

    test('errors name the construct path', () => {
      const stack = testStack();
      expect(() => deploy(stack, { service: { desiredCount: -1 } })).toThrow(/\[TestStack\/Web\] invalid configuration/);
    });
  });

  describe('a built-in AfterAllowTraffic hook announces its status to the trigger\'s mailbox', () => {
    const health = () => LifecycleHook.httpCheck({ target: HttpCheckTarget.url('https://example.com/health') });
    const announcing = (stack: Stack, props: Partial<EcsDeploymentProps> = {}) => deploy(stack, { hooks: { afterAllowTraffic: health() }, ...props });
    const hookRules = (t: Template) => t.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: ['cdk-codedeploy-patterns'] } } });
    const hookEnv = (t: Template) => Object.values(t.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('HTTP check') } }))
      .map((fn: any) => fn.Properties.Environment.Variables.HOOK_ANNOUNCE_STATUS);

    test('the hook function announces, the group\'s rule sends it to the mailbox, the trigger is told', () => {
      const stack = testStack();
      const web = announcing(stack);
      const t = Template.fromStack(stack);
      expect(hookEnv(t)).toEqual(['true']);
      const rules = Object.values(hookRules(t)) as any[];
      expect(rules).toHaveLength(1);
      expect(rules[0].Properties.EventPattern).toEqual({
        'source': ['cdk-codedeploy-patterns'],
        'detail-type': ['CodeDeploy Lifecycle Hook Status Reported'],
        'detail': {
          application: [stack.resolve(web.application!.applicationName)],
          deploymentGroup: [stack.resolve(web.deploymentGroup!.deploymentGroupName)],
        },
      });
      // To the same queue as the state changes.
      const queue = Object.keys(t.findResources('AWS::SQS::Queue'));
      expect(queue).toHaveLength(1);
      expect(rules[0].Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [queue[0], 'Arn'] } })]);
      t.hasResourceProperties('Custom::CodeDeployDeployment', { AfterTrafficHookAnnounces: 'true', EventQueueUrl: { Ref: queue[0] } });
      // The trigger starts once the rule is in place.
      const ruleId = Object.keys(hookRules(t))[0];
      expect(Object.values(t.findResources('Custom::CodeDeployDeployment'))[0].DependsOn).toContain(ruleId);
      // The hook may read its group's deployments and put only its own events on the default bus.
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: ['codedeploy:PutLifecycleEventHookExecutionStatus', 'codedeploy:GetDeployment'] }),
            Match.objectLike({
              Action: 'events:PutEvents',
              Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:us-east-1:123456789012:event-bus/default']] },
              Condition: { StringEquals: { 'events:source': 'cdk-codedeploy-patterns', 'events:detail-type': 'CodeDeploy Lifecycle Hook Status Reported' } },
            }),
          ]),
        },
      });
    });

    test('your own function made with hookHandler announces when you say so (announcesStatus)', () => {
      const stack = testStack();
      const fn = userFunction(stack, 'AfterTrafficHook');
      deploy(stack, { hooks: { afterAllowTraffic: LifecycleHook.fromFunction(fn, { announcesStatus: true }) } });
      const t = Template.fromStack(stack);
      expect(Object.keys(hookRules(t))).toHaveLength(1);
      t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ HOOK_ANNOUNCE_STATUS: 'true' }) }, Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AfterTrafficHookRole'), 'Arn'] } });
      t.hasResourceProperties('Custom::CodeDeployDeployment', { AfterTrafficHookAnnounces: 'true' });
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^AfterTrafficHookRole') }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'events:PutEvents', Condition: { StringEquals: Match.objectLike({ 'events:source': 'cdk-codedeploy-patterns' }) } })]) },
      });
    });

    test('announcesStatus on an imported function is an error: its environment and role cannot be changed', () => {
      const stack = testStack();
      const imported = lambda.Function.fromFunctionAttributes(stack, 'Imported', { functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:check', sameEnvironment: true });
      expect(() => deploy(stack, { hooks: { afterAllowTraffic: LifecycleHook.fromFunction(imported, { announcesStatus: true }) } }))
        .toThrow(/LifecycleHook\.fromFunction\(TestStack\/Imported, \{ announcesStatus: true \}\) at AfterAllowTraffic: .*an imported function does not let it change\. Define the function in this app, or drop announcesStatus\./);
    });

    const pollingInfo = (stack: Stack) => Annotations.fromStack(stack).findInfo('*', Match.stringLikeRegexp('does not announce its end'));

    test.each<[string, (stack: Stack) => Partial<EcsDeploymentProps>, boolean]>([
      ['a hook at another event', () => ({ hooks: { afterAllowTestTraffic: health() } }), false],
      ['your own function (it does not announce)', (stack) => ({ hooks: { afterAllowTraffic: LifecycleHook.fromFunction(userFunction(stack, 'Hook')) } }), true],
      ['waitForTermination (answered at the end: a SUCCESS event)', () => ({ hooks: { afterAllowTraffic: health() }, blueGreen: { waitForTermination: true } }), false],
    ])('nothing announces, no rule, no grant: %s', (_name, props, polls) => {
      const stack = testStack();
      deploy(stack, props(stack));
      const t = Template.fromStack(stack);
      expect(hookRules(t)).toEqual({});
      expect(hookEnv(t).filter((v) => v !== undefined)).toEqual([]);
      expect(JSON.stringify(t.toJSON())).not.toMatch(/events:PutEvents/);
      expect(Object.values(t.findResources('Custom::CodeDeployDeployment'))[0].Properties.AfterTrafficHookAnnounces).toBeUndefined();
      // Only where the trigger polls through the hook is the user told so, on the deployment, with the way out.
      const info = pollingInfo(stack);
      expect(info).toHaveLength(polls ? 1 : 0);
      if (polls) {
        expect(info[0].id).toBe('/TestStack/Web');
        expect(info[0].entry.data).toMatch(new RegExp('^The afterAllowTraffic hook \\(TestStack/Hook\\) does not announce its end, so while it runs the deployment trigger '
          + 'polls CodeDeploy every 1 to 5 s .*bind it with LifecycleHook\\.fromFunction\\(fn, \\{ announcesStatus: true \\}\\)\\.$'));
      }
    });

    test('a hook that announces (built-in, or yours with announcesStatus) gets no polling notice', () => {
      const builtIn = testStack();
      announcing(builtIn);
      expect(pollingInfo(builtIn)).toEqual([]);
      const own = testStack();
      deploy(own, { hooks: { afterAllowTraffic: LifecycleHook.fromFunction(userFunction(own, 'AfterTrafficHook'), { announcesStatus: true }) } });
      expect(pollingInfo(own)).toEqual([]);
    });
  });

  snapshotSuite({
    'defaults': (stack) => deploy(stack),
    'everything on': (stack) => everythingOn(stack),
  });

  // The findings of the traffic's defaults (plain HTTP, internet-facing, no access logs, web ACL or
  // deletion protection) are the user's to see: each case acknowledges them as a user would.
  complianceSuite({
    'defaults': (stack) => { deploy(stack); acknowledgeTrafficChoices(stack); },
    'everything on': (stack) => { everythingOn(stack); acknowledgeTrafficChoices(stack); },
    'network load balancer': (stack) => { deploy(stack, { traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK } }); acknowledgeTrafficChoices(stack); },
    'internal, no test listener': (stack) => {
      deploy(stack, { traffic: { internetFacing: false, testListener: false } });
      acknowledgeTrafficChoices(stack);
      acknowledgeUserChoice(stack, 'no test listener', 'CodeDeploy-CD4');
    },
    'an announcing AfterAllowTraffic hook': (stack) => {
      deploy(stack, { hooks: { afterAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('https://example.com/health') }) } });
      acknowledgeTrafficChoices(stack);
    },
    'AWS managed policy': (stack) => {
      deploy(stack, { useAwsManagedPolicy: true });
      acknowledgeTrafficChoices(stack);
      acknowledgeUserChoice(stack, 'the AWS managed policy', 'CodeDeploy-CD7');
    },
    // The log bucket's policy (aws-cdk-lib's logAccessLogs) through the IAM reference check and cfn-lint, in every partition.
    'access logs and deletion protection': (stack) => {
      const logs = new s3.Bucket(stack, 'Logs', {
        encryption: s3.BucketEncryption.S3_MANAGED, // the only encryption ELB access logs support, hence no KMS
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
      });
      acknowledgeFixture(logs, 'the user\'s access-log bucket', 'S3BucketLoggingEnabled', 'S3BucketReplicationEnabled', 'S3DefaultEncryptionKMS');
      Validations.of(logs).acknowledge({ id: 'AwsSolutions-S1', reason: 'Test fixture: the user\'s access-log bucket.' });
      deploy(stack, { traffic: { accessLogBucket: logs, accessLogPrefix: 'web', deletionProtection: true } });
      acknowledgeTrafficChoices(stack);
    },
  }, { allPacks: true });

  test('the traffic\'s defaults surface as findings in the user\'s stack; the library acknowledges none of them', () => {
    const stack = testStack();
    deploy(stack);
    const rules = nagFindings(stack, true).map((f) => String(f).split(' at ')[0]);
    for (const expected of ['AwsSolutions-ELB2', 'AwsSolutions-EC23', 'NIST.800.53.R5-ELBLoggingEnabled', 'NIST.800.53.R5-ALBWAFEnabled',
      'NIST.800.53.R5-ELBDeletionProtectionEnabled', 'NIST.800.53.R5-ALBHttpToHttpsRedirection', 'NIST.800.53.R5-ELBv2ACMCertificateRequired']) {
      expect(rules).toContain(expected);
    }
    const acknowledged = testStack();
    deploy(acknowledged);
    acknowledgeTrafficChoices(acknowledged);
    expect(nagFindings(acknowledged, true)).toEqual([]);
  });
});
