import {
  CreateBucketCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { triggerHarness } from './trigger-harness';
import { UPLOAD_RESOURCE_TYPE } from '../../src/trigger/deployment-trigger.lambda';
import { Moto } from '../fakes/moto';

/**
 * The revision upload against moto's S3 (an implementation nobody here wrote), with the real SDK:
 * the copy lands at the key with the asset's bytes, each upload is a new object version of a
 * versioned bucket (what starts CodePipeline's S3 source), keys with spaces and folders survive
 * the CopySource encoding, and Delete leaves the object. The CloudFormation response URL is the
 * local fake's.
 */

const h = triggerHarness({ TRIGGER_RESPONSE_RESERVE_MS: '20' });
const moto = new Moto();
let client: S3Client;

beforeAll(async () => {
  await moto.start();
  const endpoint = moto.endpoint;
  // Registered after the harness's set-up: the handler's S3 client (created on first use) talks to moto.
  process.env.AWS_ENDPOINT_URL_S3 = endpoint;
  client = new S3Client({ ...moto.clientConfig(), forcePathStyle: true });
  await client.send(new CreateBucketCommand({ Bucket: 'assets' }));
  await client.send(new CreateBucketCommand({ Bucket: 'source' }));
  await client.send(new PutBucketVersioningCommand({ Bucket: 'source', VersioningConfiguration: { Status: 'Enabled' } }));
  await client.send(new PutObjectCommand({ Bucket: 'assets', Key: 'one.zip', Body: 'bundle one' }));
  await client.send(new PutObjectCommand({ Bucket: 'assets', Key: 'two.zip', Body: 'bundle two' }));
}, 30_000);

afterAll(() => {
  client?.destroy();
  moto.stop();
});

function uploadEvent(requestType: 'Create' | 'Update' | 'Delete', assetKey: string): any {
  const base = h.event(requestType, {});
  return {
    ...base,
    ResourceType: UPLOAD_RESOURCE_TYPE,
    LogicalResourceId: 'WebUpload',
    ...(requestType === 'Create' ? {} : { PhysicalResourceId: 's3://source/releases/web app.zip' }),
    ResourceProperties: { ServiceToken: base.ServiceToken, CopyFrom: { Bucket: 'assets', Key: assetKey }, Target: { Bucket: 'source', Key: 'releases/web app.zip' } },
  };
}

async function answer(e: any): Promise<any> {
  await h.run(e, 10_000);
  expect(h.fake.responses).toHaveLength(1);
  return h.fake.responses[0];
}

async function body(versionId?: string): Promise<string> {
  const out = await client.send(new GetObjectCommand({ Bucket: 'source', Key: 'releases/web app.zip', VersionId: versionId }));
  return out.Body!.transformToString();
}

test('Create, Update, a rollback Update and Delete against moto\'s S3: one new version per upload, none on Delete', async () => {
  const created = await answer(uploadEvent('Create', 'one.zip'));
  expect(created.Status).toBe('SUCCESS');
  expect(created.Data.VersionId).not.toBe('');
  expect(await body()).toBe('bundle one');

  h.fake.reset();
  const updated = await answer(uploadEvent('Update', 'two.zip'));
  expect(updated.Status).toBe('SUCCESS');
  expect(updated.Data.VersionId).not.toBe(created.Data.VersionId);
  expect(await body()).toBe('bundle two');
  expect(await body(created.Data.VersionId)).toBe('bundle one');

  // A stack rollback sends the previous properties: the previous bundle becomes the newest version.
  h.fake.reset();
  const rolledBack = await answer(uploadEvent('Update', 'one.zip'));
  expect(rolledBack.Status).toBe('SUCCESS');
  expect(await body()).toBe('bundle one');

  h.fake.reset();
  expect((await answer(uploadEvent('Delete', 'one.zip'))).Status).toBe('SUCCESS');
  const versions = await client.send(new ListObjectVersionsCommand({ Bucket: 'source', Prefix: 'releases/' }));
  expect((versions.Versions ?? []).map((v) => v.VersionId).sort()).toEqual(
    [created.Data.VersionId, updated.Data.VersionId, rolledBack.Data.VersionId].sort(),
  );
  expect(versions.DeleteMarkers ?? []).toEqual([]);
});

test('a missing asset fails the operation with S3\'s NoSuchKey', async () => {
  const response = await answer(uploadEvent('Update', 'missing.zip'));
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toMatch(/^Revision upload error: NoSuchKey/);
});
