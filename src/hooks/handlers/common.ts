/**
 * Shared by the built-in hook handlers (bundled into each): configuration from the environment,
 * an abortable sleep, and lazy access to the AWS SDK v3 clients of the Lambda runtime.
 */
import { hookHandler, HookCheck } from '../runtime/hook-handler';

/** Environment variable with the hook's JSON configuration (written by the construct). */
export const CONFIG_VARIABLE = 'HOOK_CONFIG';
/** Environment variable with the check's deadline in milliseconds. */
export const DEADLINE_VARIABLE = 'HOOK_DEADLINE_MS';

/** The hook's configuration, read on every invocation. */
export function readConfig<T>(): T {
  const raw = process.env[CONFIG_VARIABLE];
  if (!raw) {
    throw new Error(`${CONFIG_VARIABLE} is not set`);
  }
  return JSON.parse(raw) as T;
}

/** A Lambda handler running `check` with the deadline from the environment. */
export function builtInHandler(check: HookCheck) {
  return (event: any, context: any) => {
    const deadline = Number(process.env[DEADLINE_VARIABLE]);
    // Where the library turns it on (HOOK_ANNOUNCE_STATUS), the runtime announces the status after reporting it.
    return hookHandler(check, { deadlineMs: Number.isFinite(deadline) && deadline > 0 ? deadline : undefined })(event, context);
  };
}

/** Waits `ms`, or less when the signal aborts (the library's one sleep). */
export { sleep } from '../../private/runtime';

/** An SDK v3 client package (`@aws-sdk/client-<service>`), loaded from the Lambda runtime. */
export function sdkPackage(service: string): any {
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  return require(`@aws-sdk/client-${service}`);
}

const clients = new Map<string, any>();

/** One client per service and process (connections are reused across invocations). */
export function sdkClient(service: string): any {
  let client = clients.get(service);
  if (!client) {
    const pkg = sdkPackage(service);
    const name = Object.keys(pkg).find((key) => key.endsWith('Client') && key !== 'Client' && typeof pkg[key] === 'function' && !key.startsWith('__'));
    if (!name) {
      throw new Error(`@aws-sdk/client-${service} exports no client class`);
    }
    client = new pkg[name]({});
    clients.set(service, client);
  }
  return client;
}

/** Shortens a value for a log line or a failure reason. */
export function brief(value: unknown, max: number = 500): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text === undefined ? String(value) : text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}
