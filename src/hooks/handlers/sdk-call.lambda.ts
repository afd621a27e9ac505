/**
 * Built-in hook `LifecycleHook.sdkCall`: one AWS SDK v3 call whose success decides the hook
 * (errors named in `acceptedErrors` count as success).
 */
import { brief, builtInHandler, readConfig, sdkClient, sdkPackage } from './common';

export interface SdkCallConfig {
  /** `@aws-sdk/client-<service>`. */
  readonly service: string;
  /** The command without `Command`, e.g. `StopDeployment`. */
  readonly action: string;
  readonly parameters: Record<string, unknown>;
  readonly acceptedErrors: string[];
}

export const handler = builtInHandler(async (_event, context) => {
  const config = readConfig<SdkCallConfig>();
  const pkg = sdkPackage(config.service);
  const Command = pkg[`${config.action}Command`];
  if (typeof Command !== 'function') {
    throw new Error(`@aws-sdk/client-${config.service} has no ${config.action}Command`);
  }
  try {
    const result = await sdkClient(config.service).send(new Command(config.parameters), { abortSignal: context.signal });
    const { $metadata, ...output } = result ?? {};
    context.log('call succeeded', { service: config.service, action: config.action, requestId: $metadata?.requestId, output: brief(output) });
    return `${config.service}:${config.action} succeeded`;
  } catch (err) {
    const name = (err as any)?.name;
    if (config.acceptedErrors.includes(name)) {
      context.log('call failed with an accepted error', { service: config.service, action: config.action, error: name, message: (err as Error).message });
      return `${config.service}:${config.action} failed with ${name}, which counts as success`;
    }
    throw err;
  }
});
