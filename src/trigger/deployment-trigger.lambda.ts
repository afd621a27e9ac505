/* eslint-disable import/no-extraneous-dependencies */
// Custom resource handler of `DeploymentTrigger`: starts a CodeDeploy deployment when the revision
// changes and reports to CloudFormation once CodeDeploy reaches a terminal state.
//
// One function drives the whole wait: it polls until shortly before its own Lambda timeout, then
// invokes itself asynchronously with its progress and ends; the last invocation answers
// CloudFormation through the pre-signed response URL. No Step Functions, one API call per poll.
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type * as AutoScalingSdk from '@aws-sdk/client-auto-scaling';
import type * as CodeDeploySdk from '@aws-sdk/client-codedeploy';
import type * as EcsSdk from '@aws-sdk/client-ecs';
import type * as Elbv2Sdk from '@aws-sdk/client-elastic-load-balancing-v2';
import type * as LambdaSdk from '@aws-sdk/client-lambda';
import type * as S3Sdk from '@aws-sdk/client-s3';
import type * as SqsSdk from '@aws-sdk/client-sqs';
import type * as SsmSdk from '@aws-sdk/client-ssm';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import {
  BlueGreenFleetProperties, FleetApi, FleetProgress, fleetFailed, fleetSucceeded, groupIsOnFleet, parseBlueGreenFleet, prepareFleet,
  removeFleetsOnDelete,
} from './blue-green-fleet';
import { LIVE_TARGET_GROUPS_RESOURCE_TYPE, liveTargetGroups, parseLiveTargetGroupsProperties } from './live-target-groups';
import {
  createBlueGreenGroup, deleteBlueGreenGroup, parseBlueGreenGroupProperties, SERVER_BLUE_GREEN_GROUP_RESOURCE_TYPE, updateBlueGreenGroup,
  BlueGreenGroupApi,
} from './server-blue-green-group';
import { describeError, errorName, HOOK_EVENT_DETAIL_TYPE, HOOK_EVENT_SOURCE, isTransientError, jsonLogger, Logger, sleep } from '../private/runtime';

/** Resource properties, as CloudFormation passes them (every scalar a string). */
export interface TriggerProperties {
  readonly ApplicationName: string;
  readonly DeploymentGroupName: string;
  /** ECS and Lambda: the AppSpec (JSON or YAML). */
  readonly AppSpecContent?: string;
  /** EC2/on-premises: the revision bundle in S3. */
  readonly S3Location?: { Bucket: string; Key: string; BundleType: string; ETag?: string; Version?: string };
  /** ECS: the service whose primary task set tells whether the revision already runs. */
  readonly EcsClusterName?: string;
  readonly EcsServiceName?: string;
  /** Seconds to wait for a terminal state before stopping the deployment with rollback. */
  readonly TimeoutSeconds: string;
  /** ECS: also wait out the termination wait of the original task set. */
  readonly WaitForTermination?: string;
  /** Run a deployment on Create too (EC2/on-premises). */
  readonly DeployOnCreate?: string;
  readonly Description?: string;
  readonly FileExistsBehavior?: string;
  readonly IgnoreApplicationStopFailures?: string;
  /** EC2/on-premises: copy this object to S3Location before deploying (an asset into the revision bucket). */
  readonly CopyFrom?: { Bucket: string; Key: string };
  /** EC2: wait until these Auto Scaling groups have their desired number of instances InService. */
  readonly WaitForAutoScalingGroups?: string[];
  /** EC2: instances (by ID) to wait for too: those of a tag set defined beside the deployment group. */
  readonly WaitForInstances?: string[];
  /**
   * EC2: ...and until one of these State Manager associations (the agent installation) succeeded
   * on each instance of the groups and of WaitForInstances.
   */
  readonly AgentAssociationIds?: string[];
  /**
   * SQS queue that receives the group's deployment state changes (SUCCESS, FAILURE, STOP) from
   * EventBridge: while a deployment runs, the trigger waits on it and reads the deployment only
   * when an event for it arrives, or once per fallback interval.
   */
  readonly EventQueueUrl?: string;
  /**
   * ECS answered at the termination wait: the AfterAllowTraffic hook announces its status on the
   * default event bus, and a rule sends that to EventQueueUrl ("true"). While the hook runs, the
   * trigger waits on its mailbox instead of polling.
   */
  readonly AfterTrafficHookAnnounces?: string;
  /**
   * EC2 blue/green (ServerBlueGreenDeployment): the fleet CloudFormation created for this revision,
   * which the deployment targets; the trigger sizes it like the live fleet and moves the group to it.
   */
  readonly BlueGreenFleet?: BlueGreenFleetProperties;
}

/** Where an invocation chain stands; carried from one invocation to the next. */
export interface Progress {
  phase: 'prepare' | 'create' | 'blocked' | 'wait';
  /** Epoch milliseconds after which the trigger gives up. */
  deadline: number;
  deploymentId?: string;
  blockingDeploymentId?: string;
  /** Invocations so far (1 = the one CloudFormation made). */
  invocation: number;
  /** What the prepare phase is waiting for. */
  waitingFor?: string;
  /** ETag and version of the revision copied in the prepare phase. */
  eTag?: string;
  objectVersion?: string;
  /**
   * Marks the deployment this CloudFormation request creates (in its description), so that a
   * duplicated invocation adopts it instead of starting a second one.
   */
  marker?: string;
  /** Epoch milliseconds when the request's chain started. */
  startedAt?: number;
  /** EC2 blue/green: what the prepare step did to the fleets. */
  fleet?: FleetProgress;
  /** ECS answered when the termination wait starts: when that can happen at the earliest. */
  shift?: ShiftWatch;
}

/**
 * An ECS deployment answered when its termination wait starts: no event reports that moment, and it
 * cannot come before the traffic shift ends, which the deployment configuration bounds (a canary
 * waits its interval, a linear shift its steps). While it cannot, the trigger waits on its event
 * queue (failures and stops still answer at once) and reads the deployment target only when the
 * shift could have ended; from then on (hooks after traffic, whose end nothing bounds) it polls.
 */
export interface ShiftWatch {
  /** Shortest possible AllowTraffic, from the configuration's traffic routing (0: all at once). */
  minMs: number;
  /** Epoch milliseconds before which the shift cannot have ended (unset: read the target now). */
  notBefore?: number;
  /** Poll from now on: the shift has ended, or the target cannot be read. */
  dense?: boolean;
  /**
   * The shift outlasted its minimum and the AfterAllowTraffic hook announces its status: poll,
   * reading the target too, until the shift has ended.
   */
  ending?: boolean;
  /** The shift has ended and the AfterAllowTraffic hook runs: wait on the mailbox for its announcement. */
  hookWait?: boolean;
  /** The AfterAllowTraffic hook has announced its status (the termination wait is moments away). */
  announced?: boolean;
}

export type TriggerEvent = CloudFormationCustomResourceEvent & { Progress?: Progress };

type Outcome =
  | { kind: 'success'; reason: string; deploymentId?: string }
  | { kind: 'failure'; reason: string; deploymentId?: string }
  | { kind: 'continue'; progress: Progress };

const TERMINAL = new Set(['Succeeded', 'Failed', 'Stopped']);
const ACTIVE_STATUSES = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'] as const;

/** Time kept back from the Lambda timeout to hand over to the next invocation. */
const HANDOVER_MS = numberFromEnv('TRIGGER_HANDOVER_MS', 45_000);
const POLL_MIN_MS = numberFromEnv('TRIGGER_POLL_MIN_MS', 1_000);
const POLL_MAX_MS = numberFromEnv('TRIGGER_POLL_MAX_MS', 5_000);
/**
 * With an event queue: the deployment is read when its state-change event arrives, and at least
 * this often in case an event is late or lost (15 reads in 15 minutes).
 */
const EVENT_FALLBACK_MS = numberFromEnv('TRIGGER_EVENT_FALLBACK_MS', 60_000);
/** A minute of a deployment configuration's traffic routing (shortened by the tests, with their timelines). */
const MINUTE_MS = numberFromEnv('TRIGGER_MINUTE_MS', 60_000);
/** SQS long polls last whole seconds, at most 20. */
const MAX_LONG_POLL_S = 20;
const MAX_REASON = 3_000;
/** Each PUT to the response URL gets this long; retries go on while the invocation has time. */
const RESPONSE_TIMEOUT_MS = numberFromEnv('TRIGGER_RESPONSE_TIMEOUT_MS', 10_000);
const RESPONSE_BACKOFF_MS = numberFromEnv('TRIGGER_RESPONSE_BACKOFF_MS', 250);
const RESPONSE_BACKOFF_MAX_MS = numberFromEnv('TRIGGER_RESPONSE_BACKOFF_MAX_MS', 5_000);
/** Kept back from the end of the invocation (the last log line). */
const RESPONSE_RESERVE_MS = numberFromEnv('TRIGGER_RESPONSE_RESERVE_MS', 1_000);

