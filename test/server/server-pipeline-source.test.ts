import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CfnElement, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { DeploymentSource, ServerDeployment, ServerPipelineSource, ServerRevision } from '../../src';
import { acknowledge } from '../../src/private/nag';
import { UPLOAD_RESOURCE_TYPE } from '../../src/trigger/deployment-trigger.lambda';
import { complianceSuite, testStack } from '../harness';
import { serverFixture } from '../util';

const WEB = path.join(__dirname, '..', '..', 'examples', 'server-in-place', 'web');

function sourceBucket(stack: Stack, id = 'Source', props: s3.BucketProps = { versioned: true }): s3.Bucket {
  const bucket = new s3.Bucket(stack, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
    ...props,
  });
  acknowledge(bucket, 'AwsSolutions-S1', 'Test fixture: the pipeline\'s source bucket.');
  return bucket;
}

/** The statements of the shared trigger function's policies. */
function triggerStatements(t: Template): any[] {
  return Object.values(t.findResources('AWS::IAM::Policy'))
    .filter((p: any) => JSON.stringify(p.Properties.Roles).includes('CodeDeployPatternsDeploymentTrigger'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('ServerPipelineSource', () => {
  test('uploads the checked folder to revision.zip of the bucket, through the shared trigger function', () => {
    const stack = testStack();
    const bucket = sourceBucket(stack);
    const source = new ServerPipelineSource(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), bucket });
    const t = Template.fromStack(stack);
    // The resource type is the one the handler answers as an upload.
    t.resourceCountIs(UPLOAD_RESOURCE_TYPE, 1);
    t.hasResourceProperties(UPLOAD_RESOURCE_TYPE, {
      ServiceToken: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CodeDeployPatternsDeploymentTriggerFunction'), 'Arn'] },
      CopyFrom: { Bucket: 'cdk-hnb659fds-assets-123456789012-us-east-1', Key: Match.stringLikeRegexp('^[0-9a-f]{64}\\.zip$') },
      Target: { Bucket: { Ref: Match.stringLikeRegexp('^Source') }, Key: 'revision.zip' },
      ServiceTimeout: '960',
    });
    expect(source.key).toBe('revision.zip');
    expect(source.bucket).toBe(bucket);
    // The folder's appspec.yml was read and checked.
    expect(source.appSpec?.toYaml()).toContain('ApplicationStart');
    const uploadId = stack.getLogicalId(source.resource.node.defaultChild as CfnElement);
    expect(stack.resolve(source.objectVersion)).toEqual({ 'Fn::GetAtt': [uploadId, 'VersionId'] });
  });

  test('the given key; the function is the one a ServerDeployment\'s trigger uses (one per stack)', () => {
    const stack = testStack();
    const fixture = serverFixture(stack);
    new ServerDeployment(stack, 'Dep', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [fixture.asg] });
    new ServerPipelineSource(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), bucket: sourceBucket(stack), key: 'releases/web.zip' });
    const t = Template.fromStack(stack);
    const functions = Object.keys(t.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith('CodeDeployPatternsDeploymentTrigger'));
    expect(functions).toHaveLength(1);
    t.hasResourceProperties(UPLOAD_RESOURCE_TYPE, { Target: { Key: 'releases/web.zip' } });
  });

  test('the function\'s role may read exactly the bundle\'s asset and write exactly the key; the upload waits for that policy', () => {
    const stack = testStack();
    new ServerPipelineSource(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), bucket: sourceBucket(stack), key: 'web.zip' });
    const t = Template.fromStack(stack);
    const statements = triggerStatements(t);
    // Exactly two S3 statements: nothing else of either bucket.
    const s3Statements = statements.filter((st) => [].concat(st.Action).some((a: string) => a.startsWith('s3:')));
    expect(s3Statements.map((st) => st.Action)).toEqual([
      ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'],
      ['s3:PutObject', 's3:PutObjectTagging'],
    ]);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'],
            Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('^:s3:::cdk-hnb659fds-assets-123456789012-us-east-1/[0-9a-f]{64}\\.zip$')])] },
          }),
          Match.objectLike({ Action: ['s3:PutObject', 's3:PutObjectTagging'], Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Source'), 'Arn'] }, '/web.zip']] } }),
        ]),
      },
    });
    const upload = Object.values(t.findResources(UPLOAD_RESOURCE_TYPE))[0] as any;
    expect(upload.DependsOn).toEqual([expect.stringMatching(/^CodeDeployPatternsDeploymentTriggerRoleDefaultPolicy/)]);
  });

  test('a bucket encrypted with a KMS key: the role may create data keys (and decrypt, for the multipart copy) with it', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new ServerPipelineSource(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), bucket: sourceBucket(stack, 'Source', { versioned: true, encryptionKey: key, encryption: s3.BucketEncryption.KMS }) });
    const kmsStatements = triggerStatements(Template.fromStack(stack)).filter((st) => [].concat(st.Action).some((a: string) => a.startsWith('kms:')));
    expect(kmsStatements).toEqual([
      { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as CfnElement), 'Arn'] } },
    ]);
  });

  describe('errors', () => {
    test('a bucket without versioning (CodePipeline\'s S3 source requires it)', () => {
      const stack = testStack();
      expect(() => new ServerPipelineSource(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), bucket: sourceBucket(stack, 'Source', {}) }))
        .toThrow(/bucket TestStack\/Source is not versioned \(VersioningConfiguration.Status is not set\); CodePipeline's S3 source action requires a versioned bucket.*versioned: true/);
    });

    test('an imported bucket is not checked (its versioning is unknown at synth time)', () => {
      const stack = testStack();
      const bucket = s3.Bucket.fromBucketName(stack, 'Imported', 'my-source-bucket');
      new ServerPipelineSource(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), bucket });
      Template.fromStack(stack).hasResourceProperties(UPLOAD_RESOURCE_TYPE, { Target: { Bucket: 'my-source-bucket', Key: 'revision.zip' } });
    });

    test('a bundle already in S3 needs no upload', () => {
      const stack = testStack();
      const other = s3.Bucket.fromBucketName(stack, 'Bundles', 'bundles');
      expect(() => new ServerPipelineSource(stack, 'Web', { revision: ServerRevision.fromBucket(other, 'app.zip'), bucket: sourceBucket(stack) }))
        .toThrow(/revision is a bundle already in S3 \(ServerRevision.fromBucket\), which needs no upload: point the pipeline's S3 source action at that bucket and key/);
    });

    test.each([
      ['', /key must be 1 to 1024 bytes long \(an S3 object key\); received "" \(0 bytes\)/],
      ['x'.repeat(1025), /key must be 1 to 1024 bytes long .* \(1025 bytes\)/],
      ['/web.zip', /key must name an object, without a leading or trailing "\/"; received "\/web.zip"/],
      ['releases/', /key must name an object, without a leading or trailing "\/"; received "releases\/"/],
    ])('key %p', (key, message) => {
      const stack = testStack();
      expect(() => new ServerPipelineSource(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), bucket: sourceBucket(stack), key })).toThrow(message);
    });

    test('two uploads to one key of one bucket', () => {
      const stack = testStack();
      const bucket = sourceBucket(stack);
      new ServerPipelineSource(stack, 'A', { revision: ServerRevision.fromDirectory(WEB), bucket });
      expect(() => new ServerPipelineSource(stack, 'B', { revision: ServerRevision.fromDirectory(WEB), bucket }))
        .toThrow(/TestStack\/A already uploads to key "revision.zip" of this bucket; each ServerPipelineSource needs its own key/);
      // Another key of the same bucket is fine.
      new ServerPipelineSource(stack, 'C', { revision: ServerRevision.fromDirectory(WEB), bucket, key: 'other.zip' });
    });

    test('the folder is checked like a deployed revision (no appspec.yml)', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipeline-source-'));
      fs.writeFileSync(path.join(dir, 'index.html'), 'hi');
      const stack = testStack();
      expect(() => new ServerPipelineSource(stack, 'Web', { revision: ServerRevision.fromDirectory(dir), bucket: sourceBucket(stack) }))
        .toThrow(/has no appspec.yml at its root; add one, or pass options.appSpec/);
    });
  });
});

complianceSuite({
  pipelineSource: (stack) => {
    const fixture = serverFixture(stack);
    new ServerDeployment(stack, 'Dep', { deploymentSource: DeploymentSource.PIPELINE, autoScalingGroups: [fixture.asg] });
    new ServerPipelineSource(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), bucket: sourceBucket(stack) });
  },
});
