import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnParameter, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elb from 'aws-cdk-lib/aws-elasticloadbalancing';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import {
  AgentInstallation,
  AgentMajorVersion,
  AutoScalingProcess,
  CodeDeployServiceRole,
  ComputePlatform,
  DeploymentSource,
  DeploymentEvent,
  DeploymentState,
  FileExistsBehavior,
  OutdatedInstancesStrategy,
  ServerAppSpec,
  ServerDeployment,
  ServerDeploymentProps,
  ServerLoadBalancer,
  ServerOs,
  ServerRevision,
} from '../../src';
import { acknowledge } from '../../src/private/nag';
import { complianceSuite, snapshotSuite, testStack } from '../harness';
import { checkTemplate } from '../iam/reference';
import { acknowledgeFixture, acknowledgeUserChoice, secureTopic, serverFixture } from '../util';

const WEB = path.join(__dirname, '..', '..', 'examples', 'server-in-place', 'web');

function deploy(stack: Stack, props: Partial<ServerDeploymentProps> = {}, id = 'Web') {
  const fixture = serverFixture(stack);
  const dep = new ServerDeployment(stack, id, {
    revision: ServerRevision.fromDirectory(WEB),
    autoScalingGroups: [fixture.asg],
    ...props,
  });
  return { dep, fixture };
}

function everythingOn(stack: Stack) {
  const application = new codedeploy.ServerApplication(stack, 'SharedApp', { applicationName: 'shared-server' });
  const config = new codedeploy.ServerDeploymentConfig(stack, 'Zonal', {
    minimumHealthyHosts: codedeploy.MinimumHealthyHosts.percentage(75),
    zonalConfig: {
      monitorDuration: Duration.minutes(10),
      firstZoneMonitorDuration: Duration.minutes(20),
      minimumHealthyHostsPerZone: codedeploy.MinimumHealthyHostsPerZone.count(1),
    },
  });
  const latency = new cloudwatch.Alarm(stack, 'LatencyAlarm', {
    metric: new cloudwatch.Metric({ namespace: 'MyApp', metricName: 'Latency' }),
    threshold: 500,
    evaluationPeriods: 1,
  });
  acknowledgeFixture(latency, 'the user\'s alarm, paging is theirs', 'CloudWatchAlarmAction');
  const revisions = new s3.Bucket(stack, 'MyRevisions', {
    enforceSSL: true,
    versioned: true,
    encryptionKey: new kms.Key(stack, 'RevisionsKey', { enableKeyRotation: true }),
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
  });
  acknowledge(revisions, 'AwsSolutions-S1', 'Test fixture: the user\'s bucket.');
  acknowledgeFixture(revisions, 'the user\'s bucket', 'S3BucketLoggingEnabled', 'S3BucketReplicationEnabled');
  const topic = secureTopic(stack, 'Topic');
  const { dep, fixture } = deploy(stack, {
    application,
    deploymentGroupName: 'web-prod',
    deploymentConfig: config,
    loadBalancers: [],
    ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'], tier: ['front', 'edge'] }),
    terminationHook: true,
    outdatedInstancesStrategy: OutdatedInstancesStrategy.IGNORE,
    agentUpdateSchedule: 'rate(7 days)',
    revisionBucket: revisions,
    defaultAlarms: { unhealthyHostsThreshold: 2, period: Duration.minutes(2), evaluationPeriods: 3 },
    alarms: [latency],
    ignorePollAlarmsFailure: true,
    autoRollback: { failedDeployment: true, stoppedDeployment: false, deploymentInAlarm: true },
    notifications: [{ topic, events: [DeploymentEvent.DEPLOYMENT_FAILURE, DeploymentEvent.INSTANCE_FAILURE], name: 'failures' }],
    fileExistsBehavior: FileExistsBehavior.OVERWRITE,
    ignoreApplicationStopFailures: true,
    deploymentTimeout: Duration.minutes(30),
  });
  const onFailure = dep.onDeploymentStateChange('OnFailure', { states: [DeploymentState.FAILURE], target: new targets.SnsTopic(topic) });
  acknowledgeFixture(onFailure, 'the user\'s rule target, without a dead-letter queue', 'EventBusDLQ');
  return { dep, fixture };
}

/** The appspec.yml CodeDeploy would install, read back from the staged bundle. */
function stagedAppSpec(stack: Stack): string {
  const template = Template.fromStack(stack);
  const trigger = Object.values(template.findResources('Custom::CodeDeployDeployment'))[0] as any;
  const hash = String(trigger.Properties.CopyFrom.Key).replace(/\.zip$/, '');
  const outdir = (stack.node.root as App).outdir;
  return fs.readFileSync(path.join(outdir, `asset.${hash}`, 'appspec.yml'), 'utf8');
}