// SDK clients are loaded on first use: a Lambda deployment needs only CodeDeploy, so a cold start
// does not pay for loading six clients (about 120 ms, measured by npm run bench).
function lazyModule<T>(name: string): () => T {
  let loaded: T | undefined;
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  return () => (loaded ??= require(name) as T);
}
/** A constructor that loads its module when first called (`new X(input)` returns the real command). */
function lazyClass<T>(load: () => any, name: string): T {
  return function (...args: unknown[]) {
    return new (load()[name])(...args);
  } as unknown as T;
}
function lazyClient<C extends { send: (...args: any[]) => any }>(create: () => C): Pick<C, 'send'> {
  let client: C | undefined;
  return { send: ((...args: any[]) => (client ??= create()).send(...args)) as C['send'] };
}
const codedeploySdk = lazyModule<typeof CodeDeploySdk>('@aws-sdk/client-codedeploy');
const ecsSdk = lazyModule<typeof EcsSdk>('@aws-sdk/client-ecs');
const lambdaSdk = lazyModule<typeof LambdaSdk>('@aws-sdk/client-lambda');
const s3Sdk = lazyModule<typeof S3Sdk>('@aws-sdk/client-s3');
const ssmSdk = lazyModule<typeof SsmSdk>('@aws-sdk/client-ssm');
const autoscalingSdk = lazyModule<typeof AutoScalingSdk>('@aws-sdk/client-auto-scaling');
const sqsSdk = lazyModule<typeof SqsSdk>('@aws-sdk/client-sqs');
const elbv2Sdk = lazyModule<typeof Elbv2Sdk>('@aws-sdk/client-elastic-load-balancing-v2');
const CreateDeploymentCommand = lazyClass<typeof CodeDeploySdk.CreateDeploymentCommand>(codedeploySdk, 'CreateDeploymentCommand');
const GetDeploymentCommand = lazyClass<typeof CodeDeploySdk.GetDeploymentCommand>(codedeploySdk, 'GetDeploymentCommand');
const CreateDeploymentGroupCommand = lazyClass<typeof CodeDeploySdk.CreateDeploymentGroupCommand>(codedeploySdk, 'CreateDeploymentGroupCommand');
const UpdateDeploymentGroupCommand = lazyClass<typeof CodeDeploySdk.UpdateDeploymentGroupCommand>(codedeploySdk, 'UpdateDeploymentGroupCommand');
const DeleteDeploymentGroupCommand = lazyClass<typeof CodeDeploySdk.DeleteDeploymentGroupCommand>(codedeploySdk, 'DeleteDeploymentGroupCommand');
// Deprecated in the SDK for ListDeploymentTargets, which IAM authorizes only on *; this one is scoped to the deployment group.
const ListDeploymentInstancesCommand = lazyClass<typeof CodeDeploySdk.ListDeploymentInstancesCommand>(codedeploySdk, 'ListDeploymentInstancesCommand');
const ListDeploymentsCommand = lazyClass<typeof CodeDeploySdk.ListDeploymentsCommand>(codedeploySdk, 'ListDeploymentsCommand');
const GetDeploymentGroupCommand = lazyClass<typeof CodeDeploySdk.GetDeploymentGroupCommand>(codedeploySdk, 'GetDeploymentGroupCommand');
const StopDeploymentCommand = lazyClass<typeof CodeDeploySdk.StopDeploymentCommand>(codedeploySdk, 'StopDeploymentCommand');
const GetDeploymentTargetCommand = lazyClass<typeof CodeDeploySdk.GetDeploymentTargetCommand>(codedeploySdk, 'GetDeploymentTargetCommand');
const GetDeploymentConfigCommand = lazyClass<typeof CodeDeploySdk.GetDeploymentConfigCommand>(codedeploySdk, 'GetDeploymentConfigCommand');
const DescribeServicesCommand = lazyClass<typeof EcsSdk.DescribeServicesCommand>(ecsSdk, 'DescribeServicesCommand');
const InvokeCommand = lazyClass<typeof LambdaSdk.InvokeCommand>(lambdaSdk, 'InvokeCommand');
const CopyObjectCommand = lazyClass<typeof S3Sdk.CopyObjectCommand>(s3Sdk, 'CopyObjectCommand');
const DescribeInstanceAssociationsStatusCommand = lazyClass<typeof SsmSdk.DescribeInstanceAssociationsStatusCommand>(ssmSdk, 'DescribeInstanceAssociationsStatusCommand');
const TerminateInstanceInAutoScalingGroupCommand = lazyClass<typeof AutoScalingSdk.TerminateInstanceInAutoScalingGroupCommand>(autoscalingSdk, 'TerminateInstanceInAutoScalingGroupCommand');
const DeleteAutoScalingGroupCommand = lazyClass<typeof AutoScalingSdk.DeleteAutoScalingGroupCommand>(autoscalingSdk, 'DeleteAutoScalingGroupCommand');
const UpdateAutoScalingGroupCommand = lazyClass<typeof AutoScalingSdk.UpdateAutoScalingGroupCommand>(autoscalingSdk, 'UpdateAutoScalingGroupCommand');
const SuspendProcessesCommand = lazyClass<typeof AutoScalingSdk.SuspendProcessesCommand>(autoscalingSdk, 'SuspendProcessesCommand');
const ResumeProcessesCommand = lazyClass<typeof AutoScalingSdk.ResumeProcessesCommand>(autoscalingSdk, 'ResumeProcessesCommand');
const DescribeAutoScalingGroupsCommand = lazyClass<typeof AutoScalingSdk.DescribeAutoScalingGroupsCommand>(autoscalingSdk, 'DescribeAutoScalingGroupsCommand');
const ReceiveMessageCommand = lazyClass<typeof SqsSdk.ReceiveMessageCommand>(sqsSdk, 'ReceiveMessageCommand');
const DeleteMessageBatchCommand = lazyClass<typeof SqsSdk.DeleteMessageBatchCommand>(sqsSdk, 'DeleteMessageBatchCommand');
const DescribeListenersCommand = lazyClass<typeof Elbv2Sdk.DescribeListenersCommand>(elbv2Sdk, 'DescribeListenersCommand');
const DescribeTargetHealthCommand = lazyClass<typeof Elbv2Sdk.DescribeTargetHealthCommand>(elbv2Sdk, 'DescribeTargetHealthCommand');
const DescribeRulesCommand = lazyClass<typeof Elbv2Sdk.DescribeRulesCommand>(elbv2Sdk, 'DescribeRulesCommand');
const codedeploy = lazyClient(() => new (codedeploySdk().CodeDeployClient)({}));
const sqs = lazyClient(() => new (sqsSdk().SQSClient)({}));
const ecs = lazyClient(() => new (ecsSdk().ECSClient)({}));
const lambda = lazyClient(() => new (lambdaSdk().LambdaClient)({}));
const s3 = lazyClient(() => new (s3Sdk().S3Client)({}));
const ssm = lazyClient(() => new (ssmSdk().SSMClient)({}));
const autoscaling = lazyClient(() => new (autoscalingSdk().AutoScalingClient)({}));
const elbv2 = lazyClient(() => new (elbv2Sdk().ElasticLoadBalancingV2Client)({}));

export async function handler(event: TriggerEvent, context: Context): Promise<void> {
  const log = logger(event);
  const remainingMs = () => context.getRemainingTimeInMillis();
  const answer = await decide(event, context, log);
  if (answer) {
    // The verdict is decided above and never changes because the response transport fails.
    await respond(event, answer.status, answer.reason, answer.data, remainingMs, log, answer.physicalId);
  }
}

interface Answer {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason: string;
  readonly data?: Record<string, string>;
  /** The physical ID to answer with, when not the trigger's own. */
  readonly physicalId?: string;
}

/** The resource type of a revision upload (`ServerPipelineSource`), which this function serves too. */
export const UPLOAD_RESOURCE_TYPE = 'Custom::CodeDeployRevisionUpload';

/** Resource properties of a revision upload. */
export interface UploadProperties {
  /** The bundle to copy (a CDK asset). */
  readonly CopyFrom: { Bucket: string; Key: string };
  /** Where the pipeline's source action watches for it. */
  readonly Target: { Bucket: string; Key: string };
}

