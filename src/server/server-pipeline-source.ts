import { CustomResource, Duration, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ServerAppSpec } from './server-app-spec';
import { ServerRevision } from './server-revision';
import { throwIfErrors } from '../private/validation';
import { TriggerProvider } from '../trigger/trigger-provider';

/** The resource type the shared trigger function answers as an upload (deployment-trigger.lambda.ts). */
const UPLOAD_RESOURCE_TYPE = 'Custom::CodeDeployRevisionUpload';

/** Construction properties for `ServerPipelineSource`. */
export interface ServerPipelineSourceProps {
  /**
   * The revision: a local folder (`ServerRevision.fromDirectory`), checked and zipped like the
   * revisions `ServerDeployment` deploys itself.
   */
  readonly revision: ServerRevision;

  /**
   * The bucket the pipeline's S3 source action watches. CodePipeline requires it to be versioned:
   * every upload is a new object version, which starts the pipeline.
   */
  readonly bucket: s3.IBucket;

  /**
   * The object key the source action watches (`S3SourceAction.bucketKey`).
   *
   * @default 'revision.zip'
   */
  readonly key?: string;
}

/**
 * Puts an EC2/on-premises revision where a CodePipeline S3 source action picks it up: on
 * `cdk deploy`, a changed revision folder is zipped (as a CDK asset) and copied to one fixed key of a
 * versioned bucket, whose new version starts the pipeline, which deploys it with its CodeDeploy
 * action (for a `ServerDeployment` with `DeploymentSource.PIPELINE`).
 *
 * An unchanged folder uploads nothing. A stack rollback uploads the previous bundle again, so the
 * pipeline deploys what the stack rolled back to. Deleting the stack leaves the object in the bucket.
 * The copy is made by the function every `DeploymentTrigger` of the stack shares, whose role may
 * read exactly the bundle's asset and write exactly this key.
 */
export class ServerPipelineSource extends Construct {
  /** The bucket the revision is uploaded to. */
  public readonly bucket: s3.IBucket;

  /** The object key it is uploaded to. */
  public readonly key: string;

  /**
   * The revision's AppSpec, as checked at synth time.
   *
   * @default - none
   */
  public readonly appSpec?: ServerAppSpec;

  /** The version ID of the object the last upload created (empty for a bucket without versioning). */
  public readonly objectVersion: string;

  /** The custom resource that uploads the revision. */
  public readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ServerPipelineSourceProps) {
    super(scope, id);
    const key = props.key ?? 'revision.zip';
    throwIfErrors(this, [...keyProblems(key), ...versioningProblems(props.bucket), ...duplicateProblems(this, props.bucket, key)]);
    const bundle = props.revision._bundle(this);
    if (!bundle) {
      throwIfErrors(this, [
        'revision is a bundle already in S3 (ServerRevision.fromBucket), which needs no upload: point the pipeline\'s S3 source action at that bucket and key, or give a ServerRevision.fromDirectory revision.',
      ]);
    }
    const { asset, appSpec } = bundle!;

    const provider = TriggerProvider.of(this);
    iam.Grant.addToPrincipal({
      grantee: provider.role,
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'],
      resourceArns: [asset.bucket.arnForObjects(asset.s3ObjectKey)],
    });
    asset.bucket.encryptionKey?.grantDecrypt(provider.role);
    iam.Grant.addToPrincipal({
      grantee: provider.role,
      actions: ['s3:PutObject', 's3:PutObjectTagging'],
      resourceArns: [props.bucket.arnForObjects(key)],
    });
    // Writing an SSE-KMS object needs a data key (and Decrypt for the multipart copy path).
    props.bucket.encryptionKey?.grant(provider.role, 'kms:GenerateDataKey', 'kms:Decrypt');

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.function.functionArn,
      resourceType: UPLOAD_RESOURCE_TYPE,
      // One copy: the function answers within its 15-minute timeout, or CloudFormation stops waiting soon after.
      serviceTimeout: Duration.minutes(16),
      properties: {
        CopyFrom: { Bucket: asset.s3BucketName, Key: asset.s3ObjectKey },
        Target: { Bucket: props.bucket.bucketName, Key: key },
      },
    });
    // The copy needs the grants above, which live in the role's default policy.
    const policy = provider.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      this.resource.node.addDependency(policy);
    }
    this.bucket = props.bucket;
    this.key = key;
    this.appSpec = appSpec;
    this.objectVersion = this.resource.getAttString('VersionId');
  }
}

/** S3 object keys: 1 to 1024 bytes of UTF-8; a leading slash would make an empty first folder. */
function keyProblems(key: string): string[] {
  if (Token.isUnresolved(key)) {
    return [];
  }
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes === 0 || bytes > 1024) {
    return [`key must be 1 to 1024 bytes long (an S3 object key); received "${key.slice(0, 80)}" (${bytes} bytes).`];
  }
  if (key.startsWith('/') || key.endsWith('/')) {
    return [`key must name an object, without a leading or trailing "/"; received "${key}". Use for example "releases/web.zip".`];
  }
  return [];
}

/** CodePipeline's S3 source action needs a versioned bucket; checked where the bucket is defined in the app. */
function versioningProblems(bucket: s3.IBucket): string[] {
  const cfn = bucket.node.defaultChild;
  if (!(cfn instanceof s3.CfnBucket)) {
    return []; // an imported bucket: its versioning is not known at synth time
  }
  const config = Stack.of(cfn).resolve(cfn.versioningConfiguration) as { status?: string } | undefined;
  if (config?.status === 'Enabled' || Token.isUnresolved(config?.status)) {
    return [];
  }
  return [
    `bucket ${bucket.node.path} is not versioned (VersioningConfiguration.Status is ${config?.status ? `"${config.status}"` : 'not set'}); CodePipeline's S3 source action requires a versioned bucket and starts the pipeline on each new object version. Create it with versioned: true.`,
  ];
}

/** Two uploads to one object would overwrite each other's revision. */
function duplicateProblems(scope: Construct, bucket: s3.IBucket, key: string): string[] {
  const stack = Stack.of(scope);
  const seen = uploadsByStack.get(stack) ?? new Map<string, string>();
  uploadsByStack.set(stack, seen);
  const id = `${JSON.stringify(stack.resolve(bucket.bucketName))}|${key}`;
  const other = seen.get(id);
  if (other) {
    return [`${other} already uploads to key "${key}" of this bucket; each ServerPipelineSource needs its own key (and its own source action).`];
  }
  seen.set(id, scope.node.path);
  return [];
}

const uploadsByStack = new WeakMap<Stack, Map<string, string>>();
