import { createHash } from 'node:crypto';
import { FakeCodeDeploy, FakeRequest, FakeResponse } from '../../src/testing/fake-codedeploy';

/**
 * The APIs the deployment trigger calls, served by the shipped `FakeCodeDeploy` (one HTTP fake for
 * the library's users and its own tests): this class adds, through `FakeCodeDeploy.route()`,
 * CodeDeploy deployments on scripted timelines (JSON 1.1), ECS DescribeServices and SSM (JSON 1.1),
 * Lambda's asynchronous Invoke (REST), S3 CopyObject (REST XML), Auto Scaling
 * DescribeAutoScalingGroups (query, XML) and the CloudFormation response URL.
 * The real AWS SDK v3 clients talk to it on 127.0.0.1 (AWS_ENDPOINT_URL_*).
 *
 * Deployments follow scripted timelines: each step says after how many milliseconds since
 * creation the deployment has which status. The fake records every call and the moment each
 * deployment reached its terminal state, so tests can count calls and measure reporting latency.
 */

export interface TimelineStep {
  /** Milliseconds after creation. */
  readonly at: number;
  readonly status: string;
  readonly errorCode?: string;
  readonly errorMessage?: string;
  readonly instanceTerminationWaitTimeStarted?: boolean;
  /**
   * ECS: the status of the target's AllowTraffic lifecycle event from this step on (GetDeploymentTarget);
   * it started at the first step that says InProgress. @default Pending
   */
  readonly allowTraffic?: 'Pending' | 'InProgress' | 'Succeeded';
  /**
   * ECS: the status of the target's AfterAllowTraffic lifecycle event (the hook) from this step on;
   * listed only when some step sets it. @default Pending
   */
  readonly afterAllowTraffic?: 'Pending' | 'InProgress' | 'Succeeded' | 'Failed';
  /**
   * The built-in AfterAllowTraffic hook reported its status at this step and announced it: queues
   * made with `hookEvents` receive the event (as the trigger's hook rule sends it).
   */
  readonly hookAnnounced?: 'Succeeded' | 'Failed';
}

export interface FakeDeployment {
  readonly id: string;
  readonly group: string;
  readonly createdAt: number;
  readonly timeline: TimelineStep[];
  readonly input?: any;
  stoppedAt?: number;
  stopRollback?: boolean;
}

/** What DescribeAutoScalingGroups returns for one group. */
export interface FakeAutoScalingGroup {
  readonly desired: number;
  /** @default 0 */
  readonly min?: number;
  /** @default 10 */
  readonly max?: number;
  readonly instances: Array<{ id: string; state: string }>;
}

/** One State Manager association status of an instance. */
export interface FakeAssociationStatus {
  readonly associationId: string;
  readonly status: string;
  readonly detailedStatus?: string;
  readonly errorCode?: string;
}

export interface RecordedCall {
  readonly service: 'codedeploy' | 'ecs' | 'lambda' | 'cfn' | 's3' | 'autoscaling' | 'ssm' | 'sqs';
  readonly operation: string;
  readonly body: any;
  readonly at: number;
}

