import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { looksLikeFile, readAppSpec } from './appspec-reader';
import { ServerAppSpec } from './server-app-spec';
import { ServerOs } from './server-app-spec-props';
import { referencedPaths } from '../private/appspec-paths';
import { throwIfErrors } from '../private/validation';
import { DeploymentRevision, RevisionBundleType } from '../trigger/deployment-trigger';

/** Options of `ServerRevision.fromDirectory()`. */
export interface DirectoryRevisionOptions {
  /**
   * The AppSpec, for a folder without an `appspec.yml`: rendered into the bundle as `appspec.yml`.
   * A folder with its own `appspec.yml` must not be given one (a revision has exactly one AppSpec).
   *
   * @default - the folder's appspec.yml
   */
  readonly appSpec?: ServerAppSpec;

  /**
   * Glob patterns of files to leave out of the bundle.
   *
   * @default - only macOS metadata (`__MACOSX`, `.DS_Store`), which breaks bundles
   */
  readonly exclude?: string[];
}

/** Options of `ServerRevision.fromBucket()`. */
export interface BucketRevisionOptions {
  /**
   * The bundle format.
   *
   * @default RevisionBundleType.ZIP
   */
  readonly bundleType?: RevisionBundleType;

  /**
   * Version ID of the object (versioned buckets).
   *
   * @default - the latest version
   */
  readonly objectVersion?: string;

  /**
   * ETag of the object, which CodeDeploy checks the download against.
   *
   * @default - no check
   */
  readonly eTag?: string;

  /**
   * Keys the instances may read (they need the current revision, earlier ones for rollbacks and
   * the last successful one for Auto Scaling launches).
   *
   * @default - every key under the key's folder (`releases/*` for `releases/app-1.2.zip`), or the key itself when it has no folder
   */
  readonly instanceReadPattern?: string;
}

/** Where a bound revision is. */
export interface ServerRevisionBindOptions {
  /**
   * The bucket revisions from local folders are copied to for deployment.
   *
   * @default - none; required by `fromDirectory()` revisions
   */
  readonly revisionBucket?: s3.IBucket;

  /** The key prefix of this deployment group's revisions in that bucket, ending in `/`. */
  readonly keyPrefix: string;
}

/** A revision bound to a deployment. */
export interface ServerRevisionConfig {
  /** The bucket CodeDeploy deploys the revision from. */
  readonly bucket: s3.IBucket;

  /** Keys of that bucket the instances must be able to read. */
  readonly instanceReadPattern: string;

  /** What the deployment trigger deploys. */
  readonly deploymentRevision: DeploymentRevision;

  /**
   * The revision's AppSpec, when known at synth time.
   *
   * @default - unknown (a prebuilt bundle)
   */
  readonly appSpec?: ServerAppSpec;
}

/**
 * The application revision an EC2/on-premises deployment installs: a local folder bundled as a
 * zip asset (with its `appspec.yml` checked, or a typed `ServerAppSpec` rendered into it), or a
 * bundle already in S3.
 */
export abstract class ServerRevision {
  /**
   * A local folder, zipped as a CDK asset and copied to the revision bucket on `cdk deploy`.
   *
   * If the folder has an `appspec.yml` at its root it is parsed and validated, and every script
   * it names must exist in the folder; otherwise give `options.appSpec`.
   *
   * @param directory path of the folder
   */
  public static fromDirectory(directory: string, options: DirectoryRevisionOptions = {}): ServerRevision {
    return new DirectoryRevision(directory, options);
  }

  /**
   * A bundle already in S3 (zip, tar or tgz with `appspec.yml` at its root).
   *
   * @param bucket the bucket
   * @param key the object key
   */
  public static fromBucket(bucket: s3.IBucket, key: string, options: BucketRevisionOptions = {}): ServerRevision {
    return new BucketRevision(bucket, key, options);
  }

  /** Whether the revision is copied to a revision bucket (a local folder) rather than deployed where it is. */
  public abstract readonly needsRevisionBucket: boolean;

