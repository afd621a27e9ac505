import { ArnFormat, CustomResource, Duration, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { TriggerProvider } from './trigger-provider';
import { DeploymentState } from '../common/deployment-options';
import { acknowledgeCompliance, OwnedResource } from '../private/compliance';
import { deploymentStateChangeRule } from '../private/deployment-group';
import { announceHookStatus } from '../private/hook-binding';
import { yamlLib } from '../private/psych-yaml';
import { HOOK_EVENT_DETAIL_TYPE, HOOK_EVENT_SOURCE } from '../private/runtime';
import { DEFAULT_TRIGGER_TIMEOUT_MINUTES, MAX_TRIGGER_TIMEOUT_MINUTES } from '../private/trigger-limits';
import { codeDeployNameProblems, throwIfErrors } from '../private/validation';


/** Bundle formats of an EC2/on-premises revision in S3. */
export enum RevisionBundleType {
  /** A zip archive. */
  ZIP = 'zip',
  /** A tar archive. */
  TAR = 'tar',
  /** A gzip-compressed tar archive. */
  TGZ = 'tgz',
  /** A YAML AppSpec file (Lambda and ECS). */
  YAML = 'YAML',
  /** A JSON AppSpec file (Lambda and ECS). */
  JSON = 'JSON',
}

/** What an EC2/on-premises deployment does with files that already exist where it installs files. */
export enum FileExistsBehavior {
  /** Fail the deployment (CodeDeploy's default). */
  DISALLOW = 'DISALLOW',
  /** Replace the file with the revision's. */
  OVERWRITE = 'OVERWRITE',
  /** Keep the file on the instance. */
  RETAIN = 'RETAIN',
}

/** Where an S3 revision is and which object version to deploy. */
export interface S3RevisionOptions {
  /**
   * The bundle format.
   *
   * @default RevisionBundleType.ZIP
   */
  readonly bundleType?: RevisionBundleType;

  /**
   * ETag of the object; CodeDeploy skips its integrity check without it.
   *
   * @default - no ETag check
   */
  readonly eTag?: string;

  /**
   * Version ID of the object in a versioned bucket.
   *
   * @default - the latest version
   */
  readonly objectVersion?: string;
}

/** What a deployment deploys: an AppSpec (ECS, Lambda) or a bundle in S3 (EC2/on-premises). */
export abstract class DeploymentRevision {
  /** An AppSpec given as content (JSON or YAML), as ECS and Lambda deployments take it. */
  public static fromAppSpecContent(content: string): DeploymentRevision {
    return new AppSpecRevision(content);
  }

  /** A revision bundle in S3 (EC2/on-premises). */
  public static fromS3(bucket: s3.IBucket, key: string, options: S3RevisionOptions = {}): DeploymentRevision {
    return new S3Revision(bucket, key, options);
  }

  /**
   * A revision bundle in S3 that the trigger first copies from another object (e.g. a CDK asset
   * into a revision bucket the instances may read). The copy's ETag is passed to CodeDeploy.
   *
   * @param sourceBucket bucket of the object to copy
   * @param sourceKey key of the object to copy
   * @param bucket bucket to copy to and deploy from
   * @param key key to copy to and deploy from
   * @param bundleType the bundle format
   */
  public static fromS3Copy(
    sourceBucket: s3.IBucket,
    sourceKey: string,
    bucket: s3.IBucket,
    key: string,
    bundleType: RevisionBundleType = RevisionBundleType.ZIP,
  ): DeploymentRevision {
    return new S3CopyRevision(sourceBucket, sourceKey, bucket, key, bundleType);
  }

  /** @internal */
  public abstract _properties(): Record<string, unknown>;

  /** @internal */
  public abstract _grantRead(grantee: iam.IGrantable): void;

  /** What CodeDeploy would reject in this revision (empty when it is fine or unknown until deployment). @internal */
  public abstract _problems(): string[];
}

class AppSpecRevision extends DeploymentRevision {
  constructor(private readonly content: string) {
    super();
  }
  public _properties() {
    return { AppSpecContent: this.content };
  }
  public _grantRead(): void {}
  public _problems(): string[] {
    return appSpecContentProblems(this.content);
  }
}

/**
 * An ECS or Lambda AppSpec given as content: YAML (JSON is YAML too) that is a mapping with a
 * version and a Resources list; tokens inside are left to deployment time.
 */
function appSpecContentProblems(content: string): string[] {
  if (typeof content !== 'string') {
    return [`revision: the AppSpec content must be a string (JSON or YAML); received ${typeof content}.`];
  }
  if (Token.isUnresolved(content)) {
    return [];
  }
  if (content.trim() === '') {
    return ['revision: the AppSpec content is empty; give the AppSpec as JSON or YAML (EcsAppSpec.toJson(), or version, Resources and Hooks).'];
  }
  let doc: any;
  try {
    doc = yamlLib().parse(content, { version: '1.1' });
  } catch (e) {
    return [`revision: the AppSpec content is neither JSON nor YAML (${(e as Error).message.split('\n')[0]}).`];
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    return ['revision: the AppSpec content must be a mapping with version, Resources and optional Hooks.'];
  }
  const problems: string[] = [];
  if (!(doc.version === '0.0' || doc.version === 0)) {
    problems.push(`revision: the AppSpec's version must be 0.0; received ${JSON.stringify(doc.version)}.`);
  }
  if (!Array.isArray(doc.Resources) || doc.Resources.length === 0) {
    problems.push('revision: the AppSpec has no Resources list (the ECS service or Lambda function to deploy).');
  }
  return problems;
}

/** The bundle types a key's extension names (CodeDeploy unpacks the object as its bundleType says). */
function bundleTypeProblems(key: string, bundleType: RevisionBundleType, what: string): string[] {
  if (Token.isUnresolved(key)) {
    return [];
  }
  const problems: string[] = [];
  if (key === '' || key.endsWith('/')) {
    problems.push(`${what}: key must name an object; received "${key}".`);
    return problems;
  }
  const lower = key.toLowerCase();
  const named = lower.endsWith('.zip') ? RevisionBundleType.ZIP
    : lower.endsWith('.tar.gz') || lower.endsWith('.tgz') ? RevisionBundleType.TGZ
      : lower.endsWith('.tar') ? RevisionBundleType.TAR
        : lower.endsWith('.json') ? RevisionBundleType.JSON
          : lower.endsWith('.yaml') || lower.endsWith('.yml') ? RevisionBundleType.YAML
            : undefined;
  if (named !== undefined && named !== bundleType) {
    problems.push(
      `${what}: the key "${key}" names a ${named} file but bundleType is ${bundleType}; CodeDeploy would unpack it as ${bundleType} and fail. Set bundleType: RevisionBundleType.${Object.entries(RevisionBundleType).find(([, v]) => v === named)![0]}, or fix the key.`,
    );
  }
  return problems;
}

class S3Revision extends DeploymentRevision {
  constructor(private readonly bucket: s3.IBucket, private readonly key: string, private readonly options: S3RevisionOptions) {
    super();
  }
  public _problems(): string[] {
    return bundleTypeProblems(this.key, this.options.bundleType ?? RevisionBundleType.ZIP, 'revision');
  }
  public _properties() {
    return {
      S3Location: {
        Bucket: this.bucket.bucketName,
        Key: this.key,
        BundleType: this.options.bundleType ?? RevisionBundleType.ZIP,
        ETag: this.options.eTag ?? '',
        Version: this.options.objectVersion ?? '',
      },
    };
  }
  public _grantRead(grantee: iam.IGrantable): void {
    // Exactly the bundle: CodeDeploy checks the object with the caller's permissions when registering it.
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resourceArns: [this.bucket.arnForObjects(this.key)],
    });
    this.bucket.encryptionKey?.grantDecrypt(grantee);
  }
}

