import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DeploymentEvent, DeploymentSource, ServerBlueGreenDeployment, ServerBlueGreenDeploymentProps, ServerLoadBalancer, ServerRevision } from '../../src';
import { complianceSuite, testStack } from '../harness';
import { blueGreenFixture, secureTopic } from '../util';

const WEB = path.join(__dirname, '..', '..', 'examples', 'server-in-place', 'web');

function blueGreen(stack: Stack, props: Partial<ServerBlueGreenDeploymentProps> = {}) {
  const f = blueGreenFixture(stack);
  return new ServerBlueGreenDeployment(stack, 'Web', {
    revision: ServerRevision.fromDirectory(WEB),
    vpc: f.vpc,
    launchTemplate: f.launchTemplate,
    loadBalancers: [ServerLoadBalancer.application(f.targetGroup)],
    ...props,
  });
}

const alarm = (stack: Stack, id: string) =>
  new cloudwatch.Alarm(stack, id, { metric: new cloudwatch.Metric({ namespace: 'Web', metricName: id }), threshold: 1, evaluationPeriods: 1 });

describe('ServerBlueGreenDeployment', () => {
  describe('defaults', () => {
    const stack = testStack();
    const dep = blueGreen(stack);
    const t = Template.fromStack(stack);
    const prefix = 'TestStack-Web-295BC7D3-fleet';

    test('the fleet: named by the revision and the launch template\'s version (so either change replaces it), 2 to 4 instances, no desired capacity, not attached to the target group', () => {
      t.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 1);
      t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
        AutoScalingGroupName: { 'Fn::Join': ['-', [Match.stringLikeRegexp(`^${prefix}-[0-9a-f]{8}$`), { 'Fn::GetAtt': [Match.stringLikeRegexp('^LaunchTemplate'), 'LatestVersionNumber'] }]] },
        MinSize: '2',
        MaxSize: '4',
        LaunchTemplate: { Version: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LaunchTemplate'), 'LatestVersionNumber'] } },
        DesiredCapacity: Match.absent(),
        TargetGroupARNs: Match.absent(),
        // Every generation is tagged (not its instances): the trigger finds generations a failed cleanup left behind.
        Tags: Match.arrayWith([{ Key: 'cdk-codedeploy-patterns:fleet', Value: prefix, PropagateAtLaunch: false }]),
      });
      // No rolling or replacing update policy: a new name makes CloudFormation replace the group.
      const fleet = Object.values(t.findResources('AWS::AutoScaling::AutoScalingGroup'))[0] as any;
      expect(Object.keys(fleet.UpdatePolicy ?? {})).toEqual(['AutoScalingScheduledAction']);
      expect(dep.fleet.node.defaultChild).toBeDefined();
    });

    test('another revision gives the fleet another name; the same revision the same name', () => {
      const name = (dir: string) => {
        const s = testStack();
        blueGreen(s, { revision: ServerRevision.fromDirectory(dir) });
        const asg = Object.values(Template.fromStack(s).findResources('AWS::AutoScaling::AutoScalingGroup'))[0] as any;
        return asg.Properties.AutoScalingGroupName['Fn::Join'][1][0];
      };
      const other = fs.mkdtempSync(path.join(os.tmpdir(), 'bg-revision-'));
      fs.cpSync(WEB, other, { recursive: true });
      fs.writeFileSync(path.join(other, 'VERSION'), '2');
      expect(name(WEB)).toBe(name(WEB));
      expect(name(WEB)).not.toBe(name(other));
    });

    test('the deployment group: the custom resource on the fleet, its target group, rollback on failure and stop, HalfAtATime', () => {
      t.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 0);
      t.hasResourceProperties('Custom::CodeDeployServerBlueGreenGroup', {
        ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CodeDeployPatternsDeploymentTriggerFunction'), 'Arn'] },
        ApplicationName: { Ref: Match.stringLikeRegexp('^WebApplication') },
        DeploymentGroupName: 'TestStack-Web-295BC7D3',
        ServiceRoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebServiceRole'), 'Arn'] },
        DeploymentConfigName: 'CodeDeployDefault.HalfAtATime',
        FleetAutoScalingGroupName: { Ref: Match.stringLikeRegexp('^WebFleetASG') },
        TargetGroupNames: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^WebTargets'), 'TargetGroupName'] }],
        ClassicLoadBalancerNames: [],
        // The default alarms: unhealthy hosts over the target group, failed status checks of the fleet being deployed to.
        AlarmNames: [{ Ref: Match.stringLikeRegexp('^WebUnhealthyHostsAlarm') }, { Ref: Match.stringLikeRegexp('^WebStatusCheck') }],
        AutoRollbackEvents: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'],
        TerminationHook: false,
        OutdatedInstancesStrategy: 'UPDATE',
        TriggerConfigurations: [],
      });
      // Created after the service role's policy (CodeDeploy installs lifecycle hooks with it) and the function's grants.
      const group = Object.values(t.findResources('Custom::CodeDeployServerBlueGreenGroup'))[0] as any;
      expect(group.DependsOn).toEqual(expect.arrayContaining([
        expect.stringMatching(/^WebServiceRoleDefaultPolicy/), expect.stringMatching(/^CodeDeployPatternsDeploymentTriggerRoleDefaultPolicy/),
      ]));
      expect(dep.deploymentGroup.deploymentGroupName).toBe('TestStack-Web-295BC7D3');
      expect(dep.deploymentGroup.deploymentConfig.deploymentConfigName).toBe('CodeDeployDefault.HalfAtATime');
    });

    test('the trigger deploys every revision to the new fleet (blue/green after the first), after the group, the instance role and the agent', () => {
      t.hasResourceProperties('Custom::CodeDeployDeployment', {
        DeploymentGroupName: 'TestStack-Web-295BC7D3',
        DeployOnCreate: true,
        WaitForAutoScalingGroups: [{ Ref: Match.stringLikeRegexp('^WebFleetASG') }],
        AgentAssociationIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^WebAgent'), 'AssociationId'] }],
        BlueGreenFleet: {
          AutoScalingGroupName: { Ref: Match.stringLikeRegexp('^WebFleetASG') },
          FleetTag: { Key: 'cdk-codedeploy-patterns:fleet', Value: prefix },
          BlueGreenConfiguration: JSON.stringify({
            greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' },
            deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
            terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' },
          }),
        },
      });
      const trigger = Object.values(t.findResources('Custom::CodeDeployDeployment'))[0] as any;
      expect(trigger.DependsOn).toEqual(expect.arrayContaining([
        expect.stringMatching(/^WebDeploymentGroup/), expect.stringMatching(/^InstanceRoleDefaultPolicy/),
      ]));
    });

    test('CodeDeploy\'s role: lifecycle hooks on this fleet\'s generations only, its target group, launch-template instances; none of the copy actions', () => {
      const statements = Object.values(t.findResources('AWS::IAM::Policy'))
        .filter((p: any) => JSON.stringify(p.Properties.Roles).includes('WebServiceRole'))
        .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
      const actions = statements.flatMap((st: any) => [].concat(st.Action));
      for (const copyOnly of ['autoscaling:CreateAutoScalingGroup', 'autoscaling:DeleteAutoScalingGroup', 'ec2:TerminateInstances', 'autoscaling:PutScalingPolicy', 'cloudwatch:PutMetricAlarm']) {
        expect(actions).not.toContain(copyOnly);
      }
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: ['autoscaling:PutLifecycleHook', 'autoscaling:DeleteLifecycleHook', 'autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat'],
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/${prefix}-*`]] },
      });
      expect(statements).toContainEqual({
        Effect: 'Allow',
        Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
        Resource: { Ref: expect.stringMatching(/^WebTargets/) },
      });
    });

    test('the trigger function\'s role: the group\'s lifecycle, passing exactly this service role to CodeDeploy, and sizing and suspending this fleet\'s generations only', () => {
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^CodeDeployPatternsDeploymentTriggerRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Effect: 'Allow',
              Action: ['codedeploy:CreateDeploymentGroup', 'codedeploy:UpdateDeploymentGroup', 'codedeploy:DeleteDeploymentGroup', 'codedeploy:GetDeploymentGroup', 'codedeploy:ListDeploymentInstances'],
              Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codedeploy:us-east-1:123456789012:deploymentgroup:', { Ref: Match.stringLikeRegexp('^WebApplication') }, '/TestStack-Web-295BC7D3']] },
            },
            {
              Effect: 'Allow',
              Action: 'iam:PassRole',
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebServiceRole'), 'Arn'] },
              Condition: { StringEquals: { 'iam:PassedToService': 'codedeploy.amazonaws.com' } },
            },
            {
              Effect: 'Allow',
              Action: ['autoscaling:UpdateAutoScalingGroup', 'autoscaling:SuspendProcesses', 'autoscaling:ResumeProcesses', 'autoscaling:DeleteAutoScalingGroup', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
              Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/${prefix}-*`]] },
            },
          ]),
        },
      });
    });

    test('the instances may read this group\'s revisions and install the agent through Systems Manager', () => {
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('^InstanceRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^CodeDeployPatternsRevisions'), 'Arn'] }, '/CodeDeploy/TestStack-Web-295BC7D3/*']] } }),
          ]),
        },
      });
      t.hasResourceProperties('AWS::SSM::Association', { Name: 'AWS-ConfigureAWSPackage', Targets: [{ Key: 'tag:aws:autoscaling:groupName', Values: [{ Ref: Match.stringLikeRegexp('^WebFleetASG') }] }] });
    });
  });

  test('props: capacities, deployment configuration, alarms (rollback on alarm, the role may read them), notifications, group name', () => {
    const stack = testStack();
    const a = alarm(stack, 'Errors');
    blueGreen(stack, {
      minCapacity: 3,
      maxCapacity: 9,
      deploymentConfig: codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME,
      alarms: [a],
      fleetNotifications: [{ topic: secureTopic(stack, 'FleetEvents') }],
      deploymentGroupName: 'web-bg',
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '3', MaxSize: '9', NotificationConfigurations: Match.anyValue() });
    t.hasResourceProperties('Custom::CodeDeployServerBlueGreenGroup', {
      DeploymentGroupName: 'web-bg',
      DeploymentConfigName: 'CodeDeployDefault.OneAtATime',
      AlarmNames: [Match.anyValue(), Match.anyValue(), { Ref: Match.stringLikeRegexp('^Errors') }],
      AutoRollbackEvents: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'],
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^WebServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Effect: 'Allow',
          Action: 'cloudwatch:DescribeAlarms',
          Resource: [
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebUnhealthyHostsAlarm'), 'Arn'] },
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebStatusCheckAlarm'), 'Arn'] },
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^Errors'), 'Arn'] },
          ],
        }]),
      },
    });
    t.hasResourceProperties('Custom::CodeDeployDeployment', { DeploymentGroupName: 'web-bg' });
  });

  test('notifications: the group\'s triggers, and the service role may publish to the topic', () => {
    const stack = testStack();
    const topic = secureTopic(stack, 'Ops');
    blueGreen(stack, { notifications: [{ topic, events: [DeploymentEvent.DEPLOYMENT_FAILURE], name: 'failures' }] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('Custom::CodeDeployServerBlueGreenGroup', {
      TriggerConfigurations: [{ TriggerName: 'failures', TriggerTargetArn: { Ref: Match.stringLikeRegexp('^Ops') }, TriggerEvents: ['DeploymentFailure'] }],
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^WebServiceRole') }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Resource: { Ref: Match.stringLikeRegexp('^Ops') } })]) },
    });
  });

  test('a bundle already in S3 is deployed from where it is: no revision bucket is created', () => {
    const stack = testStack();
    const bundles = s3.Bucket.fromBucketName(stack, 'Bundles', 'my-releases');
    const dep = blueGreen(stack, { revision: ServerRevision.fromBucket(bundles, 'web/app-1.zip') });
    expect(dep.revisionBucket).toBe(bundles);
    Template.fromStack(stack).resourceCountIs('AWS::S3::Bucket', 0);
    Template.fromStack(stack).hasResourceProperties('Custom::CodeDeployDeployment', { S3Location: { Bucket: 'my-releases', Key: 'web/app-1.zip' } });
  });

  test('maxCapacity defaults to twice minCapacity', () => {
    const stack = testStack();
    blueGreen(stack, { minCapacity: 3 });
    Template.fromStack(stack).hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', { MinSize: '3', MaxSize: '6' });
  });

  describe('errors', () => {
    test('a launch template without a role', () => {
      const stack = testStack();
      const f = blueGreenFixture(stack);
      const lt = new ec2.LaunchTemplate(stack, 'NoRole', { machineImage: ec2.MachineImage.latestAmazonLinux2023(), instanceType: new ec2.InstanceType('t3.micro') });
      expect(() => new ServerBlueGreenDeployment(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), vpc: f.vpc, launchTemplate: lt, loadBalancers: [ServerLoadBalancer.application(f.targetGroup)] }))
        .toThrow(/launchTemplate TestStack\/NoRole has no role; create it with role/);
    });

    test('no load balancer', () => {
      expect(() => blueGreen(testStack(), { loadBalancers: [] })).toThrow(/loadBalancers is empty; a blue\/green deployment moves traffic on a load balancer/);
    });

    test('a target group of IP targets', () => {
      const stack = testStack();
      const f = blueGreenFixture(stack);
      const ip = new elbv2.ApplicationTargetGroup(stack, 'Ip', { vpc: f.vpc, port: 80, targetType: elbv2.TargetType.IP });
      expect(() => new ServerBlueGreenDeployment(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), vpc: f.vpc, launchTemplate: f.launchTemplate, loadBalancers: [ServerLoadBalancer.application(ip)] }))
        .toThrow(/target group TestStack\/Ip has target type ip; EC2 blue\/green needs target type instance/);
    });

    test('a deployment group name CodeDeploy rejects (the patterns\' shared rule)', () => {
      expect(() => blueGreen(testStack(), { deploymentGroupName: 'web group' })).toThrow(/deploymentGroupName.*received "web group"/);
    });

    test('pipeline mode, with the reason', () => {
      expect(() => blueGreen(testStack(), { deploymentSource: DeploymentSource.PIPELINE }))
        .toThrow(/deploymentSource is PIPELINE, but CodePipeline's CodeDeploy action .* cannot name the new fleet a blue\/green deployment targets\. Use ServerDeployment \(in place\) with DeploymentSource.PIPELINE/);
    });

    test('more than 10 notifications', () => {
      const stack = testStack();
      const topic = secureTopic(stack, 'Ops');
      const eleven = Array.from({ length: 11 }, () => ({ topic, events: [DeploymentEvent.DEPLOYMENT_FAILURE] }));
      expect(() => blueGreen(stack, { notifications: eleven }))
        .toThrow(/A deployment group takes at most 10 notifications \(CodeDeploy triggers\); received 11/);
    });

    test('more than 10 alarms', () => {
      const stack = testStack();
      expect(() => blueGreen(stack, { alarms: Array.from({ length: 9 }, (_, i) => alarm(stack, `A${i}`)) }))
        .toThrow(/A deployment group takes at most 10 alarms; this one would have 11 \(9 given in alarms \+ 2 default alarms\)/);
    });

    test.each([
      [{ minCapacity: 0 }, /minCapacity must be a whole number of at least 1 .*; received 0/],
      [{ minCapacity: 4, maxCapacity: 3 }, /maxCapacity \(3\) is below minCapacity \(4\)/],
    ])('capacities %p', (props, message) => {
      expect(() => blueGreen(testStack(), props)).toThrow(message);
    });
  });

  test('the status-check alarm watches the fleet (each new generation: the one being deployed to)', () => {
    const stack = testStack();
    const dep = blueGreen(stack);
    expect(dep.alarms).toHaveLength(2);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ Dimensions: [{ Name: 'AutoScalingGroupName', Value: { Ref: Match.stringLikeRegexp('^WebFleetASG') } }] }) }) })]),
    });
    Annotations.fromStack(stack).hasNoWarning('/TestStack/Web', Match.stringLikeRegexp('no alarms'));
  });

  test('no alarms at all (defaults off, none given): a warning that only failed scripts stop a deployment', () => {
    const stack = testStack();
    const dep = blueGreen(stack, { defaultAlarms: { unhealthyHosts: false, instanceStatusChecks: false } });
    expect(dep.alarms).toEqual([]);
    Template.fromStack(stack).hasResourceProperties('Custom::CodeDeployServerBlueGreenGroup', { AlarmNames: [], AutoRollbackEvents: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] });
    Annotations.fromStack(stack).hasWarning('/TestStack/Web', Match.stringLikeRegexp('no alarms'));
  });
});

complianceSuite({
  'defaults': (stack) => {
    blueGreen(stack, { fleetNotifications: [{ topic: secureTopic(stack, 'FleetEvents') }] });
  },
  'alarms and two target groups': (stack) => {
    const f = blueGreenFixture(stack);
    const other = new elbv2.ApplicationTargetGroup(stack, 'Api', { vpc: f.vpc, port: 8080, targetType: elbv2.TargetType.INSTANCE });
    f.loadBalancer.addListener('Api', { port: 8080, open: false, defaultTargetGroups: [other] });
    new ServerBlueGreenDeployment(stack, 'Web', {
      revision: ServerRevision.fromDirectory(WEB),
      vpc: f.vpc,
      launchTemplate: f.launchTemplate,
      loadBalancers: [ServerLoadBalancer.application(f.targetGroup), ServerLoadBalancer.application(other)],
      alarms: [alarm(stack, 'Errors')],
      fleetNotifications: [{ topic: secureTopic(stack, 'FleetEvents') }],
      notifications: [{ topic: secureTopic(stack, 'Ops'), events: [DeploymentEvent.DEPLOYMENT_FAILURE, DeploymentEvent.DEPLOYMENT_ROLLBACK] }],
    });
  },
});
