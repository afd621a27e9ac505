/**
 * Built-in hook `LifecycleHook.httpCheck`: HTTP(S) requests against a URL, or against every node
 * of a load balancer's listener (found from its network interfaces, so that an internet-facing
 * load balancer is reached inside the VPC), until each answers as expected.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { brief, builtInHandler, readConfig, sdkClient, sdkPackage, sleep } from './common';
import { HookCheckContext } from '../runtime/hook-handler';

export interface HttpCheckConfig {
  /** A full URL, or ... */
  readonly url?: string;
  /** ... a load balancer listener: every private address of the load balancer, on this port. */
  readonly loadBalancer?: { readonly fullName: string; readonly port: number; readonly secure: boolean; readonly dnsName: string };
  readonly path: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly hostHeader?: string;
  readonly expectedStatusCodes: number[];
  readonly bodyContains?: string;
  readonly bodyMatches?: string;
  readonly attempts: number;
  readonly intervalMs: number;
  readonly backoffRate: number;
  readonly maxIntervalMs: number;
  readonly requestTimeoutMs: number;
}

interface Target {
  readonly url: URL;
  /** Connect to this address instead of the URL's host. */
  readonly address?: string;
}

const MAX_BODY_BYTES = 1024 * 1024;

export const handler = builtInHandler(async (_event, context) => {
  const config = readConfig<HttpCheckConfig>();
  let failures: string[] = [];
  for (let attempt = 1; attempt <= config.attempts; attempt++) {
    const targets = await resolveTargets(config, context.signal);
    failures = (await Promise.all(targets.map((target) => checkTarget(config, target, context)))).filter((f): f is string => f !== undefined);
    if (failures.length === 0) {
      return `${targets.length} target(s) answered as expected on attempt ${attempt}`;
    }
    context.log('attempt failed', { attempt, failures });
    if (attempt < config.attempts) {
      await sleep(Math.min(config.maxIntervalMs, config.intervalMs * config.backoffRate ** (attempt - 1)), context.signal);
      if (context.signal.aborted) {
        break;
      }
    }
  }
  throw new Error(`not as expected after ${config.attempts} attempt(s): ${failures.join('; ')}`);
});

async function resolveTargets(config: HttpCheckConfig, signal: AbortSignal): Promise<Target[]> {
  if (config.url) {
    return [{ url: new URL(config.url.replace(/\/+$/, '') + config.path) }];
  }
  const lb = config.loadBalancer!;
  const ec2 = sdkPackage('ec2');
  // An Application or Network Load Balancer's interfaces are described "ELB app/<name>/<id>" ("ELB net/...").
  const result = await sdkClient('ec2').send(
    new ec2.DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: [`ELB ${lb.fullName}`] }] }),
    { abortSignal: signal },
  );
  const addresses: string[] = (result.NetworkInterfaces ?? []).map((eni: any) => eni.PrivateIpAddress).filter((a: unknown) => typeof a === 'string');
  if (addresses.length === 0) {
    throw new Error(`no network interfaces found for load balancer ${lb.fullName}`);
  }
  const url = new URL(`${lb.secure ? 'https' : 'http'}://${lb.dnsName}:${lb.port}${config.path}`);
  return addresses.map((address) => ({ url, address }));
}

/** One request; undefined when the answer is as expected, else what was wrong. */
async function checkTarget(config: HttpCheckConfig, target: Target, context: HookCheckContext): Promise<string | undefined> {
  const where = target.address ? `${target.url.href} via ${target.address}` : target.url.href;
  try {
    const { status, body } = await request(config, target, context.signal);
    if (!config.expectedStatusCodes.includes(status)) {
      return `${where} answered HTTP ${status}, expected ${config.expectedStatusCodes.join(' or ')} (body: ${brief(body, 200)})`;
    }
    if (config.bodyContains !== undefined && !body.includes(config.bodyContains)) {
      return `${where} answered HTTP ${status} without ${JSON.stringify(config.bodyContains)} in the body (body: ${brief(body, 200)})`;
    }
    if (config.bodyMatches !== undefined && !new RegExp(config.bodyMatches).test(body)) {
      return `${where} answered HTTP ${status} with a body not matching /${config.bodyMatches}/ (body: ${brief(body, 200)})`;
    }
    return undefined;
  } catch (err) {
    return `${where}: ${(err as Error).message}`;
  }
}

function request(config: HttpCheckConfig, target: Target, signal: AbortSignal): Promise<{ status: number; body: string }> {
  const url = target.url;
  const secure = url.protocol === 'https:';
  const host = config.hostHeader ?? url.host;
  const options: https.RequestOptions = {
    method: config.method,
    host: target.address ?? url.hostname,
    port: url.port || (secure ? 443 : 80),
    path: `${url.pathname}${url.search}`,
    headers: { 'user-agent': 'cdk-codedeploy-patterns-http-check', ...config.headers, host },
    // TLS name checked against the Host header's name (the load balancer's certificate is for it).
    servername: host.replace(/:\d+$/, ''),
    signal: AbortSignal.any([signal, AbortSignal.timeout(config.requestTimeoutMs)]),
  };
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_BODY_BYTES) {
          chunks.push(chunk);
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err: any) => {
      reject(err?.name === 'AbortError' ? new Error(signal.aborted ? 'aborted at the deadline' : `no answer within ${config.requestTimeoutMs} ms`) : err);
    });
    req.end(config.body);
  });
}
