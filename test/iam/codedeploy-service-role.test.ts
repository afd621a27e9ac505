import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { CodeDeployServiceRole, ComputePlatform } from '../../src';
import { complianceSuite, testStack } from '../harness';
import { acknowledgeUserChoice, secureTopic, userFunction } from '../util';

const MANAGED: Record<string, string[]> = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'aws-managed-policies.json'), 'utf8'),
);

/**
 * Actions of the AWS managed policy we deliberately leave out, with the reason. Anything else the
 * managed policy grants must be in the generated policy once every grant method has been used.
 */
const OMITTED: Record<ComputePlatform, Record<string, string>> = {
  [ComputePlatform.LAMBDA]: {
    's3:GetObject': 'Lambda revisions reach CodeDeploy as AppSpec content from CloudFormation\'s CodeDeployLambdaAliasUpdate policy, never from S3.',
    's3:GetObjectVersion': 'Same as s3:GetObject: no S3 revision on the Lambda platform.',
  },
  [ComputePlatform.ECS]: {
    's3:GetObject': 'ECS deployments are created with the AppSpec as string content, never read from S3.',
    's3:GetObjectVersion': 'Same as s3:GetObject: no S3 revision on the ECS platform.',
  },
  [ComputePlatform.SERVER]: Object.fromEntries([
    'autoscaling:CreateAutoScalingGroup', 'autoscaling:DeleteAutoScalingGroup', 'autoscaling:UpdateAutoScalingGroup',
    'autoscaling:CreateOrUpdateTags', 'autoscaling:EnableMetricsCollection', 'autoscaling:SuspendProcesses', 'autoscaling:ResumeProcesses',
    'autoscaling:AttachLoadBalancers', 'autoscaling:AttachLoadBalancerTargetGroups', 'autoscaling:PutScalingPolicy',
    'autoscaling:PutScheduledUpdateGroupAction', 'autoscaling:PutNotificationConfiguration', 'autoscaling:PutWarmPool',
    'ec2:TerminateInstances', 'cloudwatch:PutMetricAlarm',
  ].map((a) => [a, 'Blue/green only (CodeDeploy copies the Auto Scaling group, its policies, alarms and warm pool, then terminates the original instances); ServerDeployment runs in-place deployments.'])),
};

/** Actions we grant beyond the managed policy, with the reason. */
const KMS_EXTRA: Record<string, string> = {
  'kms:Decrypt': 'Publishing to a KMS-encrypted notification topic.',
  'kms:GenerateDataKey': 'Publishing to a KMS-encrypted notification topic.',
};
const EXTRA: Record<ComputePlatform, Record<string, string>> = {
  [ComputePlatform.LAMBDA]: KMS_EXTRA,
  [ComputePlatform.ECS]: KMS_EXTRA,
  [ComputePlatform.SERVER]: {
    ...KMS_EXTRA,
    'ec2:RunInstances': 'Auto Scaling groups with a launch template (user guide: required in addition to AWSCodeDeployRole).',
    'ec2:CreateTags': 'Auto Scaling groups with a launch template (user guide).',
    'iam:PassRole': 'Auto Scaling groups with a launch template: pass the instance role (user guide).',
  },
};

const REFERENCE_POLICY: Record<ComputePlatform, string> = {
  [ComputePlatform.SERVER]: 'AWSCodeDeployRole',
  [ComputePlatform.LAMBDA]: 'AWSCodeDeployRoleForLambda',
  [ComputePlatform.ECS]: 'AWSCodeDeployRoleForECS',
};

