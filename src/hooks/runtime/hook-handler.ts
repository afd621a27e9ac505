/**
 * Runtime helper for lifecycle hook functions of CodeDeploy deployments (Lambda, ECS, EC2) and of
 * ECS-native deployments (the ECS deployment controller): one check, either protocol.
 *
 * Not part of the jsii API: import it in your hook's TypeScript/JavaScript handler from
 * `cdk-codedeploy-patterns/lib/hooks/runtime/hook-handler`.
 *
 * `hookHandler(check)` turns a check into a Lambda handler that answers the engine that invoked it:
 *
 * - CodeDeploy (`DeploymentId`, `LifecycleEventHookExecutionId`): reports `Succeeded` or `Failed`
 *   with `PutLifecycleEventHookExecutionStatus` exactly once, retried on throttling, 5xx and network
 *   errors. A hook that never reports leaves the deployment waiting an hour for CodeDeploy's own
 *   timeout; this helper never does.
 * - ECS (`executionId`, `lifecycleStage`): returns `{ hookStatus: SUCCEEDED | FAILED | IN_PROGRESS }`,
 *   which is how ECS hooks answer (no status call).
 *
 * Either way the check fails when it throws, returns `false`, or is still running at its deadline
 * (kept inside the Lambda timeout). A check that needs more time returns `inProgress()`: ECS invokes
 * the function again after the delay (`IN_PROGRESS`, `callBackDelay`); under CodeDeploy, which has
 * no such answer, the helper waits the delay itself and runs the check again, within the deadline.
 */
import {
  describeError, HOOK_ANNOUNCE_VARIABLE, HOOK_EVENT_DETAIL_TYPE, HOOK_EVENT_SOURCE, isTransientError, jsonLogger, Logger, sleep,
} from '../../private/runtime';

/** The event CodeDeploy invokes a hook function with. */
export interface HookEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
}

/** What an ECS-native deployment tells a hook about itself. */
export interface EcsExecutionDetails {
  readonly serviceArn?: string;
  readonly targetServiceRevisionArn?: string;
  /** Target group ARN to weight, for the test listener (rule). */
  readonly testTrafficWeights?: Record<string, number>;
  /** Target group ARN to weight, for the production listener (rule). */
  readonly productionTrafficWeights?: Record<string, number>;
}

/** The event ECS invokes a lifecycle hook function with (ECS deployment controller). */
export interface EcsHookEvent {
  readonly executionId: string;
  /** e.g. POST_TEST_TRAFFIC_SHIFT, PRE_PRODUCTION_TRAFFIC_SHIFT. */
  readonly lifecycleStage: string;
  /** The service deployment's ARN. */
  readonly resourceArn: string;
  readonly executionDetails?: EcsExecutionDetails;
  /** The hook's details from the service definition, merged with what earlier IN_PROGRESS answers returned. */
  readonly hookDetails?: Record<string, unknown>;
}

/** What an ECS hook function answers. */
export interface EcsHookResponse {
  readonly hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';
  /** Seconds until ECS invokes the hook again (IN_PROGRESS). */
  readonly callBackDelay?: number;
  readonly hookDetails?: Record<string, unknown>;
}

/** Which engine invoked the hook. */
export type HookEngine = 'CODE_DEPLOY' | 'ECS';

/** What a check gets besides the event. */
export interface HookCheckContext {
  readonly engine: HookEngine;
  /** CodeDeploy: the deployment ID; ECS: the service deployment's ARN. */
  readonly deploymentId: string;
  /** CodeDeploy: the hook execution ID; ECS: the execution ID. */
  readonly lifecycleEventHookExecutionId: string;
  /** ECS: the lifecycle stage; CodeDeploy: undefined (the function is bound to one event). */
  readonly lifecycleStage?: string;
  /** ECS: the service being deployed. */
  readonly serviceArn?: string;
  /** What the last `inProgress()` carried (ECS: the hook's `hookDetails`); empty at first. */
  readonly details: Record<string, unknown>;
  /** Aborted when the deadline passes: pass it to fetch() and SDK calls so they stop too. */
  readonly signal: AbortSignal;
  /** Milliseconds left until the deadline. */
  remainingMs(): number;
  /** A structured JSON log line carrying the deployment ID. */
  log(message: string, extra?: Record<string, unknown>): void;
}