class S3CopyRevision extends S3Revision {
  constructor(
    private readonly sourceBucket: s3.IBucket,
    private readonly sourceKey: string,
    private readonly targetBucket: s3.IBucket,
    private readonly targetKey: string,
    bundleType: RevisionBundleType,
  ) {
    super(targetBucket, targetKey, { bundleType });
  }
  public _properties() {
    return { ...super._properties(), CopyFrom: { Bucket: this.sourceBucket.bucketName, Key: this.sourceKey } };
  }
  public _grantRead(grantee: iam.IGrantable): void {
    super._grantRead(grantee);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'],
      resourceArns: [this.sourceBucket.arnForObjects(this.sourceKey)],
    });
    this.sourceBucket.encryptionKey?.grantDecrypt(grantee);
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['s3:PutObject', 's3:PutObjectTagging'],
      resourceArns: [this.targetBucket.arnForObjects(this.targetKey)],
    });
    // Writing an SSE-KMS object needs a data key (and Decrypt for the multipart copy path); no ReEncrypt* wildcards.
    this.targetBucket.encryptionKey?.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  }
}

/** Construction properties for `DeploymentTrigger`. */
export interface DeploymentTriggerProps {
  /** Name of the CodeDeploy application. */
  readonly applicationName: string;

  /** Name of the deployment group to deploy to. */
  readonly deploymentGroupName: string;