/** A role of the platform with every grant method used, as a pattern would. */
function fullyGranted(stack: Stack, platform: ComputePlatform): CodeDeployServiceRole {
  const role = new CodeDeployServiceRole(stack, 'Role', { computePlatform: platform, applicationName: 'my-app' });
  const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
    metric: new cloudwatch.Metric({ namespace: 'App', metricName: 'Errors' }),
    threshold: 1,
    evaluationPeriods: 1,
  });
  role.grantReadAlarms([alarm]);
  role.grantPublishNotifications(secureTopic(stack, 'Topic'));
  if (platform !== ComputePlatform.SERVER) {
    role.grantInvokeHook(userFunction(stack, 'Hook'));
  }
  if (platform === ComputePlatform.LAMBDA) {
    const fn = userFunction(stack, 'Fn');
    role.grantShiftAliasTraffic(new lambda.Alias(stack, 'Alias', { aliasName: 'live', version: fn.currentVersion }));
  }
  if (platform === ComputePlatform.ECS) {
    const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'cluster', vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'] }) });
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Service', { cluster, serviceName: 'web' });
    const taskRole = iam.Role.fromRoleArn(stack, 'TaskRole', stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: 'task' }));
    role.grantEcsService(service, [taskRole]);
    role.grantModifyListeners([stack.formatArn({ service: 'elasticloadbalancing', resource: 'listener', resourceName: 'app/lb/1/2' })], 'app/lb/1');
  }
  if (platform === ComputePlatform.SERVER) {
    role.grantLaunchTemplateInstances(iam.Role.fromRoleArn(stack, 'InstanceRole', stack.formatArn({ service: 'iam', region: '', resource: 'role', resourceName: 'instance' })));
    role.grantAutoScalingGroups([autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, 'Asg', 'web-asg')]);
    role.grantLoadBalancerRegistration(
      [stack.formatArn({ service: 'elasticloadbalancing', resource: 'loadbalancer', resourceName: 'classic' })],
      [stack.formatArn({ service: 'elasticloadbalancing', resource: 'targetgroup', resourceName: 'web/0123456789abcdef' })],
    );
  }
  return role;
}

function grantedActions(stack: Stack): Set<string> {
  const actions = new Set<string>();
  for (const p of Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')) as any[]) {
    const roles = JSON.stringify(p.Properties.Roles);
    if (!roles.includes('"Role')) continue; // only the service role's policy
    for (const s of p.Properties.PolicyDocument.Statement) {
      for (const a of [].concat(s.Action)) actions.add(a);
    }
  }
  return actions;
}

