/**
 * Runtime helper for CodeDeploy lifecycle hook functions (Lambda and ECS deployments).
 *
 * Not part of the jsii API: import it in your hook's TypeScript/JavaScript handler from
 * `cdk-codedeploy-patterns/lib/hooks/runtime/hook-handler`.
 *
 * `hookHandler(check)` turns a check into a Lambda handler that reports `Succeeded` or `Failed` to
 * CodeDeploy exactly once: `Failed` when the check throws, returns `false`, or is still running at
 * its deadline (kept inside the Lambda timeout); the status call is retried on throttling, 5xx and
 * network errors. A hook that never reports leaves the deployment waiting an hour for CodeDeploy's
 * own timeout; this helper never does.
 */
import { describeError, isTransientError, jsonLogger, Logger, sleep } from '../../private/runtime';

/** The event CodeDeploy invokes a hook function with. */
export interface HookEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
}

/** What a check gets besides the event. */
export interface HookCheckContext {
  readonly deploymentId: string;
  readonly lifecycleEventHookExecutionId: string;
  /** Aborted when the deadline passes: pass it to fetch() and SDK calls so they stop too. */
  readonly signal: AbortSignal;
  /** Milliseconds left until the deadline. */
  remainingMs(): number;
  /** A structured JSON log line carrying the deployment ID. */
  log(message: string, extra?: Record<string, unknown>): void;
}

/**
 * A check: resolve (with anything but `false`) to pass; throw, reject or resolve `false` to fail.
 * A string result is logged as the reason.
 */
export type HookCheck = (event: HookEvent, context: HookCheckContext) => Promise<unknown> | unknown;

/** The part of the Lambda context the helper uses. */
export interface LambdaContextLike {
  getRemainingTimeInMillis(): number;
}

/** The status call, so tests or other SDK setups can provide their own. */
export type PutStatus = (input: { deploymentId: string; lifecycleEventHookExecutionId: string; status: 'Succeeded' | 'Failed' }) => Promise<unknown>;

export interface HookHandlerOptions {
  /**
   * Longest the check may run, in milliseconds. It is also capped at the Lambda time left minus
   * `reserveMs`.
   * @default 600000 (10 minutes)
   */
  readonly deadlineMs?: number;
  /**
   * Time kept back from the Lambda timeout for reporting the status.
   * @default 10000
   */
  readonly reserveMs?: number;
  /**
   * Attempts of the status call on throttling, 5xx and network errors (backoff 200 ms doubling, capped at 3 s).
   * @default 8
   */
  readonly statusAttempts?: number;
  /**
   * The status call.
   * @default PutLifecycleEventHookExecutionStatus with @aws-sdk/client-codedeploy (in the Lambda runtime)
   */
  readonly putStatus?: PutStatus;
}

export type HookOutcome = { status: 'Succeeded' | 'Failed'; reason: string };

/** Whether an AWS SDK (or network) error is worth retrying (the library's one rule, also the trigger's). */
export { isTransientError };

/** Wraps a check into a Lambda handler that always reports the hook's status exactly once. */
export function hookHandler(check: HookCheck, options: HookHandlerOptions = {}) {
  const putStatus = options.putStatus ?? defaultPutStatus();
  const reserveMs = options.reserveMs ?? 10_000;
  const attempts = Math.max(1, options.statusAttempts ?? 8);

  return async (event: HookEvent, context: LambdaContextLike): Promise<HookOutcome> => {
    const log = logger(event);
    const budget = Math.max(0, Math.min(options.deadlineMs ?? 600_000, context.getRemainingTimeInMillis() - reserveMs));
    const outcome = await runCheck(check, event, budget, log);
    log(outcome.status === 'Succeeded' ? 'info' : 'error', 'hook finished', { status: outcome.status, reason: outcome.reason });

    for (let attempt = 1; ; attempt++) {
      try {
        await putStatus({
          deploymentId: event.DeploymentId,
          lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
          status: outcome.status,
        });
        log('info', 'status reported', { status: outcome.status, attempt });
        return outcome;
      } catch (err) {
        const left = context.getRemainingTimeInMillis();
        if (!isTransientError(err) || attempt >= attempts || left < 2_000) {
          log('error', 'could not report the status', { status: outcome.status, attempt, error: describeError(err) });
          throw err;
        }
        const wait = Math.min(3_000, 200 * 2 ** (attempt - 1), Math.max(0, left - 2_000));
        log('warn', 'status call failed; retrying', { attempt, error: describeError(err), waitMs: wait });
        await sleep(wait);
      }
    }
  };
}


async function runCheck(check: HookCheck, event: HookEvent, budgetMs: number, log: Logger): Promise<HookOutcome> {
  const controller = new AbortController();
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<HookOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`hook deadline of ${budgetMs} ms passed`));
      resolve({ status: 'Failed', reason: `the check did not finish within ${budgetMs} ms` });
    }, budgetMs);
  });
  const context: HookCheckContext = {
    deploymentId: event.DeploymentId,
    lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
    signal: controller.signal,
    remainingMs: () => Math.max(0, budgetMs - (Date.now() - started)),
    log: (message, extra) => log('info', message, extra),
  };
  const run = (async (): Promise<HookOutcome> => {
    try {
      const result = await check(event, context);
      if (result === false) {
        return { status: 'Failed', reason: 'the check returned false' };
      }
      return { status: 'Succeeded', reason: typeof result === 'string' ? result : 'the check passed' };
    } catch (err) {
      return { status: 'Failed', reason: `the check threw: ${describeError(err)}` };
    }
  })();
  try {
    return await Promise.race([run, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function defaultPutStatus(): PutStatus {
  let client: any;
  return async (input) => {
    // Loaded lazily from the Lambda runtime (or your bundle): this module has no dependencies.
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    const sdk = require('@aws-sdk/client-codedeploy');
    client ??= new sdk.CodeDeployClient({});
    return client.send(new sdk.PutLifecycleEventHookExecutionStatusCommand(input));
  };
}

function logger(event: HookEvent): Logger {
  return jsonLogger(() => ({ deploymentId: event.DeploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId }));
}