export interface InjectedError {
  readonly status: number;
  readonly type: string;
  readonly message?: string;
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped']);

/** The compute platform a deployment's revision belongs to (undefined for a seeded deployment without one). */
function computePlatformOf(revision: any): string | undefined {
  if (revision?.revisionType === 'S3') {
    return 'Server';
  }
  const content = String(revision?.appSpecContent?.content ?? '');
  return /AWS::ECS::Service/.test(content) ? 'ECS' : /AWS::Lambda::Function/.test(content) ? 'Lambda' : undefined;
}
const EVENT_STATES: Record<string, string> = { Succeeded: 'SUCCESS', Failed: 'FAILURE', Stopped: 'STOP' };

/**
 * A deployment group's event queue, as EventBridge fills it from a rule on the group's terminal
 * state changes (SUCCESS, FAILURE, STOP): one message per deployment, `delayMs` after the state
 * change; `drop` loses them all (a rule or delivery failure).
 */
export interface FakeEventQueue {
  readonly group: string;
  readonly delayMs: number;
  readonly drop: boolean;
  /** Also receives the group's built-in hook announcements (the trigger's second rule). */
  readonly hookEvents: boolean;
  readonly hooksSent: Set<string>;
  readonly messages: Array<{ id: string; receipt: string; body: string; visibleAt: number }>;
  readonly sent: Set<string>;
}

export class FakeAws {
  public readonly calls: RecordedCall[] = [];
  public readonly deployments = new Map<string, FakeDeployment>();
  public readonly responses: any[] = [];
  public readonly invocations: any[] = [];
  /** ECS services by name: what DescribeServices returns. */
  public readonly services = new Map<string, any>();
  /** Event queues by URL. */
  public readonly queues = new Map<string, FakeEventQueue>();
  /** Timeline given to the next deployments CreateDeployment creates (in order; the last repeats). */
  public nextTimelines: TimelineStep[][] = [[{ at: 0, status: 'Succeeded' }]];
  /**
   * Deployment groups created or updated through the API (`application/group` -> the last input,
   * merged), as GetDeploymentGroup returns them.
   */
  public readonly groups = new Map<string, any>();
  /** GetDeploymentGroup of a group not in `groups` fails (DeploymentGroupDoesNotExistException) instead of answering a bare group. */
  public strictGroups = false;
  /** The configuration GetDeployment names for a group's deployments (`application/group` -> name); none when unset. */
  public readonly groupConfigs = new Map<string, string>();
  /** What GetDeploymentConfig returns for a name: its traffic routing (TrafficRoutingConfig of the SDK). */
  public readonly deploymentConfigs = new Map<string, any>();
  /** Objects copied with CopyObject: `bucket/key` -> source. */
  public readonly copies = new Map<string, string>();
  private readonly errors = new Map<string, InjectedError[]>();
  /** What the next PUTs to the CloudFormation response URL get instead of 200: a status code, or no answer at all. */
  public responseFaults: (number | 'hang')[] = [];
  private readonly server = new FakeCodeDeploy();
  private started = false;
  private counter = 0;
  /** Auto Scaling groups, by the number of DescribeAutoScalingGroups calls so far (0-based). */
  public autoScalingGroups: (name: string, call: number) => FakeAutoScalingGroup | undefined = () => undefined;
  /** Instance IDs of a deployment (ListDeploymentInstances), by the instance types asked for (Blue, Green). */
  public deploymentInstances: (deploymentId: string, types: string[]) => string[] = () => [];
  /** Names of the Auto Scaling groups with a tag (DescribeAutoScalingGroups with a tag filter). */
  public taggedAutoScalingGroups: (key: string, value: string) => string[] = () => [];
  /** Association statuses of an instance by call number; `undefined` = not a managed instance (InvalidInstanceId). */
  public associationStatuses: (instanceId: string, call: number) => FakeAssociationStatus[] | undefined = () => [];

  /** Forgets every call, deployment, fault and scripted answer: the state each test starts from. */
  public reset(): void {
    this.calls.length = 0;
    this.responses.length = 0;
    this.invocations.length = 0;
    this.deployments.clear();
    this.services.clear();
    this.queues.clear();
    this.copies.clear();
    this.groups.clear();
    this.groupConfigs.clear();
    this.deploymentConfigs.clear();
    this.strictGroups = false;
    this.errors.clear();
    this.responseFaults = [];
    this.nextTimelines = [[{ at: 0, status: 'Succeeded' }]];
    this.autoScalingGroups = () => undefined;
    this.taggedAutoScalingGroups = () => [];
    this.deploymentInstances = () => [];
    this.associationStatuses = () => [];
  }

  public get endpoint(): string {
    return this.server.endpoint;
  }

  public get responseUrl(): string {
    return `${this.endpoint}/cfn-response/${++this.counter}`;
  }

  public async start(): Promise<this> {
    if (!this.started) {
      this.server.route(() => true, (req) => this.dispatch(req));
      this.started = true;
    }
    await this.server.start();
    return this;
  }