  /** Binds the revision to a deployment. */
  public abstract bind(scope: Construct, options: ServerRevisionBindOptions): ServerRevisionConfig;

  /**
   * The checked bundle of a local folder, as a zip asset; undefined for a bundle already in S3.
   *
   * @internal
   */
  public _bundle(_scope: Construct): { readonly asset: s3assets.Asset; readonly appSpec?: ServerAppSpec } | undefined {
    return undefined;
  }
}

const MACOS_METADATA = ['__MACOSX', '**/__MACOSX', '.DS_Store', '**/.DS_Store'];

class DirectoryRevision extends ServerRevision {
  public readonly needsRevisionBucket = true;
  constructor(private readonly directory: string, private readonly options: DirectoryRevisionOptions) {
    super();
  }

  public bind(scope: Construct, options: ServerRevisionBindOptions): ServerRevisionConfig {
    const revisionBucket = options.revisionBucket;
    if (!revisionBucket) {
      throwIfErrors(scope, ['ServerRevision.fromDirectory needs options.revisionBucket to copy the bundle to.']);
    }
    const { asset, appSpec } = this._bundle(scope);
    const key = `${options.keyPrefix}${asset.assetHash}.zip`;
    return {
      bucket: revisionBucket!,
      instanceReadPattern: `${options.keyPrefix}*`,
      deploymentRevision: DeploymentRevision.fromS3Copy(asset.bucket, asset.s3ObjectKey, revisionBucket!, key),
      appSpec,
    };
  }

  /** @internal */
  public _bundle(scope: Construct): { readonly asset: s3assets.Asset; readonly appSpec?: ServerAppSpec } {
    const dir = path.resolve(this.directory);
    const errors: string[] = [];
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
      throwIfErrors(scope, [`ServerRevision.fromDirectory: "${this.directory}" is not a folder.`]);
    }
    // The agent looks for appspec.yml, then appspec.yaml (command_executor.rb app_spec_real_path).
    const fileName = ['appspec.yml', 'appspec.yaml'].find((f) => fs.existsSync(path.join(dir, f)));
    const ymlPath = fileName ? path.join(dir, fileName) : path.join(dir, 'appspec.yml');
    const hasYml = fileName !== undefined;
    let appSpec = this.options.appSpec;
    if (hasYml && appSpec) {
      errors.push(
        `${this.directory} has its own ${fileName} and options.appSpec was given too; a revision has exactly one AppSpec. Remove one of them.`,
      );
    } else if (hasYml) {
      const content = fs.readFileSync(ymlPath, 'utf8');
      const reading = readAppSpec(content, {
        isFileSource: (source) => {
          const p = path.join(dir, source);
          return fs.existsSync(p) ? fs.statSync(p).isFile() : looksLikeFile(source);
        },
      });
      errors.push(...reading.errors.map((p) => `${ymlPath}: ${p}`));
      if (reading.errors.length === 0 && reading.props) {
        appSpec = new ServerAppSpec(reading.props);
        appSpec.warnings.push(...reading.warnings);
        for (const warning of reading.warnings) {
          Annotations.of(scope).addWarningV2('cdk-codedeploy-patterns:appSpecIgnoredKey', `${ymlPath}: ${warning}`);
        }
      } else {
        // Report missing files together with the file's other problems, not one round later.
        errors.push(...missingReferencedFiles(dir, referencedPaths(content)));
      }
    } else if (!appSpec) {
      const other = ['AppSpec.yml', 'AppSpec.yaml', 'appspec.json'].find((f) => fs.existsSync(path.join(dir, f)));
      errors.push(
        other
          ? `${this.directory} has ${other}, but the agent looks for appspec.yml (or appspec.yaml), in lower case, at the root of the revision. Rename it.`
          : `${this.directory} has no appspec.yml at its root; add one, or pass options.appSpec to have one generated.`,
      );
    }
    if (appSpec) {
      errors.push(...checkBundleContents(dir, appSpec));
    }
    throwIfErrors(scope, errors);

