/**
 * Built-in hook `LifecycleHook.invokeCheck`: finds the version a Lambda deployment is shifting
 * traffic to from the deployment's own AppSpec (GetDeployment for its hash, GetApplicationRevision
 * for its content), invokes exactly that version with
 * a payload, and passes when it answers without a function error and with the expected response.
 */
import { parse as parseYaml } from 'yaml';
import { brief, builtInHandler, readConfig, sdkClient, sdkPackage } from './common';

export interface InvokeCheckConfig {
  /** Name or ARN of the function being deployed; without it, the one function of the deployment's AppSpec. */
  readonly functionName?: string;
  /** JSON payload. */
  readonly payload: string;
  readonly responseContains?: string;
  readonly responseMatches?: string;
}

export const handler = builtInHandler(async (_event, context) => {
  if (context.engine !== 'CODE_DEPLOY') {
    // Only a CodeDeploy Lambda deployment has a version to invoke; the construct binds it to no other.
    throw new Error(`invokeCheck runs in CodeDeploy Lambda deployments only; it was invoked by ${context.engine}`);
  }
  const config = readConfig<InvokeCheckConfig>();
  const codedeploy = sdkPackage('codedeploy');
  const deployment = await sdkClient('codedeploy').send(new codedeploy.GetDeploymentCommand({ deploymentId: context.deploymentId }), {
    abortSignal: context.signal,
  });
  const info = deployment.deploymentInfo ?? {};
  let revision = info.revision;
  // GetDeployment returns the AppSpec's hash but never its content; the application revision has it.
  if (revision?.revisionType === 'AppSpecContent' && typeof revision.appSpecContent?.content !== 'string') {
    const stored = await sdkClient('codedeploy').send(
      new codedeploy.GetApplicationRevisionCommand({ applicationName: info.applicationName, revision }),
      { abortSignal: context.signal },
    );
    revision = stored.revision;
  }
  const { functionName, version } = targetVersion(revision, config.functionName);
  context.log('invoking the version being deployed', { functionName, version });

  const lambda = sdkPackage('lambda');
  const result = await sdkClient('lambda').send(
    new lambda.InvokeCommand({
      FunctionName: functionName,
      Qualifier: version,
      InvocationType: 'RequestResponse',
      Payload: new TextEncoder().encode(config.payload),
    }),
    { abortSignal: context.signal },
  );
  const response = result.Payload ? new TextDecoder().decode(result.Payload) : '';
  if (result.FunctionError) {
    throw new Error(`version ${version} returned a function error (${result.FunctionError}): ${brief(response)}`);
  }
  if (config.responseContains !== undefined && !response.includes(config.responseContains)) {
    throw new Error(`version ${version} answered without ${JSON.stringify(config.responseContains)}: ${brief(response)}`);
  }
  if (config.responseMatches !== undefined && !new RegExp(config.responseMatches).test(response)) {
    throw new Error(`version ${version} answered something not matching /${config.responseMatches}/: ${brief(response)}`);
  }
  return `version ${version} answered as expected: ${brief(response, 200)}`;
});

/**
 * The function and TargetVersion the deployment's AppSpec (JSON or YAML) deploys: the given
 * function's, or without a name the AppSpec's one function (a Lambda AppSpec deploys exactly one).
 */
export function targetVersion(revision: any, functionName?: string): { functionName: string; version: string } {
  const content: string | undefined = revision?.appSpecContent?.content ?? revision?.string?.content;
  if (typeof content !== 'string') {
    throw new Error(`the deployment has no AppSpec content to find the target version in (revision type ${revision?.revisionType ?? 'none'})`);
  }
  const functions = lambdaResources(content);
  const deploys = functions.map((f) => f.name).join(', ') || 'no Lambda function';
  let match: { name: string; targetVersion: string } | undefined;
  if (functionName === undefined) {
    if (functions.length !== 1) {
      throw new Error(`the deployment's AppSpec must deploy exactly one Lambda function; it deploys ${deploys}`);
    }
    match = functions[0];
  } else {
    const wanted = shortName(functionName);
    match = functions.find((f) => shortName(f.name) === wanted);
    if (!match) {
      throw new Error(`the deployment's AppSpec does not deploy ${wanted} (it deploys ${deploys})`);
    }
  }
  if (!match.name) {
    throw new Error('the deployment\'s AppSpec names no function (Properties.Name is missing)');
  }
  if (!/^\d+$/.test(match.targetVersion)) {
    throw new Error(`the deployment's AppSpec gives ${shortName(match.name)} the target version ${JSON.stringify(match.targetVersion)}, not a version number`);
  }
  return { functionName: functionName ?? match.name, version: match.targetVersion };
}

function lambdaResources(content: string): Array<{ name: string; targetVersion: string }> {
  // JSON is YAML too: one parser for both (the library's YAML implementation, bundled).
  let parsed: any;
  try {
    parsed = parseYaml(content, { version: '1.1' });
  } catch (e) {
    throw new Error(`the deployment's AppSpec is neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const resources: any[] = Array.isArray(parsed?.Resources) ? parsed.Resources : [];
  return resources
    .flatMap((entry) => Object.values(entry ?? {}))
    .filter((r: any) => r?.Type === 'AWS::Lambda::Function')
    .map((r: any) => ({ name: String(r.Properties?.Name ?? ''), targetVersion: String(r.Properties?.TargetVersion ?? '') }));
}

/** `arn:...:function:name[:qualifier]` or `name` -> `name`. */
function shortName(nameOrArn: string): string {
  const arn = /^arn:[^:]+:lambda:[^:]+:\d+:function:([^:]+)/.exec(nameOrArn);
  return arn ? arn[1] : nameOrArn.split(':')[0];
}
