import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { awsSdkToIamAction } from 'aws-cdk-lib/custom-resources/lib/helpers-internal';
import { Construct } from 'constructs';
import type { AlarmCheckOptions, HttpCheckOptions, InvokeCheckOptions, SdkCallOptions } from './built-in-hooks';
import { BundledFunction, BundledHandler } from '../private/bundled-function';
import { acknowledgeCompliance, OwnedResource } from '../private/compliance';
import { acknowledge, wildcardResourceFinding } from '../private/nag';
import { addStatementOnce, DEPLOYMENT_GROUP_STATEMENT, grantAccumulated } from '../private/permissions';
import { perStack } from '../private/shared';
import { throwIfErrors } from '../private/validation';
import type { AlarmCheckConfig } from './handlers/alarm-check.lambda';
import { CONFIG_VARIABLE, DEADLINE_VARIABLE } from './handlers/common';
import type { HttpCheckConfig } from './handlers/http-check.lambda';
import type { InvokeCheckConfig } from './handlers/invoke-check.lambda';
import type { SdkCallConfig } from './handlers/sdk-call.lambda';
import { type LifecycleHookBindOptions, type LifecycleHookLoadBalancer } from './lifecycle-hook-bind';
import { codeDeployGroupOf } from '../private/hook-binding';

/**
 * The built-in hooks' functions: validation of their options, the function with its own role,
 * log group and configuration, and exactly the permissions each check needs. Internal; the
 * public options live in hooks/built-in-hooks.ts and the factories on LifecycleHook.
 */

/** Longest deadline of a built-in check: the Lambda maximum of 15 minutes minus the 30 s kept for reporting. */
const MAX_DEADLINE_SECONDS = 14 * 60;
const REPORT_MARGIN = Duration.seconds(30);
/** Lambda environment variables: 4 KB in total. */
const MAX_CONFIG_CHARS = 3500;
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** @internal */
export function bindHttpCheck(scope: Construct, options: LifecycleHookBindOptions, props: HttpCheckOptions): lambda.IFunction {
  const listener = props.target._listener;
  const errors = [...validateDeadline(props.deadline), ...validateHttpCheck(props)];
  let lb: LifecycleHookLoadBalancer | undefined;
  let port: number | undefined;
  if (listener) {
    lb = options.loadBalancer;
    port = listener === 'test' ? lb?.testPort : lb?.productionPort;
    if (!lb) {
      errors.push(
        `HttpCheckTarget.${listener}Listener() needs the load balancer of an EcsDeployment, but the ${options.lifecycleEvent} hook is bound to a deployment without one. Use HttpCheckTarget.url(...) instead.`,
      );
    } else if (port === undefined && (listener === 'production' || (lb.hasTestListener ?? lb.testPort !== undefined))) {
      errors.push(
        `HttpCheckTarget.${listener}Listener() was given for ${options.lifecycleEvent}, but the ${listener} listener was given without a port known at synth time (an imported listener, or a port that is a token). Set traffic.listeners.${listener}Port.`,
      );
    } else if (port === undefined) {
      errors.push(
        `HttpCheckTarget.testListener() was given for ${options.lifecycleEvent}, but the deployment has no test listener. Turn traffic.testListener on, or check HttpCheckTarget.productionListener().`,
      );
    }
    if (listener === 'test' && (options.lifecycleEvent === 'BeforeInstall' || options.lifecycleEvent === 'AfterInstall')) {
      errors.push(
        `HttpCheckTarget.testListener() was given for ${options.lifecycleEvent}, but the test listener only serves the replacement task set from AfterAllowTestTraffic on. Use the hook in hooks.afterAllowTestTraffic or hooks.beforeAllowTraffic.`,
      );
    }
    if (props.vpc) {
      errors.push('vpc is set, but a listener target always runs in the load balancer\'s VPC. Drop vpc.');
    }
    if (lb?.secure && props.hostHeader === undefined) {
      errors.push(
        `HttpCheckTarget.${listener}Listener(): the ${listener} listener uses TLS with your certificate, which cannot cover the load balancer's own DNS name. Set hostHeader to a name the certificate covers (it is also the TLS server name).`,
      );
    }
  } else if (props.vpcSubnets && !props.vpc) {
    errors.push('vpcSubnets is set without vpc. Give the VPC too, or drop vpcSubnets.');
  }
  throwIfErrors(scope, errors);

  let dnsName: string | undefined;
  if (lb && port !== undefined) {
    try {
      dnsName = lb.loadBalancerDnsName;
    } catch (e) {
      // aws-cdk-lib's imported load balancer without its DNS name.
      throwIfErrors(scope, [
        `HttpCheckTarget.${listener}Listener() sends requests to the load balancer's DNS name, which it does not know ("${(e as Error).message}"). Import the load balancer with loadBalancerDnsName, or use HttpCheckTarget.url(...).`,
      ]);
    }
  }
  const config: HttpCheckConfig = {
    url: props.target._url,
    loadBalancer:
      lb && port !== undefined
        ? { fullName: lb.loadBalancerFullName, dnsName: dnsName!, port, secure: lb.secure }
        : undefined,
    path: props.path ?? '/',
    method: props.method ?? 'GET',
    headers: props.headers ?? {},
    body: props.body,
    hostHeader: props.hostHeader,
    expectedStatusCodes: props.expectedStatusCodes ?? [200],
    bodyContains: props.bodyContains,
    bodyMatches: props.bodyMatches,
    attempts: props.attempts ?? 10,
    intervalMs: (props.interval ?? Duration.seconds(5)).toMilliseconds(),
    backoffRate: props.backoffRate ?? 1.5,
    maxIntervalMs: 30_000,
    requestTimeoutMs: (props.requestTimeout ?? Duration.seconds(5)).toMilliseconds(),
  };
  const vpc = lb?.vpc ?? props.vpc;
  const fn = hookFunction(scope, options, 'hooks/handlers/http-check.lambda', {
    kindName: 'HttpCheck',
    config,
    deadline: props.deadline ?? Duration.minutes(5),
    description: `HTTP check of ${listener ? `the ${listener} listener` : 'a URL'}`,
    vpc,
    vpcSubnets: props.vpcSubnets,
    shared: props.sharedFunction ?? true,
  });
  if (lb && port !== undefined) {
    lb.connections.allowFrom(fn, ec2.Port.tcp(port), `${options.lifecycleEvent} HTTP check hook`);
  }
  return fn;
}