/** What to answer CloudFormation, or nothing when the wait was handed over to the next invocation. */
async function decide(event: TriggerEvent, context: Context, log: Logger): Promise<Answer | undefined> {
  if (event.ResourceType === UPLOAD_RESOURCE_TYPE) {
    return upload(event, log);
  }
  if (event.ResourceType === LIVE_TARGET_GROUPS_RESOURCE_TYPE) {
    return readLiveTargetGroups(event, log);
  }
  if (event.ResourceType === SERVER_BLUE_GREEN_GROUP_RESOURCE_TYPE) {
    return blueGreenGroup(event, log);
  }
  let progress = event.Progress;
  try {
    if (event.RequestType === 'Delete') {
      // Never block deletion: the deployment group goes with the stack.
      const raw = event.ResourceProperties as unknown as Record<string, any>;
      if (raw?.BlueGreenFleet !== undefined && parseBlueGreenFleet(raw.BlueGreenFleet).length === 0) {
        // EC2 blue/green: fleet generations a failed cleanup left behind would outlive the stack.
        const reason = await removeFleetsOnDelete(fleetApi, raw.ApplicationName, raw.DeploymentGroupName, raw.BlueGreenFleet, (m, extra) => log('warn', m, extra));
        log('info', reason);
        return { status: 'SUCCESS', reason };
      }
      log('info', 'delete: nothing to do');
      return { status: 'SUCCESS', reason: 'Deleted; deployments are not touched on delete.' };
    }
    const props = parseProperties(event.ResourceProperties as unknown as Record<string, unknown>);
    if (!progress) {
      const skip = await alreadyDeployed(event, props);
      if (skip) {
        log('info', 'no deployment needed', { why: skip });
        return { status: 'SUCCESS', reason: skip, data: { DeploymentId: '' } };
      }
      progress = {
        phase: needsPreparation(props) ? 'prepare' : 'create',
        deadline: Date.now() + Number(props.TimeoutSeconds) * 1000,
        invocation: 1,
        marker: requestMarker(event),
        startedAt: Date.now(),
      };
    }
    const outcome = await drive(props, progress, () => context.getRemainingTimeInMillis(), log);
    if (outcome.kind === 'continue') {
      progress = outcome.progress;
      const next: TriggerEvent = { ...event, Progress: { ...outcome.progress, invocation: outcome.progress.invocation + 1 } };
      log('info', 'handing over to the next invocation', { progress: next.Progress });
      try {
        await lambda.send(
          new InvokeCommand({
            FunctionName: context.invokedFunctionArn,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(JSON.stringify(next)),
          }),
        );
        return undefined;
      } catch (err) {
        // Nobody would watch the deployment: stop it with rollback before failing, as the timeout path does.
        return await handOverFailed(props, outcome.progress, err, log);
      }
    }
    log(outcome.kind === 'success' ? 'info' : 'error', outcome.reason, { deploymentId: outcome.deploymentId });
    return { status: outcome.kind === 'success' ? 'SUCCESS' : 'FAILED', reason: outcome.reason, data: { DeploymentId: outcome.deploymentId ?? '' } };
  } catch (err) {
    const reason = `Deployment trigger error: ${describeError(err)}`;
    log('error', reason);
    return { status: 'FAILED', reason, data: { DeploymentId: progress?.deploymentId ?? '' } };
  }
}

/**
 * A revision upload: copies the bundle to the fixed key a pipeline's S3 source action watches, as a
 * new object version, on Create and on every Update (CloudFormation sends one only when the bundle,
 * and so its asset key, changed, or on a rollback to the previous bundle). Delete leaves the object:
 * it is the source of what the pipeline deployed, and the bucket is the user's.
 */
async function upload(event: TriggerEvent, log: Logger): Promise<Answer> {
  const raw = event.ResourceProperties as unknown as Record<string, any>;
  const target = raw?.Target;
  const physicalId = target && typeof target.Bucket === 'string' && typeof target.Key === 'string'
    ? `s3://${target.Bucket}/${target.Key}`
    : (event as any).PhysicalResourceId ?? event.LogicalResourceId;
  if (event.RequestType === 'Delete') {
    log('info', 'delete: the uploaded revision stays in its bucket');
    return { status: 'SUCCESS', reason: 'Deleted; the uploaded revision is kept.', physicalId: (event as any).PhysicalResourceId ?? physicalId };
  }
  try {
    const props = parseUploadProperties(raw);
    const copy = await copyObject(props.CopyFrom, props.Target);
    log('info', 'revision uploaded', { bucket: props.Target.Bucket, key: props.Target.Key, eTag: copy.eTag, versionId: copy.objectVersion });
    return {
      status: 'SUCCESS',
      reason: `Uploaded to s3://${props.Target.Bucket}/${props.Target.Key}${copy.objectVersion ? ` (version ${copy.objectVersion})` : ''}.`,
      data: { ETag: copy.eTag ?? '', VersionId: copy.objectVersion ?? '' },
      physicalId,
    };
  } catch (err) {
    const reason = `Revision upload error: ${describeError(err)}`;
    log('error', reason);
    return { status: 'FAILED', reason, physicalId };
  }
}

/**
 * Where the blue/green listeners forward now (see live-target-groups.ts). Delete does nothing. A
 * failed read fails the operation: a guess could point production at an idle target group.
 */
async function readLiveTargetGroups(event: TriggerEvent, log: Logger): Promise<Answer> {
  const physicalId = (event as any).PhysicalResourceId ?? `live-target-groups:${event.LogicalResourceId}`;
  if (event.RequestType === 'Delete') {
    return { status: 'SUCCESS', reason: 'Deleted; nothing to do.', physicalId };
  }
  try {
    const props = parseLiveTargetGroupsProperties(event.ResourceProperties as unknown as Record<string, unknown>);
    const old = event.RequestType === 'Update' ? (event as any).OldResourceProperties : undefined;
    const live = await liveTargetGroups(
      {
        describeListeners: (LoadBalancerArn, Marker) => elbv2.send(new DescribeListenersCommand({ LoadBalancerArn, Marker })),
        describeTargetHealth: (TargetGroupArn) => elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn })),
        describeRules: (ListenerArn, Marker) => elbv2.send(new DescribeRulesCommand({ ListenerArn, Marker })),
      },
      props,
      old,
    );
    log('info', 'live target groups', { ...live });
    return {
      status: 'SUCCESS',
      reason: live.how,
      data: { ProductionTargetGroupArn: live.ProductionTargetGroupArn, TestTargetGroupArn: live.TestTargetGroupArn },
      physicalId,
    };
  } catch (err) {
    const reason = `Live target group lookup error: ${describeError(err)}`;
    log('error', reason);
    return { status: 'FAILED', reason, physicalId };
  }
}

/** The calls of the blue/green fleet steps, through the real SDK. */
const fleetApi: FleetApi = {
  getGroup: (app, group) => blueGreenGroupApi.get(app, group),
  updateGroup: (input) => codedeploy.send(new UpdateDeploymentGroupCommand(input)),
  describe: async (names) => (await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names }))).AutoScalingGroups ?? [],
  describeTagged: async (key, value) => {
    const all: AutoScalingSdk.AutoScalingGroup[] = [];
    let NextToken: string | undefined;
    do {
      const page = await autoscaling.send(new DescribeAutoScalingGroupsCommand({ Filters: [{ Name: `tag:${key}`, Values: [value] }], NextToken }));
      all.push(...(page.AutoScalingGroups ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return all;
  },
  deleteGroup: (name) => autoscaling.send(new DeleteAutoScalingGroupCommand({ AutoScalingGroupName: name, ForceDelete: true })),
  deploymentInstances: async (deploymentId) => {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await codedeploy.send(new ListDeploymentInstancesCommand({ deploymentId, instanceTypeFilter: ['Green'], nextToken }));
      ids.push(...(page.instancesList ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    return ids;
  },
  replaceInstance: (instanceId) =>
    autoscaling.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: false })),
  setDesired: (name, desired) => autoscaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: name, DesiredCapacity: desired })),
  suspend: (name, processes) => autoscaling.send(new SuspendProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: processes })),
  resume: (name, processes) => autoscaling.send(new ResumeProcessesCommand({ AutoScalingGroupName: name, ScalingProcesses: processes })),
};

const GONE = ['DeploymentGroupDoesNotExistException', 'ApplicationDoesNotExistException'];
const NOT_CREATED = 'not-created:';

/** The CodeDeploy calls of the blue/green deployment group resource, through the real SDK. */
const blueGreenGroupApi: BlueGreenGroupApi = {
  create: async (input) => {
    await codedeploy.send(new CreateDeploymentGroupCommand(input));
  },
  update: (input) => codedeploy.send(new UpdateDeploymentGroupCommand(input)),
  get: async (applicationName, deploymentGroupName) => {
    try {
      return (await codedeploy.send(new GetDeploymentGroupCommand({ applicationName, deploymentGroupName }))).deploymentGroupInfo;
    } catch (err) {
      if (GONE.includes(errorName(err) ?? '')) {
        return undefined;
      }
      throw err;
    }
  },
  delete: async (applicationName, deploymentGroupName) => {
    try {
      return await codedeploy.send(new DeleteDeploymentGroupCommand({ applicationName, deploymentGroupName }));
    } catch (err) {
      if (GONE.includes(errorName(err) ?? '')) {
        return undefined;
      }
      throw err;
    }
  },
};