  /** The deployment configuration of the group (the trigger may read it when creating a deployment). */
  readonly deploymentConfig: codedeploy.IBaseDeploymentConfig;

  /** What to deploy. Any change of it starts a deployment. */
  readonly revision: DeploymentRevision;

  /**
   * ECS: the service deployed. No deployment is created when its primary task set already runs
   * what the AppSpec asks for (on the first `cdk deploy`, and when CloudFormation rolls back to a
   * revision CodeDeploy already rolled back to).
   *
   * @default - no ECS service
   */
  readonly ecsService?: ecs.IBaseService;

  /**
   * How long to wait for the deployment (including any wait behind another deployment of the
   * group). When it runs out, the trigger stops the deployment with rollback and fails the stack
   * operation. At most 55 minutes: CloudFormation waits at most an hour for a custom resource.
   *
   * @default Duration.minutes(50)
   */
  readonly timeout?: Duration;

  /**
   * ECS: report success only after the original task set is terminated, instead of as soon as
   * all traffic has shifted and every hook passed.
   *
   * @default false
   */
  readonly waitForTermination?: boolean;

  /**
   * Also deploy when the trigger is created (EC2/on-premises, where CloudFormation installs nothing).
   * ECS services get their first revision from CloudFormation and never need this.
   *
   * @default false
   */
  readonly deployOnCreate?: boolean;

  /**
   * EC2/on-premises: what to do with files that already exist where the revision installs files
   * (an AppSpec's `file_exists_behavior` takes precedence).
   *
   * @default - CodeDeploy's default, DISALLOW (the deployment fails)
   */
  readonly fileExistsBehavior?: FileExistsBehavior;

  /**
   * EC2/on-premises: let the deployment continue when `ApplicationStop` (and `BeforeBlockTraffic`,
   * `AfterBlockTraffic`) scripts fail on an instance.
   *
   * @default false
   */
  readonly ignoreApplicationStopFailures?: boolean;

  /**
   * EC2: before deploying, wait until these Auto Scaling groups have their desired number of
   * instances `InService` (right after CloudFormation creates a group, its instances are still booting).
   *
   * @default - no wait
   */
  readonly waitForAutoScalingGroups?: autoscaling.IAutoScalingGroup[];

  /**
   * EC2: IDs of instances to wait for too (tagged instances defined beside the deployment group);
   * with `agentAssociationIds`, until the agent installation succeeded on each.
   *
   * @default - none
   */
  readonly waitForInstanceIds?: string[];

  /**
   * EC2: IDs of the State Manager associations that install the CodeDeploy agent; before deploying,
   * wait until one of them succeeded on every instance of `waitForAutoScalingGroups` and
   * `waitForInstanceIds` (and fail with the association's error when it failed).
   *
   * @default - no wait for the agent
   */
  readonly agentAssociationIds?: string[];

  /**
   * Description of the deployments (at most 100 characters are kept).
   *
   * @default - 'Deployed by cdk-codedeploy-patterns'
   */
  readonly description?: string;
}

/**
 * Runs a real CodeDeploy deployment during `cdk deploy` whenever the revision changes, waits for
 * it, and fails the stack operation with CodeDeploy's error when the deployment fails or stops.
 *
 * A custom resource backed by one function per stack (shared by every trigger in the stack),
 * whose role may create, watch and stop deployments of exactly the deployment groups it serves.
 * It waits behind a deployment already in progress on the group, stops its own deployment with
 * rollback when the timeout runs out, and never blocks stack deletion.
 */
export class DeploymentTrigger extends Construct {
  /** The custom resource. */
  public readonly resource: CustomResource;

  /** The ID of the deployment the last stack operation created (empty when none was needed). */
  public readonly deploymentId: string;

  private readonly mailbox: EventMailbox;
  private readonly answersAtTerminationWait: boolean;
  private hookRule?: events.Rule;