/** @internal */
export function bindInvokeCheck(scope: Construct, options: LifecycleHookBindOptions, props: InvokeCheckOptions): lambda.IFunction {
  const target = options.lambdaFunction;
  const errors = [...validateDeadline(props.deadline), ...validateRegex('responseMatches', props.responseMatches)];
  if (!target) {
    errors.push(
      `LifecycleHook.invokeCheck() invokes the Lambda version being deployed, but the ${options.lifecycleEvent} hook is bound to a deployment that deploys no Lambda function. Use it in LambdaDeployment's hooks (beforeAllowTraffic or afterAllowTraffic).`,
    );
  } else if (!options.applicationArn) {
    errors.push(
      `LifecycleHook.invokeCheck() reads the deployment's AppSpec from its application, but the ${options.lifecycleEvent} hook was bound without applicationArn. Pass applicationArn in the bind options.`,
    );
  }
  throwIfErrors(scope, errors);
  const shared = props.sharedFunction ?? true;
  const config: InvokeCheckConfig = {
    // A shared function invokes the one function of the deployment's AppSpec (its role allows only
    // the functions of the groups it serves); a dedicated one also checks that it is this one.
    functionName: shared ? undefined : target!.functionName,
    payload: JSON.stringify(props.payload ?? {}),
    responseContains: props.responseContains,
    responseMatches: props.responseMatches,
  };
  const fn = hookFunction(scope, options, 'hooks/handlers/invoke-check.lambda', {
    kindName: 'InvokeCheck',
    config,
    deadline: props.deadline ?? Duration.minutes(1),
    description: 'invokes the version being deployed',
    shared,
  });
  // The deployment's AppSpec names the target version: GetDeployment gives its hash (the content is
  // always null there), GetApplicationRevision the content.
  grantAccumulated(fn.role!, ['codedeploy:GetDeployment'], [options.deploymentGroupArn!], DEPLOYMENT_GROUP_STATEMENT);
  grantAccumulated(fn.role!, ['codedeploy:GetApplicationRevision'], [options.applicationArn!]);
  const versions = `${target!.functionArn}:*`;
  grantAccumulated(fn.role!, ['lambda:InvokeFunction'], [versions]);
  acknowledge(
    fn.role!,
    wildcardResourceFinding(scope, versions),
    'The version being deployed is only known during the deployment; the check may invoke the versions of exactly the deployed function.',
  );
  return fn;
}