/** The EC2 blue/green deployment group (see server-blue-green-group.ts). */
async function blueGreenGroup(event: TriggerEvent, log: Logger): Promise<Answer> {
  const raw = event.ResourceProperties as unknown as Record<string, any>;
  const given = (event as any).PhysicalResourceId as string | undefined;
  const fallbackId = given ?? `${raw?.ApplicationName}/${raw?.DeploymentGroupName}`;
  try {
    if (event.RequestType === 'Delete') {
      if (fallbackId.startsWith(NOT_CREATED)) {
        // The Create failed (a group of that name may exist and is not ours): nothing to delete.
        return { status: 'SUCCESS', reason: 'Nothing was created; nothing to delete.', physicalId: fallbackId };
      }
      // The physical ID names the group CloudFormation created (after a rename, the old one).
      const [app, ...rest] = fallbackId.split('/');
      const reason = await deleteBlueGreenGroup(blueGreenGroupApi, { ApplicationName: app, DeploymentGroupName: rest.join('/') });
      log('info', reason);
      return { status: 'SUCCESS', reason, physicalId: fallbackId };
    }
    const props = parseBlueGreenGroupProperties(raw);
    const outcome = event.RequestType === 'Create'
      ? await createBlueGreenGroup(blueGreenGroupApi, props)
      : await updateBlueGreenGroup(blueGreenGroupApi, props, parseBlueGreenGroupProperties((event as any).OldResourceProperties));
    log('info', outcome.reason, { autoScalingGroups: outcome.autoScalingGroups, deploymentType: outcome.deploymentType });
    return {
      status: 'SUCCESS',
      reason: outcome.reason,
      data: { DeploymentGroupName: props.DeploymentGroupName, DeploymentType: outcome.deploymentType },
      physicalId: outcome.physicalId,
    };
  } catch (err) {
    const reason = `Blue/green deployment group error: ${describeError(err)}`;
    log('error', reason);
    // A failed Create gets a physical ID its Delete recognizes, so that a group of that name it did not create is never deleted.
    return { status: 'FAILED', reason, physicalId: event.RequestType === 'Create' ? `${NOT_CREATED}${fallbackId}` : fallbackId };
  }
}

export function parseUploadProperties(raw: Record<string, unknown>): UploadProperties {
  const problems: string[] = [];
  const shown = (v: unknown) => JSON.stringify(v)?.slice(0, 80) ?? String(v);
  for (const key of ['CopyFrom', 'Target']) {
    const v = raw?.[key] as Record<string, unknown> | undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v) || ['Bucket', 'Key'].some((k) => typeof v[k] !== 'string' || v[k] === '')) {
      problems.push(`${key} must be an object with non-empty Bucket and Key strings; received ${shown(v)}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`invalid resource properties: ${problems.join('; ')}`);
  }
  return raw as unknown as UploadProperties;
}

async function handOverFailed(props: TriggerProperties, progress: Progress, err: unknown, log: Logger): Promise<Answer> {
  const group = `${props.ApplicationName}/${props.DeploymentGroupName}`;
  const cause = `could not hand the wait over to the next invocation (${describeError(err)})`;
  const id = progress.phase === 'wait' ? progress.deploymentId : undefined;
  if (!id) {
    log('error', cause, { phase: progress.phase });
    return { status: 'FAILED', reason: `The deployment trigger ${cause}; no deployment was started on ${group}.`, data: { DeploymentId: '' } };
  }
  let stopped: string;
  try {
    const stop = await codedeploy.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: true }));
    stopped = `stopped it with rollback (stop status: ${stop.status ?? 'unknown'}${stop.statusMessage ? `, ${stop.statusMessage}` : ''})`;
  } catch (stopErr) {
    stopped = `and could not stop it either (${describeError(stopErr)}); stop it in the CodeDeploy console`;
  }
  log('error', cause, { deploymentId: id, stopped });
  return {
    status: 'FAILED',
    reason: `Deployment ${id} on ${group}: the trigger ${cause}, so nobody would watch it; ${stopped}.`,
    data: { DeploymentId: id },
  };
}

/**
 * Runs the state machine until a terminal outcome, or until this invocation must hand over; with a
 * blue/green fleet, ends the fleets' part on a terminal outcome (move the group, resume processes).
 */
export async function drive(
  props: TriggerProperties,
  start: Progress,
  remainingMs: () => number,
  log: Logger = () => undefined,
): Promise<Outcome> {
  const holder: { progress?: Progress } = {};
  let outcome: Outcome;
  try {
    outcome = await driveSteps(props, start, remainingMs, log, holder);
  } catch (err) {
    await endFleet(props, holder.progress?.fleet, undefined, log);
    throw err;
  }
  if (outcome.kind === 'continue' || !props.BlueGreenFleet || !holder.progress?.fleet) {
    return outcome;
  }
  return endFleet(props, holder.progress.fleet, outcome, log);
}

/** The fleets' part of a terminal outcome (or of an error, when `outcome` is undefined). */
async function endFleet(props: TriggerProperties, fleet: FleetProgress | undefined, outcome: Outcome | undefined, log: Logger): Promise<Outcome> {
  if (!props.BlueGreenFleet || !fleet) {
    return outcome!;
  }
  const deployed = outcome?.kind === 'success' && !!outcome.deploymentId;
  try {
    if (deployed) {
      const deploymentId = (outcome as { deploymentId: string }).deploymentId;
      const moved = await fleetSucceeded(fleetApi, props.ApplicationName, props.DeploymentGroupName, props.BlueGreenFleet, fleet, deploymentId);
      log('info', moved);
      return { ...outcome!, reason: `${outcome!.reason} ${moved}` } as Outcome;
    }
    await fleetFailed(fleetApi, props.BlueGreenFleet, fleet);
    return outcome!;
  } catch (err) {
    const what = deployed
      ? `the deployment succeeded, but moving the deployment group to ${fleet.target} failed (${describeError(err)}); the stack operation fails so CloudFormation keeps the fleet the group lists`
      : `resuming the fleets' Auto Scaling processes failed (${describeError(err)}); resume them on ${[...fleet.live, fleet.target].join(', ')}`;
    log('error', what);
    if (!outcome || outcome.kind === 'continue') {
      return { kind: 'failure', reason: what };
    }
    return { kind: 'failure', reason: `${outcome.reason} ${what}.`, deploymentId: outcome.deploymentId };
  }
}