  constructor(scope: Construct, id: string, props: DeploymentTriggerProps) {
    super(scope, id);

    const timeout = props.timeout ?? Duration.minutes(DEFAULT_TRIGGER_TIMEOUT_MINUTES);
    throwIfErrors(this, [
      ...validateTimeout(timeout),
      ...codeDeployNameProblems('applicationName', props.applicationName, 'give the name of an existing CodeDeploy application.'),
      ...codeDeployNameProblems('deploymentGroupName', props.deploymentGroupName, 'give the name of an existing CodeDeploy deployment group.'),
      ...props.revision._problems(),
    ]);

    const provider = TriggerProvider.of(this);
    grantDeployments(provider, Stack.of(this), props);
    const properties = deploymentProperties(this, provider, props, timeout);
    const mailbox = (this.mailbox = new EventMailbox(this, 'Events', provider.role, props));
    properties.EventQueueUrl = mailbox.queue.queueUrl;
    this.answersAtTerminationWait = answersAtTerminationWait(props);
    properties.AfterTrafficHookAnnounces = Lazy.string({ produce: () => (this.hookRule ? 'true' : undefined) });

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.function.functionArn,
      resourceType: 'Custom::CodeDeployDeployment',
      properties,
      // CloudFormation fails the operation itself if the function never answers.
      serviceTimeout: timeout.plus(Duration.minutes(5)),
    });
    this.resource.node.addDependency(provider.selfInvokePolicy);
    // Events flow (rule and queue policy) before the deployment starts; the queue itself is referenced.
    this.resource.node.addDependency(mailbox.rule, mailbox.queuePolicy);
    if (this.answersAtTerminationWait) {
      this.resource.node.addDependency(provider.grantReadDeploymentTargets());
    }
    this.deploymentId = this.resource.getAttString('DeploymentId');
  }

  /**
   * The AppSpec's AfterAllowTraffic hook function, if a built-in hook's (or yours, bound with
   * `announcesStatus`), announces its reported status: while it runs, the trigger waits on its
   * mailbox for that event (a second rule of the mailbox) instead of polling. Only where the trigger
   * answers at the termination wait; elsewhere nothing changes.
   * @returns true when the trigger answers at the termination wait and the function does not
   * announce, so the trigger polls through the hook (the caller tells the user)
   * @internal
   */
  public _waitForAnnouncingHook(hookFunction: lambda.IFunction, deploymentGroupArn: string): boolean {
    if (!this.answersAtTerminationWait) {
      return false;
    }
    if (!announceHookStatus(hookFunction, deploymentGroupArn)) {
      return true;
    }
    if (!this.hookRule) {
      this.hookRule = this.mailbox.addHookRule();
      this.resource.node.addDependency(this.hookRule);
    }
    return false;
  }
}

/**
 * An ECS deployment answered when its termination wait starts, which no event reports: the trigger
 * waits on its mailbox until the configuration says the traffic shift can have ended (it reads the
 * service's deployment target), then polls. Without the service (`ecsService`) it polls throughout.
 */
function answersAtTerminationWait(props: DeploymentTriggerProps): boolean {
  return props.ecsService !== undefined && props.waitForTermination !== true;
}

/**
 * The trigger's mailbox: an EventBridge rule sends the group's terminal state changes to a queue of
 * its own (no other group's events), which the trigger function long-polls while it waits.
 */
class EventMailbox extends Construct {
  public readonly queue: sqs.Queue;
  public readonly rule: Construct;
  /** The queue policy (TLS only, EventBridge may send). */
  public readonly queuePolicy: Construct;

  constructor(scope: Construct, id: string, reader: iam.IRole, private readonly props: DeploymentTriggerProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // An event is read within seconds or is of no use: a deployment outlives no event by an hour.
      retentionPeriod: Duration.hours(1),
    });
    const rule = (this.rule = deploymentStateChangeRule(this, 'Rule', props.applicationName, props.deploymentGroupName, {
      states: [DeploymentState.SUCCESS, DeploymentState.FAILURE, DeploymentState.STOP],
      description: 'Terminal state changes of the deployment group, for the cdk-codedeploy-patterns deployment trigger',
    }));
    rule.addTarget(new targets.SqsQueue(this.queue));
    acknowledgeCompliance(rule, OwnedResource.EVENT_RULE);
    this.queuePolicy = this.queue.node.findChild('Policy');
    reader.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'], resources: [this.queue.queueArn] }));
    acknowledgeCompliance(this.queue, OwnedResource.EVENT_QUEUE);
  }

  /** A rule sending the group's hook announcements (see private/runtime.ts) to the queue. */
  public addHookRule(): events.Rule {
    const rule = new events.Rule(this, 'HookRule', {
      description: 'AfterAllowTraffic hook announcements of the deployment group, for the cdk-codedeploy-patterns deployment trigger',
      eventPattern: {
        source: [HOOK_EVENT_SOURCE],
        detailType: [HOOK_EVENT_DETAIL_TYPE],
        detail: { application: [this.props.applicationName], deploymentGroup: [this.props.deploymentGroupName] },
      },
    });
    rule.addTarget(new targets.SqsQueue(this.queue));
    acknowledgeCompliance(rule, OwnedResource.EVENT_RULE);
    return rule;
  }
}