/** @internal */
export function bindAlarmCheck(
  scope: Construct,
  options: LifecycleHookBindOptions,
  alarms: cloudwatch.IAlarm[] | undefined,
  props: AlarmCheckOptions,
): lambda.IFunction {
  const observe = props.observeFor ?? Duration.seconds(0);
  const interval = props.interval ?? Duration.seconds(30);
  const errors = validateDeadline(props.deadline);
  if (alarms && (alarms.length === 0 || alarms.length > 100)) {
    errors.push(`alarmCheck takes 1 to 100 alarms (DescribeAlarms reads at most 100 names); received ${alarms.length}.`);
  }
  if (!Token.isUnresolved(observe.toSeconds()) && observe.toSeconds() > 13 * 60) {
    errors.push(`observeFor is at most 13 minutes (the hook runs in one Lambda invocation); received ${observe.toHumanString()}.`);
  }
  if (!Token.isUnresolved(interval.toSeconds()) && interval.toSeconds() < 10) {
    errors.push(`interval is at least 10 seconds (alarms are evaluated once a minute at most); received ${interval.toHumanString()}.`);
  }
  throwIfErrors(scope, errors);
  const config: AlarmCheckConfig = {
    // Without names the check reads the deployment group's alarms when it runs.
    alarmNames: alarms?.map((a) => a.alarmName),
    observeMs: observe.toMilliseconds(),
    intervalMs: interval.toMilliseconds(),
    failOnInsufficientData: props.failOnInsufficientData ?? false,
  };
  const fn = hookFunction(scope, options, 'hooks/handlers/alarm-check.lambda', {
    kindName: 'AlarmCheck',
    config,
    deadline: props.deadline ?? observe.plus(Duration.minutes(2)),
    description: alarms ? 'fails while an alarm is in ALARM' : 'fails while an alarm of the deployment group is in ALARM',
    shared: props.sharedFunction ?? true,
  });
  const group = codeDeployGroupOf(options);
  if (!alarms && group) {
    // GetDeployment names the group, GetDeploymentGroup lists its alarms; the pattern grants the
    // alarms added after binding (LifecycleHook._readsGroupAlarms).
    grantAccumulated(fn.role!, ['codedeploy:GetDeployment', 'codedeploy:GetDeploymentGroup'], [group], DEPLOYMENT_GROUP_STATEMENT);
  }
  // ECS-native: the service's alarms come in the hook's details (EcsDeployment sets them); no call on the service.
  const described = alarms ?? options.alarms ?? [];
  if (described.length > 0) {
    grantAccumulated(fn.role!, ['cloudwatch:DescribeAlarms'], described.map((a) => a.alarmArn));
  }
  return fn;
}