  public async stop(): Promise<void> {
    // Closes every connection too, so a response URL left hanging ends with the server.
    await this.server.stop();
  }

  /** Environment that points the SDK v3 clients at this fake. */
  public env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL_CODEDEPLOY: this.endpoint,
      AWS_ENDPOINT_URL_ECS: this.endpoint,
      AWS_ENDPOINT_URL_LAMBDA: this.endpoint,
      AWS_ENDPOINT_URL_S3: this.endpoint,
      AWS_ENDPOINT_URL_AUTO_SCALING: this.endpoint,
      AWS_ENDPOINT_URL_SSM: this.endpoint,
      AWS_ENDPOINT_URL_SQS: this.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake-secret',
      AWS_EC2_METADATA_DISABLED: 'true',
    };
  }

  /** The next `count` calls of an operation fail with this error. */
  public failNext(operation: string, error: InjectedError, count = 1): void {
    const list = this.errors.get(operation) ?? [];
    for (let i = 0; i < count; i++) list.push(error);
    this.errors.set(operation, list);
  }

  /** A queue that receives the terminal state changes of a group's deployments; returns its URL. */
  public eventQueue(group: string, options: { delayMs?: number; drop?: boolean; hookEvents?: boolean } = {}): string {
    const url = `${this.endpoint}/123456789012/events-${this.queues.size + 1}`;
    this.queues.set(url, {
      group,
      delayMs: options.delayMs ?? 0,
      drop: options.drop ?? false,
      hookEvents: options.hookEvents ?? false,
      messages: [],
      sent: new Set(),
      hooksSent: new Set(),
    });
    return url;
  }

  /** Adds a deployment (e.g. one already in progress) to a group. */
  public seedDeployment(group: string, timeline: TimelineStep[], input?: any): FakeDeployment {
    const d: FakeDeployment = { id: this.newId(), group, createdAt: Date.now(), timeline, input };
    this.deployments.set(d.id, d);
    return d;
  }

  public callsOf(operation: string): RecordedCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  /** Status of a deployment now, per its timeline (or Stopped once stopped). */
  public statusOf(d: FakeDeployment, now = Date.now()): TimelineStep {
    if (d.stoppedAt !== undefined) {
      return { at: d.stoppedAt - d.createdAt, status: 'Stopped', errorCode: 'DEPLOYMENT_STOPPED', errorMessage: 'Stopped by request' };
    }
    let current: TimelineStep = { at: 0, status: 'Created' };
    for (const step of d.timeline) {
      if (now - d.createdAt >= step.at) current = step;
    }
    return current;
  }

  /** When the deployment reached a terminal state (epoch ms), if it has. */
  public terminalAt(d: FakeDeployment): number | undefined {
    if (d.stoppedAt !== undefined) return d.stoppedAt;
    const step = d.timeline.find((s) => TERMINAL.has(s.status));
    return step && Date.now() - d.createdAt >= step.at ? d.createdAt + step.at : undefined;
  }

  /** Waits until the CloudFormation response URL has received `count` answers. */
  public async waitForResponses(count: number, timeoutMs = 30_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.responses.length < count) {
      if (Date.now() > until) throw new Error(`no CloudFormation response after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private newId(): string {
    return `d-FAKE${String(++this.counter).padStart(6, '0')}`;
  }

  private dispatch(req: FakeRequest): FakeResponse | Promise<FakeResponse> {
    const at = Date.now();
    if (req.method === 'PUT' && req.path.startsWith('/cfn-response/')) {
      const body = typeof req.body === 'string' ? JSON.parse(req.body) : req.body;
      this.calls.push({ service: 'cfn', operation: 'Respond', body, at });
      const fault = this.responseFaults.shift();
      if (fault === 'hang') {
        return new Promise<FakeResponse>(() => undefined); // never answered (until stop closes the connection)
      }
      if (fault !== undefined) {
        return { status: fault, headers: { 'content-type': 'application/xml' }, body: '<Error>injected</Error>' };
      }
      this.responses.push({ ...body, receivedAt: at });
      return { status: 200, body: '' };
    }
    if (/^\/2015-03-31\/functions\/([^/]+)\/invocations/.test(req.path)) {
      const body = typeof req.body === 'string' ? JSON.parse(req.body) : req.body;
      this.calls.push({ service: 'lambda', operation: 'Invoke', body, at });
      const injected = this.errors.get('Invoke')?.shift();
      if (injected) {
        return { status: injected.status, headers: { 'x-amzn-errortype': injected.type }, body: { message: injected.message ?? injected.type } };
      }
      this.invocations.push(body);
      return { status: 202, body: '' };
    }
    if (req.method === 'PUT' && req.headers['x-amz-copy-source']) {
      return this.copyObject(req, at);
    }
    if (!req.target && req.method === 'POST' && req.body?.Action === 'DescribeAutoScalingGroups') {
      return this.describeAutoScalingGroups(req.body, at);
    }
    if (!req.target && req.method === 'POST' && ['UpdateAutoScalingGroup', 'SuspendProcesses', 'ResumeProcesses', 'DeleteAutoScalingGroup', 'TerminateInstanceInAutoScalingGroup'].includes(req.body?.Action)) {
      return this.autoScalingWrite(req.body, at);
    }
    const prefix = String(req.headers['x-amz-target'] ?? '').split('.')[0];
    if (prefix === 'AmazonSQS') {
      return this.sqs(req.target ?? '', req.body === '' ? {} : req.body, at);
    }
    const operation = req.target ?? '';
    const service = prefix.startsWith('CodeDeploy') ? 'codedeploy' : prefix === 'AmazonSSM' ? 'ssm' : 'ecs';
    const body = req.body === '' ? {} : req.body;
    this.calls.push({ service, operation, body, at });
    const injected = this.errors.get(operation)?.shift();
    if (injected) {
      return this.json(injected.status, { __type: injected.type, message: injected.message ?? injected.type });
    }
    try {
      const out = service === 'codedeploy' ? this.codedeploy(operation, body) : service === 'ssm' ? this.ssm(operation, body) : this.ecs(operation, body);
      return this.json(200, out);
    } catch (e: any) {
      return this.json(e.status ?? 400, { __type: e.type ?? 'ValidationException', message: e.message });
    }
  }

  private codedeploy(operation: string, body: any): any {
    switch (operation) {
      case 'CreateDeployment': {
        const group = `${body.applicationName}/${body.deploymentGroupName}`;
        const active = [...this.deployments.values()].find(
          (d) => d.group === group && !TERMINAL.has(this.statusOf(d).status),
        );
        if (active) {
          throw Object.assign(new Error(`The Deployment Group '${body.deploymentGroupName}' already has an active Deployment '${active.id}'`), {
            type: 'DeploymentLimitExceededException',
          });
        }
        const timeline = this.nextTimelines.length > 1 ? this.nextTimelines.shift()! : this.nextTimelines[0];
        const d: FakeDeployment = { id: this.newId(), group, createdAt: Date.now(), timeline, input: body };
        this.deployments.set(d.id, d);
        return { deploymentId: d.id };
      }
      case 'GetDeployment': {
        const d = this.deployments.get(body.deploymentId);
        if (!d) {
          throw Object.assign(new Error(`Deployment ${body.deploymentId} does not exist`), { type: 'DeploymentDoesNotExistException' });
        }
        const step = this.statusOf(d);
        return {
          deploymentInfo: {
            deploymentId: d.id,
            applicationName: d.group.split('/')[0],
            deploymentGroupName: d.group.split('/')[1],
            description: d.input?.description,
            ...(d.input?.revision ? { revision: d.input.revision } : {}),
            // CodeDeploy's is the application's; here it follows from the revision.
            computePlatform: computePlatformOf(d.input?.revision),
            createTime: d.createdAt / 1000,
            status: step.status,
            instanceTerminationWaitTimeStarted: step.instanceTerminationWaitTimeStarted ?? false,
            ...(this.groupConfigs.has(d.group) ? { deploymentConfigName: this.groupConfigs.get(d.group) } : {}),
            ...(step.errorCode ? { errorInformation: { code: step.errorCode, message: step.errorMessage } } : {}),
          },
        };
      }
      case 'GetDeploymentConfig': {
        const routing = this.deploymentConfigs.get(body.deploymentConfigName);
        if (!routing) {
          throw Object.assign(new Error(`Deployment configuration ${body.deploymentConfigName} does not exist`), { type: 'DeploymentConfigDoesNotExistException' });
        }
        return { deploymentConfigInfo: { deploymentConfigName: body.deploymentConfigName, computePlatform: 'ECS', trafficRoutingConfig: routing } };
      }
      case 'GetDeploymentTarget': {
        const d = this.deployments.get(body.deploymentId);
        if (!d) {
          throw Object.assign(new Error(`Deployment ${body.deploymentId} does not exist`), { type: 'DeploymentDoesNotExistException' });
        }
        const service = this.services.keys().next().value;
        if (!String(body.targetId).endsWith(`:${service}`)) {
          throw Object.assign(new Error(`Target ${body.targetId} does not exist in deployment ${d.id}`), { type: 'DeploymentTargetDoesNotExistException' });
        }
        const now = Date.now();
        const status = this.statusOf(d, now).allowTraffic ?? 'Pending';
        const started = d.timeline.find((step) => step.allowTraffic === 'InProgress');
        const withHook = d.timeline.some((step) => step.afterAllowTraffic !== undefined);
        const hookStatus = [...d.timeline].reverse().find((step) => now - d.createdAt >= step.at && step.afterAllowTraffic !== undefined)?.afterAllowTraffic ?? 'Pending';
        return {
          deploymentTarget: {
            deploymentTargetType: 'ECSTarget',
            ecsTarget: {
              deploymentId: d.id,
              targetId: body.targetId,
              status: this.statusOf(d, now).status,
              lifecycleEvents: [{
                lifecycleEventName: 'AllowTraffic',
                status,
                ...(status !== 'Pending' && started ? { startTime: (d.createdAt + started.at) / 1000 } : {}),
              }, ...(withHook ? [{ lifecycleEventName: 'AfterAllowTraffic', status: hookStatus }] : [])],
            },
          },
        };
      }
      case 'CreateDeploymentGroup': {
        const key = `${body.applicationName}/${body.deploymentGroupName}`;
        if (this.groups.has(key)) {
          throw Object.assign(new Error(`The deployment group ${body.deploymentGroupName} already exists.`), { type: 'DeploymentGroupAlreadyExistsException' });
        }
        this.groups.set(key, { ...body, deploymentGroupId: `dg-${this.groups.size + 1}` });
        return { deploymentGroupId: this.groups.get(key).deploymentGroupId };
      }
      case 'UpdateDeploymentGroup': {
        const key = `${body.applicationName}/${body.currentDeploymentGroupName}`;
        const existing = this.groups.get(key);
        if (!existing) {
          throw Object.assign(new Error(`The deployment group ${body.currentDeploymentGroupName} does not exist.`), { type: 'DeploymentGroupDoesNotExistException' });
        }
        const { currentDeploymentGroupName: _current, newDeploymentGroupName, ...changes } = body;
        const name = newDeploymentGroupName ?? body.currentDeploymentGroupName;
        this.groups.delete(key);
        this.groups.set(`${body.applicationName}/${name}`, { ...existing, ...changes, deploymentGroupName: name });
        return { hooksNotCleanedUp: [] };
      }
      case 'DeleteDeploymentGroup': {
        const key = `${body.applicationName}/${body.deploymentGroupName}`;
        if (!this.groups.delete(key)) {
          throw Object.assign(new Error(`The deployment group ${body.deploymentGroupName} does not exist.`), { type: 'DeploymentGroupDoesNotExistException' });
        }
        return { hooksNotCleanedUp: [] };
      }
      case 'GetDeploymentGroup': {
        const group = `${body.applicationName}/${body.deploymentGroupName}`;
        const succeeded = [...this.deployments.values()]
          .filter((d) => d.group === group && this.statusOf(d).status === 'Succeeded')
          .sort((a, b) => b.createdAt - a.createdAt)[0];
        const stored = this.groups.get(group);
        if (!stored && this.strictGroups) {
          throw Object.assign(new Error(`The deployment group ${body.deploymentGroupName} does not exist.`), { type: 'DeploymentGroupDoesNotExistException' });
        }
        return {
          deploymentGroupInfo: {
            ...(stored ? { ...stored, autoScalingGroups: (stored.autoScalingGroups ?? []).map((name: string) => ({ name, hook: `CodeDeploy-managed-automatic-launch-deployment-hook-${body.deploymentGroupName}` })) } : {}),
            applicationName: body.applicationName,
            deploymentGroupName: body.deploymentGroupName,
            ...(succeeded ? { lastSuccessfulDeployment: { deploymentId: succeeded.id, status: 'Succeeded' } } : {}),
          },
        };
      }
      case 'ListDeploymentInstances': {
        return { instancesList: this.deploymentInstances(body.deploymentId, body.instanceTypeFilter ?? []) };
      }
      case 'ListDeployments': {
        const group = `${body.applicationName}/${body.deploymentGroupName}`;
        const statuses: string[] | undefined = body.includeOnlyStatuses;
        const since: number | undefined = body.createTimeRange?.start;
        const ids = [...this.deployments.values()]
          .filter((d) => d.group === group && (!statuses || statuses.includes(this.statusOf(d).status)))
          .filter((d) => since === undefined || d.createdAt / 1000 >= since)
          // Newest first, as CodeDeploy lists them.
          .sort((a, b) => b.createdAt - a.createdAt)
          .map((d) => d.id);
        return { deployments: ids };
      }
      case 'StopDeployment': {
        const d = this.deployments.get(body.deploymentId);
        if (!d) {
          throw Object.assign(new Error('no such deployment'), { type: 'DeploymentDoesNotExistException' });
        }
        d.stoppedAt = Date.now();
        d.stopRollback = body.autoRollbackEnabled;
        return { status: 'Pending', statusMessage: 'Stopping; rolling back' };
      }
      default:
        throw Object.assign(new Error(`fake CodeDeploy does not implement ${operation}`), { type: 'UnknownOperationException' });
    }
  }

  private ecs(operation: string, body: any): any {
    if (operation !== 'DescribeServices') {
      throw Object.assign(new Error(`fake ECS does not implement ${operation}`), { type: 'UnknownOperationException' });
    }
    const services = (body.services as string[]).map((name) => this.services.get(name)).filter(Boolean);
    return { services, failures: [] };
  }

  /** EventBridge's deliveries so far: a message for each deployment of the group that reached a terminal state. */
  private deliverEvents(queue: FakeEventQueue): void {
    for (const d of this.deployments.values()) {
      if (d.group !== queue.group) continue;
      const [application, deploymentGroup] = d.group.split('/');
      const announced = queue.hookEvents ? d.timeline.find((step) => step.hookAnnounced) : undefined;
      if (announced && !queue.hooksSent.has(d.id) && Date.now() >= d.createdAt + announced.at + queue.delayMs) {
        queue.hooksSent.add(d.id);
        // What the hook runtime's PutEvents entry becomes on the bus (src/hooks/runtime/hook-handler.ts).
        this.deliver(queue, `h-${d.id}`, 'cdk-codedeploy-patterns', 'CodeDeploy Lifecycle Hook Status Reported', d.createdAt + announced.at,
          { deploymentId: d.id, application, deploymentGroup, lifecycleEventHookExecutionId: 'exec-1', status: announced.hookAnnounced });
      }
      const terminal = this.terminalAt(d);
      if (terminal === undefined || queue.sent.has(d.id) || Date.now() < terminal + queue.delayMs) continue;
      queue.sent.add(d.id);
      this.deliver(queue, `m-${d.id}`, 'aws.codedeploy', 'CodeDeploy Deployment State-change Notification', terminal,
        { region: 'us-east-1', deploymentId: d.id, instanceGroupId: 'ig-1', deploymentGroup, state: EVENT_STATES[this.statusOf(d).status], application });
    }
  }

  /** One event as EventBridge delivers it to an SQS target (unless the queue drops them all). */
  private deliver(queue: FakeEventQueue, id: string, source: string, detailType: string, time: number, detail: object): void {
    if (queue.drop) return;
    const body = JSON.stringify({
      'version': '0',
      'id': `event-${id}`,
      'detail-type': detailType,
      source,
      'account': '123456789012',
      'time': new Date(time).toISOString(),
      'region': 'us-east-1',
      'resources': [],
      detail,
    });
    queue.messages.push({ id, receipt: `r-${id}-${++this.counter}`, body, visibleAt: 0 });
  }

  /** SQS ReceiveMessage (long polling until a message or WaitTimeSeconds) and DeleteMessageBatch, JSON protocol. */
  private async sqs(operation: string, body: any, at: number): Promise<FakeResponse> {
    this.calls.push({ service: 'sqs', operation, body, at });
    const json = (status: number, out: any): FakeResponse => ({ status, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: out });
    const injected = this.errors.get(operation)?.shift();
    if (injected) {
      return json(injected.status, { __type: injected.type, message: injected.message ?? injected.type });
    }
    const queue = this.queues.get(body.QueueUrl);
    if (!queue) {
      return json(400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' });
    }
    if (operation === 'DeleteMessageBatch') {
      const entries: Array<{ Id: string; ReceiptHandle: string }> = body.Entries ?? [];
      for (const e of entries) {
        const i = queue.messages.findIndex((m) => m.receipt === e.ReceiptHandle);
        if (i >= 0) queue.messages.splice(i, 1);
      }
      return json(200, { Successful: entries.map((e) => ({ Id: e.Id })), Failed: [] });
    }
    if (operation !== 'ReceiveMessage') {
      return json(400, { __type: 'UnknownOperationException', message: `fake SQS does not implement ${operation}` });
    }
    const until = at + Number(body.WaitTimeSeconds ?? 0) * 1000;
    const visible = () => queue.messages.filter((m) => m.visibleAt <= Date.now());
    for (;;) {
      this.deliverEvents(queue);
      if (visible().length > 0 || Date.now() >= until) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    // Received messages stay hidden for the visibility timeout (30 s, the queue default) unless deleted.
    const received = visible().slice(0, Number(body.MaxNumberOfMessages ?? 1));
    received.forEach((m) => (m.visibleAt = Date.now() + 30_000));
    const messages = received.map((m) => ({
      MessageId: m.id,
      ReceiptHandle: m.receipt,
      MD5OfBody: createHash('md5').update(m.body).digest('hex'),
      Body: m.body,
    }));
    return json(200, messages.length > 0 ? { Messages: messages } : {});
  }

  private ssm(operation: string, body: any): any {
    if (operation !== 'DescribeInstanceAssociationsStatus') {
      throw Object.assign(new Error(`fake SSM does not implement ${operation}`), { type: 'UnknownOperationException' });
    }
    const call = this.callsOf(operation).filter((c) => c.body.InstanceId === body.InstanceId).length - 1;
    const statuses = this.associationStatuses(body.InstanceId, call);
    if (!statuses) {
      throw Object.assign(new Error(`Instance ${body.InstanceId} is not a managed instance`), { type: 'InvalidInstanceId' });
    }
    return {
      InstanceAssociationStatusInfos: statuses.map((st) => ({
        AssociationId: st.associationId,
        InstanceId: body.InstanceId,
        Name: 'AWS-ConfigureAWSPackage',
        Status: st.status,
        DetailedStatus: st.detailedStatus,
        ErrorCode: st.errorCode,
      })),
    };
  }

  /** S3 CopyObject (REST, path-style): records the copy and answers with an ETag. */
  private copyObject(req: FakeRequest, at: number): FakeResponse {
    const [bucket, ...keyParts] = decodeURI(req.path).replace(/^\//, '').split('/');
    const key = keyParts.join('/');
    const source = decodeURIComponent(String(req.headers['x-amz-copy-source']));
    this.calls.push({ service: 's3', operation: 'CopyObject', body: { bucket, key, source }, at });
    const injected = this.errors.get('CopyObject')?.shift();
    if (injected) {
      return {
        status: injected.status,
        headers: { 'content-type': 'application/xml' },
        body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${injected.type}</Code><Message>${injected.message ?? injected.type}</Message></Error>`,
      };
    }
    this.copies.set(`${bucket}/${key}`, source);
    return {
      status: 200,
      headers: { 'content-type': 'application/xml', 'x-amz-version-id': 'v-fake-1' },
      body: '<?xml version="1.0" encoding="UTF-8"?><CopyObjectResult><LastModified>2026-11-23T10:00:00.000Z</LastModified><ETag>"0123456789abcdef0123456789abcdef"</ETag></CopyObjectResult>',
    };
  }

  /** Auto Scaling DescribeAutoScalingGroups (AWS query protocol, XML answer). */
  private describeAutoScalingGroups(params: Record<string, string>, at: number): FakeResponse {
    const filterName = params['Filters.member.1.Name'];
    const names = filterName?.startsWith('tag:')
      ? this.taggedAutoScalingGroups(filterName.slice(4), params['Filters.member.1.Values.member.1'])
      : Object.entries(params).filter(([k]) => k.startsWith('AutoScalingGroupNames.member.')).map(([, v]) => v);
    const call = this.callsOf('DescribeAutoScalingGroups').length;
    this.calls.push({ service: 'autoscaling', operation: 'DescribeAutoScalingGroups', body: { names }, at });
    const injected = this.errors.get('DescribeAutoScalingGroups')?.shift();
    if (injected) {
      return {
        status: injected.status,
        headers: { 'content-type': 'text/xml' },
        body: `<ErrorResponse><Error><Type>Sender</Type><Code>${injected.type}</Code><Message>${injected.message ?? injected.type}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      };
    }
    const members = names
      .map((name) => [name, this.autoScalingGroups(name, call)] as const)
      .filter(([, g]) => g !== undefined)
      .map(([name, g]) =>
        `<member><AutoScalingGroupName>${name}</AutoScalingGroupName><DesiredCapacity>${g!.desired}</DesiredCapacity><MinSize>${g!.min ?? 0}</MinSize><MaxSize>${g!.max ?? 10}</MaxSize><Instances>${g!.instances
          .map((i) => `<member><InstanceId>${i.id}</InstanceId><LifecycleState>${i.state}</LifecycleState><HealthStatus>Healthy</HealthStatus></member>`)
          .join('')}</Instances></member>`,
      )
      .join('');
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeAutoScalingGroupsResult><AutoScalingGroups>${members}</AutoScalingGroups></DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>`,
    };
  }

  /** Auto Scaling UpdateAutoScalingGroup, SuspendProcesses, ResumeProcesses, DeleteAutoScalingGroup (query protocol): recorded, answered empty. */
  private autoScalingWrite(params: Record<string, string>, at: number): FakeResponse {
    const { Action: action, Version: _version, ...rest } = params;
    const processes = Object.entries(rest).filter(([k]) => k.startsWith('ScalingProcesses.member.')).map(([, v]) => v);
    const body: Record<string, unknown> = Object.fromEntries(Object.entries(rest).filter(([k]) => !k.startsWith('ScalingProcesses.member.')));
    if (processes.length > 0) {
      body.ScalingProcesses = processes;
    }
    this.calls.push({ service: 'autoscaling', operation: action, body, at });
    const injected = this.errors.get(action)?.shift();
    if (injected) {
      return {
        status: injected.status,
        headers: { 'content-type': 'text/xml' },
        body: `<ErrorResponse><Error><Type>Sender</Type><Code>${injected.type}</Code><Message>${injected.message ?? injected.type}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
      };
    }
    return {
      status: 200,
      headers: { 'content-type': 'text/xml' },
      body: `<${action}Response xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></${action}Response>`,
    };
  }

  private json(status: number, body: any): FakeResponse {
    return { status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body };
  }
}
