/**
 * A local fake of AWS CodeDeploy and of the few other APIs lifecycle hooks call, for testing hook
 * functions without an AWS account: the real AWS SDK v3 clients talk to it on 127.0.0.1 (see
 * `env()`), and it records every status a hook reports.
 *
 * - CodeDeploy `PutLifecycleEventHookExecutionStatus` (one status per hook execution, like the
 *   service), `GetDeployment`, `GetDeploymentGroup` (alarms set with `setDeploymentGroupAlarms`) and `GetApplicationRevision` (deployments added with
 *   `addLambdaDeployment` / `addDeployment`; like the service, GetDeployment returns an AppSpec's
 *   hash but not its content, which GetApplicationRevision returns);
 * - Lambda `Invoke` (functions added with `onInvoke`);
 * - CloudWatch `DescribeAlarms` (states set with `setAlarmState`);
 * - EC2 `DescribeNetworkInterfaces` by description (addresses set with `setLoadBalancerAddresses`);
 * - anything else through `route()`.
 *
 * It also plays ECS for hooks of ECS-native deployments, which answer with their return value
 * instead of a status call: `ecsHookEvent()` builds the event, `runEcsHook()` invokes a handler the
 * way ECS does (again after `callBackDelay` while it answers IN_PROGRESS, with the returned
 * `hookDetails` merged in; an error or a missing `hookStatus` counts as FAILED).
 *
 * Errors (throttling, 5xx, dropped connections) can be injected for the next calls with `failNext`.
 *
 * Not part of the jsii API: import it in your tests from
 * `cdk-codedeploy-patterns/lib/testing/fake-codedeploy`.
 */
import { createHash } from 'node:crypto';
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

/** An error the fake answers a coming call with: an AWS error type and HTTP status, or a dropped connection. */
export interface InjectedFailure {
  /** e.g. `ThrottlingException` (400), `InternalFailure` (500), `AccessDeniedException` (400); `reset` drops the connection. */
  readonly type: string;
  /** @default 400 */
  readonly httpStatus?: number;
  readonly message?: string;
  /** Only a call of this operation (e.g. `PutLifecycleEventHookExecutionStatus`) takes the failure. @default any operation */
  readonly operation?: string;
}

/** A call the fake received. */
export interface FakeCall {
  /** e.g. `PutLifecycleEventHookExecutionStatus`, `Invoke`, `DescribeAlarms`, or `METHOD /path` for routed calls. */
  readonly operation: string;
  /** Parsed JSON body (query parameters for EC2), or the raw text. */
  readonly body: any;
  readonly at: number;
}

/** One Lambda invocation the fake answered. */
export interface FakeInvocation {
  readonly functionName: string;
  readonly qualifier?: string;
  readonly payload: any;
}

/** What a routed request gets back. */
export interface FakeResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

/** A request as `route()` handlers see it. */
export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  /** `X-Amz-Target` operation for JSON protocols. */
  readonly target?: string;
  readonly body: any;
}

/** A Lambda deployment: the function, its alias and the versions traffic moves between. */
export interface FakeLambdaDeployment {
  readonly functionName: string;
  /** @default 'live' */
  readonly alias?: string;
  readonly currentVersion: string;
  readonly targetVersion: string;
  /** @default - a new ID */
  readonly deploymentId?: string;
  /** @default 'app' */
  readonly applicationName?: string;
  /** @default 'group' */
  readonly deploymentGroupName?: string;
}

/** A deployment group's alarm configuration, as `GetDeploymentGroup` returns it. */
export interface FakeDeploymentGroupAlarms {
  readonly alarmNames: string[];
  /** @default true */
  readonly enabled?: boolean;
}

/** An ECS lifecycle hook event (see `ecsHookEvent`). */
export interface FakeEcsHookEventOptions {
  /** @default 'POST_TEST_TRAFFIC_SHIFT' */
  readonly lifecycleStage?: string;
  /** @default 'arn:aws:ecs:us-east-1:123456789012:service/cluster/service' */
  readonly serviceArn?: string;
  /** The hook's details from the service definition. @default - none */
  readonly hookDetails?: Record<string, unknown>;
  /** @default - blue 100, green 0 */
  readonly productionTrafficWeights?: Record<string, number>;
  /** @default - green 100 */
  readonly testTrafficWeights?: Record<string, number>;
}