/** @internal */
export function bindSdkCall(scope: Construct, options: LifecycleHookBindOptions, props: SdkCallOptions): lambda.IFunction {
  const errors = validateDeadline(props.deadline);
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(props.service)) {
    errors.push(
      `service must be the name of an AWS SDK v3 client package without "@aws-sdk/client-" (lower case, e.g. "appconfig"); received "${props.service}".`,
    );
  }
  if (!/^[A-Z][A-Za-z0-9]*$/.test(props.action)) {
    errors.push(`action must be an API action name like "StopDeployment" (PascalCase, as in the API reference); received "${props.action}".`);
  }
  const clients = knownSdkClients();
  if (!props.iamAction && clients && /^[a-z0-9]+(-[a-z0-9]+)*$/.test(props.service) && !clients.has(props.service)) {
    errors.push(
      `service "${props.service}" is not an AWS SDK v3 client (@aws-sdk/client-${props.service} is not among the ${clients.size} clients in the SDK metadata aws-cdk-lib ships); ` +
        'check the package name (e.g. "sfn", "cloudwatch-logs", "elastic-load-balancing-v2"), or set iamAction for a client newer than that list.',
    );
  }
  const commands = sdkClientCommands(props.service);
  if (commands && /^[A-Z][A-Za-z0-9]*$/.test(props.action) && !commands.has(props.action)) {
    const near = [...commands].filter((c) => c.toLowerCase() === props.action.toLowerCase() || c.startsWith(props.action.slice(0, 6)));
    errors.push(
      `action "${props.action}" is not a command of @aws-sdk/client-${props.service} (${commands.size} commands in the installed client)${near.length > 0 ? `; did you mean ${near.slice(0, 3).join(', ')}?` : ''}. Use the API action name as the SDK spells it.`,
    );
  }
  // The IAM prefix is not the package name for many services (sfn -> states); aws-cdk-lib's table from the SDK's metadata knows them.
  const iamAction = props.iamAction ?? awsSdkToIamAction(props.service, props.action);
  if (!/^[a-z0-9-]+:[A-Za-z0-9*]+$/.test(iamAction)) {
    errors.push(`iamAction must look like "<service prefix>:<Action>"; received "${iamAction}". Set iamAction to the action's name in the Service Authorization Reference.`);
  }
  if (!props.resources?.length && !props.policyStatements?.length) {
    errors.push(
      `sdkCall ${props.service}:${props.action} needs resources (the ARNs the call may act on) or policyStatements; the hook gets no permission by default. Pass resources: ['*'] only for actions without resource-level permissions.`,
    );
  }
  throwIfErrors(scope, errors);
  const config: SdkCallConfig = {
    service: props.service,
    action: props.action,
    parameters: props.parameters ?? {},
    acceptedErrors: props.acceptedErrors ?? [],
  };
  const fn = hookFunction(scope, options, 'hooks/handlers/sdk-call.lambda', {
    kindName: 'SdkCall',
    config,
    deadline: props.deadline ?? Duration.minutes(1),
    description: `${props.service}:${props.action}`,
    shared: props.sharedFunction ?? true,
    // Two calls share a function only with the same grants.
    sharingKey: { iamAction, resources: props.resources, statements: (props.policyStatements ?? []).map((st) => st.toStatementJson()) },
  });
  if (props.resources?.length) {
    grantAccumulated(fn.role!, [iamAction], props.resources);
  }
  for (const statement of props.policyStatements ?? []) {
    addStatementOnce(fn.role!, statement);
  }
  return fn;
}

let sdkClients: Set<string> | null | undefined;
/**
 * The AWS SDK v3 client names of the SDK metadata aws-cdk-lib's AwsCustomResource uses (read once),
 * or undefined when this aws-cdk-lib keeps the file elsewhere (then the check is skipped, not failed).
 */
function knownSdkClients(): Set<string> | undefined {
  if (sdkClients === undefined) {
    try {
      const dir = path.dirname(require.resolve('aws-cdk-lib/custom-resources/lib/helpers-internal'));
      sdkClients = new Set(Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'sdk-v3-metadata.json'), 'utf8'))));
    } catch {
      sdkClients = null;
    }
  }
  return sdkClients ?? undefined;
}

const clientCommands = new Map<string, Set<string> | null>();
/**
 * The commands of an AWS SDK v3 client, when that client is installed where this app can load it
 * (the SDK's own list: its *Command exports); undefined otherwise (then the check is skipped).
 */
function sdkClientCommands(service: string): Set<string> | undefined {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(service)) {
    return undefined;
  }
  if (!clientCommands.has(service)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(`@aws-sdk/client-${service}`);
      clientCommands.set(service, new Set(Object.keys(mod).filter((k) => /^[A-Z]\w*Command$/.test(k) && typeof mod[k] === 'function').map((k) => k.replace(/Command$/, ''))));
    } catch {
      clientCommands.set(service, null);
    }
  }
  return clientCommands.get(service) ?? undefined;
}

interface HookFunctionOptions {
  /** What the function is called under the stack's shared hooks: `AlarmCheck`, `InvokeCheck`, ... */
  readonly kindName: string;
  readonly config: object;
  readonly deadline: Duration;
  readonly description: string;
  readonly vpc?: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Whether the stack's function for the same kind and settings serves this hook (the default). */
  readonly shared: boolean;
  /** More that must be equal for two hooks to share a function (e.g. an sdkCall's extra statements). */
  readonly sharingKey?: unknown;
}

