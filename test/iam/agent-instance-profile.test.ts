import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AgentInstanceProfile, AgentMajorVersion } from '../../src';
import { complianceSuite, testStack } from '../harness';

describe('AgentInstanceProfile', () => {
  test('defaults: an EC2 role and instance profile, resource kit and scoped Systems Manager statements, no managed policy', () => {
    const stack = testStack();
    const profile = new AgentInstanceProfile(stack, 'Profile');
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    t.hasResourceProperties('AWS::IAM::InstanceProfile', { Roles: [{ Ref: Match.stringLikeRegexp('ProfileRole') }] });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Sid: 'CodeDeployResourceKitRead', Action: 's3:GetObject', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::aws-codedeploy-us-east-1/*']] } },
          { Sid: 'CodeDeployResourceKitList', Action: 's3:ListBucket', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::aws-codedeploy-us-east-1']] } },
          {
            Sid: 'SsmAgentDocuments',
            Action: ['ssm:GetDocument', 'ssm:DescribeDocument'],
            Effect: 'Allow',
            Resource: [
              // AWS-owned documents: no account in their ARN, one in the reference's format; "*" matches both.
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:*:document/AWS-ConfigureAWSPackage']] },
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:*:document/AWSCodeDeployAgent']] },
            ],
          },
          Match.objectLike({ Sid: 'SsmAgentInstance', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:us-east-1:123456789012:instance/*']] } }),
          // DescribeAssociation on every resource type the reference lists for it (was "*").
          Match.objectLike({
            Sid: 'SsmAgentAssociations',
            Action: 'ssm:DescribeAssociation',
            Resource: Match.arrayWith([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:us-east-1:123456789012:association/*']] }]),
          }),
          Match.objectLike({ Sid: 'SsmAgentMessages', Resource: '*' }),
        ],
      },
    });
    expect(profile.instanceProfile.instanceProfileArn).toBeDefined();
  });

  test('agentMajorVersion V2: the documents are AWS-ConfigureAWSPackage and AWSCodeDeployAgentV2, not the 1.x package', () => {
    const stack = testStack();
    new AgentInstanceProfile(stack, 'Profile', { agentMajorVersion: AgentMajorVersion.V2 });
    const t = Template.fromStack(stack);
    const doc = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ssm:us-east-1:*:document/${name}`]] });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Sid: 'SsmAgentDocuments', Action: ['ssm:GetDocument', 'ssm:DescribeDocument'], Effect: 'Allow', Resource: [doc('AWS-ConfigureAWSPackage'), doc('AWSCodeDeployAgentV2')] },
        ]),
      },
    });
    expect(JSON.stringify(t.toJSON())).not.toMatch(/document\/AWSCodeDeployAgent"/);
  });

  test('agentMajorVersion without Systems Manager is an error naming the value', () => {
    expect(() => new AgentInstanceProfile(testStack(), 'Profile', { systemsManager: false, agentMajorVersion: AgentMajorVersion.V2 }))
      .toThrow(/agentMajorVersion chooses the Systems Manager package the role may read, but systemsManager is false; drop agentMajorVersion \(received V2\)/);
  });

  test('grantReadRevisions: objects under the pattern only, and the bucket key', () => {
    const stack = testStack();
    const profile = new AgentInstanceProfile(stack, 'Profile', { systemsManager: false, roleName: 'web-instances', instanceProfileName: 'web' });
    profile.grantReadRevisions(s3.Bucket.fromBucketName(stack, 'B', 'my-revisions'), 'web/*');
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Role', { RoleName: 'web-instances' });
    t.hasResourceProperties('AWS::IAM::InstanceProfile', { InstanceProfileName: 'web' });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{ Action: ['s3:GetObject', 's3:GetObjectVersion'], Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::my-revisions/web/*']] } }]),
      },
    });
    expect(JSON.stringify(t.toJSON())).not.toContain('ssm:');
  });

  test('a given role gets the grants; useAwsManagedPolicy attaches AmazonSSMManagedInstanceCore', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const profile = new AgentInstanceProfile(stack, 'Profile', { role, useAwsManagedPolicy: true });
    expect(profile.role).toBe(role);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Role', {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }],
    });
    t.resourceCountIs('AWS::IAM::Role', 1);
  });

  test.each<[string, () => ConstructorParameters<typeof AgentInstanceProfile>[2], RegExp]>([
    ['roleName with a role', () => ({ role: iam.Role.fromRoleName(testStack(), 'R', 'r'), roleName: 'x' }), /roleName only applies to the role the construct creates/],
    ['managed policy without Systems Manager', () => ({ useAwsManagedPolicy: true, systemsManager: false }), /useAwsManagedPolicy attaches the Systems Manager policy, but systemsManager is false/],
  ])('%s is rejected', (_name, props, message) => {
    expect(() => new AgentInstanceProfile(testStack(), 'Profile', props())).toThrow(message);
  });

  complianceSuite({
    'defaults': (stack) => { new AgentInstanceProfile(stack, 'Profile'); },
    'managed policy': (stack) => { new AgentInstanceProfile(stack, 'Profile', { useAwsManagedPolicy: true }); },
  });
});