/** A check's answer that it is not done yet: run it again after the delay. */
export interface InProgress {
  readonly inProgress: true;
  readonly callBackDelaySeconds: number;
  readonly details?: Record<string, unknown>;
}

/**
 * The check is not done yet: ECS invokes the hook again after `callBackDelaySeconds` (default 30,
 * ECS's own), passing `details` back; under CodeDeploy the helper waits and runs the check again.
 */
export function inProgress(options: { callBackDelaySeconds?: number; details?: Record<string, unknown> } = {}): InProgress {
  const delay = options.callBackDelaySeconds ?? 30;
  if (!Number.isFinite(delay) || delay < 1) {
    throw new Error(`inProgress: callBackDelaySeconds must be at least 1; received ${delay}`);
  }
  return { inProgress: true, callBackDelaySeconds: delay, details: options.details };
}

/**
 * A check: resolve (with anything but `false`) to pass; throw, reject or resolve `false` to fail;
 * resolve `inProgress()` to be run again. A string result is logged as the reason.
 */
export type HookCheck = (event: HookEvent | EcsHookEvent, context: HookCheckContext) => Promise<unknown> | unknown;

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
   * The status call (CodeDeploy only).
   * @default PutLifecycleEventHookExecutionStatus with @aws-sdk/client-codedeploy (in the Lambda runtime)
   */
  readonly putStatus?: PutStatus;
  /**
   * Runs after the status was reported (CodeDeploy only), e.g. to tell someone waiting; a failure
   * is logged and changes nothing (the status stands).
   * @default - `announceStatus` when the function's environment has HOOK_ANNOUNCE_STATUS=true
   *   (which the library sets where a deployment trigger waits for it), else nothing
   */
  readonly afterReport?: (report: HookReport, log: Logger) => Promise<void>;
}

/** A status a hook reported to CodeDeploy. */
export interface HookReport {
  readonly deploymentId: string;
  readonly lifecycleEventHookExecutionId: string;
  readonly status: 'Succeeded' | 'Failed';
}

export type HookOutcome = { status: 'Succeeded' | 'Failed'; reason: string };

/** Whether an AWS SDK (or network) error is worth retrying (the library's one rule, also the trigger's). */
export { isTransientError };
export type { Logger };

/** Whether ECS (not CodeDeploy) invoked the hook. */
export function isEcsHookEvent(event: unknown): event is EcsHookEvent {
  const e = event as Record<string, unknown> | undefined;
  return typeof e?.executionId === 'string' && typeof e?.lifecycleStage === 'string';
}

/** The Lambda handler `hookHandler` makes: its answer's type follows the event's. */
export interface HookLambdaHandler {
  (event: HookEvent, context: LambdaContextLike): Promise<HookOutcome>;
  (event: EcsHookEvent, context: LambdaContextLike): Promise<EcsHookResponse>;
  (event: HookEvent | EcsHookEvent, context: LambdaContextLike): Promise<HookOutcome | EcsHookResponse>;
}