/** Where a stack keeps the built-in hook functions its deployment groups share (see private/shared.ts). */
export const SHARED_HOOKS_ID = 'CodeDeployPatternsHooks';

/**
 * The built-in hook's function. Shared (the default): one function per stack for each kind and
 * settings, found again by a hash of the resolved settings, so 50 deployment groups with the same
 * check use one function, role and log group; every binding adds its own group's grants to it.
 * Dedicated: its own function under the binding scope, named after the lifecycle event.
 */
function hookFunction(
  scope: Construct,
  options: LifecycleHookBindOptions,
  handler: BundledHandler,
  props: HookFunctionOptions,
): lambda.Function {
  // Unresolved values count with their placeholder length (about 20 characters each): close enough for a 4 KB limit.
  const size = JSON.stringify(props.config).length;
  if (size > MAX_CONFIG_CHARS) {
    throwIfErrors(scope, [
      `the ${options.lifecycleEvent} hook's configuration is ${size} characters; Lambda allows 4 KB of environment variables. Shorten the payload, parameters, headers or body.`,
    ]);
  }
  if (props.vpc) {
    // On the binding, which names the event: a shared function may serve hooks of several.
    warnIfIsolated(scope, options.lifecycleEvent, props.vpc, props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
  }
  if (!props.shared) {
    return createHookFunction(scope, `${options.lifecycleEvent}Hook`, options.lifecycleEvent, handler, props);
  }
  const stack = Stack.of(scope);
  const home = perStack(scope, SHARED_HOOKS_ID, Construct, (s, id) => new Construct(s, id));
  const settings = stack.resolve({
    config: props.config,
    deadline: props.deadline.toMilliseconds(),
    vpc: props.vpc?.vpcId,
    subnets: props.vpc ? props.vpc.selectSubnets(props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds : undefined,
    more: props.sharingKey,
  });
  const id = `${props.kindName}${createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 8)}`;
  const existing = home.node.tryFindChild(id);
  if (existing instanceof Construct) {
    return existing.node.findChild('Function') as lambda.Function;
  }
  return createHookFunction(new Construct(home, id), '', undefined, handler, props);
}

/** The function with its own role and log group, the configuration in its environment. */
function createHookFunction(
  scope: Construct,
  prefix: string,
  lifecycleEvent: string | undefined,
  handler: BundledHandler,
  props: HookFunctionOptions,
): lambda.Function {
  const configJson = Stack.of(scope).toJsonString(props.config);
  const role = new iam.Role(scope, `${prefix}Role`, {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: lifecycleEvent ? `cdk-codedeploy-patterns ${lifecycleEvent} hook` : `cdk-codedeploy-patterns built-in hook shared by the stack's deployment groups: ${props.kindName}`,
  });
  const logGroup = new logs.LogGroup(scope, `${prefix}Logs`, { retention: logs.RetentionDays.ONE_YEAR });
  logGroup.grantWrite(role);
  acknowledgeCompliance(role, OwnedResource.ROLE);
  acknowledgeCompliance(logGroup, OwnedResource.LOG_GROUP);
  if (props.vpc) {
    // What Lambda needs to attach the function to the VPC (AWSLambdaVPCAccessExecutionRole's EC2 actions);
    // DescribeNetworkInterfaces also finds a load balancer's addresses.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: [
          'ec2:CreateNetworkInterface',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeSubnets',
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: ['*'],
      }),
    );
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'Lambda needs these EC2 network-interface actions to run the hook in a VPC; Describe* have no resource-level permissions and the interfaces are created by Lambda at run time (the same actions as AWSLambdaVPCAccessExecutionRole).',
    );
  }
  const fn = new BundledFunction(scope, prefix || 'Function', handler, {
    description: `cdk-codedeploy-patterns ${lifecycleEvent ? `${lifecycleEvent} hook` : 'built-in hook'}: ${props.description}`.slice(0, 256),
    role,
    logGroup,
    timeout: props.deadline.plus(REPORT_MARGIN),
    memorySize: 256,
    architecture: lambda.Architecture.ARM_64,
    // CodeDeploy invokes the hook once; a retry would report a second status for the same execution.
    retryAttempts: 0,
    environment: {
      [CONFIG_VARIABLE]: configJson,
      [DEADLINE_VARIABLE]: String(props.deadline.toMilliseconds()),
    },
    vpc: props.vpc,
    vpcSubnets: props.vpc ? (props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }) : undefined,
  });
  acknowledgeCompliance(fn, props.vpc ? OwnedResource.VPC_FUNCTION : OwnedResource.FUNCTION);
  return fn;
}

