import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { FakeCodeDeploy } from '../../src/testing/fake-codedeploy';

/**
 * The bundled built-in hook handlers (what ships in the package), with the real AWS SDK v3 clients
 * on the wire against the shipped fake (CodeDeploy, Lambda, CloudWatch, EC2, plus routes for
 * AppConfig, AppFlow and SSM), and a local web server for the HTTP check. Every case asserts
 * exactly one status callback and which one.
 */

const bundle = (name: string) => path.join(__dirname, '..', '..', 'assets', 'hooks', 'handlers', `${name}.lambda`, 'index.js');
type Handler = (event: any, context: any) => Promise<{ status: string; reason: string }>;

let fake: FakeCodeDeploy;
let handlers: Record<'http' | 'invoke' | 'alarm' | 'sdk', Handler>;
let logs: any[];
let web: WebServer;

/** A web server answering with a scripted sequence of responses (the last one repeats). */
class WebServer {
  public requests: Array<{ path: string; host?: string; method?: string; body: string }> = [];
  public script: Array<{ status: number; body?: string } | 'hang'> = [{ status: 200, body: 'ok' }];
  private server!: http.Server;

  public async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        this.requests.push({ path: req.url ?? '', host: req.headers.host, method: req.method, body });
        const step = this.script.length > 1 ? this.script.shift()! : this.script[0];
        if (step === 'hang') {
          return; // never answers
        }
        res.writeHead(step.status, { 'content-type': 'text/plain' }).end(step.body ?? '');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  public get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  public async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

beforeAll(async () => {
  fake = await new FakeCodeDeploy().start();
  web = await new WebServer().start();
  Object.assign(process.env, fake.env());
  handlers = {
    http: jest.requireActual(bundle('http-check')).handler,
    invoke: jest.requireActual(bundle('invoke-check')).handler,
    alarm: jest.requireActual(bundle('alarm-check')).handler,
    sdk: jest.requireActual(bundle('sdk-call')).handler,
  };
});

afterAll(async () => {
  await web.stop();
  await fake.stop();
});

beforeEach(() => {
  logs = [];
  web.requests = [];
  web.script = [{ status: 200, body: 'ok' }];
  jest.spyOn(console, 'log').mockImplementation((line: string) => {
    logs.push(JSON.parse(line));
  });
});

afterEach(() => {
  jest.restoreAllMocks();
});

const context = (ms = 60_000) => {
  const until = Date.now() + ms;
  return { getRemainingTimeInMillis: () => until - Date.now() };
};

/** Runs one handler with a configuration; returns its outcome and the statuses CodeDeploy received. */
async function run(kind: keyof typeof handlers, config: object, options: { deadlineMs?: number; deploymentId?: string } = {}) {
  process.env.HOOK_CONFIG = JSON.stringify(config);
  process.env.HOOK_DEADLINE_MS = String(options.deadlineMs ?? 20_000);
  const event = fake.hookEvent(options.deploymentId);
  const outcome = await handlers[kind](event, context());
  const statuses = fake.statusesOf(event.LifecycleEventHookExecutionId).map((s) => s.status);
  return { event, outcome, statuses };
}

const httpConfig = (overrides: object = {}) => ({
  url: `http://127.0.0.1:${web.port}`,
  path: '/health',
  method: 'GET',
  headers: {},
  expectedStatusCodes: [200],
  attempts: 3,
  intervalMs: 10,
  backoffRate: 2,
  maxIntervalMs: 100,
  requestTimeoutMs: 2_000,
  ...overrides,
});

describe('httpCheck handler', () => {
  test('passes on the first expected answer', async () => {
    const { outcome, statuses } = await run('http', httpConfig({ bodyContains: 'ok' }));
    expect(statuses).toEqual(['Succeeded']);
    expect(outcome.reason).toBe('1 target(s) answered as expected on attempt 1');
    expect(web.requests).toEqual([expect.objectContaining({ path: '/health', method: 'GET', host: `127.0.0.1:${web.port}` })]);
  });

  test('retries with backoff until the service answers as expected', async () => {
    web.script = [{ status: 503 }, { status: 502 }, { status: 200 }];
    const { outcome, statuses } = await run('http', httpConfig({ attempts: 5 }));
    expect(statuses).toEqual(['Succeeded']);
    expect(outcome.reason).toMatch(/on attempt 3/);
    expect(logs.filter((l) => l.message === 'attempt failed').map((l) => l.attempt)).toEqual([1, 2]);
  });

  test('fails after its attempts with the last answer in the reason', async () => {
    web.script = [{ status: 500, body: 'database down' }];
    const { outcome, statuses } = await run('http', httpConfig());
    expect(statuses).toEqual(['Failed']);
    expect(web.requests).toHaveLength(3);
    expect(outcome.reason).toMatch(/not as expected after 3 attempt\(s\): .*answered HTTP 500, expected 200 \(body: database down\)/);
  });

  test('body checks: contains and regular expression', async () => {
    web.script = [{ status: 200, body: '{"version":"v1"}' }];
    expect((await run('http', httpConfig({ attempts: 1, bodyContains: 'v2' }))).statuses).toEqual(['Failed']);
    expect((await run('http', httpConfig({ attempts: 1, bodyMatches: '"version":"v\\d"' }))).statuses).toEqual(['Succeeded']);
    const { outcome } = await run('http', httpConfig({ attempts: 1, bodyMatches: '^v2$' }));
    expect(outcome.reason).toMatch(/body not matching \/\^v2\$\//);
  });

  test('method, headers and body are sent as configured; other expected codes pass', async () => {
    web.script = [{ status: 204 }];
    const { statuses } = await run('http', httpConfig({ method: 'POST', body: '{"probe":true}', headers: { 'x-probe': '1' }, expectedStatusCodes: [200, 204] }));
    expect(statuses).toEqual(['Succeeded']);
    expect(web.requests[0]).toEqual(expect.objectContaining({ method: 'POST', body: '{"probe":true}' }));
  });

  test('a connection refused is a failed attempt, not a crash', async () => {
    const closed = await new WebServer().start();
    const port = closed.port;
    await closed.stop();
    const { outcome, statuses } = await run('http', httpConfig({ url: `http://127.0.0.1:${port}`, attempts: 2 }));
    expect(statuses).toEqual(['Failed']);
    expect(outcome.reason).toMatch(/ECONNREFUSED/);
  });

  test('a server that never answers: each request times out, and the deadline ends the check', async () => {
    web.script = ['hang'];
    const started = Date.now();
    const { outcome, statuses } = await run('http', httpConfig({ attempts: 100, requestTimeoutMs: 10_000 }), { deadlineMs: 400 });
    expect(statuses).toEqual(['Failed']);
    expect(outcome.reason).toBe('the check did not finish within 400 ms');
    expect(Date.now() - started).toBeLessThan(3_000);
    const timedOut = await run('http', httpConfig({ attempts: 1, requestTimeoutMs: 200 }));
    expect(timedOut.outcome.reason).toMatch(/no answer within 200 ms/);
  });

  test('load balancer target: requests every node on its private address with the load balancer as Host', async () => {
    fake.setLoadBalancerAddresses('app/web/0123456789abcdef', ['127.0.0.1', '127.0.0.1']);
    const config = httpConfig({
      url: undefined,
      loadBalancer: { fullName: 'app/web/0123456789abcdef', dnsName: 'internal-web-1.us-east-1.elb.amazonaws.com', port: web.port, secure: false },
    });
    const { outcome, statuses } = await run('http', config);
    expect(statuses).toEqual(['Succeeded']);
    expect(outcome.reason).toBe('2 target(s) answered as expected on attempt 1');
    expect(web.requests.map((r) => r.host)).toEqual([`internal-web-1.us-east-1.elb.amazonaws.com:${web.port}`, `internal-web-1.us-east-1.elb.amazonaws.com:${web.port}`]);
    const describe = fake.calls.filter((c) => c.operation === 'DescribeNetworkInterfaces').pop();
    expect(describe?.body).toEqual(expect.objectContaining({ 'Filter.1.Name': 'description', 'Filter.1.Value.1': 'ELB app/web/0123456789abcdef' }));
  });

  test('load balancer target: one failing node fails the attempt; no interfaces, or EC2 denied, fail the hook', async () => {
    fake.setLoadBalancerAddresses('app/half/1', ['127.0.0.1', '127.0.0.2']);
    const base = { url: undefined, attempts: 1, requestTimeoutMs: 300 };
    // Both addresses reach the local server; the first request gets 200, the second 500.
    web.script = [{ status: 200 }, { status: 500 }];
    const half = await run('http', httpConfig({ ...base, loadBalancer: { fullName: 'app/half/1', dnsName: 'lb', port: web.port, secure: false } }));
    expect(half.statuses).toEqual(['Failed']);
    const none = await run('http', httpConfig({ ...base, loadBalancer: { fullName: 'app/none/1', dnsName: 'lb', port: web.port, secure: false } }));
    expect(none.statuses).toEqual(['Failed']);
    expect(none.outcome.reason).toMatch(/no network interfaces found for load balancer app\/none\/1/);
    fake.failNext({ type: 'UnauthorizedOperation', message: 'not authorized to perform ec2:DescribeNetworkInterfaces', operation: 'DescribeNetworkInterfaces' });
    const denied = await run('http', httpConfig({ ...base, loadBalancer: { fullName: 'app/half/1', dnsName: 'lb', port: web.port, secure: false } }));
    expect(denied.statuses).toEqual(['Failed']);
    expect(denied.outcome.reason).toMatch(/the check threw: .*not authorized to perform ec2:DescribeNetworkInterfaces/);
  });
});

describe('httpCheck handler over TLS', () => {
  test('a TLS listener is requested with the Host header as server name, and its certificate is verified', async () => {
    // A self-signed certificate for shop.example.com: the check must send that name and refuse the certificate.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=shop.example.com',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    const names: string[] = [];
    const secureContext = tls.createSecureContext({ key: fs.readFileSync(path.join(dir, 'key.pem')), cert: fs.readFileSync(path.join(dir, 'cert.pem')) });
    const server = https.createServer({ SNICallback: (name, cb) => { names.push(name); cb(null, secureContext); } }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      fake.setLoadBalancerAddresses('app/tls/1', ['127.0.0.1']);
      const port = (server.address() as AddressInfo).port;
      const { outcome, statuses } = await run('http', httpConfig({
        url: undefined,
        attempts: 1,
        hostHeader: 'shop.example.com',
        loadBalancer: { fullName: 'app/tls/1', dnsName: 'web-1.us-east-1.elb.amazonaws.com', port, secure: true },
      }));
      expect(names).toEqual(['shop.example.com']);
      expect(statuses).toEqual(['Failed']);
      expect(outcome.reason).toMatch(/https:\/\/web-1.us-east-1.elb.amazonaws.com:\d+\/health via 127.0.0.1: self[- ]signed certificate/);
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('invokeCheck handler', () => {
  const config = { functionName: 'orders', payload: JSON.stringify({ probe: true }) };

  test('invokes exactly the target version named in the deployment, with the payload', async () => {
    fake.onInvoke('orders', (payload) => ({ statusCode: 200, echo: payload }));
    const deploymentId = fake.addLambdaDeployment({ functionName: 'orders', currentVersion: '6', targetVersion: '7' });
    const before = fake.invocations.length;
    const { outcome, statuses } = await run('invoke', { ...config, responseContains: '"statusCode":200' }, { deploymentId });
    expect(statuses).toEqual(['Succeeded']);
    expect(fake.invocations.slice(before)).toEqual([{ functionName: 'orders', qualifier: '7', payload: { probe: true } }]);
    expect(outcome.reason).toMatch(/^version 7 answered as expected/);
    // Like the service, GetDeployment gives only the AppSpec's hash; the content comes from the application revision.
    const revisionCall = fake.calls.filter((c) => c.operation === 'GetApplicationRevision').pop();
    expect(revisionCall?.body).toEqual({ applicationName: 'app', revision: { revisionType: 'AppSpecContent', appSpecContent: { sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } } });
  });

  test('an AppSpec given as a String revision is read directly; a revision missing from the application fails', async () => {
    fake.onInvoke('orders', () => 'fine');
    const content = JSON.stringify({ version: 0.0, Resources: [{ orders: { Type: 'AWS::Lambda::Function', Properties: { Name: 'orders', Alias: 'live', CurrentVersion: '4', TargetVersion: '5' } } }] });
    fake.addDeployment('d-STRING001', { revisionType: 'String', string: { content } });
    const calls = fake.calls.length;
    expect((await run('invoke', config, { deploymentId: 'd-STRING001' })).statuses).toEqual(['Succeeded']);
    expect(fake.invocations[fake.invocations.length - 1].qualifier).toBe('5');
    expect(fake.calls.slice(calls).map((c) => c.operation)).not.toContain('GetApplicationRevision');
    fake.addDeployment('d-ELSEWHERE', { revisionType: 'AppSpecContent', appSpecContent: { content } }, 'another-app');
    const other = await run('invoke', config, { deploymentId: 'd-ELSEWHERE' });
    expect(other.statuses).toEqual(['Succeeded']);
    fake.addDeployment('d-NOREV0001', { revisionType: 'AppSpecContent', appSpecContent: { sha256: 'f'.repeat(64) } });
    const missing = await run('invoke', config, { deploymentId: 'd-NOREV0001' });
    expect(missing.statuses).toEqual(['Failed']);
    expect(missing.outcome.reason).toMatch(/RevisionDoesNotExistException/);
  });

  test('shared (no function name configured): invokes the one function the deployment\'s AppSpec deploys', async () => {
    fake.onInvoke('payments', (payload) => ({ ok: true, echo: payload }));
    const deploymentId = fake.addLambdaDeployment({ functionName: 'payments', currentVersion: '2', targetVersion: '3' });
    const before = fake.invocations.length;
    const { statuses } = await run('invoke', { payload: '{"probe":1}', responseContains: '"ok":true' }, { deploymentId });
    expect(statuses).toEqual(['Succeeded']);
    expect(fake.invocations.slice(before)).toEqual([{ functionName: 'payments', qualifier: '3', payload: { probe: 1 } }]);
    // An AppSpec with two functions (CodeDeploy allows one) is refused rather than guessed at.
    const resource = (name: string) => ({ [name]: { Type: 'AWS::Lambda::Function', Properties: { Name: name, Alias: 'live', CurrentVersion: '1', TargetVersion: '2' } } });
    fake.addDeployment('d-TWOFUNCS', { revisionType: 'String', string: { content: JSON.stringify({ version: 0.0, Resources: [resource('a'), resource('b')] }) } });
    const two = await run('invoke', { payload: '{}' }, { deploymentId: 'd-TWOFUNCS' });
    expect(two.statuses).toEqual(['Failed']);
    expect(two.outcome.reason).toMatch(/must deploy exactly one Lambda function; it deploys a, b/);
  });

  test('a function error fails the hook with the error message', async () => {
    fake.onInvoke('orders', () => {
      throw new TypeError('cannot read properties of undefined');
    });
    const deploymentId = fake.addLambdaDeployment({ functionName: 'orders', currentVersion: '7', targetVersion: '8' });
    const { outcome, statuses } = await run('invoke', config, { deploymentId });
    expect(statuses).toEqual(['Failed']);
    expect(outcome.reason).toMatch(/version 8 returned a function error \(Unhandled\): .*cannot read properties of undefined/);
  });

  test('an unexpected response fails the hook', async () => {
    fake.onInvoke('orders', () => ({ statusCode: 500 }));
    const deploymentId = fake.addLambdaDeployment({ functionName: 'orders', currentVersion: '1', targetVersion: '2' });
    expect((await run('invoke', { ...config, responseMatches: '"statusCode":2\\d\\d' }, { deploymentId })).statuses).toEqual(['Failed']);
  });

  test('finds the version by function name when the AppSpec gives an ARN, and in a YAML AppSpec', async () => {
    fake.onInvoke('orders', () => 'fine');
    const arnId = fake.addLambdaDeployment({ functionName: 'arn:aws:lambda:us-east-1:123456789012:function:orders', currentVersion: '2', targetVersion: '3' });
    expect((await run('invoke', config, { deploymentId: arnId })).statuses).toEqual(['Succeeded']);
    fake.addDeployment('d-YAML00001', {
      revisionType: 'AppSpecContent',
      appSpecContent: { content: 'version: 0.0\nResources:\n  - orders:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: "orders"\n        Alias: "live"\n        CurrentVersion: "3"\n        TargetVersion: "4"\n' },
    });
    expect((await run('invoke', config, { deploymentId: 'd-YAML00001' })).statuses).toEqual(['Succeeded']);
    expect(fake.invocations[fake.invocations.length - 1].qualifier).toBe('4');
    // Flow style, numbers unquoted, a commented-out function before ours: read as YAML, not by line.
    fake.addDeployment('d-YAML00002', {
      revisionType: 'AppSpecContent',
      appSpecContent: { content: 'version: 0.0\n# - old: {Properties: {Name: orders, TargetVersion: 1}}\nResources: [{orders: {Type: AWS::Lambda::Function, Properties: {Name: orders, Alias: live, CurrentVersion: 4, TargetVersion: 5}}}]\n' },
    });
    expect((await run('invoke', config, { deploymentId: 'd-YAML00002' })).statuses).toEqual(['Succeeded']);
    expect(fake.invocations[fake.invocations.length - 1].qualifier).toBe('5');
  });

  test('a deployment of another function, without AppSpec content, or unknown: Failed, never a guessed version', async () => {
    const other = fake.addLambdaDeployment({ functionName: 'payments', currentVersion: '1', targetVersion: '2' });
    const a = await run('invoke', config, { deploymentId: other });
    expect(a.statuses).toEqual(['Failed']);
    expect(a.outcome.reason).toMatch(/does not deploy orders \(it deploys payments\)/);
    fake.addDeployment('d-S3000001', { revisionType: 'S3', s3Location: { bucket: 'b', key: 'k' } });
    const b = await run('invoke', config, { deploymentId: 'd-S3000001' });
    expect(b.outcome.reason).toMatch(/no AppSpec content .*revision type S3/);
    const c = await run('invoke', config, { deploymentId: 'd-MISSING01' });
    expect(c.statuses).toEqual(['Failed']);
    expect(c.outcome.reason).toMatch(/DeploymentDoesNotExistException/);
  });

  test('a version that hangs: Failed at the deadline', async () => {
    fake.onInvoke('orders', () => new Promise(() => undefined));
    const deploymentId = fake.addLambdaDeployment({ functionName: 'orders', currentVersion: '1', targetVersion: '2' });
    const { outcome, statuses } = await run('invoke', config, { deploymentId, deadlineMs: 300 });
    expect(statuses).toEqual(['Failed']);
    expect(outcome.reason).toBe('the check did not finish within 300 ms');
  });

  test('Lambda throttling beyond the SDK retries fails the hook; a single throttle does not', async () => {
    fake.onInvoke('orders', () => 'fine');
    const deploymentId = fake.addLambdaDeployment({ functionName: 'orders', currentVersion: '1', targetVersion: '2' });
    fake.failNext({ type: 'TooManyRequestsException', httpStatus: 429, operation: 'Invoke' });
    expect((await run('invoke', config, { deploymentId })).statuses).toEqual(['Succeeded']);
    fake.failNext({ type: 'TooManyRequestsException', httpStatus: 429, operation: 'Invoke' }, 3);
    const throttled = await run('invoke', config, { deploymentId });
    expect(throttled.statuses).toEqual(['Failed']);
    expect(throttled.outcome.reason).toMatch(/TooManyRequestsException/);
  });
});

describe('alarmCheck handler', () => {
  const config = (overrides: object = {}) => ({ alarmNames: ['errors', 'latency'], observeMs: 0, intervalMs: 20, failOnInsufficientData: false, ...overrides });

  beforeEach(() => {
    fake.setAlarmState('errors', 'OK');
    fake.setAlarmState('latency', 'OK');
  });

  test('passes when no alarm is in ALARM (INSUFFICIENT_DATA passes by default)', async () => {
    fake.setAlarmState('latency', 'INSUFFICIENT_DATA');
    const { outcome, statuses } = await run('alarm', config());
    expect(statuses).toEqual(['Succeeded']);
    expect(outcome.reason).toMatch(/^2 alarm\(s\) not in ALARM \(1 check/);
    const call = fake.calls.filter((c) => c.operation === 'DescribeAlarms').pop();
    expect(call?.body).toEqual(expect.objectContaining({ AlarmNames: ['errors', 'latency'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] }));
  });

  test('fails while an alarm is in ALARM, naming it; INSUFFICIENT_DATA fails when asked to', async () => {
    fake.setAlarmState('errors', 'ALARM');
    const alarm = await run('alarm', config());
    expect(alarm.statuses).toEqual(['Failed']);
    expect(alarm.outcome.reason).toBe('the check threw: Error: errors is in ALARM');
    fake.setAlarmState('errors', 'INSUFFICIENT_DATA');
    expect((await run('alarm', config({ failOnInsufficientData: true }))).outcome.reason).toMatch(/errors is in INSUFFICIENT_DATA/);
  });

  test('without alarm names: the alarms of the deployment\'s group, read with GetDeployment and GetDeploymentGroup', async () => {
    fake.setDeploymentGroupAlarms('shop', 'orders-group', { alarmNames: ['errors', 'latency'] });
    const deploymentId = fake.addLambdaDeployment({ functionName: 'orders', currentVersion: '1', targetVersion: '2', applicationName: 'shop', deploymentGroupName: 'orders-group' });
    const calls = fake.calls.length;
    const ok = await run('alarm', config({ alarmNames: undefined }), { deploymentId });
    expect(ok.statuses).toEqual(['Succeeded']);
    expect(ok.outcome.reason).toMatch(/^2 alarm\(s\) not in ALARM/);
    expect(fake.calls.slice(calls).map((c) => c.operation)).toEqual(['GetDeployment', 'GetDeploymentGroup', 'DescribeAlarms', 'PutLifecycleEventHookExecutionStatus']);
    expect(fake.calls.find((c, i) => i >= calls && c.operation === 'GetDeploymentGroup')?.body).toEqual({ applicationName: 'shop', deploymentGroupName: 'orders-group' });
    fake.setAlarmState('latency', 'ALARM');
    const alarm = await run('alarm', config({ alarmNames: undefined }), { deploymentId });
    expect(alarm.statuses).toEqual(['Failed']);
    expect(alarm.outcome.reason).toMatch(/latency is in ALARM/);
  });

  test('without alarm names: a group whose alarm configuration is off, or that has no alarms, passes saying so; a group that does not exist fails', async () => {
    fake.setAlarmState('errors', 'ALARM');
    fake.setDeploymentGroupAlarms('shop', 'off-group', { alarmNames: ['errors'], enabled: false });
    const off = await run('alarm', config({ alarmNames: undefined }), {
      deploymentId: fake.addLambdaDeployment({ functionName: 'f', currentVersion: '1', targetVersion: '2', applicationName: 'shop', deploymentGroupName: 'off-group' }),
    });
    expect(off.statuses).toEqual(['Succeeded']);
    expect(off.outcome.reason).toBe('the deployment group shop/off-group has its alarm configuration turned off: nothing to check');
    fake.setDeploymentGroupAlarms('shop', 'empty-group', { alarmNames: [] });
    const empty = await run('alarm', config({ alarmNames: undefined }), {
      deploymentId: fake.addLambdaDeployment({ functionName: 'f', currentVersion: '1', targetVersion: '2', applicationName: 'shop', deploymentGroupName: 'empty-group' }),
    });
    expect(empty.outcome.reason).toBe('the deployment group shop/empty-group has no alarms: nothing to check');
    const gone = await run('alarm', config({ alarmNames: undefined }), {
      deploymentId: fake.addLambdaDeployment({ functionName: 'f', currentVersion: '1', targetVersion: '2', applicationName: 'shop', deploymentGroupName: 'deleted-group' }),
    });
    expect(gone.statuses).toEqual(['Failed']);
    expect(gone.outcome.reason).toMatch(/DeploymentGroupDoesNotExistException|no deployment group deleted-group/);
  });

  test('a missing alarm fails (a typo must not pass silently)', async () => {
    const { outcome } = await run('alarm', config({ alarmNames: ['errors', 'no-such-alarm'] }));
    expect(outcome.reason).toMatch(/no-such-alarm does not exist/);
  });

  test('observing: fails as soon as an alarm goes into ALARM during the window', async () => {
    const started = Date.now();
    setTimeout(() => fake.setAlarmState('latency', 'ALARM'), 150);
    const { outcome, statuses } = await run('alarm', config({ observeMs: 5_000 }));
    expect(statuses).toEqual(['Failed']);
    expect(outcome.reason).toMatch(/latency is in ALARM/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  test('observing: passes after the window when nothing fires', async () => {
    const started = Date.now();
    const { outcome, statuses } = await run('alarm', config({ observeMs: 200 }));
    expect(statuses).toEqual(['Succeeded']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(Number(/\((\d+) check/.exec(outcome.reason)![1])).toBeGreaterThanOrEqual(3);
  });

  test('CloudWatch failing with 5xx beyond the SDK retries fails the hook', async () => {
    fake.failNext({ type: 'InternalFailure', httpStatus: 500, operation: 'DescribeAlarms' }, 3);
    const { outcome, statuses } = await run('alarm', config());
    expect(statuses).toEqual(['Failed']);
    expect(outcome.reason).toMatch(/InternalFailure/);
  });
});

describe('sdkCall handler', () => {
  const appConfigStop = { service: 'appconfig', action: 'StopDeployment', parameters: { ApplicationId: 'abc1234', EnvironmentId: 'env5678', DeploymentNumber: 3 }, acceptedErrors: [] };
  const isAppConfigStop = (r: any) => r.method === 'DELETE' && /^\/applications\/[^/]+\/environments\/[^/]+\/deployments\/\d+$/.test(r.path);

  beforeAll(() => {
    // AppConfig StopDeployment: REST-JSON DELETE; 400 BadRequest once the deployment is no longer DEPLOYING.
    fake.route(isAppConfigStop, (r) =>
      r.path.endsWith('/deployments/9')
        ? { status: 400, headers: { 'x-amzn-errortype': 'BadRequestException' }, body: { Message: 'deployment 9 is not DEPLOYING' } }
        : { status: 202, body: { ApplicationId: 'abc1234', EnvironmentId: 'env5678', DeploymentNumber: 3, State: 'ROLLED_BACK' } },
    );
    // AppFlow CancelFlowExecutions: REST-JSON POST.
    fake.route((r) => r.method === 'POST' && r.path === '/cancel-flow-executions', () => ({ status: 200, body: { invalidExecutions: [] } }));
    // SSM CancelCommand: JSON 1.1; an unknown command ID is InvalidCommandId.
    fake.route((r) => r.target === 'CancelCommand', (r) =>
      r.body.CommandId === '25173b39-c88d-4459-ba3d-8704aEXAMPLE'
        ? { status: 200, body: {} }
        : { status: 400, headers: { 'x-amzn-errortype': 'InvalidCommandId' }, body: { __type: 'InvalidCommandId', message: 'Invalid command ID' } },
    );
    fake.route((r) => r.target === 'DescribeParameters', () => new Promise(() => undefined));
  });

  test('AppConfig StopDeployment: the SDK call goes out as the API expects and its success passes the hook', async () => {
    const { outcome, statuses } = await run('sdk', appConfigStop);
    expect(statuses).toEqual(['Succeeded']);
    expect(outcome.reason).toBe('appconfig:StopDeployment succeeded');
    expect(fake.calls.filter((c) => c.operation === 'DELETE /applications/abc1234/environments/env5678/deployments/3')).toHaveLength(1);
    expect(logs.find((l) => l.message === 'call succeeded')?.output).toMatch(/ROLLED_BACK/);
  });

  test('AppConfig StopDeployment rejected: Failed, unless the error is accepted', async () => {
    const params = { ...appConfigStop, parameters: { ...appConfigStop.parameters, DeploymentNumber: 9 } };
    const rejected = await run('sdk', params);
    expect(rejected.statuses).toEqual(['Failed']);
    expect(rejected.outcome.reason).toMatch(/BadRequestException/);
    const accepted = await run('sdk', { ...params, acceptedErrors: ['BadRequestException'] });
    expect(accepted.statuses).toEqual(['Succeeded']);
    expect(accepted.outcome.reason).toBe('appconfig:StopDeployment failed with BadRequestException, which counts as success');
  });

  test('AppFlow CancelFlowExecutions: flow name and execution IDs in the request body', async () => {
    const { statuses } = await run('sdk', { service: 'appflow', action: 'CancelFlowExecutions', parameters: { flowName: 'nightly-sync', executionIds: ['e-1', 'e-2'] }, acceptedErrors: [] });
    expect(statuses).toEqual(['Succeeded']);
    expect(fake.calls.filter((c) => c.operation === 'POST /cancel-flow-executions').pop()?.body).toEqual({ flowName: 'nightly-sync', executionIds: ['e-1', 'e-2'] });
  });

  test('SSM CancelCommand: passes for a known command, fails with InvalidCommandId otherwise', async () => {
    const ok = await run('sdk', { service: 'ssm', action: 'CancelCommand', parameters: { CommandId: '25173b39-c88d-4459-ba3d-8704aEXAMPLE', InstanceIds: ['i-0123456789abcdef0'] }, acceptedErrors: [] });
    expect(ok.statuses).toEqual(['Succeeded']);
    expect(fake.calls.filter((c) => c.operation === 'CancelCommand').pop()?.body).toEqual({ CommandId: '25173b39-c88d-4459-ba3d-8704aEXAMPLE', InstanceIds: ['i-0123456789abcdef0'] });
    const bad = await run('sdk', { service: 'ssm', action: 'CancelCommand', parameters: { CommandId: '00000000-0000-0000-0000-000000000000' }, acceptedErrors: [] });
    expect(bad.statuses).toEqual(['Failed']);
    expect(bad.outcome.reason).toMatch(/InvalidCommandId/);
  });

  test('throttling: one throttle is absorbed by the SDK, persistent throttling fails the hook', async () => {
    const cancel = { service: 'ssm', action: 'CancelCommand', parameters: { CommandId: '25173b39-c88d-4459-ba3d-8704aEXAMPLE' }, acceptedErrors: [] };
    fake.failNext({ type: 'ThrottlingException', operation: 'CancelCommand' });
    expect((await run('sdk', cancel)).statuses).toEqual(['Succeeded']);
    fake.failNext({ type: 'ThrottlingException', operation: 'CancelCommand' }, 3);
    const throttled = await run('sdk', cancel);
    expect(throttled.statuses).toEqual(['Failed']);
    expect(throttled.outcome.reason).toMatch(/ThrottlingException/);
  });

  test('an action the SDK does not have, or a call that hangs: Failed', async () => {
    const unknown = await run('sdk', { service: 'ssm', action: 'CancelEverything', parameters: {}, acceptedErrors: [] });
    expect(unknown.outcome.reason).toMatch(/@aws-sdk\/client-ssm has no CancelEverythingCommand/);
    const hang = await run('sdk', { service: 'ssm', action: 'DescribeParameters', parameters: {}, acceptedErrors: [] }, { deadlineMs: 300 });
    expect(hang.statuses).toEqual(['Failed']);
    expect(hang.outcome.reason).toBe('the check did not finish within 300 ms');
  });
});

describe('every built-in handler reports exactly once when the status call is throttled, fails with 5xx or loses its connection', () => {
  const passing: Record<string, () => [keyof typeof handlers, object, string?]> = {
    httpCheck: () => ['http', httpConfig()],
    invokeCheck: () => {
      fake.onInvoke('orders', () => 'fine');
      return ['invoke', { functionName: 'orders', payload: '{}' }, fake.addLambdaDeployment({ functionName: 'orders', currentVersion: '1', targetVersion: '2' })];
    },
    alarmCheck: () => {
      fake.setAlarmState('errors', 'OK');
      return ['alarm', { alarmNames: ['errors'], observeMs: 0, intervalMs: 20, failOnInsufficientData: false }];
    },
    sdkCall: () => ['sdk', { service: 'ssm', action: 'CancelCommand', parameters: { CommandId: '25173b39-c88d-4459-ba3d-8704aEXAMPLE' }, acceptedErrors: [] }],
  };
  const status = { operation: 'PutLifecycleEventHookExecutionStatus' };

  test.each(Object.keys(passing))('%s', async (name) => {
    const [kind, config, deploymentId] = passing[name]();
    fake.failNext({ ...status, type: 'ThrottlingException', message: 'Rate exceeded' }, 3);
    fake.failNext({ ...status, type: 'InternalFailure', httpStatus: 500 }, 2);
    fake.failNext({ ...status, type: 'reset' }, 2);
    const before = fake.calls.filter((c) => c.operation === status.operation).length;
    const { statuses } = await run(kind, config, { deploymentId });
    expect(statuses).toEqual(['Succeeded']);
    expect(fake.calls.filter((c) => c.operation === status.operation).length - before).toBe(8);
    // And a failing check reports Failed through the same trouble.
    const failing = kind === 'http' ? httpConfig({ attempts: 1, expectedStatusCodes: [418] }) : kind === 'alarm' ? { ...config, alarmNames: ['missing'] } : kind === 'invoke' ? { ...config, responseContains: 'never' } : { ...config, action: 'CancelEverything' };
    fake.failNext({ ...status, type: 'ThrottlingException' }, 2);
    fake.failNext({ ...status, type: 'reset' });
    expect((await run(kind, failing, { deploymentId })).statuses).toEqual(['Failed']);
  });
});

describe('built-in handlers under ECS-native deployments (answer with hookStatus, no status call)', () => {
  const SERVICE = 'arn:aws:ecs:us-east-1:123456789012:service/shop/web';
  const runEcs = async (kind: keyof typeof handlers, config: object, event: any) => {
    process.env.HOOK_CONFIG = JSON.stringify(config);
    process.env.HOOK_DEADLINE_MS = '20000';
    const before = fake.calls.filter((c) => c.operation === 'PutLifecycleEventHookExecutionStatus').length;
    const runs = await fake.runEcsHook(handlers[kind], event);
    expect(fake.calls.filter((c) => c.operation === 'PutLifecycleEventHookExecutionStatus').length).toBe(before);
    return runs;
  };

  test('httpCheck on the test traffic: SUCCEEDED when the service answers, FAILED when it does not', async () => {
    expect((await runEcs('http', httpConfig(), fake.ecsHookEvent({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' }))).map((r) => r.hookStatus)).toEqual(['SUCCEEDED']);
    web.script = [{ status: 500 }];
    expect((await runEcs('http', httpConfig(), fake.ecsHookEvent({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' }))).map((r) => r.hookStatus)).toEqual(['FAILED']);
  });

  test('alarmCheck without alarm names checks the service\'s alarms from the hook\'s details (no call on the service), at every linear step, until one fires', async () => {
    fake.setAlarmState('web-5xx', 'OK');
    fake.setAlarmState('web-unhealthy', 'OK');
    const config = { observeMs: 0, intervalMs: 10, failOnInsufficientData: false };
    const hookDetails = { alarmNames: ['web-5xx', 'web-unhealthy'], alarmsEnabled: true };
    const answers: string[] = [];
    // A linear deployment: the production traffic hook runs at each 25 % step.
    for (const green of [25, 50, 75, 100]) {
      if (green === 75) fake.setAlarmState('web-5xx', 'ALARM');
      const event = fake.ecsHookEvent({ serviceArn: SERVICE, lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT', productionTrafficWeights: { blue: 100 - green, green }, hookDetails });
      answers.push((await runEcs('alarm', config, event)).at(-1)!.hookStatus);
    }
    expect(answers).toEqual(['SUCCEEDED', 'SUCCEEDED', 'FAILED', 'FAILED']);
    expect(fake.calls.filter((c) => c.operation === 'DescribeAlarms').at(-1)!.body).toMatchObject({ AlarmNames: ['web-5xx', 'web-unhealthy'] });
    expect(logs.some((l) => l.message === 'checking the alarms of the service' && l.service === 'shop/web')).toBe(true);
  });

  test('alarmCheck on service creation (ECS runs hooks then too): alarms turned off pass saying so; details without alarm names fail, saying what is missing', async () => {
    const config = { observeMs: 0, intervalMs: 10, failOnInsufficientData: false };
    const created = await runEcs('alarm', config, fake.ecsHookEvent({
      serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/shop/new', lifecycleStage: 'PRE_SCALE_UP', hookDetails: { alarmNames: ['web-5xx'], alarmsEnabled: false },
    }));
    expect(created.map((r) => r.hookStatus)).toEqual(['SUCCEEDED']);
    expect(logs.some((l) => /the service shop\/new has its alarm configuration turned off: nothing to check/.test(l.reason ?? ''))).toBe(true);
    const bare = await runEcs('alarm', config, fake.ecsHookEvent({ serviceArn: SERVICE }));
    expect(bare.map((r) => r.hookStatus)).toEqual(['FAILED']);
    expect(logs.some((l) => /hookDetails has no alarmNames list \(received undefined\); EcsDeployment sets it/.test(l.reason ?? ''))).toBe(true);
  });

  test('invokeCheck is for CodeDeploy Lambda deployments only: under ECS it fails and says so', async () => {
    const runs = await runEcs('invoke', { payload: '{}' }, fake.ecsHookEvent());
    expect(runs.map((r) => r.hookStatus)).toEqual(['FAILED']);
    expect(logs.some((l) => /invokeCheck runs in CodeDeploy Lambda deployments only; it was invoked by ECS/.test(l.reason ?? ''))).toBe(true);
  });
});
