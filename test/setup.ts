/**
 * Snapshot serializer: masks asset hashes (64 hex characters) so snapshots stay stable when a
 * bundled asset or the aws-cdk-lib version changes a hash without changing what we synthesize.
 */
const ASSET_HASH = /[0-9a-f]{64}/g;

expect.addSnapshotSerializer({
  test: (val: unknown) => typeof val === 'string' && /[0-9a-f]{64}/.test(val),
  serialize: (val: string) => JSON.stringify(val.replace(ASSET_HASH, '<asset-hash>')),
});