    let assetPath = dir;
    if (!hasYml && appSpec) {
      // A copy of the folder with the rendered appspec.yml; the asset hash covers both.
      assetPath = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-codedeploy-revision-'));
      fs.cpSync(dir, assetPath, { recursive: true });
      fs.writeFileSync(path.join(assetPath, 'appspec.yml'), appSpec.toYaml());
    }
    const asset = new s3assets.Asset(scope, 'Bundle', {
      path: assetPath,
      exclude: [...MACOS_METADATA, ...(this.options.exclude ?? [])],
    });
    return { asset, appSpec };
  }
}

function missingReferencedFiles(dir: string, refs: ReturnType<typeof referencedPaths>): string[] {
  if (!refs) {
    return [];
  }
  const errors: string[] = [];
  for (const { event, location } of refs.scripts) {
    const file = path.join(dir, location.replace(/\\/g, '/'));
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      errors.push(`hooks.${event}: script ${location} is not in the revision folder ${dir}.`);
    }
  }
  refs.sources.forEach((source, i) => {
    const s = source.replace(/\\/g, '/');
    if (s !== '/' && s !== '' && !fs.existsSync(path.join(dir, s))) {
      errors.push(`files[${i}].source ${source} is not in the revision folder ${dir}.`);
    }
  });
  return errors;
}

/** Every file the AppSpec refers to must be in the bundle; Linux scripts must have Unix line endings. */
function checkBundleContents(dir: string, appSpec: ServerAppSpec): string[] {
  const errors: string[] = [];
  for (const { lifecycleEvent: event, script } of appSpec.scripts) {
    // The agent joins the location to the revision folder (a leading / stays inside it).
    const file = path.join(dir, script.location.replace(/\\/g, '/'));
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
      errors.push(`hooks.${event}: script ${script.location} is not in the revision folder ${dir}.`);
    } else if (appSpec.os === ServerOs.LINUX && fs.readFileSync(file).includes('\r\n')) {
      errors.push(
        `hooks.${event}: script ${script.location} has Windows (CRLF) line endings, which make it fail on Linux ("bad interpreter"); convert it to LF.`,
      );
    }
  }
  appSpec.files.forEach((f, i) => {
    const source = f.source.replace(/\\/g, '/');
    if (source !== '/' && source !== '' && !fs.existsSync(path.join(dir, source))) {
      errors.push(`files[${i}].source ${f.source} is not in the revision folder ${dir}.`);
    }
  });
  return errors;
}

class BucketRevision extends ServerRevision {
  public readonly needsRevisionBucket = false;
  constructor(private readonly bucket: s3.IBucket, private readonly key: string, private readonly options: BucketRevisionOptions) {
    super();
  }

  public bind(scope: Construct): ServerRevisionConfig {
    const errors: string[] = [];
    const bundleType = this.options.bundleType ?? RevisionBundleType.ZIP;
    if (bundleType === RevisionBundleType.JSON || bundleType === RevisionBundleType.YAML) {
      errors.push(`ServerRevision.fromBucket: bundleType ${bundleType} is for Lambda and ECS AppSpecs; EC2/on-premises bundles are zip, tar or tgz.`);
    } else {
      errors.push(...DeploymentRevision.fromS3(this.bucket, this.key, { bundleType })._problems().map((p) => p.replace(/^revision:/, 'ServerRevision.fromBucket:')));
    }
    throwIfErrors(scope, errors);
    let pattern = this.options.instanceReadPattern;
    if (pattern === undefined) {
      const slash = Token.isUnresolved(this.key) ? -1 : this.key.lastIndexOf('/');
      pattern = slash > 0 ? `${this.key.slice(0, slash + 1)}*` : this.key;
    }
    return {
      bucket: this.bucket,
      instanceReadPattern: pattern,
      deploymentRevision: DeploymentRevision.fromS3(this.bucket, this.key, {
        bundleType,
        eTag: this.options.eTag,
        objectVersion: this.options.objectVersion,
      }),
    };
  }
}
