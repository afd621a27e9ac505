import * as path from 'path';
import { AssetStaging, FileAssetPackaging, Names, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

// The functions that run the library's own handlers (src/**/*.lambda.ts, bundled by esbuild into
// assets/<path>/index.js; see .projenrc.ts). Not exported from the package.

/**
 * A bundled handler's folder as Lambda code, staged and registered with the stack's synthesizer
 * directly. `lambda.Code.fromAsset` goes through an s3-assets `Asset`, whose bucket import loads
 * aws-cdk-lib's region-info tables (about 100 ms of every synth of an app that has no other asset).
 * The template and the asset manifest are the same (the integration snapshots show it): the
 * synthesizer gives the bucket and key from the same source hash. Without the `aws:asset:*`
 * resource metadata the CLI adds by default (for SAM CLI's local runs of the function).
 */
class BundledHandlerCode extends lambda.Code {
  public readonly isInline = false;

  constructor(private readonly directory: string) {
    super();
  }

  /** Called once, by the function this code was made for (see BundledFunction). */
  public bind(scope: Construct): lambda.CodeConfig {
    const stack = Stack.of(scope);
    const staging = new AssetStaging(scope, 'Code', { sourcePath: this.directory });
    const asset = stack.synthesizer.addFileAsset({
      packaging: FileAssetPackaging.ZIP_DIRECTORY,
      sourceHash: staging.assetHash,
      fileName: staging.relativeStagedPath(stack),
      deployTime: true,
      // As an s3-assets Asset names its asset in the manifest (what the CLI shows while publishing).
      displayName: Names.stackRelativeConstructPath(staging),
    });
    return { s3Location: { bucketName: asset.bucketName, objectKey: asset.objectKey } };
  }
}

/** The library's handlers: src/<name>.ts, bundled into assets/<name>/index.js. */
export type BundledHandler =
  | 'trigger/deployment-trigger.lambda'
  | 'hooks/handlers/alarm-check.lambda'
  | 'hooks/handlers/http-check.lambda'
  | 'hooks/handlers/invoke-check.lambda'
  | 'hooks/handlers/sdk-call.lambda';

/** A Lambda function (Node.js 24) running one of the library's bundled handlers. */
export class BundledFunction extends lambda.Function {
  constructor(scope: Construct, id: string, handler: BundledHandler, props: lambda.FunctionOptions = {}) {
    super(scope, id, {
      description: `src/${handler}.ts`,
      ...props,
      runtime: new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS),
      handler: 'index.handler',
      code: new BundledHandlerCode(path.join(__dirname, '..', '..', 'assets', handler)),
    });
  }
}
