import { triggerHarness } from './trigger-harness';
import { UPLOAD_RESOURCE_TYPE } from '../../src/trigger/deployment-trigger.lambda';

/**
 * The bundled trigger function answering a `ServerPipelineSource` upload, end to end against the
 * local fake (S3 CopyObject and the CloudFormation response URL) with the real AWS SDK v3 client.
 * upload-moto.test.ts runs the same copies against moto's S3, which nobody here wrote.
 */

const h = triggerHarness({ TRIGGER_RESPONSE_RESERVE_MS: '20' });

const ASSET = { Bucket: 'cdk-hnb659fds-assets-123456789012-us-east-1', Key: 'a1b2c3.zip' };
const TARGET = { Bucket: 'source-bucket', Key: 'releases/web v2.zip' };

function uploadEvent(requestType: 'Create' | 'Update' | 'Delete', properties: Record<string, unknown> = { CopyFrom: ASSET, Target: TARGET }): any {
  const base = h.event(requestType, {});
  return {
    ...base,
    ResourceType: UPLOAD_RESOURCE_TYPE,
    LogicalResourceId: 'WebUpload',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 's3://source-bucket/releases/web v2.zip' }),
    ResourceProperties: { ServiceToken: base.ServiceToken, ...properties },
  };
}

async function answer(e: any): Promise<any> {
  await h.run(e, 10_000);
  expect(h.fake.responses).toHaveLength(1);
  return h.fake.responses[0];
}

describe('revision upload', () => {
  test.each(['Create', 'Update'] as const)('%s: copies the asset to the key and answers its version; no CodeDeploy call', async (type) => {
    const response = await answer(uploadEvent(type));
    expect(response).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 's3://source-bucket/releases/web v2.zip',
      LogicalResourceId: 'WebUpload',
      Data: { VersionId: 'v-fake-1', ETag: '0123456789abcdef0123456789abcdef' },
    });
    expect(h.fake.callsOf('CopyObject').map((c) => c.body)).toEqual([
      { bucket: 'source-bucket', key: 'releases/web v2.zip', source: 'cdk-hnb659fds-assets-123456789012-us-east-1/a1b2c3.zip' },
    ]);
    expect(h.fake.calls.filter((c) => c.service !== 's3' && c.service !== 'cfn')).toEqual([]);
    expect(h.logs.some((l) => l.message === 'revision uploaded' && l.versionId === 'v-fake-1')).toBe(true);
  });

  test('Delete: leaves the object (the pipeline deployed it) and answers with the physical ID it was given', async () => {
    const response = await answer(uploadEvent('Delete'));
    expect(response).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 's3://source-bucket/releases/web v2.zip' });
    expect(h.fake.callsOf('CopyObject')).toEqual([]);
  });

  test('a failed copy fails the stack operation with S3\'s error', async () => {
    h.fake.failNext('CopyObject', { status: 403, type: 'AccessDenied', message: 'Access Denied' });
    const response = await answer(uploadEvent('Update'));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/^Revision upload error: .*Access Denied/);
    expect(response.PhysicalResourceId).toBe('s3://source-bucket/releases/web v2.zip');
  });

  test('properties it cannot use fail the operation, naming what was wrong', async () => {
    const response = await answer(uploadEvent('Create', { CopyFrom: { Bucket: 'b' }, Target: 'x' }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toContain('CopyFrom must be an object with non-empty Bucket and Key strings; received {"Bucket":"b"}');
    expect(response.Reason).toContain('Target must be an object with non-empty Bucket and Key strings; received "x"');
    expect(h.fake.callsOf('CopyObject')).toEqual([]);
  });
});