async function driveSteps(
  props: TriggerProperties,
  start: Progress,
  remainingMs: () => number,
  log: Logger,
  holder: { progress?: Progress },
): Promise<Outcome> {
  let progress = { ...start };
  let poll = 0;
  const events = props.EventQueueUrl ? new EventMailbox(props.EventQueueUrl, log) : undefined;
  let lastStatus: string | undefined;
  const group = `${props.ApplicationName}/${props.DeploymentGroupName}`;
  const timeoutText = `${Number(props.TimeoutSeconds)} seconds`;

  for (;;) {
    holder.progress = progress;
    if (remainingMs() < HANDOVER_MS) {
      return { kind: 'continue', progress };
    }
    const now = Date.now();
    try {
      if (progress.phase === 'prepare' && props.BlueGreenFleet && !progress.fleet) {
        const prepared = await prepareFleet(fleetApi, props.ApplicationName, props.DeploymentGroupName, props.BlueGreenFleet, (m, extra) => log('warn', m, extra));
        if (typeof prepared === 'string') {
          return { kind: 'failure', reason: prepared };
        }
        log('info', 'fleets prepared', { ...prepared });
        progress = { ...progress, fleet: prepared };
        continue;
      }
      if (progress.phase === 'prepare') {
        const readiness = await instancesNotReady(props, progress.fleet ? [progress.fleet.target] : []);
        if (readiness.failed) {
          return { kind: 'failure', reason: readiness.failed };
        }
        if (readiness.waiting) {
          if (now > progress.deadline) {
            return {
              kind: 'failure',
              reason: `Timed out after ${timeoutText} waiting for the instances of ${group}: ${readiness.waiting}. No deployment was started.`,
            };
          }
          if (readiness.waiting !== progress.waitingFor) {
            log('info', 'waiting for instances', { waitingFor: readiness.waiting });
          }
          progress = { ...progress, waitingFor: readiness.waiting };
        } else {
          if (props.CopyFrom) {
            const copy = await copyRevision(props);
            log('info', 'revision copied', { bucket: props.S3Location!.Bucket, key: props.S3Location!.Key, eTag: copy.eTag });
            progress = { ...progress, eTag: copy.eTag, objectVersion: copy.objectVersion };
          }
          progress = { ...progress, phase: 'create', waitingFor: undefined };
          poll = 0;
          continue;
        }
      } else if (progress.phase === 'create') {
        if (now > progress.deadline) {
          return { kind: 'failure', reason: `Timed out after ${timeoutText} before a deployment could start on ${group}.` };
        }
        // A hand-over (or a duplicate of one: asynchronous invocations come at least once) may find
        // this request's deployment already created.
        const own = progress.invocation > 1 ? await findOwnDeployment(props, progress) : undefined;
        if (own) {
          log('info', 'this request\'s deployment already exists; waiting for it', { deploymentId: own });
          progress = { ...progress, phase: 'wait', deploymentId: own };
          poll = 0;
          continue;
        }
        try {
          const id = await createDeployment(props, progress);
          log('info', 'deployment created', { deploymentId: id });
          progress = { ...progress, phase: 'wait', deploymentId: id };
          poll = 0;
          continue;
        } catch (err) {
          if (errorName(err) !== 'DeploymentLimitExceededException') {
            throw err;
          }
          const blocking = (await findActiveDeployment(props)) ?? deploymentIdInMessage(err);
          if (blocking && progress.marker && isOwn(await getDeployment(blocking), progress.marker)) {
            // A duplicate invocation of this request created it: adopt it, never start a second one.
            log('info', 'the active deployment is this request\'s own; waiting for it', { deploymentId: blocking });
            progress = { ...progress, phase: 'wait', deploymentId: blocking };
            poll = 0;
            continue;
          }
          log('info', 'another deployment is in progress; waiting for it', { blockingDeploymentId: blocking });
          progress = { ...progress, phase: 'blocked', blockingDeploymentId: blocking };
        }
      } else if (progress.phase === 'blocked') {
        if (now > progress.deadline) {
          return {
            kind: 'failure',
            reason: `Timed out after ${timeoutText}: deployment ${progress.blockingDeploymentId ?? '(unknown)'} is still in progress on ${group}, so no new deployment could start. Stop it or wait for it, then deploy again.`,
          };
        }
        if (progress.blockingDeploymentId) {
          const info = await getDeployment(progress.blockingDeploymentId);
          if (TERMINAL.has(info.status ?? '')) {
            // The deployment we waited for may have put (or rolled back to) this very revision,
            // e.g. during a stack rollback: ask again before deploying it once more.
            const running = await revisionAlreadyLive(props);
            if (running) {
              return { kind: 'success', reason: `${running} (after deployment ${progress.blockingDeploymentId} finished)`, deploymentId: '' };
            }
            progress = { ...progress, phase: 'create', blockingDeploymentId: undefined };
            poll = 0;
            continue;
          }
        } else {
          progress = { ...progress, phase: 'create' };
        }
      } else {
        const id = progress.deploymentId!;
        const info = await getDeployment(id);
        const status = info.status ?? 'Unknown';
        if (status !== lastStatus) {
          lastStatus = status;
          log(
            'info',
            status === 'Ready'
              ? 'the deployment waits for approval: run ContinueDeployment (deployment-wait-type READY_WAIT) before the approval wait time runs out, or it stops'
              : 'deployment status',
            { deploymentId: id, status },
          );
        }
        if (status === 'Succeeded') {
          return { kind: 'success', reason: `Deployment ${id} succeeded.`, deploymentId: id };
        }
        if (status === 'Failed' || status === 'Stopped') {
          const detail = info.errorInformation
            ? `${info.errorInformation.code ?? 'Error'}: ${info.errorInformation.message ?? ''}`
            : 'CodeDeploy gave no error information.';
          return {
            kind: 'failure',
            reason: `Deployment ${id} on ${group} ${status === 'Failed' ? 'failed' : 'was stopped'}: ${detail}`,
            deploymentId: id,
          };
        }
        if (props.WaitForTermination !== 'true' && info.instanceTerminationWaitTimeStarted) {
          return {
            kind: 'success',
            reason: `Deployment ${id} shifted all traffic and passed its hooks; the original task set is kept for the termination wait.`,
            deploymentId: id,
          };
        }
        if (answersAtTerminationWait(props) && events) {
          progress = { ...progress, shift: await watchShift(props, info, progress.shift, log) };
        } else if (events && !progress.shift && props.WaitForTermination !== 'true' && isEcsDeployment(info, props)) {
          // Answered when the termination wait starts, which no event reports, and without the
          // service the shift cannot be watched: polled, as without a mailbox.
          log('info', 'an ECS deployment without its service: polling for the termination wait', { deploymentId: id });
          progress = { ...progress, shift: { minMs: 0, dense: true } };
        }
        if (now > progress.deadline) {
          const stop = await codedeploy.send(new StopDeploymentCommand({ deploymentId: id, autoRollbackEnabled: true }));
          return {
            kind: 'failure',
            reason: `Deployment ${id} on ${group} did not finish within ${timeoutText} (status ${status}); stopped it with rollback (stop status: ${stop.status ?? 'unknown'}${stop.statusMessage ? `, ${stop.statusMessage}` : ''}).`,
            deploymentId: id,
          };
        }
      }
    } catch (err) {
      if (!isTransientError(err)) {
        throw err;
      }
      log('warn', 'transient error; retrying', { error: describeError(err) });
    }
    const pause = Math.max(0, remainingMs() - HANDOVER_MS);
    const watched = progress.phase === 'wait' ? progress.deploymentId : progress.phase === 'blocked' ? progress.blockingDeploymentId : undefined;
    // An ECS deployment answered at its termination wait: on the queue until the shift can have
    // ended, polled from then on (the termination wait starts with no event). The last second before
    // that is slept, not long-polled: a long poll lasts whole seconds and would overshoot it.
    const shift = progress.phase === 'wait' ? progress.shift : undefined;
    const polling = shift !== undefined && !shift.hookWait &&
      (shift.dense === true || shift.ending === true || shift.notBefore === undefined || shift.notBefore - Date.now() < 1_000);
    if (events && watched && !polling) {
      // Woken by the deployment's own state change (or its AfterAllowTraffic hook's announcement),
      // or after the fallback interval.
      // Never past the deadline: the timeout (stop with rollback) must not wait for the fallback read.
      const untilDeadline = Math.max(0, progress.deadline - Date.now()) + 1;
      const bounded = shift?.notBefore !== undefined && !shift.hookWait;
      const interval = bounded ? Math.min(EVENT_FALLBACK_MS, shift.notBefore! - Date.now()) : EVENT_FALLBACK_MS;
      const woken = await events.waitFor(watched, Math.min(interval, pause, untilDeadline));
      if (woken) {
        if (woken.hookAnnounced && progress.phase === 'wait' && progress.shift) {
          // Kept in the progress: a hand-over must not forget an event it has taken off the queue.
          if (progress.shift.hookWait) {
            log('info', 'the AfterAllowTraffic hook reported: polling for the termination wait');
          }
          const change = progress.shift.hookWait ? { hookWait: false, dense: true } : {};
          progress = { ...progress, shift: { ...progress.shift, announced: true, ...change } };
        }
        continue;
      }
    } else if (shift && !shift.dense && !shift.ending && shift.notBefore !== undefined && shift.notBefore > Date.now()) {
      await sleep(Math.min(shift.notBefore - Date.now(), pause));
    } else {
      await sleep(Math.min(pollDelay(poll++), pause));
    }
  }
}

/** An ECS deployment: by CodeDeploy's compute platform, else (not given) by its AppSpec's resource type. */
function isEcsDeployment(info: CodeDeploySdk.DeploymentInfo, props: TriggerProperties): boolean {
  return info.computePlatform ? info.computePlatform === 'ECS' : /AWS::ECS::Service/.test(props.AppSpecContent ?? '');
}

/** An ECS deployment the trigger answers when its termination wait starts (not at its end). */
function answersAtTerminationWait(props: TriggerProperties): boolean {
  return !!props.EcsServiceName && props.WaitForTermination !== 'true';
}

/**
 * When the termination wait can start at the earliest (see ShiftWatch): the configuration's
 * shortest traffic shift (read once), then the AllowTraffic lifecycle event of the deployment's ECS
 * target, read only once the shift could have ended. Any answer it cannot use means polling: the
 * wait is never longer than without it.
 */