/** How `runEcsHook` plays ECS. */
export interface FakeEcsHookRunOptions {
  /** Invocations before the fake gives up on a hook that stays IN_PROGRESS (ECS's own limit is the hook timeout). @default 20 */
  readonly maxInvocations?: number;
  /** Milliseconds the fake waits per second of `callBackDelay` (1000 is real time). @default 1 */
  readonly msPerSecond?: number;
  /** Remaining time the handler's Lambda context reports. @default 60000 */
  readonly lambdaTimeoutMs?: number;
}

/** One invocation of an ECS hook and what it answered. */
export interface FakeEcsHookInvocation {
  readonly event: any;
  /** The handler's answer, or the error it threw (as ECS would see it: FAILED). */
  readonly response?: any;
  readonly error?: string;
  /** SUCCEEDED, FAILED or IN_PROGRESS as ECS reads the answer. */
  readonly hookStatus: string;
}

export type FakeFunction = (payload: any, qualifier: string | undefined) => unknown;
type Route = { matches: (req: FakeRequest) => boolean; respond: (req: FakeRequest) => FakeResponse | Promise<FakeResponse> };

export class FakeCodeDeploy {
  /** Statuses reported successfully, in order. */
  public readonly statuses: ReportedStatus[] = [];
  /** Every call received (including failed ones). */
  public readonly calls: FakeCall[] = [];
  /** Every Lambda invocation answered. */
  public readonly invocations: FakeInvocation[] = [];
  private readonly failures: InjectedFailure[] = [];
  private readonly executions = new Set<string>();
  private readonly deployments = new Map<string, any>();
  private readonly revisions = new Map<string, any>();
  private readonly functions = new Map<string, FakeFunction>();
  private readonly alarms = new Map<string, string>();
  private readonly groups = new Map<string, FakeDeploymentGroupAlarms>();
  private readonly loadBalancers = new Map<string, string[]>();
  private readonly routes: Route[] = [];
  private server?: http.Server;
  private counter = 0;