describe('ServerDeployment', () => {
  test('predefined configurations are recognised without touching their construct tree: no error file for the cdk CLI', () => {
    // aws-cdk-lib writes the code of every ValidationError it constructs to CDK_ERROR_FILE, even one
    // that is caught; a predefined configuration's `.node` throws DetachedConstructNodeAccess.
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-error-')), 'error.txt');
    process.env.CDK_ERROR_FILE = file;
    try {
      for (const config of [undefined, codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME, codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME]) {
        const stack = testStack();
        deploy(stack, { deploymentConfig: config });
        Template.fromStack(stack);
      }
    } finally {
      delete process.env.CDK_ERROR_FILE;
    }
    expect(fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : 'no error file').toBe('no error file');
  });

  describe('defaults (an Auto Scaling group with a launch template)', () => {
    let stack: Stack;
    let dep: ServerDeployment;
    let t: Template;
    beforeAll(() => {
      stack = testStack();
      dep = deploy(stack).dep;
      t = Template.fromStack(stack);
    });

    test('a Server application and an in-place deployment group of the Auto Scaling group, rollback on failure, stop and alarm', () => {
      t.hasResourceProperties('AWS::CodeDeploy::Application', { ComputePlatform: 'Server' });
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AutoScalingGroups: [{ Ref: Match.stringLikeRegexp('FleetASG') }],
        AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
        DeploymentConfigName: Match.absent(), // CodeDeploy's default, OneAtATime
        DeploymentStyle: Match.absent(),
        LoadBalancerInfo: Match.absent(),
        AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: Match.stringLikeRegexp('WebStatusCheckAlarm') } }] },
        OutdatedInstancesStrategy: Match.absent(),
        TerminationHookEnabled: Match.absent(),
      });
      expect(dep.deploymentGroup.deploymentConfig.deploymentConfigName).toBe('CodeDeployDefault.OneAtATime');
    });

    test('a scoped Server service role (no managed policy), trusted only for this application\'s groups', () => {
      t.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [
            Match.objectLike({
              Principal: { Service: 'codedeploy.amazonaws.com' },
              Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': Match.anyValue() } },
            }),
          ],
        },
        ManagedPolicyArns: Match.absent(),
      });
      const policy = JSON.stringify(t.findResources('AWS::IAM::Policy'));
      expect(policy).not.toContain('AWSCodeDeployRole');
      expect(dep.role).toBeInstanceOf(iam.Role);
    });

    test('launch template: the service role may run instances and pass exactly the instance role to EC2', () => {
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('CodeDeployPatternsServerServiceRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Action: 'ec2:RunInstances', Resource: '*' }),
            Match.objectLike({ Action: 'ec2:CreateTags', Condition: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } } }),
            Match.objectLike({
              Action: 'iam:PassRole',
              Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('InstanceRole'), 'Arn'] },
              Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
            }),
          ]),
        },
      });
    });

    test('one private, encrypted, TLS-only revision bucket per stack', () => {
      t.resourceCountIs('AWS::S3::Bucket', 1);
      t.hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      });
      t.hasResourceProperties('AWS::S3::BucketPolicy', {
        PolicyDocument: { Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })] },
      });
      expect(dep.revisionBucket).toBe(stack.node.findChild('CodeDeployPatternsRevisions'));
    });

    test('the instance role reads exactly this group\'s revisions and the Region\'s resource kit, and what the SSM Agent needs', () => {
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('InstanceRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Action: ['s3:GetObject', 's3:GetObjectVersion'],
              Effect: 'Allow',
              Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('CodeDeployPatternsRevisions'), 'Arn'] }, Match.stringLikeRegexp('^/CodeDeploy/TestStack-Web-[0-9A-F]{8}/\\*$')]] },
            },
            Match.objectLike({ Sid: 'CodeDeployResourceKitRead', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::aws-codedeploy-us-east-1/*']] } }),
            Match.objectLike({ Sid: 'CodeDeployResourceKitList', Action: 's3:ListBucket' }),
            Match.objectLike({ Sid: 'SsmAgentDocuments', Action: ['ssm:GetDocument', 'ssm:DescribeDocument'] }),
            Match.objectLike({ Sid: 'SsmAgentInstance', Action: Match.arrayWith(['ssm:UpdateInstanceInformation', 'ssm:ListInstanceAssociations']) }),
            Match.objectLike({ Sid: 'SsmAgentMessages', Action: Match.arrayWith(['ec2messages:GetMessages', 'ssmmessages:OpenControlChannel']), Resource: '*' }),
          ]),
        },
      });
      t.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
        ManagedPolicyArns: Match.absent(),
      });
      expect(dep.instanceRoles).toHaveLength(1);
      expect(dep.instanceProfile).toBeUndefined();
    });

    test('the agent is installed and updated weekly by a State Manager association on the group\'s instances, not by user data', () => {
      t.resourceCountIs('AWS::SSM::Association', 1);
      t.hasResourceProperties('AWS::SSM::Association', {
        Name: 'AWS-ConfigureAWSPackage',
        Parameters: { action: ['Install'], name: ['AWSCodeDeployAgent'] },
        ScheduleExpression: 'cron(0 2 ? * SUN *)',
        ApplyOnlyAtCronInterval: false,
        Targets: [{ Key: 'tag:aws:autoscaling:groupName', Values: [{ Ref: Match.stringLikeRegexp('FleetASG') }] }],
      });
      expect(JSON.stringify(t.findResources('AWS::EC2::LaunchTemplate'))).not.toContain('codedeploy');
      expect(dep.agent?.associations).toHaveLength(1);
    });

    test('cdk deploy copies the bundle to the revision bucket and deploys it, once the instances and the agent are ready', () => {
      t.hasResourceProperties('Custom::CodeDeployDeployment', {
        ApplicationName: { Ref: Match.stringLikeRegexp('CodeDeployPatternsServerApplication') },
        DeploymentGroupName: { Ref: Match.stringLikeRegexp('WebDeploymentGroup') },
        DeployOnCreate: true,
        TimeoutSeconds: 3000,
        S3Location: {
          Bucket: { Ref: Match.stringLikeRegexp('CodeDeployPatternsRevisions') },
          Key: Match.stringLikeRegexp('^CodeDeploy/TestStack-Web-[0-9A-F]{8}/[0-9a-f]{64}\\.zip$'),
          BundleType: 'zip',
        },
        CopyFrom: { Bucket: Match.anyValue(), Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.zip$') },
        WaitForAutoScalingGroups: [{ Ref: Match.stringLikeRegexp('FleetASG') }],
        AgentAssociationIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('WebAgentAutoScalingGroups'), 'AssociationId'] }],
        FileExistsBehavior: Match.absent(),
        IgnoreApplicationStopFailures: Match.absent(),
      });
      const trigger = Object.entries(t.findResources('Custom::CodeDeployDeployment'))[0][1] as any;
      const deps: string[] = trigger.DependsOn;
      // The policies it needs by DependsOn; the group, the Auto Scaling group and the agent
      // association through the references above (a DependsOn on them too would be redundant: cfn-lint W3005).
      for (const expected of ['InstanceRoleDefaultPolicy', 'CodeDeployPatternsServerServiceRoleDefaultPolicy']) {
        expect(deps.some((d) => d.startsWith(expected))).toBe(true);
      }
      expect(trigger.Properties.DeploymentGroupName).toEqual({ Ref: expect.stringMatching(/^WebDeploymentGroup/) });
      for (const referenced of ['WebDeploymentGroup', 'WebAgentAutoScalingGroups', 'FleetASG']) {
        expect(deps.filter((d) => d.startsWith(referenced))).toEqual([]);
      }
    });

    test('the trigger may read the asset, write exactly the revision key, and see the groups\' instances and agent status', () => {
      const statements = JSON.stringify(Template.fromStack(stack).findResources('AWS::IAM::Policy', {
        Properties: { Roles: [{ Ref: Match.stringLikeRegexp('CodeDeployPatternsDeploymentTriggerRole') }] },
      }));
      expect(statements).toMatch(/"Action":\["s3:PutObject","s3:PutObjectTagging"\],"Effect":"Allow","Resource":\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["CodeDeployPatternsRevisions\w+","Arn"\]\},"\/CodeDeploy\/TestStack-Web-[0-9A-F]{8}\/[0-9a-f]{64}\.zip"\]\]\}/);
      expect(statements).toContain('"Action":"autoscaling:DescribeAutoScalingGroups","Effect":"Allow","Resource":"*"');
      expect(statements).toMatch(/"Action":"ssm:DescribeInstanceAssociationsStatus","Effect":"Allow","Resource":\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":ec2:us-east-1:123456789012:instance\/\*"\]\]\}/);
    });

    test('the default alarm without a load balancer: failed EC2 status checks of the Auto Scaling group', () => {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 1,
        EvaluationPeriods: 2,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'FILL(asg0, 0)' }),
          Match.objectLike({
            Id: 'asg0',
            MetricStat: Match.objectLike({
              Metric: { Namespace: 'AWS/EC2', MetricName: 'StatusCheckFailed', Dimensions: [{ Name: 'AutoScalingGroupName', Value: { Ref: Match.stringLikeRegexp('FleetASG') } }] },
              Stat: 'Maximum',
              Period: 60,
            }),
          }),
        ]),
      });
      expect(dep.defaultAlarms).toHaveLength(1);
      Annotations.fromStack(stack).hasNoWarning('/TestStack/Web', Match.stringLikeRegexp('no alarms'));
    });

    test('no alarms at all (status checks off, no load balancer, no user alarms): a warning', () => {
      const other = testStack();
      deploy(other, { defaultAlarms: { instanceStatusChecks: false } });
      Template.fromStack(other).resourceCountIs('AWS::CloudWatch::Alarm', 0);
      Annotations.fromStack(other).hasWarning('/TestStack/Web', Match.stringLikeRegexp('no alarms'));
    });

    test('two deployments in a stack share the revision bucket and the trigger function', () => {
      const s = testStack();
      const fixture = serverFixture(s);
      const other = new autoscaling.AutoScalingGroup(s, 'Other', {
        vpc: fixture.vpc,
        instanceType: new ec2.InstanceType('t3.micro'),
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      });
      new ServerDeployment(s, 'A', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [fixture.asg] });
      new ServerDeployment(s, 'B', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [other] });
      const tt = Template.fromStack(s);
      tt.resourceCountIs('AWS::S3::Bucket', 1);
      tt.resourceCountIs('AWS::Lambda::Function', 1);
      tt.resourceCountIs('Custom::CodeDeployDeployment', 2);
    });
  });

  describe('everything on', () => {
    let stack: Stack;
    let dep: ServerDeployment;
    let t: Template;
    beforeAll(() => {
      stack = testStack();
      dep = everythingOn(stack).dep;
      t = Template.fromStack(stack);
    });

    test('deployment group props: name, shared application, custom zonal config, tags, termination hook, outdated instances, alarms, rollback', () => {
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        ApplicationName: { Ref: Match.stringLikeRegexp('SharedApp') },
        DeploymentGroupName: 'web-prod',
        DeploymentConfigName: { Ref: Match.stringLikeRegexp('Zonal') },
        Ec2TagSet: {
          Ec2TagSetList: [{
            Ec2TagGroup: [
              { Key: 'app', Value: 'web', Type: 'KEY_AND_VALUE' },
              { Key: 'tier', Value: 'front', Type: 'KEY_AND_VALUE' },
              { Key: 'tier', Value: 'edge', Type: 'KEY_AND_VALUE' },
            ],
          }],
        },
        TerminationHookEnabled: true,
        OutdatedInstancesStrategy: 'IGNORE',
        AlarmConfiguration: {
          Enabled: true,
          IgnorePollAlarmFailure: true,
          Alarms: [{ Name: { Ref: Match.stringLikeRegexp('WebStatusCheckAlarm') } }, { Name: { Ref: Match.stringLikeRegexp('LatencyAlarm') } }],
        },
        AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM'] },
        TriggerConfigurations: [{ TriggerName: 'failures', TriggerEvents: ['DeploymentFailure', 'InstanceFailure'], TriggerTargetArn: { Ref: Match.stringLikeRegexp('Topic') } }],
      });
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
        MinimumHealthyHosts: { Type: 'FLEET_PERCENT', Value: 75 },
        ZonalConfig: { MonitorDurationInSeconds: 600, FirstZoneMonitorDurationInSeconds: 1200, MinimumHealthyHostsPerZone: { Type: 'HOST_COUNT', Value: 1 } },
      });
      expect(dep.alarms).toHaveLength(2);
    });

    test('the given revision bucket is used (no bucket of ours), tagged instances get an instance profile', () => {
      t.resourceCountIs('AWS::S3::Bucket', 1); // MyRevisions
      expect(stack.node.tryFindChild('CodeDeployPatternsRevisions')).toBeUndefined();
      t.hasResourceProperties('Custom::CodeDeployDeployment', {
        S3Location: Match.objectLike({ Bucket: { Ref: Match.stringLikeRegexp('MyRevisions') } }),
        FileExistsBehavior: 'OVERWRITE',
        IgnoreApplicationStopFailures: true,
        TimeoutSeconds: 1800,
      });
      expect(dep.instanceProfile).toBeDefined();
      t.resourceCountIs('AWS::IAM::InstanceProfile', 2); // the fixture's launch template and ours
    });

    test('agent associations for the group and for each tag key of the first tag group, on the given schedule', () => {
      t.resourceCountIs('AWS::SSM::Association', 3);
      t.hasResourceProperties('AWS::SSM::Association', { Targets: [{ Key: 'tag:app', Values: ['web'] }], ScheduleExpression: 'rate(7 days)' });
      t.hasResourceProperties('AWS::SSM::Association', { Targets: [{ Key: 'tag:tier', Values: ['front', 'edge'] }] });
    });

    test('events rule for failed deployments', () => {
      t.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: { 'source': ['aws.codedeploy'], 'detail-type': ['CodeDeploy Deployment State-change Notification'], 'detail': Match.objectLike({ state: ['FAILURE'] }) },
      });
    });
  });

  describe('load balancers and the default alarm', () => {
    test('a target group: traffic control and an unhealthy-hosts alarm wired to rollback', () => {
      const stack = testStack();
      const fixture = serverFixture(stack);
      const dep = new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        autoScalingGroups: [fixture.asg],
        loadBalancers: [ServerLoadBalancer.application(fixture.targetGroup)],
      });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentStyle: { DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
        LoadBalancerInfo: { TargetGroupInfoList: [{ Name: { 'Fn::GetAtt': [Match.stringLikeRegexp('LoadBalancerHttpWebGroup'), 'TargetGroupName'] } }] },
        AlarmConfiguration: {
          Enabled: true,
          Alarms: [{ Name: { Ref: Match.stringLikeRegexp('WebUnhealthyHostsAlarm') } }, { Name: { Ref: Match.stringLikeRegexp('WebStatusCheckAlarm') } }],
        },
        AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
      });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 1,
        EvaluationPeriods: 2,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'FILL(lb0, 0)' }),
          Match.objectLike({ Id: 'lb0', MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'AWS/ApplicationELB', MetricName: 'UnHealthyHostCount' }), Stat: 'Maximum', Period: 60 }) }),
        ]),
      });
      expect(dep.defaultAlarms).toHaveLength(2);
      // The service role reads exactly those alarms.
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: 'cloudwatch:DescribeAlarms',
              Resource: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('WebUnhealthyHostsAlarm'), 'Arn'] }, { 'Fn::GetAtt': [Match.stringLikeRegexp('WebStatusCheckAlarm'), 'Arn'] }],
            }),
          ]),
        },
      });
    });

    test('a Classic Load Balancer: ElbInfoList and an AWS/ELB alarm; several load balancers combine with MAX', () => {
      const stack = testStack();
      const fixture = serverFixture(stack);
      const clb = new elb.LoadBalancer(stack, 'Classic', { vpc: fixture.vpc });
      new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        autoScalingGroups: [fixture.asg],
        loadBalancers: [ServerLoadBalancer.classic(clb), ServerLoadBalancer.application(fixture.targetGroup)],
        defaultAlarms: { unhealthyHostsThreshold: 3 },
      });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        LoadBalancerInfo: { ElbInfoList: [{ Name: { Ref: Match.stringLikeRegexp('Classic') } }], TargetGroupInfoList: Match.anyValue() },
      });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: 3,
        Metrics: Match.arrayWith([
          Match.objectLike({ Expression: 'MAX([FILL(lb0, 0), FILL(lb1, 0)])' }),
          Match.objectLike({ Id: 'lb0', MetricStat: Match.objectLike({ Metric: Match.objectLike({ Namespace: 'AWS/ELB', Dimensions: [{ Name: 'LoadBalancerName', Value: { Ref: Match.stringLikeRegexp('Classic') } }] }) }) }),
        ]),
      });
    });

    test('both default alarms off: no alarm, a warning', () => {
      const stack = testStack();
      const fixture = serverFixture(stack);
      new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        autoScalingGroups: [fixture.asg],
        loadBalancers: [ServerLoadBalancer.application(fixture.targetGroup)],
        defaultAlarms: { unhealthyHosts: false, instanceStatusChecks: false },
      });
      Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
      Annotations.fromStack(stack).hasWarning('/TestStack/Web', Match.stringLikeRegexp('no alarms'));
    });
  });

  describe('revisions', () => {
    test('a folder without appspec.yml gets the typed AppSpec rendered into the bundle', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rev-'));
      fs.mkdirSync(path.join(dir, 'bin'));
      fs.writeFileSync(path.join(dir, 'bin', 'start.sh'), '#!/bin/bash\nexit 0\n');
      const stack = testStack();
      const fixture = serverFixture(stack);
      const appSpec = new ServerAppSpec({
        os: ServerOs.LINUX,
        files: [{ source: 'bin', destination: '/opt/app/bin' }],
        hooks: { applicationStart: [{ location: 'bin/start.sh', timeout: Duration.seconds(30) }] },
      });
      new ServerDeployment(stack, 'Web', { revision: ServerRevision.fromDirectory(dir, { appSpec }), autoScalingGroups: [fixture.asg] });
      expect(stagedAppSpec(stack)).toBe(appSpec.toYaml());
    });

    test('a folder with appspec.yml is bundled as it is', () => {
      const stack = testStack();
      deploy(stack);
      expect(stagedAppSpec(stack)).toBe(fs.readFileSync(path.join(WEB, 'appspec.yml'), 'utf8'));
    });

    test('a folder with appspec.yaml (the agent\'s second choice) is read and bundled as it is; ignored keys the guide documents warn', () => {
      const content = 'version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /srv/site\npermissions:\n  - object: /srv/site\n    context:\n      user: system_u\n      type: httpd_sys_content_t\n      range: s0\n';
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rev-'));
      fs.mkdirSync(path.join(dir, 'site'));
      fs.writeFileSync(path.join(dir, 'site', 'index.html'), 'hi');
      fs.writeFileSync(path.join(dir, 'appspec.yaml'), content);
      const stack = testStack();
      const fixture = serverFixture(stack);
      new ServerDeployment(stack, 'Web', { revision: ServerRevision.fromDirectory(dir), autoScalingGroups: [fixture.asg] });
      const outdir = App.of(stack)!.synth().directory;
      const staged = fs.readdirSync(outdir).filter((d) => d.startsWith('asset.')).map((d) => path.join(outdir, d, 'appspec.yaml')).filter((f) => fs.existsSync(f));
      expect(staged.map((f) => fs.readFileSync(f, 'utf8'))).toEqual([content]);
      Annotations.fromStack(stack).hasWarning('/TestStack/Web', Match.stringLikeRegexp('appspec\\.yaml: line 9: permissions\\[0\\]\\.context\\.user: the agent ignores "user"'));
    });

    test('a permission on a file the revision copies: the folder decides what is a file (a pattern there fails at Install)', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rev-'));
      fs.writeFileSync(path.join(dir, 'server'), '#!/bin/sh\n');
      fs.writeFileSync(path.join(dir, 'appspec.yml'), 'version: 0.0\nos: linux\nfiles:\n  - source: server\n    destination: /opt/app\npermissions:\n  - object: /opt/app/server\n    pattern: "*.sh"\n    mode: 755\n');
      const stack = testStack();
      const fixture = serverFixture(stack);
      expect(() => new ServerDeployment(stack, 'Web', { revision: ServerRevision.fromDirectory(dir), autoScalingGroups: [fixture.asg] }))
        .toThrow(/line 8: permissions\[0\]\.pattern "\*\.sh" is set on \/opt\/app\/server, a file the revision copies; the agent fails at Install/);
    });

    test('fromBucket: deploys the object with its ETag and version; instances read the key\'s folder', () => {
      const stack = testStack();
      const fixture = serverFixture(stack);
      const bucket = s3.Bucket.fromBucketName(stack, 'Releases', 'my-releases');
      new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromBucket(bucket, 'web/app-1.2.zip', { eTag: 'etag-1', objectVersion: 'v1' }),
        autoScalingGroups: [fixture.asg],
      });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('Custom::CodeDeployDeployment', {
        S3Location: { Bucket: 'my-releases', Key: 'web/app-1.2.zip', BundleType: 'zip', ETag: 'etag-1', Version: 'v1' },
        CopyFrom: Match.absent(),
      });
      t.resourceCountIs('AWS::S3::Bucket', 0);
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('InstanceRole') }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-releases/web/*']] } })]) },
      });
    });

    test.each<[string, () => ServerRevision, RegExp]>([
      ['no appspec.yml', () => ServerRevision.fromDirectory(emptyDir()), /has no appspec\.yml at its root; add one, or pass options\.appSpec/],
      ['AppSpec.yml in the wrong case', () => ServerRevision.fromDirectory(emptyDir({ 'AppSpec.yml': 'version: 0.0\nos: linux\n' })), /has AppSpec\.yml, but the agent looks for appspec\.yml \(or appspec\.yaml\), in lower case/],
      ['invalid appspec.yml', () => ServerRevision.fromDirectory(emptyDir({ 'appspec.yml': 'version: 0.0\nos: solaris\n' })), /appspec\.yml: line 2: os must be linux or windows/],
      ['a script that is not in the folder', () => ServerRevision.fromDirectory(emptyDir({ 'appspec.yml': 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/start.sh\n' })), /hooks\.ApplicationStart: script scripts\/start\.sh is not in the revision folder/],
      ['a script with CRLF line endings', () => ServerRevision.fromDirectory(emptyDir({ 'appspec.yml': 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: start.sh\n', 'start.sh': '#!/bin/bash\r\nexit 0\r\n' })), /script start\.sh has Windows \(CRLF\) line endings/],
      ['a missing script reported together with the file\'s other problems', () => ServerRevision.fromDirectory(emptyDir({ 'appspec.yml': 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: scripts/start.sh\n      timeout: 9999\n' })),
        /timeout[\s\S]*9999[\s\S]*hooks\.ApplicationStart: script scripts\/start\.sh is not in the revision folder/],
      ['a files source that is not in the folder', () => ServerRevision.fromDirectory(emptyDir({ 'appspec.yml': 'version: 0.0\nos: linux\nfiles:\n  - source: site\n    destination: /srv\n' })), /files\[0\]\.source site is not in the revision folder/],
      ['appspec.yml and options.appSpec', () => ServerRevision.fromDirectory(WEB, { appSpec: new ServerAppSpec({ os: ServerOs.LINUX }) }), /has its own appspec\.yml and options\.appSpec was given too; a revision has exactly one AppSpec/],
      ['not a folder', () => ServerRevision.fromDirectory(path.join(WEB, 'appspec.yml')), /is not a folder/],
      ['fromBucket with a JSON bundle', () => ServerRevision.fromBucket(s3.Bucket.fromBucketName(new Stack(), 'B', 'my-bucket'), 'a.json', { bundleType: 'JSON' as any }), /bundleType JSON is for Lambda and ECS AppSpecs/],
      ['fromBucket with a folder key', () => ServerRevision.fromBucket(s3.Bucket.fromBucketName(new Stack(), 'B', 'my-bucket'), 'releases/'), /key must name an object; received "releases\/"/],
    ])('%s is rejected at synth', (_name, revision, message) => {
      const build = () => {
        const stack = testStack();
        const asg = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, 'Fleet', 'fleet');
        return new ServerDeployment(stack, 'Web', { revision: revision(), autoScalingGroups: [asg] });
      };
      expect(build).toThrow(/\[TestStack\/Web\] invalid configuration/);
      expect(build).toThrow(message);
    });
  });

  describe('instances and the agent', () => {
    test('tagged instances: an AgentInstanceProfile to launch them with, and tag-targeted associations', () => {
      const stack = testStack();
      const dep = new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        ec2InstanceTags: new codedeploy.InstanceTagSet({ role: [] }),
      });
      const t = Template.fromStack(stack);
      expect(dep.instanceProfile?.instanceProfile).toBeDefined();
      t.resourceCountIs('AWS::IAM::InstanceProfile', 1);
      t.hasResourceProperties('AWS::SSM::Association', { Targets: [{ Key: 'tag-key', Values: ['role'] }] });
      // No Auto Scaling group to wait for, and no instance of this stack carries the tag.
      t.hasResourceProperties('Custom::CodeDeployDeployment', {
        WaitForAutoScalingGroups: Match.absent(),
        WaitForInstances: [],
        AgentAssociationIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^WebAgentEc2Tag1'), 'AssociationId'] }],
      });
    });

    test('the guide\'s WordPress tutorial: the instance tagged in this stack is created first and its agent installed before the first deployment', () => {
      const stack = testStack();
      const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PUBLIC }] });
      const dep = new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        ec2InstanceTags: new codedeploy.InstanceTagSet({ Name: ['CodeDeployDemo'] }),
      });
      const instance = new ec2.Instance(stack, 'WordPress', {
        vpc,
        instanceType: new ec2.InstanceType('t3.micro'),
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        role: dep.instanceProfile!.role,
        vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      });
      Tags.of(instance).add('Name', 'CodeDeployDemo'); // applied by an aspect, after the pattern was built
      new ec2.Instance(stack, 'Other', { vpc, instanceType: new ec2.InstanceType('t3.micro'), machineImage: ec2.MachineImage.latestAmazonLinux2023(), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } });
      const t = Template.fromStack(stack);
      const instanceId = stack.getLogicalId(instance.node.defaultChild as ec2.CfnInstance);
      t.hasResourceProperties('Custom::CodeDeployDeployment', {
        DeployOnCreate: true,
        WaitForInstances: [{ Ref: instanceId }],
        AgentAssociationIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^WebAgentEc2Tag1'), 'AssociationId'] }],
      });
      t.hasResourceProperties('AWS::SSM::Association', { Targets: [{ Key: 'tag:Name', Values: ['CodeDeployDemo'] }] });
      // The trigger may read the agent installation's status on instances.
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'ssm:DescribeInstanceAssociationsStatus' })]) },
      });
    });

    test('tagged instances: waitForInstances false leaves them out; groups AND-ed, filters OR-ed, key-only filters match any value', () => {
      const build = (tagSet: codedeploy.InstanceTagSet, wait?: boolean) => {
        const stack = testStack();
        const a = new ec2.CfnInstance(stack, 'A', { imageId: 'ami-1', tags: [{ key: 'app', value: 'web' }, { key: 'tier', value: 'front' }] });
        const b = new ec2.CfnInstance(stack, 'B', { imageId: 'ami-1', tags: [{ key: 'app', value: 'web' }] });
        void a; void b;
        new ServerDeployment(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), ec2InstanceTags: tagSet, waitForInstances: wait });
        return Object.values(Template.fromStack(stack).findResources('Custom::CodeDeployDeployment'))[0].Properties.WaitForInstances;
      };
      expect(build(new codedeploy.InstanceTagSet({ app: ['web'] }))).toEqual([{ Ref: 'A' }, { Ref: 'B' }]);
      expect(build(new codedeploy.InstanceTagSet({ app: ['web'] }, { tier: [] }))).toEqual([{ Ref: 'A' }]);
      expect(build(new codedeploy.InstanceTagSet({ app: ['api'], tier: ['front'] }))).toEqual([{ Ref: 'A' }]);
      expect(build(new codedeploy.InstanceTagSet({ app: ['api'] }))).toEqual([]);
      expect(build(new codedeploy.InstanceTagSet({ app: ['web'] }), false)).toBeUndefined();
    });

    test('instanceRoles: the given roles get the grants, no instance profile is created', () => {
      const stack = testStack();
      const role = new iam.Role(stack, 'MyInstances', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      const dep = new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        onPremiseInstanceTags: new codedeploy.InstanceTagSet({ site: ['berlin'] }),
        instanceRoles: [role],
      });
      expect(dep.instanceProfile).toBeUndefined();
      expect(dep.instanceRoles).toEqual([role]);
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        OnPremisesTagSet: { OnPremisesTagSetList: [{ OnPremisesTagGroup: [{ Key: 'site', Value: 'berlin', Type: 'KEY_AND_VALUE' }] }] },
      });
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('MyInstances') }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['s3:GetObject', 's3:GetObjectVersion'] })]) },
      });
    });

    test('installAgent USER_DATA: aws-cdk-lib\'s user data installs the agent, no association, no agent wait', () => {
      const stack = testStack();
      const fleet = userDataFleet(stack);
      const dep = new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        autoScalingGroups: [fleet],
        installAgent: AgentInstallation.USER_DATA,
      });
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::SSM::Association', 0);
      expect(JSON.stringify(t.findResources('AWS::EC2::LaunchTemplate'))).toContain('aws-codedeploy-');
      t.hasResourceProperties('Custom::CodeDeployDeployment', { WaitForAutoScalingGroups: Match.anyValue(), AgentAssociationIds: Match.absent() });
      expect(dep.agent).toBeUndefined();
      // No Systems Manager permissions for the instances.
      expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).not.toContain('ssm:UpdateInstanceInformation');
    });

    test('agent 2.x by Systems Manager: the AWSCodeDeployAgentV2 package, the instance role reads exactly that package, the trigger waits for it', () => {
      const stack = testStack();
      const { dep } = deploy(stack, { agentMajorVersion: AgentMajorVersion.V2 });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::SSM::Association', { Parameters: { action: ['Install'], name: ['AWSCodeDeployAgentV2'] } });
      expect(dep.agent!.packageName).toBe('AWSCodeDeployAgentV2');
      const instancePolicy = JSON.stringify(Object.values(t.findResources('AWS::IAM::Policy')).filter((p: any) => /InstanceRole/.test(JSON.stringify(p.Properties.Roles))));
      expect(instancePolicy).toContain(':document/AWSCodeDeployAgentV2');
      expect(instancePolicy).not.toMatch(/:document\/AWSCodeDeployAgent"/);
      t.hasResourceProperties('Custom::CodeDeployDeployment', { AgentAssociationIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('WebAgentAutoScalingGroups'), 'AssociationId'] }] });
      expect(checkTemplate(t.toJSON())).toEqual([]);
    });

    test('agent 2.x by user data: the guide\'s latestv2 installer without Ruby, not aws-cdk-lib\'s 1.x installer', () => {
      const stack = testStack();
      const fleet = userDataFleet(stack);
      new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        autoScalingGroups: [fleet],
        installAgent: AgentInstallation.USER_DATA,
        agentMajorVersion: AgentMajorVersion.V2,
      });
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::SSM::Association', 0);
      const template = Object.values(t.findResources('AWS::EC2::LaunchTemplate', { Properties: { LaunchTemplateData: { UserData: Match.anyValue() } } }))[0] as any;
      // The script with its tokens as <Ref>: Fn::Base64 of an Fn::Join.
      const parts: unknown[] = template.Properties.LaunchTemplateData.UserData['Fn::Base64']['Fn::Join'][1];
      const script = parts.map((p: any) => (typeof p === 'string' ? p : `<${p.Ref}>`)).join('');
      // The Region's resource kit over HTTPS (amazonaws.com.cn in China), run as root by cloud-init.
      expect(script).toContain('wget -q -O "$CODEDEPLOY_TMP/install" https://aws-codedeploy-<AWS::Region>.s3.<AWS::Region>.<AWS::URLSuffix>/latestv2/install\n');
      expect(script).toContain('"$CODEDEPLOY_TMP/install" auto\n');
      expect(script).not.toContain('/latest/install');
      expect(script).not.toMatch(/ruby/i);
      // bash itself parses the script (user data runs under #!/bin/bash).
      const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'user-data-')), 'user-data.sh');
      fs.writeFileSync(file, script.replace(/<AWS::Region>/g, 'us-east-1').replace(/<AWS::URLSuffix>/g, 'amazonaws.com'));
      const parsed = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
      expect(parsed.stderr).toBe('');
      expect(parsed.status).toBe(0);
    });

    test('agent 1.x by user data stays aws-cdk-lib\'s installer (latest/install)', () => {
      const stack = testStack();
      const fleet = userDataFleet(stack);
      new ServerDeployment(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [fleet], installAgent: AgentInstallation.USER_DATA });
      const userData = JSON.stringify(Template.fromStack(stack).findResources('AWS::EC2::LaunchTemplate'));
      expect(userData).toContain('/latest/install');
      expect(userData).not.toContain('latestv2');
    });

    test('installAgent NONE and waitForInstances false: no association, the trigger does not wait', () => {
      const stack = testStack();
      const fixture = serverFixture(stack);
      new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        autoScalingGroups: [fixture.asg],
        installAgent: AgentInstallation.NONE,
        waitForInstances: false,
      });
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::SSM::Association', 0);
      t.hasResourceProperties('Custom::CodeDeployDeployment', { WaitForAutoScalingGroups: Match.absent() });
    });

    test('useAwsManagedPolicy: AWSCodeDeployRole on the service role and AmazonSSMManagedInstanceCore on the instance role', () => {
      const stack = testStack();
      deploy(stack, { useAwsManagedPolicy: true });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::IAM::Role', {
        ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSCodeDeployRole']] }],
      });
      expect(JSON.stringify(t.findResources('AWS::IAM::Role'))).toContain(':iam::aws:policy/AmazonSSMManagedInstanceCore');
    });

    test('an imported Auto Scaling group: warning that its role needs grantInstanceRole()', () => {
      const stack = testStack();
      const asg = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, 'Imported', 'legacy-asg');
      const dep = new ServerDeployment(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [asg] });
      const role = new iam.Role(stack, 'LegacyRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      dep.grantInstanceRole(role);
      Annotations.fromStack(stack).hasWarning('/TestStack/Web', Match.stringLikeRegexp('instance role of TestStack/Imported is unknown'));
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('LegacyRole') }],
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'CodeDeployResourceKitRead' })]) },
      });
    });

    test('one Auto Scaling group in two deployment groups: a warning', () => {
      const stack = testStack();
      const fixture = serverFixture(stack);
      new ServerDeployment(stack, 'A', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [fixture.asg] });
      new ServerDeployment(stack, 'B', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [fixture.asg] });
      Annotations.fromStack(stack).hasWarning('/TestStack/B', Match.stringLikeRegexp('also in the deployment group of TestStack/A'));
    });

    test('traffic scripts without a load balancer: a warning that they never run', () => {
      const stack = testStack();
      const fixture = serverFixture(stack);
      const dir = emptyDir({ 'appspec.yml': 'version: 0.0\nos: linux\nhooks:\n  BeforeAllowTraffic:\n    - location: a.sh\n', 'a.sh': '#!/bin/bash\n' });
      new ServerDeployment(stack, 'Web', { revision: ServerRevision.fromDirectory(dir), autoScalingGroups: [fixture.asg] });
      Annotations.fromStack(stack).hasWarning('/TestStack/Web', Match.stringLikeRegexp('scripts for BeforeAllowTraffic, which only run when the deployment group has a load balancer'));
    });
  });

  test('an alarm added to the deployment group after construction rolls back and silences the no-alarms warning (was: no rollback on alarm)', () => {
    const build = (addLater: boolean) => {
      const stack = testStack();
      const dep = new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }),
      });
      if (addLater) {
        dep.deploymentGroup.addAlarm(new cloudwatch.Alarm(stack, 'Later', { metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }), threshold: 1, evaluationPeriods: 1 }));
      }
      return stack;
    };
    const without = build(false);
    Template.fromStack(without).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: Match.absent(),
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
    });
    Annotations.fromStack(without).hasWarning('/TestStack/Web', Match.stringLikeRegexp('This deployment has no alarms'));
    const later = build(true);
    Template.fromStack(later).hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: { Ref: Match.stringLikeRegexp('Later') } }] },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
    });
    Annotations.fromStack(later).hasNoWarning('/TestStack/Web', Match.stringLikeRegexp('This deployment has no alarms'));
  });

  describe('Auto Scaling processes suspended during deployments', () => {
    const SUSPEND = ['autoscaling:SuspendProcesses', 'autoscaling:ResumeProcesses'];
    /** The service role's statements that name autoscaling:SuspendProcesses. */
    const suspendStatements = (t: Template) => Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((st: any) => [].concat(st.Action).includes('autoscaling:SuspendProcesses' as never));
    const groupArn = (asgId: RegExp) => ({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/', { Ref: Match.stringLikeRegexp(asgId.source) }]],
    });

    test('by default none: no Ec2DeploymentOptions, and the service role cannot suspend or resume processes', () => {
      const stack = testStack();
      deploy(stack);
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { Ec2DeploymentOptions: Match.absent() });
      expect(suspendStatements(t)).toEqual([]);
      expect(JSON.stringify(t.toJSON())).not.toContain('autoscaling:ResumeProcesses');
    });

    test('the processes go to Ec2DeploymentOptions, and the service role may suspend and resume them on exactly the group', () => {
      const stack = testStack();
      const processes = [AutoScalingProcess.TERMINATE, AutoScalingProcess.AZ_REBALANCE, AutoScalingProcess.INSTANCE_REFRESH];
      deploy(stack, { suspendAutoScalingProcesses: processes });
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AutoScalingGroups: [{ Ref: Match.stringLikeRegexp('FleetASG') }],
        Ec2DeploymentOptions: { AutoScalingGroupProcessesToSuspend: ['Terminate', 'AZRebalance', 'InstanceRefresh'] },
      });
      t.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp('CodeDeployPatternsServerServiceRole') }],
        PolicyDocument: {
          Statement: Match.arrayWith([{
            Action: ['autoscaling:PutLifecycleHook', 'autoscaling:DeleteLifecycleHook', 'autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat', ...SUSPEND],
            Effect: 'Allow',
            Resource: groupArn(/FleetASG/),
          }]),
        },
      });
      expect(suspendStatements(t)).toHaveLength(1);
      expect(checkTemplate(t.toJSON())).toEqual([]);
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('ScheduledActions'));
    });

    test('a group added to the deployment group later can be suspended too', () => {
      const stack = testStack();
      const { dep, fixture } = deploy(stack, { suspendAutoScalingProcesses: [AutoScalingProcess.TERMINATE] });
      const second = new autoscaling.AutoScalingGroup(stack, 'Second', {
        vpc: fixture.vpc,
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      });
      dep.deploymentGroup.addAutoScalingGroup(second);
      const t = Template.fromStack(stack);
      const resources = suspendStatements(t)
        .flatMap((st: any) => [].concat(st.Resource))
        .map((r) => JSON.stringify(r));
      expect(resources).toEqual(expect.arrayContaining([expect.stringMatching(/FleetASG/), expect.stringMatching(/SecondASG/)]));
    });

    test('with the AWS managed policy no statement is added: AWSCodeDeployRole allows both actions (fixture of the managed policy reference)', () => {
      const stack = testStack();
      deploy(stack, { useAwsManagedPolicy: true, suspendAutoScalingProcesses: [AutoScalingProcess.TERMINATE] });
      const t = Template.fromStack(stack);
      expect(suspendStatements(t)).toEqual([]);
      t.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSCodeDeployRole']] }] });
      const managed = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'aws-managed-policies.json'), 'utf8'));
      expect(managed.AWSCodeDeployRole).toEqual(expect.arrayContaining(SUSPEND));
    });

    test('a CodeDeployServiceRole of the user grants them with grantAutoScalingGroups(groups, true)', () => {
      const stack = testStack();
      const fixture = serverFixture(stack);
      const role = new CodeDeployServiceRole(stack, 'Role', { computePlatform: ComputePlatform.SERVER });
      role.grantAutoScalingGroups([fixture.asg], true);
      role.grantAutoScalingGroups([fixture.asg]);
      const t = Template.fromStack(stack);
      // One statement with the suspend actions, on exactly the group (the second grant adds the lifecycle actions only).
      expect(suspendStatements(t)).toHaveLength(1);
      t.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(SUSPEND), Resource: groupArn(/FleetASG/) })]) },
      });
    });

    test('ScheduledActions warns that scheduled actions in a deployment are skipped', () => {
      const stack = testStack();
      deploy(stack, { suspendAutoScalingProcesses: [AutoScalingProcess.SCHEDULED_ACTIONS] });
      Annotations.fromStack(stack).hasWarning('/TestStack/Web', Match.stringLikeRegexp('skipped, not run when the deployment ends'));
    });

    test.each<[string, Partial<ServerDeploymentProps>, RegExp]>([
      ['an empty list', { suspendAutoScalingProcesses: [] }, /suspendAutoScalingProcesses is empty; omit it/],
      ['no Auto Scaling groups', { autoScalingGroups: [], ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), suspendAutoScalingProcesses: [AutoScalingProcess.TERMINATE] },
        /suspends processes of the groups in autoScalingGroups, and there are none.*InvalidAutoScalingGroupProcessToSuspendException/],
      ['a process twice', { suspendAutoScalingProcesses: [AutoScalingProcess.TERMINATE, AutoScalingProcess.TERMINATE] }, /lists Terminate twice/],
      ['a process CodeDeploy cannot suspend', { suspendAutoScalingProcesses: ['Launch' as AutoScalingProcess] },
        /CodeDeploy can suspend Terminate, AZRebalance, InstanceRefresh, ScheduledActions \(case-sensitive\); received "Launch"/],
    ])('error: %s', (_name, props, message) => {
      expect(() => deploy(testStack(), props)).toThrow(message);
    });
  });

  describe('deploymentSource PIPELINE', () => {
    test('no trigger, no revision bucket, no revision grants: cdk deploy never deploys; the group, alarms, rollback and agent stay', () => {
      const stack = testStack();
      const fixture = serverFixture(stack);
      const dep = new ServerDeployment(stack, 'Web', { deploymentSource: DeploymentSource.PIPELINE, autoScalingGroups: [fixture.asg] });
      const t = Template.fromStack(stack);
      expect(dep.deploymentSource).toBe(DeploymentSource.PIPELINE);
      expect(dep.trigger).toBeUndefined();
      expect(dep.revisionBucket).toBeUndefined();
      t.resourceCountIs('Custom::CodeDeployDeployment', 0);
      t.resourceCountIs('AWS::S3::Bucket', 0);
      t.resourceCountIs('AWS::Lambda::Function', 0);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        AutoScalingGroups: [{ Ref: Match.stringLikeRegexp('FleetASG') }],
        AlarmConfiguration: Match.objectLike({ Enabled: true }),
        AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
      });
      t.hasResourceProperties('AWS::SSM::Association', { Parameters: { action: ['Install'], name: ['AWSCodeDeployAgent'] } });
      expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).not.toContain('s3:GetObjectVersion');
      expect(checkTemplate(t.toJSON())).toEqual([]);
    });

    test('grantReadPipelineArtifacts: every instance role reads the artifact bucket and its key, also roles granted later', () => {
      const stack = testStack();
      const fixture = serverFixture(stack);
      const dep = new ServerDeployment(stack, 'Web', {
        deploymentSource: DeploymentSource.PIPELINE,
        autoScalingGroups: [fixture.asg],
        ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }),
      });
      const key = new kms.Key(stack, 'ArtifactsKey', { enableKeyRotation: true });
      const artifacts = new s3.Bucket(stack, 'Artifacts', { encryptionKey: key, enforceSSL: true });
      dep.grantReadPipelineArtifacts(artifacts);
      const later = new iam.Role(stack, 'OnPremisesRole', { assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com') });
      dep.grantInstanceRole(later);
      const t = Template.fromStack(stack);
      const read = Match.objectLike({ Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Artifacts'), 'Arn'] }, '/*']] } });
      for (const role of ['InstanceRole', 'WebInstanceProfileRole', 'OnPremisesRole']) {
        t.hasResourceProperties('AWS::IAM::Policy', { Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }], PolicyDocument: { Statement: Match.arrayWith([read]) } });
      }
      // And each may decrypt with the bucket's key.
      const decrypt = Match.objectLike({ Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ArtifactsKey'), 'Arn'] } });
      for (const role of ['InstanceRole', 'WebInstanceProfileRole', 'OnPremisesRole']) {
        t.hasResourceProperties('AWS::IAM::Policy', { Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }], PolicyDocument: { Statement: Match.arrayWith([decrypt]) } });
      }
      expect(checkTemplate(t.toJSON())).toEqual([]);
    });

    test('the deployment group is what CodePipeline\'s CodeDeploy action takes', () => {
      const stack = testStack();
      const fixture = serverFixture(stack);
      const dep = new ServerDeployment(stack, 'Web', { deploymentSource: DeploymentSource.PIPELINE, autoScalingGroups: [fixture.asg] });
      const source = new s3.Bucket(stack, 'Source', { versioned: true });
      const bundle = new codepipeline.Artifact('Web');
      new codepipeline.Pipeline(stack, 'Pipeline', {
        crossAccountKeys: false,
        stages: [
          { stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Bundle', bucket: source, bucketKey: 'web.zip', output: bundle })] },
          { stageName: 'Deploy', actions: [new actions.CodeDeployServerDeployAction({ actionName: 'InPlace', deploymentGroup: dep.deploymentGroup, input: bundle })] },
        ],
      });
      Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
        Stages: Match.arrayWith([Match.objectLike({
          Name: 'Deploy',
          Actions: [Match.objectLike({
            ActionTypeId: Match.objectLike({ Provider: 'CodeDeploy' }),
            Configuration: { ApplicationName: { Ref: Match.stringLikeRegexp('ServerApplication') }, DeploymentGroupName: { Ref: Match.stringLikeRegexp('WebDeploymentGroup') } },
          })],
        })]),
      });
    });

    test.each<[string, Partial<ServerDeploymentProps>, RegExp]>([
      ['no revision with CDK_DEPLOY', { revision: undefined }, /revision is required: the revision every cdk deploy deploys .*or set deploymentSource: DeploymentSource.PIPELINE/],
      ['a revision with PIPELINE', { deploymentSource: DeploymentSource.PIPELINE }, /deploymentSource is PIPELINE, so the pipeline supplies the revisions and cdk deploy deploys none: drop revision/],
      ['deploymentTimeout with PIPELINE', { deploymentSource: DeploymentSource.PIPELINE, revision: undefined, deploymentTimeout: Duration.minutes(20) },
        /deploymentTimeout applies to the deployments cdk deploy starts, and deploymentSource is PIPELINE .*; drop deploymentTimeout/],
      ['waitForInstances with PIPELINE', { deploymentSource: DeploymentSource.PIPELINE, revision: undefined, waitForInstances: false }, /waitForInstances applies to the deployments cdk deploy starts/],
    ])('error: %s', (_name, props, message) => {
      expect(() => deploy(testStack(), props)).toThrow(message);
    });
  });

  describe('validation', () => {
    const manyGroups = (stack: Stack, n: number) =>
      Array.from({ length: n }, (_, i) => autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, `G${i}`, `g${i}`));
    test.each<[string, (stack: Stack) => Partial<ServerDeploymentProps>, RegExp]>([
      ['no instances', () => ({ autoScalingGroups: [] }), /The deployment group has no instances: give autoScalingGroups, ec2InstanceTags or onPremiseInstanceTags/],
      ['11 Auto Scaling groups', (s) => ({ autoScalingGroups: manyGroups(s, 11) }), /at most 10 Auto Scaling groups; received 11/],
      ['11 tags in a group', () => ({ ec2InstanceTags: new codedeploy.InstanceTagSet({ k: Array.from({ length: 11 }, (_, i) => `v${i}`) }) }), /ec2InstanceTags tag group 1 has 11 tags; CodeDeploy allows at most 10 per group/],
      ['tag key over 128 characters', () => ({ ec2InstanceTags: new codedeploy.InstanceTagSet({ ['k'.repeat(129)]: ['v'] }) }), /tag key "k+\.\.\." is 129 characters; at most 128/],
      ['tag value over 256 characters', () => ({ onPremiseInstanceTags: new codedeploy.InstanceTagSet({ k: ['v'.repeat(257)] }) }), /onPremiseInstanceTags: the value of tag "k" is 257 characters; at most 256/],
      ['empty tag set', () => ({ ec2InstanceTags: new codedeploy.InstanceTagSet() }), /ec2InstanceTags has no tag groups/],
      ['value-only tag with the SSM agent', () => ({ autoScalingGroups: [], ec2InstanceTags: new codedeploy.InstanceTagSet({ '': ['web'] }) }), /State Manager cannot target instances by a tag value alone/],
      ['11 target groups', (s) => ({ loadBalancers: Array.from({ length: 11 }, (_, i) => ServerLoadBalancer.application(importedTargetGroup(s, i))) }), /at most 10 target groups; received 11/],
      ['the same target group twice', (s) => { const tg = importedTargetGroup(s, 0); return { loadBalancers: [ServerLoadBalancer.application(tg), ServerLoadBalancer.application(tg)] }; }, /loadBalancers lists TestStack\/Tg0 twice/],
      ['terminationHook without Auto Scaling groups', () => ({ autoScalingGroups: [], ec2InstanceTags: new codedeploy.InstanceTagSet({ a: ['b'] }), terminationHook: true }), /terminationHook installs a hook in the Auto Scaling groups, but autoScalingGroups is empty/],
      ['outdatedInstancesStrategy without Auto Scaling groups', () => ({ autoScalingGroups: [], ec2InstanceTags: new codedeploy.InstanceTagSet({ a: ['b'] }), outdatedInstancesStrategy: OutdatedInstancesStrategy.IGNORE }), /outdatedInstancesStrategy is about instances Auto Scaling launches/],
      ['USER_DATA with an imported group', (s) => ({ autoScalingGroups: manyGroups(s, 1), installAgent: AgentInstallation.USER_DATA }), /installAgent USER_DATA adds user data to Auto Scaling groups defined in this app; TestStack\/G0 is imported/],
      ['USER_DATA with a launch template without user data', () => ({ installAgent: AgentInstallation.USER_DATA }), /the launch template of TestStack\/Fleet has no user data to add the agent installation to/],
      ['agentMajorVersion with installAgent NONE', () => ({ installAgent: AgentInstallation.NONE, agentMajorVersion: AgentMajorVersion.V2 }), /agentMajorVersion chooses what the pattern installs, and installAgent is NONE/],
      ['agent 2.x by user data on Windows', (s) => {
        const windows = new autoscaling.AutoScalingGroup(s, 'WindowsFleet', {
          vpc: new ec2.Vpc(s, 'WinVpc', { availabilityZones: ['us-east-1a'], natGateways: 0 }),
          instanceType: new ec2.InstanceType('t3.micro'),
          machineImage: ec2.MachineImage.latestWindows(ec2.WindowsVersion.WINDOWS_SERVER_2022_ENGLISH_FULL_BASE),
        });
        return { autoScalingGroups: [windows], installAgent: AgentInstallation.USER_DATA, agentMajorVersion: AgentMajorVersion.V2 };
      }, /installAgent USER_DATA installs agent 2.x with the user guide's Linux installer \(latestv2\/install\), and TestStack\/WindowsFleet runs Windows. Use SYSTEMS_MANAGER/],
      ['agentUpdateSchedule without SYSTEMS_MANAGER', () => ({ installAgent: AgentInstallation.NONE, agentUpdateSchedule: 'rate(1 day)' }), /agentUpdateSchedule applies to installAgent SYSTEMS_MANAGER; installAgent is NONE/],
      ['bad agentUpdateSchedule', () => ({ agentUpdateSchedule: 'weekly' }), /updateSchedule must be a State Manager cron\(\.\.\.\), rate\(\.\.\.\) or at\(\.\.\.\) expression.*; received "weekly"/],
      ['empty instanceRoles', () => ({ instanceRoles: [] }), /instanceRoles is empty/],
      ['minimum healthy hosts 100 %', (s) => ({ deploymentConfig: new codedeploy.ServerDeploymentConfig(s, 'C', { minimumHealthyHosts: codedeploy.MinimumHealthyHosts.percentage(100) }) }), /minimumHealthyHosts of 100 % leaves no instance to update/],
      ['minimum healthy hosts 120 %', (s) => ({ deploymentConfig: new codedeploy.ServerDeploymentConfig(s, 'C', { minimumHealthyHosts: codedeploy.MinimumHealthyHosts.percentage(120) }) }), /as a fleet percentage must be a whole number from 0 to 100; received 120/],
      ['negative host count', (s) => ({ deploymentConfig: new codedeploy.ServerDeploymentConfig(s, 'C', { minimumHealthyHosts: codedeploy.MinimumHealthyHosts.count(-1) }) }), /by host count must be a whole number, 0 or more; received -1/],
      ['zonal configuration with on-premises instances', (s) => ({
        onPremiseInstanceTags: new codedeploy.InstanceTagSet({ a: ['b'] }),
        deploymentConfig: new codedeploy.ServerDeploymentConfig(s, 'C', { minimumHealthyHosts: codedeploy.MinimumHealthyHosts.count(1), zonalConfig: { monitorDuration: Duration.minutes(1) } }),
      }), /has a zonal configuration, which CodeDeploy supports for EC2 instances only/],
      ['zonal minimum healthy hosts per zone over 100 %', (s) => ({
        deploymentConfig: new codedeploy.ServerDeploymentConfig(s, 'C', { minimumHealthyHosts: codedeploy.MinimumHealthyHosts.count(1), zonalConfig: { minimumHealthyHostsPerZone: codedeploy.MinimumHealthyHostsPerZone.percentage(101) } }),
      }), /zonalConfig\.minimumHealthyHostsPerZone as a fleet percentage must be a whole number from 0 to 100; received 101/],
      ['unhealthyHosts alarm without load balancers', () => ({ defaultAlarms: { unhealthyHosts: true } }), /defaultAlarms\.unhealthyHosts needs loadBalancers/],
      ['alarm threshold 0', (s) => ({ loadBalancers: [ServerLoadBalancer.application(importedTargetGroup(s, 0))], defaultAlarms: { unhealthyHostsThreshold: 0 } }), /defaultAlarms\.unhealthyHostsThreshold must be greater than 0; received 0/],
      ['11 alarms', (s) => ({ alarms: Array.from({ length: 11 }, (_, i) => cloudwatch.Alarm.fromAlarmArn(s, `A${i}`, `arn:${'aws'}:cloudwatch:us-east-1:123456789012:alarm:a${i}`)) }), /at most 10 alarms; this one would have 12 \(11 given in alarms \+ 1 default alarms\)/],
      ['status checks without Auto Scaling groups', () => ({ autoScalingGroups: undefined, ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), defaultAlarms: { instanceStatusChecks: true } }),
        /defaultAlarms.instanceStatusChecks needs autoScalingGroups/],
      ['bad deployment group name', () => ({ deploymentGroupName: 'web prod' }), /deploymentGroupName may only contain letters, digits/],
      ['managed policy with a given role', (s) => ({ role: new iam.Role(s, 'R', { assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com') }), useAwsManagedPolicy: true }), /useAwsManagedPolicy only applies to the role the pattern creates/],
      ['deployment timeout over 55 minutes', () => ({ deploymentTimeout: Duration.hours(1) }), /timeout must be from 1 to 55 minutes .*received Duration.hours\(1\)/],
    ])('%s', (_name, props, message) => {
      const stack = testStack();
      const fixture = serverFixture(stack);
      const build = () => new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        autoScalingGroups: [fixture.asg],
        ...props(stack),
      });
      expect(build).toThrow(message);
    });

    test('tokens are not checked as values', () => {
      const stack = testStack();
      const fixture = serverFixture(stack);
      const key = new CfnParameter(stack, 'Key', { default: 'app' }).valueAsString;
      expect(() => new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromBucket(s3.Bucket.fromBucketName(stack, 'B', 'my-bucket'), key),
        autoScalingGroups: [fixture.asg],
        deploymentGroupName: key,
      })).not.toThrow();
    });
  });

  snapshotSuite({
    'defaults': (stack) => deploy(stack),
    'everything on': (stack) => everythingOn(stack),
  });

  complianceSuite({
    'defaults': (stack) => { deploy(stack); },
    'everything on': (stack) => { everythingOn(stack); },
    'load balancer': (stack) => {
      const fixture = serverFixture(stack);
      new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        autoScalingGroups: [fixture.asg],
        loadBalancers: [ServerLoadBalancer.application(fixture.targetGroup)],
      });
    },
    // Tagged instances have no Auto Scaling group to aggregate status checks over; their alarm comes from the load balancer.
    'tagged instances behind a load balancer': (stack) => {
      const fixture = serverFixture(stack);
      new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }),
        loadBalancers: [ServerLoadBalancer.application(fixture.targetGroup)],
      });
    },
    'prebuilt bundle': (stack) => {
      const fixture = serverFixture(stack);
      new ServerDeployment(stack, 'Web', {
        revision: ServerRevision.fromBucket(s3.Bucket.fromBucketName(stack, 'B', 'my-releases'), 'web/app.zip'),
        autoScalingGroups: [fixture.asg],
      });
    },
    'suspended Auto Scaling processes': (stack) => { deploy(stack, { suspendAutoScalingProcesses: [AutoScalingProcess.TERMINATE, AutoScalingProcess.AZ_REBALANCE] }); },
    'pipeline mode': (stack) => {
      const fixture = serverFixture(stack);
      const dep = new ServerDeployment(stack, 'Web', { deploymentSource: DeploymentSource.PIPELINE, autoScalingGroups: [fixture.asg], ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }) });
      const artifacts = new s3.Bucket(stack, 'Artifacts', { enforceSSL: true, versioned: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryptionKey: new kms.Key(stack, 'ArtifactsKey', { enableKeyRotation: true }) });
      acknowledge(artifacts, 'AwsSolutions-S1', 'Test fixture: the pipeline\'s artifact bucket.');
      acknowledgeFixture(artifacts, 'the pipeline\'s artifact bucket', 'S3BucketLoggingEnabled', 'S3BucketReplicationEnabled');
      dep.grantReadPipelineArtifacts(artifacts);
    },
    'AWS managed policies': (stack) => {
      deploy(stack, { useAwsManagedPolicy: true });
      acknowledgeUserChoice(stack, 'the AWS managed policies', 'CodeDeploy-CD7');
    },
  }, { allPacks: true });
});

/** An Auto Scaling group whose launch template has Linux user data (for installAgent USER_DATA). */
function userDataFleet(stack: Stack): autoscaling.AutoScalingGroup {
  const fixture = serverFixture(stack);
  return new autoscaling.AutoScalingGroup(stack, 'UserDataFleet', {
    vpc: fixture.vpc,
    launchTemplate: new ec2.LaunchTemplate(stack, 'WithUserData', {
      machineImage: ec2.MachineImage.latestAmazonLinux2023(),
      instanceType: new ec2.InstanceType('t3.micro'),
      userData: ec2.UserData.forLinux(),
      role: fixture.role,
    }),
  });
}

function emptyDir(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rev-'));
  for (const [name, content] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function importedTargetGroup(stack: Stack, i: number) {
  return elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, `Tg${i}`, {
    targetGroupArn: stack.formatArn({ service: 'elasticloadbalancing', resource: 'targetgroup', resourceName: `tg${i}/abc` }),
    loadBalancerArns: stack.formatArn({ service: 'elasticloadbalancing', resource: 'loadbalancer', resourceName: 'app/lb/abc' }),
  });
}