async function watchShift(
  props: TriggerProperties,
  info: CodeDeploySdk.DeploymentInfo,
  current: ShiftWatch | undefined,
  log: Logger,
): Promise<ShiftWatch> {
  const now = Date.now();
  let watch = current;
  if (watch?.hookWait) {
    // Waiting on the mailbox for the hook's announcement (see driveSteps); the deployment read
    // each wake-up finds the termination wait if the announcement is lost.
    return watch;
  }
  if (!watch) {
    const minMs = await shortestShiftMs(info.deploymentConfigName, log);
    watch = minMs > 0 ? { minMs } : { minMs, dense: true };
    log('info', watch.dense ? 'traffic shifts at once: polling for the termination wait' : 'the traffic shift takes at least', { minMs });
  }
  if (watch.dense || (watch.notBefore !== undefined && now < watch.notBefore)) {
    return watch;
  }
  const targetId = `${props.EcsClusterName}:${props.EcsServiceName}`;
  let allow: CodeDeploySdk.LifecycleEvent | undefined;
  let afterHook: CodeDeploySdk.LifecycleEvent | undefined;
  try {
    const out = await codedeploy.send(new GetDeploymentTargetCommand({ deploymentId: info.deploymentId, targetId }));
    const lifecycleEvents = out.deploymentTarget?.ecsTarget?.lifecycleEvents ?? [];
    allow = lifecycleEvents.find((e) => e.lifecycleEventName === 'AllowTraffic');
    afterHook = lifecycleEvents.find((e) => e.lifecycleEventName === 'AfterAllowTraffic');
  } catch (err) {
    if (isTransientError(err)) {
      return watch;
    }
    log('warn', 'cannot read the deployment target; polling for the termination wait', { targetId, error: describeError(err) });
    return { ...watch, dense: true };
  }
  const announces = props.AfterTrafficHookAnnounces === 'true';
  const status = allow?.status ?? 'Pending';
  if (status === 'Pending') {
    return { ...watch, notBefore: now + watch.minMs };
  }
  if (status === 'InProgress' && allow?.startTime) {
    const notBefore = new Date(allow.startTime).getTime() + watch.minMs;
    // Past its minimum the shift ends any moment: polled, and with an announcing hook the target is
    // read on each poll too, to wait on the mailbox once the hook runs.
    return notBefore > now ? { ...watch, notBefore } : announces ? { ...watch, ending: true } : { ...watch, dense: true };
  }
  const hookStatus = afterHook?.status;
  if (announces && status === 'Succeeded' && !watch.announced && (hookStatus === 'Pending' || hookStatus === 'InProgress')) {
    log('info', 'the AfterAllowTraffic hook runs: waiting for its announcement', { hookStatus });
    return { minMs: watch.minMs, hookWait: true };
  }
  return { minMs: watch.minMs, dense: true };
}

/** The shortest AllowTraffic a configuration allows: a canary's interval, a linear shift's steps after the first; 0 at once or unknown. */
async function shortestShiftMs(configName: string | undefined, log: Logger): Promise<number> {
  if (!configName) {
    return 0;
  }
  try {
    const out = await codedeploy.send(new GetDeploymentConfigCommand({ deploymentConfigName: configName }));
    const routing = out.deploymentConfigInfo?.trafficRoutingConfig;
    if (routing?.type === 'TimeBasedCanary') {
      return (routing.timeBasedCanary?.canaryInterval ?? 0) * MINUTE_MS;
    }
    if (routing?.type === 'TimeBasedLinear') {
      const percentage = routing.timeBasedLinear?.linearPercentage ?? 100;
      const steps = percentage > 0 ? Math.ceil(100 / percentage) : 1;
      return (steps - 1) * (routing.timeBasedLinear?.linearInterval ?? 0) * MINUTE_MS;
    }
    return 0;
  } catch (err) {
    log('warn', 'cannot read the deployment configuration; polling for the termination wait', { configName, error: describeError(err) });
    return 0;
  }
}

/**
 * The trigger's mailbox: an SQS queue EventBridge fills with the group's deployment state changes.
 * If the queue cannot be read (deleted, no permission), the trigger falls back to polling the
 * deployment and says so once; it never fails a deployment because of its mailbox.
 */
class EventMailbox {
  private broken = false;

  constructor(
    private readonly queueUrl: string,
    private readonly log: Logger,
  ) {}

  /**
   * Waits up to `maxMs` for a terminal state change of `deploymentId` or its AfterAllowTraffic
   * hook's announcement; undefined when none arrived.
   */
  public async waitFor(deploymentId: string, maxMs: number): Promise<{ hookAnnounced: boolean } | undefined> {
    const until = Date.now() + maxMs;
    while (!this.broken) {
      // Rounded up: a long poll may end up to a second after `until`, never leave a gap unwatched.
      const seconds = Math.min(MAX_LONG_POLL_S, Math.ceil((until - Date.now()) / 1000));
      if (seconds < 1) {
        break;
      }
      try {
        const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: this.queueUrl, WaitTimeSeconds: seconds, MaxNumberOfMessages: 10 }));
        const messages = out.Messages ?? [];
        if (messages.length > 0) {
          // Every event in this group's queue is read once: older deployments' events are of no use later.
          await sqs.send(new DeleteMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }));
        }
        const states = messages.map((m) => stateChange(m.Body)).filter((e) => e?.deploymentId === deploymentId);
        if (states.length > 0) {
          this.log('info', 'state change event', { deploymentId, states: states.map((e) => e!.state) });
          return { hookAnnounced: states.some((e) => e!.hook) };
        }
      } catch (err) {
        if (isTransientError(err)) {
          this.log('warn', 'transient error reading the event queue; retrying', { error: describeError(err) });
          await sleep(Math.min(POLL_MAX_MS, Math.max(0, until - Date.now())));
          continue;
        }
        this.broken = true;
        this.log('warn', 'cannot read the event queue; polling the deployment instead', { error: describeError(err) });
      }
    }
    if (this.broken) {
      // As without a mailbox.
      await sleep(Math.min(POLL_MAX_MS, Math.max(0, until - Date.now())));
    }
    return undefined;
  }
}

/**
 * The deployment and state of an EventBridge "CodeDeploy Deployment State-change Notification", or
 * of a built-in hook's announcement (`hook`, the state is the hook's status).
 */
export function stateChange(body: string | undefined): { deploymentId: string; state: string; hook: boolean } | undefined {
  try {
    const event = JSON.parse(body ?? '');
    const detail = event?.detail;
    if (typeof detail?.deploymentId !== 'string') {
      return undefined;
    }
    const hook = event.source === HOOK_EVENT_SOURCE && event['detail-type'] === HOOK_EVENT_DETAIL_TYPE;
    return { deploymentId: detail.deploymentId, state: String(hook ? `hook ${detail.status}` : detail.state), hook };
  } catch {
    return undefined;
  }
}

async function createDeployment(props: TriggerProperties, progress: Progress): Promise<string> {
  const input: CodeDeploySdk.CreateDeploymentCommandInput = {
    applicationName: props.ApplicationName,
    deploymentGroupName: props.DeploymentGroupName,
    description: describeDeployment(props.Description, progress.marker),
    revision: props.AppSpecContent
      ? { revisionType: 'AppSpecContent', appSpecContent: { content: props.AppSpecContent } }
      : {
        revisionType: 'S3',
        s3Location: {
          bucket: props.S3Location!.Bucket,
          key: props.S3Location!.Key,
          bundleType: props.S3Location!.BundleType as any,
          eTag: progress.eTag || props.S3Location!.ETag || undefined,
          version: progress.objectVersion || props.S3Location!.Version || undefined,
        },
      },
    fileExistsBehavior: (props.FileExistsBehavior || undefined) as any,
    ignoreApplicationStopFailures: props.IgnoreApplicationStopFailures === 'true' ? true : undefined,
    // Blue/green: the new fleet (the group lists the live one); in place (the first), the group's own.
    ...(progress.fleet?.mode === 'blueGreen' ? { targetInstances: { autoScalingGroups: [progress.fleet.target] } } : {}),
  };
  const out = await codedeploy.send(new CreateDeploymentCommand(input));
  if (!out.deploymentId) {
    throw new Error('CreateDeployment returned no deployment id');
  }
  return out.deploymentId;
}

function needsPreparation(props: TriggerProperties): boolean {
  return props.CopyFrom !== undefined || (props.WaitForAutoScalingGroups ?? []).length > 0 || (props.WaitForInstances ?? []).length > 0 ||
    props.BlueGreenFleet !== undefined;
}

/**
 * EC2: whether the Auto Scaling groups have their instances InService with the CodeDeploy agent
 * installed. Right after CloudFormation creates a group its instances are still booting, and a
 * deployment started now would find no instances or time out waiting for an agent.
 */