  /** Starts listening on a free port of 127.0.0.1. */
  public async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        this.dispatch(req, Buffer.concat(chunks).toString('utf8'), res).catch((err) => {
          this.send(res, 500, { 'x-amzn-errortype': 'InternalFailure' }, JSON.stringify({ __type: 'InternalFailure', message: String(err) }));
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Stops listening and closes every open connection (kept-alive ones, and requests a route never answers). */
  public async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The endpoint URL to give an SDK client. */
  public get endpoint(): string {
    const address = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${address.port}`;
  }

  /** Environment variables that point every SDK v3 client at the fake, with dummy credentials. */
  public env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.endpoint,
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

  /** A lifecycle hook event as ECS sends it to a hook of an ECS-native deployment, with a fresh execution ID. */
  public ecsHookEvent(options: FakeEcsHookEventOptions = {}) {
    const serviceArn = options.serviceArn ?? 'arn:aws:ecs:us-east-1:123456789012:service/cluster/service';
    const deployment = `${serviceArn.replace(':service/', ':service-deployment/')}/fake${String(++this.counter).padStart(6, '0')}`;
    const tg = (name: string) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/${name}/0123456789abcdef`;
    return {
      executionId: `execution-${++this.counter}`,
      lifecycleStage: options.lifecycleStage ?? 'POST_TEST_TRAFFIC_SHIFT',
      resourceArn: deployment,
      executionDetails: {
        serviceArn,
        targetServiceRevisionArn: `${serviceArn.replace(':service/', ':service-revision/')}/${this.counter}`,
        testTrafficWeights: options.testTrafficWeights ?? { [tg('green')]: 100 },
        productionTrafficWeights: options.productionTrafficWeights ?? { [tg('blue')]: 100, [tg('green')]: 0 },
      },
      ...(options.hookDetails ? { hookDetails: options.hookDetails } : {}),
    };
  }

  /**
   * Invokes an ECS hook handler the way ECS does: again after `callBackDelay` (default 30 seconds)
   * while it answers IN_PROGRESS, each time with the details it returned merged into
   * `hookDetails`. Returns every invocation; the last one's `hookStatus` is the hook's outcome.
   */
  public async runEcsHook(
    handler: (event: any, context: any) => unknown,
    event: any,
    options: FakeEcsHookRunOptions = {},
  ): Promise<FakeEcsHookInvocation[]> {
    const max = options.maxInvocations ?? 20;
    const scale = options.msPerSecond ?? 1;
    const timeout = options.lambdaTimeoutMs ?? 60_000;
    const out: FakeEcsHookInvocation[] = [];
    let current = event;
    for (let i = 0; i < max; i++) {
      const until = Date.now() + timeout;
      let response: any;
      let error: string | undefined;
      try {
        response = await handler(current, { getRemainingTimeInMillis: () => until - Date.now() });
      } catch (err) {
        error = String((err as Error)?.message ?? err);
      }
      const status = typeof response?.hookStatus === 'string' && ['SUCCEEDED', 'FAILED', 'IN_PROGRESS'].includes(response.hookStatus) ? response.hookStatus : 'FAILED';
      out.push({ event: current, response, error, hookStatus: status });
      if (status !== 'IN_PROGRESS') {
        return out;
      }
      const delay = typeof response.callBackDelay === 'number' ? response.callBackDelay : 30;
      await new Promise((r) => setTimeout(r, delay * scale));
      current = { ...current, hookDetails: { ...(current.hookDetails ?? {}), ...(response.hookDetails ?? {}) } };
    }
    return out;
  }

  /** The next `count` calls (of `failure.operation`, if given) fail with this error. */
  public failNext(failure: InjectedFailure, count: number = 1): void {
    for (let i = 0; i < count; i++) this.failures.push(failure);
  }

  /** The statuses reported for one hook execution. */
  public statusesOf(lifecycleEventHookExecutionId: string): ReportedStatus[] {
    return this.statuses.filter((s) => s.lifecycleEventHookExecutionId === lifecycleEventHookExecutionId);
  }

  /** A Lambda deployment as CloudFormation creates it (AppSpec content in JSON); returns its ID. */
  public addLambdaDeployment(spec: FakeLambdaDeployment): string {
    const deploymentId = spec.deploymentId ?? `d-FAKE${String(++this.counter).padStart(6, '0')}`;
    const content = JSON.stringify({
      version: 0.0,
      Resources: [
        {
          [spec.functionName]: {
            Type: 'AWS::Lambda::Function',
            Properties: { Name: spec.functionName, Alias: spec.alias ?? 'live', CurrentVersion: spec.currentVersion, TargetVersion: spec.targetVersion },
          },
        },
      ],
    });
    this.addDeployment(deploymentId, { revisionType: 'AppSpecContent', appSpecContent: { content } }, spec.applicationName, spec.deploymentGroupName);
    return deploymentId;
  }

  /**
   * A deployment `GetDeployment` returns, with this revision (as in the API's `RevisionLocation`).
   * AppSpec content is kept as an application revision: GetDeployment answers with its sha256 only.
   */
  public addDeployment(deploymentId: string, revision: any, applicationName: string = 'app', deploymentGroupName: string = 'group'): void {
    let shown = revision;
    const content = revision?.appSpecContent?.content;
    if (typeof content === 'string') {
      const sha256 = createHash('sha256').update(content).digest('hex');
      this.revisions.set(`${applicationName}/${sha256}`, { revisionType: 'AppSpecContent', appSpecContent: { content, sha256 } });
      shown = { revisionType: 'AppSpecContent', appSpecContent: { sha256 } };
    }
    this.deployments.set(deploymentId, { deploymentId, applicationName, deploymentGroupName, status: 'InProgress', revision: shown });
  }

  /** Creates a deployment group `GetDeploymentGroup` answers for, with this alarm configuration. */
  public setDeploymentGroupAlarms(applicationName: string, deploymentGroupName: string, alarms: FakeDeploymentGroupAlarms): void {
    this.groups.set(`${applicationName}/${deploymentGroupName}`, alarms);
  }

  /** A Lambda function `Invoke` runs: its result is the response payload; throwing gives an `Unhandled` function error. */
  public onInvoke(functionName: string, fn: FakeFunction): void {
    this.functions.set(functionName, fn);
  }

  /** The state `DescribeAlarms` reports for an alarm (`OK`, `ALARM`, `INSUFFICIENT_DATA`). */
  public setAlarmState(alarmName: string, state: string): void {
    this.alarms.set(alarmName, state);
  }

  /** Private addresses of a load balancer's network interfaces (described `ELB <fullName>`). */
  public setLoadBalancerAddresses(loadBalancerFullName: string, addresses: string[]): void {
    this.loadBalancers.set(loadBalancerFullName, addresses);
  }

  /** Answers requests `matches` accepts (checked before the built-in operations). */
  public route(matches: (req: FakeRequest) => boolean, respond: (req: FakeRequest) => FakeResponse | Promise<FakeResponse>): void {
    this.routes.push({ matches, respond });
  }

  private async dispatch(req: http.IncomingMessage, raw: string, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const targetHeader = String(req.headers['x-amz-target'] ?? '');
    const contentType = String(req.headers['content-type'] ?? '');
    const form = contentType.startsWith('application/x-www-form-urlencoded') ? new URLSearchParams(raw) : undefined;
    let body: any = raw;
    if (form) {
      body = Object.fromEntries(form.entries());
    } else if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      target: targetHeader ? targetHeader.split('.').pop() : undefined,
      body,
    };
    const invoke = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
    const operation = form?.get('Action') ?? request.target ?? (invoke ? 'Invoke' : `${request.method} ${request.path}`);
    const at = Date.now();
    this.calls.push({ operation, body, at });

    const index = this.failures.findIndex((f) => f.operation === undefined || f.operation === operation);
    const failure = index >= 0 ? this.failures.splice(index, 1)[0] : undefined;
    if (failure?.type === 'reset') {
      req.socket.destroy();
      return;
    }
    if (failure) {
      this.error(res, form !== undefined, failure.httpStatus ?? 400, failure.type, failure.message ?? failure.type);
      return;
    }

    const route = this.routes.find((r) => r.matches(request));
    if (route) {
      const answer = await route.respond(request);
      const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      this.send(res, answer.status, { 'content-type': 'application/json', ...answer.headers }, text);
      return;
    }
    if (invoke) {
      await this.invoke(decodeURIComponent(invoke[1]), url.searchParams.get('Qualifier') ?? undefined, raw, res);
      return;
    }
    switch (operation) {
      case 'PutLifecycleEventHookExecutionStatus':
        return this.putStatus(body, at, res);
      case 'GetDeployment': {
        const deployment = this.deployments.get(body.deploymentId);
        return deployment
          ? this.json(res, 200, { deploymentInfo: deployment })
          : this.error(res, false, 400, 'DeploymentDoesNotExistException', `deployment ${body.deploymentId} does not exist`);
      }
      case 'GetDeploymentGroup': {
        const alarms = this.groups.get(`${body.applicationName}/${body.deploymentGroupName}`);
        if (!alarms) {
          return this.error(res, false, 400, 'DeploymentGroupDoesNotExistException', `no deployment group ${body.deploymentGroupName} in ${body.applicationName}`);
        }
        return this.json(res, 200, {
          deploymentGroupInfo: {
            applicationName: body.applicationName,
            deploymentGroupName: body.deploymentGroupName,
            alarmConfiguration: {
              enabled: alarms.enabled ?? true,
              ignorePollAlarmFailure: false,
              alarms: alarms.alarmNames.map((name) => ({ name })),
            },
          },
        });
      }
      case 'GetApplicationRevision': {
        const stored = this.revisions.get(`${body.applicationName}/${body.revision?.appSpecContent?.sha256}`);
        return stored
          ? this.json(res, 200, { applicationName: body.applicationName, revision: stored, revisionInfo: { description: 'fake' } })
          : this.error(res, false, 400, 'RevisionDoesNotExistException', `no revision ${JSON.stringify(body.revision)} in ${body.applicationName}`);
      }
      case 'DescribeAlarms': {
        const names: string[] = body.AlarmNames ?? [...this.alarms.keys()];
        const found = names.filter((n) => this.alarms.has(n));
        return this.json(res, 200, { MetricAlarms: found.map((n) => ({ AlarmName: n, StateValue: this.alarms.get(n) })), CompositeAlarms: [] });
      }
      case 'DescribeNetworkInterfaces': {
        const description = (form?.get('Filter.1.Value.1') ?? '').replace(/^ELB /, '');
        const items = (this.loadBalancers.get(description) ?? [])
          .map((ip, i) => `<item><networkInterfaceId>eni-fake${i}</networkInterfaceId><privateIpAddress>${ip}</privateIpAddress></item>`)
          .join('');
        const xml = `<?xml version="1.0" encoding="UTF-8"?><DescribeNetworkInterfacesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId><networkInterfaceSet>${items}</networkInterfaceSet></DescribeNetworkInterfacesResponse>`;
        return this.send(res, 200, { 'content-type': 'text/xml' }, xml);
      }
      default:
        return this.error(res, form !== undefined, 400, 'UnknownOperationException', `the fake does not implement ${operation}`);
    }
  }

  private putStatus(body: any, at: number, res: http.ServerResponse): void {
    const id = body.lifecycleEventHookExecutionId;
    if (!this.executions.has(id)) {
      return this.error(res, false, 400, 'LifecycleEventAlreadyCompletedException', `unknown or completed hook execution ${id}`);
    }
    if (body.status !== 'Succeeded' && body.status !== 'Failed') {
      return this.error(res, false, 400, 'InvalidLifecycleEventHookExecutionStatusException', `status ${body.status}`);
    }
    // CodeDeploy accepts one status per hook execution.
    this.executions.delete(id);
    this.statuses.push({ deploymentId: body.deploymentId, lifecycleEventHookExecutionId: id, status: body.status, at });
    this.json(res, 200, { lifecycleEventHookExecutionId: id });
  }

  private async invoke(name: string, qualifier: string | undefined, raw: string, res: http.ServerResponse): Promise<void> {
    const shortName = /:function:([^:]+)/.exec(name)?.[1] ?? name;
    const fn = this.functions.get(shortName);
    if (!fn) {
      return this.error(res, false, 404, 'ResourceNotFoundException', `Function not found: ${name}`);
    }
    const payload = raw ? JSON.parse(raw) : undefined;
    this.invocations.push({ functionName: shortName, qualifier, payload });
    const headers = { 'x-amz-executed-version': qualifier ?? '$LATEST', 'content-type': 'application/json' };
    try {
      const result = await fn(payload, qualifier);
      this.send(res, 200, headers, JSON.stringify(result ?? null));
    } catch (err) {
      const e = err as Error;
      this.send(res, 200, { ...headers, 'x-amz-function-error': 'Unhandled' }, JSON.stringify({ errorType: e.name, errorMessage: e.message }));
    }
  }

  private error(res: http.ServerResponse, xml: boolean, status: number, type: string, message: string): void {
    if (xml) {
      const body = `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${type}</Code><Message>${message}</Message></Error></Errors><RequestID>fake</RequestID></Response>`;
      this.send(res, status, { 'content-type': 'text/xml' }, body);
      return;
    }
    this.send(res, status, { 'x-amzn-errortype': type, 'content-type': 'application/x-amz-json-1.1' }, JSON.stringify({ __type: type, message }));
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    this.send(res, status, { 'content-type': 'application/x-amz-json-1.1' }, JSON.stringify(body));
  }

  private send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string): void {
    res.writeHead(status, headers).end(body);
  }
}