describe('CodeDeployServiceRole', () => {
  describe.each([ComputePlatform.LAMBDA, ComputePlatform.ECS, ComputePlatform.SERVER])('%s platform', (platform) => {
    test('covers every action of the AWS managed policy except the documented omissions', () => {
      const stack = testStack();
      fullyGranted(stack, platform);
      const granted = grantedActions(stack);
      const missing = MANAGED[REFERENCE_POLICY[platform]].filter((a) => !granted.has(a) && !(a in OMITTED[platform]));
      expect(missing).toEqual([]);
    });

    test('grants nothing beyond the managed policy except the documented extras', () => {
      const stack = testStack();
      fullyGranted(stack, platform);
      const reference = new Set(MANAGED[REFERENCE_POLICY[platform]]);
      const extra = [...grantedActions(stack)].filter((a) => !reference.has(a) && !(a in EXTRA[platform]));
      expect(extra).toEqual([]);
    });

    test('every omission is really omitted, and every omission has a reason', () => {
      const stack = testStack();
      fullyGranted(stack, platform);
      const granted = grantedActions(stack);
      for (const [action, reason] of Object.entries(OMITTED[platform])) {
        expect(granted.has(action)).toBe(false);
        expect(reason.length).toBeGreaterThan(20);
      }
    });

    test('trust policy: codedeploy.amazonaws.com for this account and the application\'s deployment groups', () => {
      const stack = testStack();
      new CodeDeployServiceRole(stack, 'Role', { computePlatform: platform, applicationName: 'my-app' });
      Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [{
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'codedeploy.amazonaws.com' },
            Condition: {
              StringEquals: { 'aws:SourceAccount': '123456789012' },
              ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codedeploy:us-east-1:123456789012:deploymentgroup:my-app/*']] } },
            },
          }],
        },
        Description: `CodeDeploy service role (${platform} compute platform)`,
        ManagedPolicyArns: Match.absent(),
      });
    });
  });

  test('without applicationName the trust covers deployment groups of any application of the account', () => {
    const stack = testStack();
    new CodeDeployServiceRole(stack, 'Role', { computePlatform: ComputePlatform.LAMBDA });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Condition: Match.objectLike({
            ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codedeploy:us-east-1:123456789012:deploymentgroup:*/*']] } },
          }),
        })],
      },
    });
  });

  test.each([
    [ComputePlatform.SERVER, ':iam::aws:policy/service-role/AWSCodeDeployRole'],
    [ComputePlatform.LAMBDA, ':iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited'],
    [ComputePlatform.ECS, ':iam::aws:policy/AWSCodeDeployRoleForECS'],
  ])('useAwsManagedPolicy on %s attaches %s and no inline baseline', (platform, arnSuffix) => {
    const stack = testStack();
    const role = new CodeDeployServiceRole(stack, 'Role', { computePlatform: platform, useAwsManagedPolicy: true });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, arnSuffix]] }],
    });
    t.resourceCountIs('AWS::IAM::Policy', 0);
    expect(role.usesAwsManagedPolicy).toBe(true);
  });

  test('roleName and permissionsBoundary', () => {
    const stack = testStack();
    const boundary = iam.ManagedPolicy.fromManagedPolicyArn(stack, 'Boundary', 'arn:aws:iam::123456789012:policy/boundary');
    new CodeDeployServiceRole(stack, 'Role', { computePlatform: ComputePlatform.ECS, roleName: 'deployer', permissionsBoundary: boundary });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'deployer',
      PermissionsBoundary: 'arn:aws:iam::123456789012:policy/boundary',
    });
  });

  test('ECS: task sets of exactly this service, PassRole only to ECS tasks, listeners by ARN', () => {
    const stack = testStack();
    fullyGranted(stack, ComputePlatform.ECS);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['ecs:DescribeServices', 'ecs:CreateTaskSet', 'ecs:UpdateServicePrimaryTaskSet', 'ecs:DeleteTaskSet'],
            Effect: 'Allow',
            Resource: [
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:us-east-1:123456789012:service/cluster/web']] },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ecs:us-east-1:123456789012:task-set/cluster/web/*']] },
            ],
          },
          {
            Action: 'iam:PassRole',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/task']] },
            Condition: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
          },
          {
            Action: 'elasticloadbalancing:ModifyListener',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':elasticloadbalancing:us-east-1:123456789012:listener/app/lb/1/2']] },
          },
          {
            // Rules of this load balancer's listeners only (was: every listener rule of the account).
            Action: 'elasticloadbalancing:ModifyRule',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':elasticloadbalancing:us-east-1:123456789012:listener-rule/app/lb/1/*']] },
          },
        ]),
      },
    });
  });

  test('Server: PassRole for launch templates only to the instance role, for EC2', () => {
    const stack = testStack();
    fullyGranted(stack, ComputePlatform.SERVER);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: 'iam:PassRole',
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:role/instance']] },
          Condition: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
        }]),
      },
    });
  });

  test('Server: lifecycle hooks on exactly the named Auto Scaling groups, in the ARN format Auto Scaling authorizes', () => {
    const stack = testStack();
    fullyGranted(stack, ComputePlatform.SERVER);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['autoscaling:PutLifecycleHook', 'autoscaling:DeleteLifecycleHook', 'autoscaling:CompleteLifecycleAction', 'autoscaling:RecordLifecycleActionHeartbeat'],
            Effect: 'Allow',
            // arn:…:autoScalingGroup:<group id>:autoScalingGroupName/<name>; "autoScalingGroup/*" matched no group at all.
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':autoscaling:us-east-1:123456789012:autoScalingGroup:*:autoScalingGroupName/web-asg']] },
          },
          {
            Action: ['elasticloadbalancing:RegisterInstancesWithLoadBalancer', 'elasticloadbalancing:DeregisterInstancesFromLoadBalancer'],
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':elasticloadbalancing:us-east-1:123456789012:loadbalancer/classic']] },
          },
          {
            Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':elasticloadbalancing:us-east-1:123456789012:targetgroup/web/0123456789abcdef']] },
          },
        ]),
      },
    });
  });

  complianceSuite({
    'Lambda, all grants': (stack) => { fullyGranted(stack, ComputePlatform.LAMBDA); },
    'ECS, all grants': (stack) => { fullyGranted(stack, ComputePlatform.ECS); },
    'Server, all grants': (stack) => { fullyGranted(stack, ComputePlatform.SERVER); },
    'Server, AWS managed policy': (stack) => {
      new CodeDeployServiceRole(stack, 'Role', { computePlatform: ComputePlatform.SERVER, useAwsManagedPolicy: true });
      acknowledgeUserChoice(stack, 'the AWS managed policy', 'CodeDeploy-CD7');
    },
  });
});