async function instancesNotReady(props: TriggerProperties, fleets: string[] = []): Promise<{ waiting?: string; failed?: string }> {
  const names = [...new Set([...(props.WaitForAutoScalingGroups ?? []), ...fleets])];
  const instances: string[] = [];
  const out = names.length > 0
    ? await autoscaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: names }))
    : { AutoScalingGroups: [] };
  for (const name of names) {
    const g = out.AutoScalingGroups?.find((x) => x.AutoScalingGroupName === name);
    if (!g) {
      return { waiting: `Auto Scaling group ${name} does not exist yet` };
    }
    const inService = (g.Instances ?? []).filter((i) => i.LifecycleState === 'InService' && i.InstanceId);
    const desired = g.DesiredCapacity ?? 0;
    if (inService.length < desired) {
      return { waiting: `Auto Scaling group ${name} has ${inService.length} of ${desired} instances InService` };
    }
    instances.push(...inService.map((i) => i.InstanceId!));
  }
  // Tagged instances: CloudFormation created them before this resource (their IDs are in its properties).
  instances.push(...(props.WaitForInstances ?? []).filter((id) => !instances.includes(id)));
  const associations = props.AgentAssociationIds ?? [];
  if (associations.length === 0) {
    return {};
  }
  for (const instanceId of instances) {
    let statuses: SsmSdk.InstanceAssociationStatusInfo[];
    try {
      statuses = await associationStatuses(instanceId);
    } catch (err) {
      if (errorName(err) === 'InvalidInstanceId') {
        return { waiting: `instance ${instanceId} has not registered with Systems Manager yet` };
      }
      throw err;
    }
    // One of the installations (Auto Scaling groups, each tag) that target the instance must have succeeded.
    const mine = associations.map((id) => ({ id, status: statuses.find((x) => x.AssociationId === id) }));
    if (mine.some((a) => a.status?.Status === 'Success')) {
      continue;
    }
    const failed = mine.find((a) => a.status?.Status === 'Failed');
    if (failed && mine.every((a) => !a.status || a.status.Status === 'Failed')) {
      const status = failed.status!;
      const detail = [status.DetailedStatus, status.ErrorCode, status.ExecutionSummary].filter(Boolean).join(': ');
      return {
        failed: `The CodeDeploy agent could not be installed on ${instanceId}: State Manager association ${failed.id} failed${detail ? ` (${detail})` : ''}. Check the instance's Systems Manager agent and its outbound HTTPS access; no deployment was started.`,
      };
    }
    const pending = mine.find((a) => a.status && a.status.Status !== 'Failed') ?? mine[0];
    return { waiting: `the CodeDeploy agent installation (association ${pending.id}) on ${instanceId} is ${pending.status?.Status ?? 'not started'}` };
  }
  return {};
}