function validateTimeout(timeout: Duration): string[] {
  if (Token.isUnresolved(timeout.toSeconds())) {
    return [];
  }
  const seconds = timeout.toSeconds();
  if (seconds < 60 || seconds > MAX_TRIGGER_TIMEOUT_MINUTES * 60) {
    return [
      `timeout must be from 1 to ${MAX_TRIGGER_TIMEOUT_MINUTES} minutes (CloudFormation waits at most one hour for a custom resource, and the trigger needs the rest to stop the deployment and answer); received ${timeout.toString()}.`,
    ];
  }
  return [];
}

/** Lets the shared trigger function deploy to, and read, exactly this deployment group, application, configuration and revision. */
function grantDeployments(provider: TriggerProvider, stack: Stack, props: DeploymentTriggerProps): void {
  const groupArn = stack.formatArn({
    service: 'codedeploy',
    resource: 'deploymentgroup',
    resourceName: `${props.applicationName}/${props.deploymentGroupName}`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  const applicationArn = stack.formatArn({
    service: 'codedeploy',
    resource: 'application',
    resourceName: props.applicationName,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
  provider.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        'codedeploy:CreateDeployment',
        'codedeploy:GetDeployment',
        'codedeploy:ListDeployments',
        'codedeploy:StopDeployment',
      ],
      resources: [groupArn],
    }),
  );
  provider.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['codedeploy:GetApplication', 'codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'],
      resources: [applicationArn],
    }),
  );
  provider.role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['codedeploy:GetDeploymentConfig'],
      resources: [props.deploymentConfig.deploymentConfigArn],
    }),
  );
  props.revision._grantRead(provider.role);
  if ('S3Location' in props.revision._properties()) {
    // EC2/on-premises: is the requested bundle what the group's last successful deployment deployed?
    provider.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['codedeploy:GetDeploymentGroup'], resources: [groupArn] }));
  }
}

/** The custom resource's properties; grants the watches they ask for. */
function deploymentProperties(
  scope: Construct,
  provider: TriggerProvider,
  props: DeploymentTriggerProps,
  timeout: Duration,
): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    ApplicationName: props.applicationName,
    DeploymentGroupName: props.deploymentGroupName,
    TimeoutSeconds: timeout.toSeconds(),
    WaitForTermination: props.waitForTermination ?? false,
    DeployOnCreate: props.deployOnCreate ?? false,
    Description: props.description ?? 'Deployed by cdk-codedeploy-patterns',
    ...props.revision._properties(),
  };
  if (props.fileExistsBehavior) {
    properties.FileExistsBehavior = props.fileExistsBehavior;
  }
  if (props.ignoreApplicationStopFailures) {
    properties.IgnoreApplicationStopFailures = true;
  }
  const groups = props.waitForAutoScalingGroups ?? [];
  const instanceIds = props.waitForInstanceIds;
  const associations = props.agentAssociationIds ?? [];
  if (associations.length > 0 && groups.length === 0 && instanceIds === undefined) {
    throwIfErrors(scope, ['agentAssociationIds needs waitForAutoScalingGroups or waitForInstanceIds: the trigger checks the agent on those instances.']);
  }
  if (groups.length > 0) {
    properties.WaitForAutoScalingGroups = groups.map((g) => g.autoScalingGroupName);
    provider.grantWatchAutoScalingGroups();
  }
  if (instanceIds !== undefined) {
    properties.WaitForInstances = instanceIds;
  }
  if (associations.length > 0) {
    properties.AgentAssociationIds = associations;
    provider.grantWatchAgentInstallations();
  }
  if (props.ecsService) {
    const service = props.ecsService;
    properties.EcsClusterName = service.cluster.clusterName;
    properties.EcsServiceName = service.serviceName;
    provider.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:DescribeServices'],
        resources: [
          Stack.of(scope).formatArn({
            service: 'ecs',
            resource: 'service',
            resourceName: `${service.cluster.clusterName}/${service.serviceName}`,
          }),
        ],
      }),
    );
  }
  return properties;
}
