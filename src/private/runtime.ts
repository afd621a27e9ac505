/**
 * Run-time helpers shared by every bundled handler (the deployment trigger, the built-in hooks)
 * and the public hook runtime: one transient-error rule, one JSON logger, one sleep. No imports:
 * this module is bundled into Lambda functions.
 */

/** Error names and codes of the AWS SDK and Node.js worth retrying. */
const TRANSIENT = new Set([
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'InternalFailure',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
]);

/** The error's name (or the service's `__type`). */
export function errorName(err: unknown): string {
  return (err as any)?.name ?? (err as any)?.__type ?? '';
}

/** Whether an AWS SDK (or network) error is worth retrying: throttling, 5xx, a dropped connection. */
export function isTransientError(err: unknown): boolean {
  const e = err as any;
  const status = e?.$metadata?.httpStatusCode;
  // The SDK wraps errors that are not Error instances (e.g. from another realm) as "AWS SDK error wrapper for <name>: ...".
  const wrapped = /^AWS SDK error wrapper for (\w+)/.exec(String(e?.message ?? ''))?.[1];
  return (
    TRANSIENT.has(errorName(err)) ||
    TRANSIENT.has(e?.code) ||
    (wrapped !== undefined && TRANSIENT.has(wrapped)) ||
    (typeof status === 'number' && status >= 500)
  );
}

/** "Name: message", or the value as a string. */
export function describeError(err: unknown): string {
  const e = err as any;
  return e?.name && e?.message ? `${e.name}: ${e.message}` : String(err);
}

/** Waits `ms`, or less when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done);
  });
}

export type Logger = (level: 'info' | 'warn' | 'error', message: string, extra?: Record<string, unknown>) => void;

/** One JSON line per message on stdout (CloudWatch Logs), with the fields that identify the invocation. */
export function jsonLogger(fields: () => Record<string, unknown>): Logger {
  return (level, message, extra = {}) => {
    console.log(JSON.stringify({ level, message, ...fields(), ...extra }));
  };
}

/**
 * The event a built-in hook sends to the account's default event bus after it reported the status
 * of an ECS deployment's AfterAllowTraffic hook: the moment the deployment trigger waits for (the
 * termination wait starts right after), which no CodeDeploy event reports. Detail: `deploymentId`,
 * `application`, `deploymentGroup`, `lifecycleEventHookExecutionId`, `status`.
 */
export const HOOK_EVENT_SOURCE = 'cdk-codedeploy-patterns';
export const HOOK_EVENT_DETAIL_TYPE = 'CodeDeploy Lifecycle Hook Status Reported';
/** Environment variable that turns the event on for a built-in hook's function ("true"). */
export const HOOK_ANNOUNCE_VARIABLE = 'HOOK_ANNOUNCE_STATUS';