/** Wraps a check into a Lambda handler that answers CodeDeploy (one status call) or ECS (the return value). */
export function hookHandler(check: HookCheck, options: HookHandlerOptions = {}): HookLambdaHandler {
  const putStatus = options.putStatus ?? defaultPutStatus();
  const reserveMs = options.reserveMs ?? 10_000;
  const attempts = Math.max(1, options.statusAttempts ?? 8);

  const handler = async (event: HookEvent | EcsHookEvent, context: LambdaContextLike): Promise<HookOutcome | EcsHookResponse> => {
    const afterReport = options.afterReport ?? (process.env[HOOK_ANNOUNCE_VARIABLE] === 'true' ? announceStatus : undefined);
    const invocation = describeInvocation(event);
    const log = jsonLogger(() => invocation.logFields);
    const budget = Math.max(0, Math.min(options.deadlineMs ?? 600_000, context.getRemainingTimeInMillis() - reserveMs));

    if (invocation.engine === 'ECS') {
      const outcome = await runCheck(check, event, invocation, budget, log, false);
      const hookStatus = outcome.status === 'InProgress' ? 'IN_PROGRESS' : outcome.status === 'Succeeded' ? 'SUCCEEDED' : 'FAILED';
      log(hookStatus === 'FAILED' ? 'error' : 'info', 'hook finished', { hookStatus, reason: outcome.reason });
      return {
        hookStatus,
        ...(outcome.status === 'InProgress' ? { callBackDelay: outcome.callBackDelaySeconds } : {}),
        ...(outcome.details ? { hookDetails: outcome.details } : {}),
      };
    }

    const outcome = await runCheck(check, event, invocation, budget, log, true) as HookOutcome;
    log(outcome.status === 'Succeeded' ? 'info' : 'error', 'hook finished', { status: outcome.status, reason: outcome.reason });
    for (let attempt = 1; ; attempt++) {
      try {
        await putStatus({
          deploymentId: invocation.deploymentId,
          lifecycleEventHookExecutionId: invocation.executionId,
          status: outcome.status,
        });
        log('info', 'status reported', { status: outcome.status, attempt });
        if (afterReport) {
          try {
            const report = { deploymentId: invocation.deploymentId, lifecycleEventHookExecutionId: invocation.executionId, status: outcome.status };
            await afterReport(report, log);
          } catch (err) {
            log('warn', 'the step after reporting failed; the status stands', { error: describeError(err) });
          }
        }
        return { status: outcome.status, reason: outcome.reason };
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
  return handler as HookLambdaHandler;
}

interface Invocation {
  readonly engine: HookEngine;
  readonly deploymentId: string;
  readonly executionId: string;
  readonly lifecycleStage?: string;
  readonly serviceArn?: string;
  readonly details: Record<string, unknown>;
  readonly logFields: Record<string, unknown>;
}

function describeInvocation(event: HookEvent | EcsHookEvent): Invocation {
  if (isEcsHookEvent(event)) {
    return {
      engine: 'ECS',
      deploymentId: event.resourceArn,
      executionId: event.executionId,
      lifecycleStage: event.lifecycleStage,
      serviceArn: event.executionDetails?.serviceArn,
      details: { ...(event.hookDetails ?? {}) },
      logFields: { serviceDeploymentArn: event.resourceArn, executionId: event.executionId, lifecycleStage: event.lifecycleStage },
    };
  }
  const e = event as Partial<HookEvent> | undefined;
  if (typeof e?.DeploymentId !== 'string' || typeof e?.LifecycleEventHookExecutionId !== 'string') {
    throw new Error(
      `not a lifecycle hook event: CodeDeploy sends DeploymentId and LifecycleEventHookExecutionId, ECS executionId and lifecycleStage; received ${JSON.stringify(event)?.slice(0, 200)}`,
    );
  }
  return {
    engine: 'CODE_DEPLOY',
    deploymentId: e.DeploymentId,
    executionId: e.LifecycleEventHookExecutionId,
    details: {},
    logFields: { deploymentId: e.DeploymentId, lifecycleEventHookExecutionId: e.LifecycleEventHookExecutionId },
  };
}

type CheckOutcome =
  | { status: 'Succeeded' | 'Failed'; reason: string; details?: undefined }
  | { status: 'InProgress'; reason: string; callBackDelaySeconds: number; details?: Record<string, unknown> };

function isInProgress(result: unknown): result is InProgress {
  return typeof result === 'object' && result !== null && (result as InProgress).inProgress === true;
}

/**
 * Runs the check within `budgetMs`. With `waitInProcess` (CodeDeploy), an `inProgress()` answer is
 * waited out here and the check runs again; otherwise (ECS) it is the outcome.
 */
async function runCheck(
  check: HookCheck,
  event: HookEvent | EcsHookEvent,
  invocation: Invocation,
  budgetMs: number,
  log: Logger,
  waitInProcess: boolean,
): Promise<CheckOutcome> {
  const controller = new AbortController();
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<CheckOutcome>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`hook deadline of ${budgetMs} ms passed`));
      resolve({ status: 'Failed', reason: `the check did not finish within ${budgetMs} ms` });
    }, budgetMs);
  });
  const remainingMs = () => Math.max(0, budgetMs - (Date.now() - started));
  const run = (async (): Promise<CheckOutcome> => {
    let details = invocation.details;
    for (let round = 1; ; round++) {
      const context: HookCheckContext = {
        engine: invocation.engine,
        deploymentId: invocation.deploymentId,
        lifecycleEventHookExecutionId: invocation.executionId,
        lifecycleStage: invocation.lifecycleStage,
        serviceArn: invocation.serviceArn,
        details,
        signal: controller.signal,
        remainingMs,
        log: (message, extra) => log('info', message, extra),
      };
      let result: unknown;
      try {
        result = await check(event, context);
      } catch (err) {
        return { status: 'Failed', reason: `the check threw: ${describeError(err)}` };
      }
      if (!isInProgress(result)) {
        if (result === false) {
          return { status: 'Failed', reason: 'the check returned false' };
        }
        return { status: 'Succeeded', reason: typeof result === 'string' ? result : 'the check passed' };
      }
      if (!waitInProcess) {
        return { status: 'InProgress', reason: 'the check is in progress', callBackDelaySeconds: result.callBackDelaySeconds, details: result.details };
      }
      const waitMs = result.callBackDelaySeconds * 1000;
      if (waitMs >= remainingMs()) {
        return { status: 'Failed', reason: `the check was still in progress after ${round} round(s) and ${Date.now() - started} ms; no time left to wait ${waitMs} ms` };
      }
      log('info', 'check in progress; running it again after the delay', { round, waitMs });
      details = { ...details, ...(result.details ?? {}) };
      await sleep(waitMs, controller.signal);
    }
  })();
  try {
    return await Promise.race([run, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The announcement's two calls together get this long (10 s; tests shorten it). */
function announceTimeoutMs(): number {
  const v = Number(process.env.HOOK_ANNOUNCE_TIMEOUT_MS);
  return Number.isFinite(v) && v > 0 ? v : 10_000;
}

/**
 * Tells the deployment trigger waiting on an ECS deployment that this AfterAllowTraffic hook
 * reported (the termination wait starts right after, and no CodeDeploy event says so): one event on
 * the account's default bus naming the deployment and its group (read with GetDeployment), which
 * the trigger's rule for that group sends to its mailbox. The function needs
 * codedeploy:GetDeployment on the group and events:PutEvents on the default bus (the library
 * grants both where it turns this on).
 */
export async function announceStatus(report: HookReport, log: Logger): Promise<void> {
  const codedeploy = sdkClient('codedeploy');
  const events = sdkClient('eventbridge');
  // Bounded: without a route to EventBridge (isolated subnets without its endpoint) the calls would
  // otherwise hang until the Lambda timeout; the status is reported already, and the trigger falls
  // back to its once-a-minute read.
  const abortSignal = AbortSignal.timeout(announceTimeoutMs());
  const read = await codedeploy.client.send(new codedeploy.sdk.GetDeploymentCommand({ deploymentId: report.deploymentId }), { abortSignal });
  const info = read.deploymentInfo;
  const out = await events.client.send(new events.sdk.PutEventsCommand({
    Entries: [{
      Source: HOOK_EVENT_SOURCE,
      DetailType: HOOK_EVENT_DETAIL_TYPE,
      Detail: JSON.stringify({
        deploymentId: report.deploymentId,
        application: info?.applicationName,
        deploymentGroup: info?.deploymentGroupName,
        lifecycleEventHookExecutionId: report.lifecycleEventHookExecutionId,
        status: report.status,
      }),
    }],
  }), { abortSignal });
  if (out.FailedEntryCount) {
    throw new Error(`PutEvents refused the event: ${out.Entries?.[0]?.ErrorCode ?? 'unknown error'} ${out.Entries?.[0]?.ErrorMessage ?? ''}`.trim());
  }
  log('info', 'hook status announced', { deploymentGroup: info?.deploymentGroupName, eventId: out.Entries?.[0]?.EventId });
}

function defaultPutStatus(): PutStatus {
  return async (input) => {
    const { sdk, client } = sdkClient('codedeploy');
    return client.send(new sdk.PutLifecycleEventHookExecutionStatusCommand(input));
  };
}

const clients = new Map<string, { sdk: any; client: any }>();

/**
 * A client of the Lambda runtime's AWS SDK v3 (or your bundle's), loaded on first use and kept for
 * the process: this module has no dependencies. The status call and the announcement share them.
 */
function sdkClient(service: 'codedeploy' | 'eventbridge'): { sdk: any; client: any } {
  let entry = clients.get(service);
  if (!entry) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    const sdk = service === 'codedeploy' ? require('@aws-sdk/client-codedeploy') : require('@aws-sdk/client-eventbridge');
    entry = { sdk, client: service === 'codedeploy' ? new sdk.CodeDeployClient({}) : new sdk.EventBridgeClient({}) };
    clients.set(service, entry);
  }
  return entry;
}
