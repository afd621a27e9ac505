/**
 * A local fake of AWS CodeDeploy's `PutLifecycleEventHookExecutionStatus`, for testing lifecycle
 * hook functions without an AWS account: the real AWS SDK v3 client talks to it on 127.0.0.1
 * (`AWS_ENDPOINT_URL_CODEDEPLOY`, or the client's `endpoint`), and it records every status a hook
 * reports. Errors (throttling, 5xx, dropped connections) can be injected for the next calls.
 *
 * Not part of the jsii API: import it in your tests from
 * `cdk-codedeploy-patterns/lib/testing/fake-codedeploy`.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

/** One status a hook reported. */
export interface ReportedStatus {
  readonly deploymentId: string;
  readonly lifecycleEventHookExecutionId: string;
  readonly status: string;
  /** Epoch milliseconds. */
  readonly at: number;
}

/** An error the fake answers the next call with: an AWS error type and HTTP status, or a dropped connection. */
export interface InjectedFailure {
  /** e.g. `ThrottlingException` (400), `InternalFailure` (500), `AccessDeniedException` (400); `reset` drops the connection. */
  readonly type: string;
  /** @default 400 */
  readonly httpStatus?: number;
  readonly message?: string;
}

export class FakeCodeDeploy {
  /** Statuses reported successfully, in order. */
  public readonly statuses: ReportedStatus[] = [];
  /** Every call received (including failed ones): operation and body. */
  public readonly calls: Array<{ operation: string; body: any; at: number }> = [];
  private readonly failures: InjectedFailure[] = [];
  private readonly executions = new Set<string>();
  private server?: http.Server;
  private counter = 0;

  /** Starts listening on a free port of 127.0.0.1. */
  public async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => this.dispatch(req, Buffer.concat(chunks).toString('utf8'), res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  public async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The endpoint URL to give the SDK client. */
  public get endpoint(): string {
    const address = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /** Environment variables that point an SDK v3 CodeDeploy client at the fake, with dummy credentials. */
  public env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_CODEDEPLOY: this.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }

  /** A hook event as CodeDeploy sends it, with a fresh execution ID the fake will accept. */
  public hookEvent(deploymentId: string = `d-FAKE${String(++this.counter).padStart(6, '0')}`) {
    const lifecycleEventHookExecutionId = `hook-execution-${++this.counter}`;
    this.executions.add(lifecycleEventHookExecutionId);
    return { DeploymentId: deploymentId, LifecycleEventHookExecutionId: lifecycleEventHookExecutionId };
  }

  /** The next `count` calls fail with this error. */
  public failNext(failure: InjectedFailure, count: number = 1): void {
    for (let i = 0; i < count; i++) this.failures.push(failure);
  }

  /** The statuses reported for one hook execution. */
  public statusesOf(lifecycleEventHookExecutionId: string): ReportedStatus[] {
    return this.statuses.filter((s) => s.lifecycleEventHookExecutionId === lifecycleEventHookExecutionId);
  }

  private dispatch(req: http.IncomingMessage, raw: string, res: http.ServerResponse): void {
    const operation = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
    const body = raw ? JSON.parse(raw) : {};
    const at = Date.now();
    this.calls.push({ operation, body, at });
    const failure = this.failures.shift();
    if (failure?.type === 'reset') {
      req.socket.destroy();
      return;
    }
    if (failure) {
      this.json(res, failure.httpStatus ?? 400, { __type: failure.type, message: failure.message ?? failure.type });
      return;
    }
    if (operation !== 'PutLifecycleEventHookExecutionStatus') {
      this.json(res, 400, { __type: 'UnknownOperationException', message: `the fake does not implement ${operation}` });
      return;
    }
    const id = body.lifecycleEventHookExecutionId;
    if (!this.executions.has(id)) {
      this.json(res, 400, { __type: 'LifecycleEventAlreadyCompletedException', message: `unknown or completed hook execution ${id}` });
      return;
    }
    if (body.status !== 'Succeeded' && body.status !== 'Failed') {
      this.json(res, 400, { __type: 'InvalidLifecycleEventHookExecutionStatusException', message: `status ${body.status}` });
      return;
    }
    // CodeDeploy accepts one status per hook execution.
    this.executions.delete(id);
    this.statuses.push({ deploymentId: body.deploymentId, lifecycleEventHookExecutionId: id, status: body.status, at });
    this.json(res, 200, { lifecycleEventHookExecutionId: id });
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify(body));
  }
}
