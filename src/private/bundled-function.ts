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
  private location?: { stack: Stack; bucketName: string; objectKey: string };

  constructor(private readonly directory: string) {
    super();
  }

  public bind(scope: Construct): lambda.CodeConfig {
    const stack = Stack.of(scope);
    if (!this.location) {
      const staging = new AssetStaging(scope, 'Code', { sourcePath: this.directory });
      const asset = stack.synthesizer.addFileAsset({
        packaging: FileAssetPackaging.ZIP_DIRECTORY,
        sourceHash: staging.assetHash,
        fileName: staging.relativeStagedPath(stack),
        deployTime: true,
        // As an s3-assets Asset names its asset in the manifest (what the CLI shows while publishing).
        displayName: Names.stackRelativeConstructPath(staging),
      });
      this.location = { stack, bucketName: asset.bucketName, objectKey: asset.objectKey };
    } else if (this.location.stack !== stack) {
      throw new Error(`${this.directory} is staged for stack ${this.location.stack.stackName}; a function of another stack needs its own code.`);
    }
    return { s3Location: { bucketName: this.location.bucketName, objectKey: this.location.objectKey } };
  }
}

/** A Lambda function (Node.js 24) running the bundled handler `assets/<handler>/index.js`. */
class BundledFunction extends lambda.Function {
  constructor(scope: Construct, id: string, handler: string, props: lambda.FunctionOptions = {}) {
    if (!/^[a-z/-]+\.lambda$/.test(handler)) {
      throw new Error(`not a bundled handler: ${handler}`);
    }
    super(scope, id, {
      description: `src/${handler}.ts`,
      ...props,
      runtime: new lambda.Runtime('nodejs24.x', lambda.RuntimeFamily.NODEJS),
      handler: 'index.handler',
      code: new BundledHandlerCode(path.join(__dirname, '..', '..', 'assets', handler)),
    });
  }
}

/** The deployment trigger (src/trigger/deployment-trigger.lambda.ts), also the listener reader. */
export class DeploymentTriggerFunction extends BundledFunction {
  constructor(scope: Construct, id: string, props?: lambda.FunctionOptions) {
    super(scope, id, 'trigger/deployment-trigger.lambda', props);
  }
}

/** The built-in alarmCheck hook. */
export class AlarmCheckFunction extends BundledFunction {
  constructor(scope: Construct, id: string, props?: lambda.FunctionOptions) {
    super(scope, id, 'hooks/handlers/alarm-check.lambda', props);
  }
}

/** The built-in httpCheck hook. */
export class HttpCheckFunction extends BundledFunction {
  constructor(scope: Construct, id: string, props?: lambda.FunctionOptions) {
    super(scope, id, 'hooks/handlers/http-check.lambda', props);
  }
}

/** The built-in invokeCheck hook. */
export class InvokeCheckFunction extends BundledFunction {
  constructor(scope: Construct, id: string, props?: lambda.FunctionOptions) {
    super(scope, id, 'hooks/handlers/invoke-check.lambda', props);
  }
}

/** The built-in sdkCall hook. */
export class SdkCallFunction extends BundledFunction {
  constructor(scope: Construct, id: string, props?: lambda.FunctionOptions) {
    super(scope, id, 'hooks/handlers/sdk-call.lambda', props);
  }
}
