import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DeploymentRevision, DeploymentTrigger, FileExistsBehavior, RevisionBundleType } from '../../src';
import { complianceSuite, testStack } from '../harness';

function trigger(stack: Stack, id = 'Trigger', extra: Partial<ConstructorParameters<typeof DeploymentTrigger>[2]> = {}) {
  return new DeploymentTrigger(stack, id, {
    applicationName: 'app',
    deploymentGroupName: 'group',
    deploymentConfig: codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME,
    revision: DeploymentRevision.fromAppSpecContent('{"version":"0.0","Resources":[{"fn":{"Type":"AWS::Lambda::Function"}}]}'),
    ...extra,
  });
}

function bucket(stack: Stack) {
  return s3.Bucket.fromBucketName(stack, 'Revisions', 'my-revisions');
}

describe('DeploymentTrigger', () => {
  test('defaults: 50-minute timeout, CloudFormation service timeout 55 minutes, no deploy on create', () => {
    const stack = testStack();
    trigger(stack);
    Template.fromStack(stack).hasResourceProperties('Custom::CodeDeployDeployment', {
      ApplicationName: 'app',
      DeploymentGroupName: 'group',
      AppSpecContent: '{"version":"0.0","Resources":[{"fn":{"Type":"AWS::Lambda::Function"}}]}',
      TimeoutSeconds: 3000,
      ServiceTimeout: '3300',
      WaitForTermination: false,
      DeployOnCreate: false,
      Description: 'Deployed by cdk-codedeploy-patterns',
    });
  });

  test('the role may act on exactly this group, application and deployment configuration', () => {
    const stack = testStack();
    trigger(stack);
    const policy = Template.fromStack(stack).findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('TriggerRoleDefaultPolicy') } });
    const statements = (Object.values(policy)[0] as any).Properties.PolicyDocument.Statement;
    const resources = statements.map((s: any) => JSON.stringify(s.Resource));
    expect(resources).toEqual(expect.arrayContaining([
      expect.stringContaining(':codedeploy:us-east-1:123456789012:deploymentgroup:app/group'),
      expect.stringContaining(':codedeploy:us-east-1:123456789012:application:app'),
      expect.stringContaining(':deploymentconfig:CodeDeployDefault.OneAtATime'),
    ]));
    expect(resources.join()).not.toContain('"*"');
  });

  test('an S3 revision: bucket, key, bundle type, ETag and version; read on that key only', () => {
    const stack = testStack();
    const b = bucket(stack);
    trigger(stack, 'Trigger', {
      revision: DeploymentRevision.fromS3(b, 'app/v1.tgz', { bundleType: RevisionBundleType.TGZ, eTag: 'etag-1', objectVersion: 'v-1' }),
      deployOnCreate: true,
      timeout: Duration.minutes(20),
      description: 'x'.repeat(150),
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('Custom::CodeDeployDeployment', {
      S3Location: { Bucket: 'my-revisions', Key: 'app/v1.tgz', BundleType: 'tgz', ETag: 'etag-1', Version: 'v-1' },
      DeployOnCreate: true,
      TimeoutSeconds: 1200,
      ServiceTimeout: '1500',
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['s3:GetObject', 's3:GetObjectVersion'],
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-revisions/app/v1.tgz']] },
          }),
        ]),
      },
    });
  });

  test('EC2 options: file-exists behavior, ignore ApplicationStop failures, wait for groups and the agent', () => {
    const stack = testStack();
    const asg = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, 'Asg', 'web-asg');
    trigger(stack, 'Trigger', {
      revision: DeploymentRevision.fromS3(bucket(stack), 'app.zip'),
      fileExistsBehavior: FileExistsBehavior.RETAIN,
      ignoreApplicationStopFailures: true,
      waitForAutoScalingGroups: [asg],
      agentAssociationIds: ['assoc-1'],
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('Custom::CodeDeployDeployment', {
      FileExistsBehavior: 'RETAIN',
      IgnoreApplicationStopFailures: true,
      WaitForAutoScalingGroups: ['web-asg'],
      AgentAssociationIds: ['assoc-1'],
    });
    const statements = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(statements).toContain('"Action":"autoscaling:DescribeAutoScalingGroups","Effect":"Allow","Resource":"*"');
    expect(statements).toContain('"Action":"ssm:DescribeInstanceAssociationsStatus"');
  });

  test('event mailbox (EC2 revision): a queue of its own filled by a rule on the group\'s terminal states, read by the trigger role only', () => {
    const stack = testStack();
    trigger(stack, 'Trigger', { revision: DeploymentRevision.fromS3(bucket(stack), 'app.zip') });
    const t = Template.fromStack(stack);
    const [queueId] = Object.keys(t.findResources('AWS::SQS::Queue'));
    t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 3600 });
    // The fields of CodeDeploy's "Deployment State-change Notification" (detail.application, .deploymentGroup, .state).
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['aws.codedeploy'],
        'detail-type': ['CodeDeploy Deployment State-change Notification'],
        'detail': { application: ['app'], deploymentGroup: ['group'], state: ['SUCCESS', 'FAILURE', 'STOP'] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } })],
    });
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': Match.anyValue() } } }),
        ]),
      },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } }]) },
    });
    const [resource] = Object.values(t.findResources('Custom::CodeDeployDeployment'));
    expect(resource.Properties.EventQueueUrl).toEqual({ Ref: queueId });
    // Events flow before the deployment starts.
    expect(resource.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^TriggerEventsRule/), expect.stringMatching(/^TriggerEventsQueuePolicy/)]));
  });

  test('an AppSpec revision (Lambda, or ECS without its service) has a mailbox of its own too', () => {
    const stack = testStack();
    trigger(stack);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SQS::Queue', 1);
    t.hasResourceProperties('Custom::CodeDeployDeployment', { EventQueueUrl: { Ref: Match.stringLikeRegexp('^TriggerEventsQueue') } });
    t.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { application: ['app'], deploymentGroup: ['group'], state: ['SUCCESS', 'FAILURE', 'STOP'] } }),
    });
  });

  test('an ECS service: a mailbox, and GetDeploymentTarget (no resource type in IAM) in a policy of its own that the deployment waits for', () => {
    const stack = testStack();
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Service', { serviceName: 'svc', cluster: ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'c', vpc: new ec2.Vpc(stack, 'Vpc') }) });
    trigger(stack, 'Trigger', { ecsService: service, deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SQS::Queue', 1);
    const [policyId] = Object.keys(t.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('ReadDeploymentTargets') } }));
    expect(policyId).toMatch(/^CodeDeployPatternsDeploymentTriggerReadDeploymentTargets/);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: policyId,
      PolicyDocument: { Statement: [{ Action: 'codedeploy:GetDeploymentTarget', Effect: 'Allow', Resource: '*' }] },
      Roles: [{ Ref: Match.stringLikeRegexp('^CodeDeployPatternsDeploymentTriggerRole') }],
    });
    const [resource] = Object.values(t.findResources('Custom::CodeDeployDeployment'));
    expect(resource.Properties.EventQueueUrl.Ref).toMatch(/^TriggerEventsQueue/);
    expect(resource.DependsOn).toContain(policyId);
    // The configuration the trigger reads for the shortest traffic shift is the group's.
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'codedeploy:GetDeploymentConfig', Resource: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([':deploymentconfig:CodeDeployDefault.ECSCanary10Percent5Minutes'])]) }) })]) },
    });
  });

  test('an ECS service with waitForTermination: the mailbox, but no GetDeploymentTarget (every answer is a terminal state)', () => {
    const stack = testStack();
    const service = ecs.FargateService.fromFargateServiceAttributes(stack, 'Service', { serviceName: 'svc', cluster: ecs.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'c', vpc: new ec2.Vpc(stack, 'Vpc') }) });
    trigger(stack, 'Trigger', { ecsService: service, waitForTermination: true });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SQS::Queue', 1);
    expect(JSON.stringify(t.toJSON())).not.toContain('codedeploy:GetDeploymentTarget');
  });

  test('agentAssociationIds without waitForAutoScalingGroups or waitForInstanceIds is rejected', () => {
    const stack = testStack();
    expect(() => trigger(stack, 'Trigger', { agentAssociationIds: ['assoc-1'] })).toThrow(
      /agentAssociationIds needs waitForAutoScalingGroups or waitForInstanceIds: the trigger checks the agent on those instances/,
    );
  });

  test('waitForInstanceIds with agentAssociationIds: passed through; the role reads association statuses but not Auto Scaling groups', () => {
    const stack = testStack();
    trigger(stack, 'Trigger', { waitForInstanceIds: ['i-1'], agentAssociationIds: ['assoc-1'] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('Custom::CodeDeployDeployment', { WaitForInstances: ['i-1'], AgentAssociationIds: ['assoc-1'], WaitForAutoScalingGroups: Match.absent() });
    const actions = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(actions).toContain('ssm:DescribeInstanceAssociationsStatus');
    expect(actions).not.toContain('autoscaling:DescribeAutoScalingGroups');
  });

  test('fromS3Copy: copies source to target before deploying; read on the source key, write on the target key only', () => {
    const stack = testStack();
    const source = s3.Bucket.fromBucketName(stack, 'Assets', 'my-assets');
    const target = new s3.Bucket(stack, 'Target', { encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) });
    trigger(stack, 'Trigger', { revision: DeploymentRevision.fromS3Copy(source, 'abc.zip', target, 'CodeDeploy/web/abc.zip') });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('Custom::CodeDeployDeployment', {
      S3Location: { Bucket: { Ref: Match.stringLikeRegexp('Target') }, Key: 'CodeDeploy/web/abc.zip', BundleType: 'zip', ETag: '', Version: '' },
      CopyFrom: { Bucket: 'my-assets', Key: 'abc.zip' },
    });
    const policy = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(policy).toContain('"Action":["s3:GetObject","s3:GetObjectVersion","s3:GetObjectTagging"],"Effect":"Allow","Resource":{"Fn::Join":["",["arn:",{"Ref":"AWS::Partition"},":s3:::my-assets/abc.zip"]]}');
    expect(policy).toMatch(/"Action":\["s3:PutObject","s3:PutObjectTagging"\],"Effect":"Allow","Resource":\{"Fn::Join":\["",\[\{"Fn::GetAtt":\["Target\w+","Arn"\]\},"\/CodeDeploy\/web\/abc.zip"\]\]\}/);
    expect(policy).toContain('"kms:GenerateDataKey"');
    expect(policy).not.toContain('kms:ReEncrypt');
  });

  test('every trigger of a stack shares one function', () => {
    const stack = testStack();
    trigger(stack, 'A');
    trigger(stack, 'B', { deploymentGroupName: 'other' });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::Lambda::Function', 1);
    t.resourceCountIs('Custom::CodeDeployDeployment', 2);
    expect(JSON.stringify(t.findResources('AWS::IAM::Policy'))).toContain('deploymentgroup:app/other');
  });

  test.each([
    [Duration.seconds(30), /timeout must be from 1 to 55 minutes .*received Duration.seconds\(30\)/],
    [Duration.minutes(56), /received Duration.minutes\(56\)/],
  ])('rejects a timeout of %s', (timeout, message) => {
    const stack = testStack();
    expect(() => trigger(stack, 'T', { timeout })).toThrow(message);
  });

  complianceSuite({
    'AppSpec revision': (stack) => { trigger(stack); },
    'S3 revision': (stack) => { trigger(stack, 'T', { revision: DeploymentRevision.fromS3(bucket(stack), 'app.zip') }); },
  });
});