/** A hook in subnets without a route out cannot reach the CodeDeploy API to report its status. */
function warnIfIsolated(scope: Construct, event: string, vpc: ec2.IVpc, selection: ec2.SubnetSelection): void {
  const isolated = new Set(vpc.isolatedSubnets.map((s) => s.subnetId));
  const selected = vpc.selectSubnets(selection).subnetIds;
  if (selected.length > 0 && selected.every((id) => isolated.has(id))) {
    Annotations.of(scope).addWarningV2(
      'cdk-codedeploy-patterns:hookInIsolatedSubnets',
      `The ${event} hook runs in isolated subnets (no route to the internet), so it cannot call CodeDeploy's PutLifecycleEventHookExecutionStatus and the deployment waits an hour for it, then fails. ` +
        'Add interface VPC endpoints for CodeDeploy (and EC2 for httpCheck on a listener, EventBridge for a hook after traffic of an EcsDeployment, which announces its end) to the VPC, or choose subnets with egress (vpcSubnets).',
    );
  }
}

function validateDeadline(deadline: Duration | undefined): string[] {
  if (deadline === undefined || Token.isUnresolved(deadline.toSeconds())) {
    return [];
  }
  const seconds = deadline.toSeconds();
  if (seconds < 1 || seconds > MAX_DEADLINE_SECONDS) {
    return [
      `deadline must be from 1 second to 14 minutes (a hook runs in one Lambda invocation of at most 15 minutes, 30 seconds of which are kept for reporting); received ${deadline.toHumanString()}.`,
    ];
  }
  return [];
}

function validateHttpCheck(props: HttpCheckOptions): string[] {
  const errors: string[] = [];
  const url = props.target._url;
  if (url !== undefined && !Token.isUnresolved(url) && !/^https?:\/\/[^/\s]+/.test(url)) {
    errors.push(`HttpCheckTarget.url() needs an absolute http:// or https:// URL; received "${url}".`);
  }
  if (props.path !== undefined && !props.path.startsWith('/')) {
    errors.push(`path must start with "/"; received "${props.path}".`);
  }
  if (props.method !== undefined && !HTTP_METHODS.includes(props.method)) {
    errors.push(`method must be one of ${HTTP_METHODS.join(', ')}; received "${props.method}".`);
  }
  for (const code of props.expectedStatusCodes ?? []) {
    if (!Number.isInteger(code) || code < 100 || code > 599) {
      errors.push(`expectedStatusCodes must be HTTP status codes from 100 to 599; received ${code}.`);
    }
  }
  if (props.expectedStatusCodes !== undefined && props.expectedStatusCodes.length === 0) {
    errors.push('expectedStatusCodes is empty, so no answer could pass. Omit it (200) or list the codes that pass.');
  }
  if (props.attempts !== undefined && (!Number.isInteger(props.attempts) || props.attempts < 1 || props.attempts > 100)) {
    errors.push(`attempts must be a whole number from 1 to 100; received ${props.attempts}.`);
  }
  if (props.backoffRate !== undefined && (props.backoffRate < 1 || props.backoffRate > 10)) {
    errors.push(`backoffRate must be from 1 to 10; received ${props.backoffRate}.`);
  }
  const timeout = props.requestTimeout?.toMilliseconds();
  const deadline = (props.deadline ?? Duration.minutes(5)).toMilliseconds();
  if (timeout !== undefined && (timeout < 100 || timeout > deadline)) {
    errors.push(`requestTimeout must be from 100 ms up to the deadline (${deadline} ms); received ${timeout} ms.`);
  }
  return [...errors, ...validateRegex('bodyMatches', props.bodyMatches)];
}

function validateRegex(name: string, pattern: string | undefined): string[] {
  if (pattern === undefined || Token.isUnresolved(pattern)) {
    return [];
  }
  try {
    new RegExp(pattern);
    return [];
  } catch (err) {
    return [`${name} is not a valid JavaScript regular expression: ${(err as Error).message}; received "${pattern}".`];
  }
}