async function associationStatuses(instanceId: string): Promise<SsmSdk.InstanceAssociationStatusInfo[]> {
  const all: SsmSdk.InstanceAssociationStatusInfo[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: instanceId, NextToken: nextToken }));
    all.push(...(page.InstanceAssociationStatusInfos ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return all;
}

/** Copies the revision (an asset) to its place in the revision bucket; returns the copy's ETag and version. */
async function copyRevision(props: TriggerProperties): Promise<{ eTag?: string; objectVersion?: string }> {
  return copyObject(props.CopyFrom!, props.S3Location!);
}

/** Copies one object (at most 5 GB, CopyObject's limit); returns the copy's ETag and version. */
async function copyObject(
  source: { Bucket: string; Key: string },
  target: { Bucket: string; Key: string },
): Promise<{ eTag?: string; objectVersion?: string }> {
  const out = await s3.send(
    new CopyObjectCommand({
      Bucket: target.Bucket,
      Key: target.Key,
      CopySource: `${source.Bucket}/${source.Key.split('/').map(encodeURIComponent).join('/')}`,
    }),
  );
  return { eTag: out.CopyObjectResult?.ETag?.replace(/"/g, ''), objectVersion: out.VersionId };
}

async function getDeployment(deploymentId: string): Promise<CodeDeploySdk.DeploymentInfo> {
  const out = await codedeploy.send(new GetDeploymentCommand({ deploymentId }));
  if (!out.deploymentInfo) {
    throw new Error(`GetDeployment returned nothing for ${deploymentId}`);
  }
  return out.deploymentInfo;
}

/** The request's marker: a short hash of the stack, resource and request (one per CloudFormation request). */
function requestMarker(event: TriggerEvent): string {
  const hash = createHash('sha256').update(`${event.StackId}|${event.LogicalResourceId}|${event.RequestId}`).digest('hex');
  return `[cfn ${hash.slice(0, 12)}]`;
}

/** The deployment's description: the user's text (cut to fit) and the request's marker. */
function describeDeployment(description: string | undefined, marker: string | undefined): string | undefined {
  if (!marker) {
    return description?.slice(0, 100);
  }
  const text = (description ?? '').slice(0, 100 - marker.length - 1).trim();
  return text ? `${text} ${marker}` : marker;
}

function isOwn(info: CodeDeploySdk.DeploymentInfo, marker: string): boolean {
  return (info.description ?? '').endsWith(marker);
}

/** This request's deployment, if an earlier or duplicated invocation created it. */
async function findOwnDeployment(props: TriggerProperties, progress: Progress): Promise<string | undefined> {
  if (!progress.marker) {
    return undefined;
  }
  const out = await codedeploy.send(
    new ListDeploymentsCommand({
      applicationName: props.ApplicationName,
      deploymentGroupName: props.DeploymentGroupName,
      createTimeRange: { start: new Date((progress.startedAt ?? Date.now()) - 60_000) },
    }),
  );
  for (const id of (out.deployments ?? []).slice(0, 10)) {
    if (isOwn(await getDeployment(id), progress.marker)) {
      return id;
    }
  }
  return undefined;
}

async function findActiveDeployment(props: TriggerProperties): Promise<string | undefined> {
  const out = await codedeploy.send(
    new ListDeploymentsCommand({
      applicationName: props.ApplicationName,
      deploymentGroupName: props.DeploymentGroupName,
      includeOnlyStatuses: [...ACTIVE_STATUSES],
    }),
  );
  return out.deployments?.[0];
}

/**
 * Whether the revision already runs, so that no deployment is needed: on Create of an ECS service
 * (CloudFormation just created it with this task definition) and when CloudFormation rolls back to
 * a revision CodeDeploy has already rolled back to. EC2/on-premises deploys on Create when asked.
 */
async function alreadyDeployed(event: TriggerEvent, props: TriggerProperties): Promise<string | undefined> {
  if (props.EcsClusterName && props.EcsServiceName && props.AppSpecContent) {
    return revisionAlreadyLive(props);
  }
  if (event.RequestType === 'Create' && props.DeployOnCreate !== 'true') {
    return 'Created; the first revision is deployed by CloudFormation itself.';
  }
  if (event.RequestType === 'Update' && props.S3Location) {
    return revisionAlreadyLive(props);
  }
  return undefined;
}

/**
 * Whether the requested revision is what the deployment group already runs: for ECS, the service's
 * primary task set matches the AppSpec; for EC2/on-premises, the group's last successful deployment
 * deployed this very bundle (the same bucket, key and, when known, ETag), as after CodeDeploy rolled
 * back to it.
 */
async function revisionAlreadyLive(props: TriggerProperties): Promise<string | undefined> {
  if (props.EcsClusterName && props.EcsServiceName && props.AppSpecContent) {
    const out = await ecs.send(
      new DescribeServicesCommand({ cluster: props.EcsClusterName, services: [props.EcsServiceName] }),
    );
    const primary = out.services?.[0]?.taskSets?.find((t) => t.status === 'PRIMARY');
    if (primary && primaryTaskSetMatches(props.AppSpecContent, primary)) {
      return `The primary task set of ${props.EcsServiceName} already runs ${primary.taskDefinition} as the AppSpec asks; no deployment needed.`;
    }
    return undefined;
  }
  if (!props.S3Location) {
    return undefined;
  }
  const fleet = props.BlueGreenFleet?.AutoScalingGroupName;
  if (fleet && !(await groupIsOnFleet(fleetApi, props.ApplicationName, props.DeploymentGroupName, fleet))) {
    // Blue/green: live means this revision on this fleet; another fleet is deployed to, even with the same bundle.
    return undefined;
  }
  const group = await codedeploy.send(
    new GetDeploymentGroupCommand({ applicationName: props.ApplicationName, deploymentGroupName: props.DeploymentGroupName }),
  );
  const last = group.deploymentGroupInfo?.lastSuccessfulDeployment?.deploymentId;
  if (!last) {
    return undefined;
  }
  const deployed = (await getDeployment(last)).revision?.s3Location;
  const want = props.S3Location;
  if (
    deployed?.bucket === want.Bucket &&
    deployed?.key === want.Key &&
    (!want.ETag || !deployed.eTag || deployed.eTag.replace(/"/g, '') === want.ETag.replace(/"/g, ''))
  ) {
    return `The last successful deployment of ${props.ApplicationName}/${props.DeploymentGroupName} (${last}) already deployed s3://${want.Bucket}/${want.Key}; no deployment needed.`;
  }
  return undefined;
}

/** Whether an ECS task set already has everything the AppSpec's target service asks for. */
export function primaryTaskSetMatches(appSpecContent: string, taskSet: EcsSdk.TaskSet): boolean {
  let spec: any;
  try {
    spec = JSON.parse(appSpecContent);
  } catch {
    return false; // YAML or unreadable: deploy.
  }
  const resources: any[] = spec.Resources ?? [];
  const target = resources.map((r) => Object.values(r)[0] as any).find((r) => r?.Type === 'AWS::ECS::Service');
  const p = target?.Properties;
  if (!p || p.TaskDefinition !== taskSet.taskDefinition) {
    return false;
  }
  const lb = taskSet.loadBalancers?.[0];
  const wantLb = p.LoadBalancerInfo;
  if (wantLb && lb && (lb.containerName !== wantLb.ContainerName || lb.containerPort !== Number(wantLb.ContainerPort))) {
    return false;
  }
  if (p.PlatformVersion && p.PlatformVersion !== 'LATEST' && p.PlatformVersion !== taskSet.platformVersion) {
    return false;
  }
  const net = p.NetworkConfiguration?.AwsvpcConfiguration;
  const current = taskSet.networkConfiguration?.awsvpcConfiguration;
  if (net && current) {
    if (!sameSet(net.Subnets, current.subnets) || !sameSet(net.SecurityGroups, current.securityGroups)) {
      return false;
    }
    if ((net.AssignPublicIp ?? 'DISABLED') !== (current.assignPublicIp ?? 'DISABLED')) {
      return false;
    }
  }
  if (p.CapacityProviderStrategy) {
    const want = (p.CapacityProviderStrategy as any[]).map((s) => `${s.CapacityProvider}:${s.Base ?? 0}:${s.Weight ?? 0}`);
    const have = (taskSet.capacityProviderStrategy ?? []).map((s) => `${s.capacityProvider}:${s.base ?? 0}:${s.weight ?? 0}`);
    if (!sameSet(want, have)) {
      return false;
    }
  }
  return true;
}

function sameSet(a: string[] | undefined, b: string[] | undefined): boolean {
  const x = [...(a ?? [])].sort();
  const y = [...(b ?? [])].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * Checks the resource properties before anything is called: every problem at once, with the value
 * received, so a malformed template fails at once instead of in CodeDeploy or half-way through a wait.
 */
export function parseProperties(raw: Record<string, unknown>): TriggerProperties {
  const missing = ['ApplicationName', 'DeploymentGroupName', 'TimeoutSeconds'].filter((k) => !raw[k]);
  if (missing.length > 0) {
    throw new Error(`missing resource properties: ${missing.join(', ')}`);
  }
  const problems: string[] = [];
  const shown = (v: unknown) => JSON.stringify(v)?.slice(0, 80) ?? String(v);
  for (const key of ['ApplicationName', 'DeploymentGroupName']) {
    if (typeof raw[key] !== 'string') {
      problems.push(`${key} must be a string; received ${shown(raw[key])}`);
    }
  }
  if (raw.AppSpecContent === undefined && raw.S3Location === undefined) {
    problems.push('one of AppSpecContent or S3Location is required');
  }
  if (raw.AppSpecContent !== undefined && (typeof raw.AppSpecContent !== 'string' || raw.AppSpecContent.trim() === '')) {
    problems.push(`AppSpecContent must be the AppSpec as a non-empty JSON or YAML string; received ${shown(raw.AppSpecContent)}`);
  }
  if (raw.AppSpecContent !== undefined && raw.S3Location !== undefined) {
    problems.push('give AppSpecContent or S3Location, not both');
  }
  if (raw.S3Location !== undefined) {
    const loc = raw.S3Location as Record<string, unknown>;
    if (typeof loc !== 'object' || loc === null || Array.isArray(loc) || ['Bucket', 'Key', 'BundleType'].some((k) => typeof loc[k] !== 'string' || loc[k] === '')) {
      problems.push(`S3Location must be an object with Bucket, Key and BundleType strings; received ${shown(raw.S3Location)}`);
    }
  }
  if (raw.CopyFrom !== undefined) {
    const from = raw.CopyFrom as Record<string, unknown>;
    if (typeof from !== 'object' || from === null || typeof from.Bucket !== 'string' || typeof from.Key !== 'string') {
      problems.push(`CopyFrom must be an object with Bucket and Key strings; received ${shown(raw.CopyFrom)}`);
    }
  }
  for (const key of ['WaitForAutoScalingGroups', 'WaitForInstances', 'AgentAssociationIds']) {
    const v = raw[key];
    if (v !== undefined && (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === ''))) {
      problems.push(`${key} must be a list of names; received ${shown(v)}`);
    }
  }
  for (const key of ['WaitForTermination', 'DeployOnCreate', 'IgnoreApplicationStopFailures', 'AfterTrafficHookAnnounces']) {
    const v = raw[key];
    if (v !== undefined && !['true', 'false', true, false].includes(v as any)) {
      problems.push(`${key} must be "true" or "false"; received ${shown(v)}`);
    }
  }
  if (raw.BlueGreenFleet !== undefined) {
    problems.push(...parseBlueGreenFleet(raw.BlueGreenFleet));
    if (raw.S3Location === undefined) {
      problems.push('BlueGreenFleet needs S3Location (an EC2 revision bundle)');
    }
  }
  const timeout = Number(raw.TimeoutSeconds);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    problems.push(`TimeoutSeconds must be a positive number; received "${String(raw.TimeoutSeconds)}"`);
  }
  if (problems.length > 0) {
    throw new Error(`invalid resource properties: ${problems.join('; ')}`);
  }
  return raw as unknown as TriggerProperties;
}

/** Backoff between polls: 1 s, 1.5 s, 2.25 s ... up to 5 s (so a terminal state is seen within 5 s). */
function pollDelay(n: number): number {
  return Math.min(POLL_MAX_MS, Math.round(POLL_MIN_MS * Math.pow(1.5, n)));
}

function deploymentIdInMessage(err: unknown): string | undefined {
  return /\b(d-[A-Z0-9]{9,})\b/.exec((err as any)?.message ?? '')?.[1];
}


/** A non-negative number from the environment (tests shorten the schedule), else the fallback. */
function numberFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  const v = raw ? Number(raw) : NaN;
  return Number.isFinite(v) && v >= 0 ? v : fallback;
}

function logger(event: TriggerEvent): Logger {
  return jsonLogger(() => ({
    requestType: event.RequestType,
    logicalResourceId: event.LogicalResourceId,
    requestId: event.RequestId,
    invocation: event.Progress?.invocation ?? 1,
  }));
}

/**
 * Answers CloudFormation on the pre-signed response URL. Retries (5xx, network errors, a PUT that
 * does not answer) for as long as this invocation has time, each attempt with its own timeout;
 * the answer itself never changes. Never throws: Lambda must not retry the invocation.
 */
async function respond(
  event: TriggerEvent,
  status: 'SUCCESS' | 'FAILED',
  reason: string,
  data: Record<string, string> = {},
  remainingMs: () => number = () => 60_000,
  log: Logger = () => undefined,
  physicalIdOverride?: string,
): Promise<void> {
  const props = event.ResourceProperties as any;
  const physicalId =
    physicalIdOverride ??
    (event as any).PhysicalResourceId ??
    (props?.ApplicationName && props?.DeploymentGroupName
      ? `deployment-trigger:${props.ApplicationName}/${props.DeploymentGroupName}`
      : event.LogicalResourceId);
  const body = JSON.stringify({
    Status: status,
    Reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 3)}...` : reason,
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    Data: data,
  });
  for (let attempt = 1; ; attempt++) {
    // Every attempt gets at least a second (or the configured timeout, if shorter), even when the
    // invocation is nearly over: an answer that might arrive beats one never sent.
    const left = remainingMs() - RESPONSE_RESERVE_MS;
    const floor = Math.min(RESPONSE_TIMEOUT_MS, 1_000);
    try {
      await put(event.ResponseURL, body, Math.max(floor, Math.min(RESPONSE_TIMEOUT_MS, left)));
      if (attempt > 1) {
        log('info', 'CloudFormation response delivered', { status, attempt });
      }
      return;
    } catch (err) {
      const wait = Math.min(RESPONSE_BACKOFF_MAX_MS, RESPONSE_BACKOFF_MS * 2 ** (attempt - 1));
      if (remainingMs() - RESPONSE_RESERVE_MS - wait <= 0) {
        log('error', 'could not deliver the CloudFormation response before the invocation ends; CloudFormation will time out', {
          status, attempt, error: describeError(err),
        });
        return;
      }
      log('warn', 'CloudFormation response not delivered; retrying', { status, attempt, error: describeError(err) });
      await sleep(wait);
    }
  }
}

function put(url: string, body: string, timeoutMs: number): Promise<void> {
  const target = new URL(url);
  const client = target.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = client.request(
      target,
      { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) }, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode && res.statusCode < 300 ? resolve() : reject(new Error(`response URL answered ${res.statusCode}`)),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`response URL did not answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
