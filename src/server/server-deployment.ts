import { Annotations, Duration, Lazy, Names, Stack, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elb from 'aws-cdk-lib/aws-elasticloadbalancing';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { CodeDeployAgent } from './codedeploy-agent';
import { ServerRevision } from './server-revision';
import { DeploymentGroupOptions, DeploymentStateChangeOptions } from '../common/deployment-options';
import { AgentInstanceProfile } from '../iam/agent-instance-profile';
import { CodeDeployServiceRole, ComputePlatform } from '../iam/codedeploy-service-role';
import { TRAFFIC_EVENTS } from '../private/appspec-rules';
import { acknowledgeCompliance, OwnedResource } from '../private/compliance';
import { dependOn } from '../private/dependencies';
import {
  allAlarms,
  applyNotifications,
  autoRollbackConfig,
  warnRiskyOptions,
  deploymentStateChangeRule,
  validateSharedOptions,
} from '../private/deployment-group';
import { GrantingServerDeploymentGroup } from '../private/granting-groups';
import { grantAgentAccess, grantReadRevisions } from '../private/instance-permissions';
import { acknowledge } from '../private/nag';
import {
  grantDescribeAlarms,
  grantStatements,
  immutableView,
  launchTemplateStatements,
  serverAutoScalingStatements,
  serverDescribeStatements,
  serverLoadBalancerStatements,
  warnMissingStatements,
} from '../private/permissions';
import { perStack, sharedApplication, sharedServiceRole } from '../private/shared';
import {
  throwIfErrors,
  validateAlarmTuning,
  validateConfigPlatform,
  validateDeploymentGroupName,
  validateManagedPolicyOption,
} from '../private/validation';
import { DeploymentTrigger, FileExistsBehavior } from '../trigger/deployment-trigger';

/** How the CodeDeploy agent gets onto the instances. */
export enum AgentInstallation {
  /** A Systems Manager State Manager association installs it and keeps it current (`CodeDeployAgent`). */
  SYSTEMS_MANAGER = 'SYSTEMS_MANAGER',
  /** User data of the Auto Scaling groups installs it at launch (aws-cdk-lib's route; never updated). */
  USER_DATA = 'USER_DATA',
  /** The agent is already on the instances (baked into the image, or installed by you). */
  NONE = 'NONE',
}

/** What CodeDeploy does with instances launched while a deployment runs. */
export enum OutdatedInstancesStrategy {
  /** Start a follow-on deployment to bring them to the new revision (CodeDeploy's default). */
  UPDATE = 'UPDATE',
  /** Leave them on the revision they launched with. */
  IGNORE = 'IGNORE',
}

/** A load balancer (or target group) whose instances are taken out of service while they are updated. */
export abstract class ServerLoadBalancer {
  /** A Classic Load Balancer. */
  public static classic(loadBalancer: elb.LoadBalancer): ServerLoadBalancer {
    return new ClassicServerLoadBalancer(loadBalancer);
  }

  /** A target group of an Application Load Balancer (target type instance). */
  public static application(targetGroup: elbv2.IApplicationTargetGroup): ServerLoadBalancer {
    return new TargetGroupServerLoadBalancer(targetGroup, codedeploy.LoadBalancer.application(targetGroup), () =>
      targetGroup.metrics.unhealthyHostCount(),
    );
  }

  /** A target group of a Network Load Balancer (target type instance). */
  public static network(targetGroup: elbv2.INetworkTargetGroup): ServerLoadBalancer {
    return new TargetGroupServerLoadBalancer(targetGroup, codedeploy.LoadBalancer.network(targetGroup), () =>
      targetGroup.metrics.unHealthyHostCount(),
    );
  }

  /** Whether this is a Classic Load Balancer (counted against the 10 Classic Load Balancers of a group). */
  public abstract readonly isClassic: boolean;

  /** @internal */
  public abstract _loadBalancer(): codedeploy.LoadBalancer;

  /** @internal */
  public abstract _unhealthyHosts(period: Duration): cloudwatch.IMetric;

  /** @internal */
  public abstract _construct(): IConstruct;

  /** ARNs of the Classic Load Balancers CodeDeploy deregisters instances from. @internal */
  public abstract _classicLoadBalancerArns(scope: IConstruct): string[];

  /** ARNs of the target groups CodeDeploy deregisters instances from. @internal */
  public abstract _targetGroupArns(): string[];

  /** The target group's target type, when known. @internal */
  public _targetType(): string | undefined {
    return undefined;
  }
}

class ClassicServerLoadBalancer extends ServerLoadBalancer {
  public readonly isClassic = true;
  constructor(private readonly lb: elb.LoadBalancer) {
    super();
  }
  public _loadBalancer() {
    return codedeploy.LoadBalancer.classic(this.lb);
  }
  public _unhealthyHosts(period: Duration) {
    return new cloudwatch.Metric({
      namespace: 'AWS/ELB',
      metricName: 'UnHealthyHostCount',
      dimensionsMap: { LoadBalancerName: this.lb.loadBalancerName },
      statistic: 'Maximum',
      period,
    });
  }
  public _construct() {
    return this.lb;
  }
  public _classicLoadBalancerArns(scope: IConstruct) {
    return [Stack.of(scope).formatArn({ service: 'elasticloadbalancing', resource: 'loadbalancer', resourceName: this.lb.loadBalancerName })];
  }
  public _targetGroupArns() {
    return [];
  }
}

class TargetGroupServerLoadBalancer extends ServerLoadBalancer {
  public readonly isClassic = false;
  constructor(
    private readonly tg: elbv2.ITargetGroup,
    private readonly lb: codedeploy.LoadBalancer,
    private readonly metric: () => cloudwatch.Metric,
  ) {
    super();
  }
  public _loadBalancer() {
    return this.lb;
  }
  public _unhealthyHosts(period: Duration) {
    return this.metric().with({ statistic: 'Maximum', period });
  }
  public _classicLoadBalancerArns() {
    return [];
  }
  public _targetGroupArns() {
    return [this.tg.targetGroupArn];
  }
  public _construct() {
    return this.tg;
  }
  public _targetType(): string | undefined {
    // TargetGroupBase keeps it (set by the props or by the first target added); unknown when imported.
    const t = (this.tg as any).targetType;
    return typeof t === 'string' ? t : undefined;
  }
}

/** The alarms `ServerDeployment` defines by default. */
export interface ServerDeploymentAlarmOptions {
  /**
   * Alarm when any load balancer or target group of the group reports unhealthy hosts (only with load balancers).
   *
   * @default true
   */
  readonly unhealthyHosts?: boolean;

  /**
   * Alarm when an instance of the Auto Scaling groups fails its EC2 status checks (for instance a
   * deployment that exhausts memory or breaks the network configuration); only with Auto Scaling groups.
   *
   * @default true
   */
  readonly instanceStatusChecks?: boolean;

  /**
   * Unhealthy hosts (maximum over the load balancers) at or above which the alarm fires.
   *
   * @default 1
   */
  readonly unhealthyHostsThreshold?: number;

  /**
   * Period of the metric, a whole number of minutes.
   *
   * @default Duration.minutes(1)
   */
  readonly period?: Duration;

  /**
   * Number of periods over which the threshold is compared.
   *
   * @default 2
   */
  readonly evaluationPeriods?: number;
}

/** Construction properties for `ServerDeployment`. */
export interface ServerDeploymentProps extends DeploymentGroupOptions {
  /** The application revision to deploy on every `cdk deploy` that changes it. */
  readonly revision: ServerRevision;

  /**
   * Auto Scaling groups to deploy to (at most 10). Their instance roles get read access to the
   * revisions and what the agent needs; new instances get the last successful revision.
   *
   * @default - none
   */
  readonly autoScalingGroups?: autoscaling.IAutoScalingGroup[];

  /**
   * EC2 instances to deploy to, by tag (at most 3 tag groups of at most 10 tags).
   *
   * @default - none
   */
  readonly ec2InstanceTags?: codedeploy.InstanceTagSet;

  /**
   * On-premises instances to deploy to, by tag (at most 3 tag groups of at most 10 tags).
   *
   * @default - none
   */
  readonly onPremiseInstanceTags?: codedeploy.InstanceTagSet;

  /**
   * Load balancers whose traffic CodeDeploy blocks and allows around each instance's update
   * (at most 10 Classic Load Balancers and 10 target groups).
   *
   * @default - no traffic control
   */
  readonly loadBalancers?: ServerLoadBalancer[];

  /**
   * The CodeDeploy application; pass one to share it.
   *
   * @default - the stack's shared Server application (one per stack, for all its ServerDeployments)
   */
  readonly application?: codedeploy.IServerApplication;

  /**
   * How many instances are updated at once: a predefined configuration or a custom
   * `ServerDeploymentConfig` (minimum healthy hosts, optionally zonal).
   *
   * @default ServerDeploymentConfig.ONE_AT_A_TIME
   */
  readonly deploymentConfig?: codedeploy.IServerDeploymentConfig;

  /**
   * Install a termination hook in the Auto Scaling groups, so that instances run
   * `ApplicationStop` and the BlockTraffic events before they terminate.
   *
   * @default false
   */
  readonly terminationHook?: boolean;

  /**
   * What to do with instances launched while a deployment runs.
   *
   * @default OutdatedInstancesStrategy.UPDATE
   */
  readonly outdatedInstancesStrategy?: OutdatedInstancesStrategy;

  /**
   * How the CodeDeploy agent is installed.
   *
   * @default AgentInstallation.SYSTEMS_MANAGER
   */
  readonly installAgent?: AgentInstallation;

  /**
   * When State Manager re-runs the agent installation (updating the agent); with SYSTEMS_MANAGER.
   *
   * @default 'cron(0 2 ? * SUN *)'
   */
  readonly agentUpdateSchedule?: string;

  /**
   * Roles of instances you launch yourself (tagged instances, on-premises session roles): they get
   * read access to the revisions and what the agent installation needs.
   *
   * @default - with ec2InstanceTags, a new `AgentInstanceProfile` (exposed as `instanceProfile`); else none
   */
  readonly instanceRoles?: iam.IRole[];

  /**
   * Bucket that revisions from local folders are copied to and deployed from.
   *
   * @default - one encrypted, private, TLS-only bucket per stack
   */
  readonly revisionBucket?: s3.IBucket;

  /**
   * The default alarms.
   *
   * @default - an unhealthy-hosts alarm over the load balancers, if any, and a failed-status-checks alarm over the Auto Scaling groups, if any
   */
  readonly defaultAlarms?: ServerDeploymentAlarmOptions;

  /**
   * What to do with files that already exist where the revision installs files.
   *
   * @default - CodeDeploy's default, DISALLOW
   */
  readonly fileExistsBehavior?: FileExistsBehavior;

  /**
   * Continue when `ApplicationStop`, `BeforeBlockTraffic` or `AfterBlockTraffic` scripts fail.
   *
   * @default false
   */
  readonly ignoreApplicationStopFailures?: boolean;

  /**
   * How long `cdk deploy` waits for the instances and the deployment before stopping it with rollback (1-55 minutes).
   *
   * @default Duration.minutes(50)
   */
  readonly deploymentTimeout?: Duration;

  /**
   * Before deploying, wait until the Auto Scaling groups have their desired instances InService,
   * and (with SYSTEMS_MANAGER) until the agent is installed on each of them and on every EC2
   * instance of this stack that `ec2InstanceTags` selects. Instances outside this stack, and
   * on-premises instances, must be running with the agent before `cdk deploy` (the README says how).
   *
   * @default true
   */
  readonly waitForInstances?: boolean;

  /**
   * Attach the AWS managed `AWSCodeDeployRole` policy to the service role the pattern creates,
   * and `AmazonSSMManagedInstanceCore` to instance roles, instead of scoped inline statements.
   *
   * @default false
   */
  readonly useAwsManagedPolicy?: boolean;
}

/** At most 10 Auto Scaling groups, Classic Load Balancers and target groups each per deployment group. */
const MAX_PER_KIND = 10;
/** Tag groups and tags per group (CodeDeploy quota). */
const MAX_TAG_GROUPS = 3;
const MAX_TAGS_PER_GROUP = 10;
const MAX_TAG_KEY = 128;
const MAX_TAG_VALUE = 256;


/**
 * An application deployed to EC2 instances and on-premises servers by AWS CodeDeploy, in one
 * construct: the application and deployment group (Auto Scaling groups, tags, load balancers)
 * with a least-privilege service role, alarms and rollback; the revision (a local folder with
 * its `appspec.yml`, zipped, copied to a private revision bucket); the CodeDeploy agent installed
 * and kept current by Systems Manager; instance roles allowed to read exactly the group's
 * revisions; and a real deployment of the revision on every `cdk deploy` that changes it.
 */
export class ServerDeployment extends Construct {
  /** The CodeDeploy application. */
  public readonly application: codedeploy.IServerApplication;
  /** The CodeDeploy deployment group. */
  public readonly deploymentGroup: codedeploy.ServerDeploymentGroup;
  /** The service role CodeDeploy assumes. */
  public readonly role: iam.IRole;
  /** Every alarm that stops the deployment: the default alarms followed by the user's. */
  public readonly alarms: cloudwatch.IAlarm[];
  /** The default alarms the pattern defined. */
  public readonly defaultAlarms: cloudwatch.IAlarm[];
  /** The bucket the revision is deployed from (the revision bucket, or the bucket of a prebuilt bundle). */
  public readonly revisionBucket: s3.IBucket;
  /** The trigger that deploys on `cdk deploy`. */
  public readonly trigger: DeploymentTrigger;
  /** The Systems Manager agent installation, with SYSTEMS_MANAGER. */
  public readonly agent?: CodeDeployAgent;
  /** The instance profile created for tagged instances (launch your instances with it). */
  public readonly instanceProfile?: AgentInstanceProfile;
  /** Every instance role that got the grants. */
  public readonly instanceRoles: iam.IRole[];

  /** The Auto Scaling groups this deployment group deploys to. @internal */
  public readonly _autoScalingGroups: autoscaling.IAutoScalingGroup[];

  private readonly revisionReadPattern: string;
  private readonly installAgent: AgentInstallation;
  private readonly useAwsManagedPolicy: boolean;

  constructor(scope: Construct, id: string, props: ServerDeploymentProps) {
    super(scope, id);

    const loadBalancers = props.loadBalancers ?? [];
    const alarmOptions = props.defaultAlarms ?? {};
    const wantUnhealthy = (alarmOptions.unhealthyHosts ?? true) && loadBalancers.length > 0;
    // CodeDeploy registers and deregisters instances by ID. Known now when given in the target
    // group's props; when set by targets added later, checked again at synth.
    const targetTypeProblems = () => loadBalancers.flatMap((lb, i) => {
      const type = lb._targetType();
      return type !== undefined && type !== 'instance'
        ? [`loadBalancers[${i}]: ${lb._construct().node.path} has target type ${type}; CodeDeploy registers EC2 instances by instance ID, so an EC2/on-premises deployment needs a target group of target type instance (elbv2.TargetType.INSTANCE).`]
        : [];
    });
    this.node.addValidation({ validate: targetTypeProblems });
    const autoScalingGroups = props.autoScalingGroups ?? [];
    const wantStatusChecks = (alarmOptions.instanceStatusChecks ?? true) && autoScalingGroups.length > 0;
    const defaultAlarmCount = (wantUnhealthy ? 1 : 0) + (wantStatusChecks ? 1 : 0);
    this.installAgent = props.installAgent ?? AgentInstallation.SYSTEMS_MANAGER;
    this.useAwsManagedPolicy = props.useAwsManagedPolicy ?? false;
    throwIfErrors(this, [
      ...validateDeploymentGroupName(props.deploymentGroupName),
      ...validateSharedOptions(props, defaultAlarmCount),
      ...validateServerOptions(props, this.installAgent),
      ...targetTypeProblems(),
      ...validateConfigPlatform(props.deploymentConfig, 'Server'),
      ...validateAlarmTuning(
        { unhealthyHostsThreshold: alarmOptions.unhealthyHostsThreshold },
        alarmOptions.evaluationPeriods,
        alarmOptions.period,
      ),
      ...validateManagedPolicyOption(props.role, props.useAwsManagedPolicy),
      ...(alarmOptions.instanceStatusChecks === true && autoScalingGroups.length === 0
        ? ['defaultAlarms.instanceStatusChecks needs autoScalingGroups: the status-check metric is aggregated per Auto Scaling group; drop it.']
        : []),
      ...(alarmOptions.unhealthyHosts === true && loadBalancers.length === 0
        ? ['defaultAlarms.unhealthyHosts needs loadBalancers: without a load balancer there is no health metric; drop it.']
        : []),
      ...(wantUnhealthy && loadBalancers.length > MAX_PER_KIND
        ? [`The unhealthy-hosts alarm combines one metric per load balancer, and a metric math alarm takes at most 10 metrics; received ${loadBalancers.length} load balancers. Set defaultAlarms.unhealthyHosts to false and pass your own alarms.`]
        : []),
    ]);

    // One application per stack unless given; with it, one service role per stack (each pattern adds its grants).
    this.application = props.application ?? sharedApplication(this, ComputePlatform.SERVER, (s, name) => new codedeploy.ServerApplication(s, name));
    const serviceRole =
      props.role ??
      (props.application
        ? new CodeDeployServiceRole(this, 'ServiceRole', {
          computePlatform: ComputePlatform.SERVER,
          applicationName: this.application.applicationName,
          useAwsManagedPolicy: props.useAwsManagedPolicy,
        })
        : sharedServiceRole(this, ComputePlatform.SERVER, this.application.applicationName, props.useAwsManagedPolicy ?? false));
    this.role = serviceRole;

    this.defaultAlarms = [
      ...(wantUnhealthy ? [this.createUnhealthyHostsAlarm(loadBalancers, alarmOptions)] : []),
      ...(wantStatusChecks ? [this.createStatusCheckAlarm(autoScalingGroups, alarmOptions)] : []),
    ];
    this.defaultAlarms.forEach((a) => acknowledgeCompliance(a, OwnedResource.DEFAULT_ALARM));
    this.alarms = allAlarms(this.defaultAlarms, props.alarms);

    const groups = props.autoScalingGroups ?? [];
    this._autoScalingGroups = [...groups];
    this.deploymentGroup = new GrantingServerDeploymentGroup(this, 'DeploymentGroup', {
      grantRole: this.role,
      managedPolicy: serviceRole instanceof CodeDeployServiceRole && serviceRole.usesAwsManagedPolicy,
      application: this.application,
      deploymentGroupName: props.deploymentGroupName,
      deploymentConfig: props.deploymentConfig,
      role: immutableView(this, 'ImmutableServiceRole', this.role),
      autoScalingGroups: groups,
      installAgent: this.installAgent === AgentInstallation.USER_DATA,
      loadBalancers: loadBalancers.length > 0 ? loadBalancers.map((lb) => lb._loadBalancer()) : undefined,
      ec2InstanceTags: props.ec2InstanceTags,
      onPremiseInstanceTags: props.onPremiseInstanceTags,
      alarms: this.alarms,
      ignorePollAlarmsFailure: props.ignorePollAlarmsFailure,
      ignoreAlarmConfiguration: props.ignoreAlarmConfiguration,
      autoRollback: autoRollbackConfig(props, this.alarms.length),
      terminationHook: props.terminationHook,
    });
    warnRiskyOptions(this, props, this.alarms.length, this.deploymentGroup.deploymentConfig.deploymentConfigName);
    warnHealthyHostsAboveFleet(this, props);
    if (props.outdatedInstancesStrategy) {
      (this.deploymentGroup.node.defaultChild as codedeploy.CfnDeploymentGroup).outdatedInstancesStrategy = props.outdatedInstancesStrategy;
    }
    // CodeDeploy installs its lifecycle hooks in the groups and reads the load balancers when the group is created.
    for (const g of groups) {
      dependOn(this.deploymentGroup, g, [g.autoScalingGroupName]);
    }
    warnMissingStatements(this, this.role, grantDescribeAlarms(this.role, this.alarms.map((a) => a.alarmArn)));
    applyNotifications(this.deploymentGroup, this.role, props.notifications ?? []);
    // The platform's permissions go to any role that takes them (ours, a user's iam.Role, a mutable import);
    // the AWS managed policy already has them on "*".
    const missing: iam.PolicyStatement[] = [];
    if (!(serviceRole instanceof CodeDeployServiceRole && serviceRole.usesAwsManagedPolicy)) {
      missing.push(...grantStatements(serviceRole, [
        // A CodeDeployServiceRole has the describe statements from its creation.
        ...(serviceRole instanceof CodeDeployServiceRole ? [] : serverDescribeStatements()),
        ...serverAutoScalingStatements(this, groups.map((g) => g.autoScalingGroupName)),
        ...serverLoadBalancerStatements(
          loadBalancers.flatMap((lb) => lb._classicLoadBalancerArns(this)),
          loadBalancers.flatMap((lb) => lb._targetGroupArns()),
        ),
      ]));
    }

    // Revision: copied to (or already in) a bucket the instances may read, under this group's prefix.
    const keyPrefix = `CodeDeploy/${Names.uniqueResourceName(this, { maxLength: 64, separator: '-' })}/`;
    const revision = props.revision.bind(this, {
      revisionBucket: props.revision.needsRevisionBucket ? props.revisionBucket ?? revisionBucketOf(this) : props.revisionBucket,
      keyPrefix,
    });
    this.revisionReadPattern = revision.instanceReadPattern;
    this.revisionBucket = revision.bucket;
    const revisionBucket = revision.bucket;

    // Instance roles: the groups' roles, the user's, or a new instance profile for tagged instances.
    const roles: iam.IRole[] = [];
    const unknownRoles: string[] = [];
    for (const g of groups) {
      const role = instanceRoleOf(g);
      if (role) {
        roles.push(role);
      } else {
        unknownRoles.push(g.node.path);
      }
      // The AWS managed policy lacks these too (user guide, "Create a service role for CodeDeploy").
      if (usesLaunchTemplate(g)) {
        if (role) {
          missing.push(...grantStatements(serviceRole, launchTemplateStatements(this, role)));
        } else {
          Annotations.of(this).addWarningV2(
            'cdk-codedeploy-patterns:launchTemplateRole',
            `${g.node.path} uses a launch template whose role is unknown; the service role needs iam:PassRole on that role (grantLaunchTemplateInstances) for CodeDeploy to launch instances.`,
          );
        }
      }
      recordAutoScalingGroup(this, g);
    }
    warnMissingStatements(this, serviceRole, missing);
    roles.push(...(props.instanceRoles ?? []));
    if (props.ec2InstanceTags && !props.instanceRoles) {
      this.instanceProfile = new AgentInstanceProfile(this, 'InstanceProfile', {
        systemsManager: this.installAgent === AgentInstallation.SYSTEMS_MANAGER,
        useAwsManagedPolicy: this.useAwsManagedPolicy,
      });
      this.instanceProfile.grantReadRevisions(revisionBucket, this.revisionReadPattern);
    }
    this.instanceRoles = [...new Set(roles)];
    for (const role of this.instanceRoles) {
      this.grantInstanceRole(role);
    }
    if (unknownRoles.length > 0) {
      Annotations.of(this).addWarningV2(
        'cdk-codedeploy-patterns:unknownInstanceRole',
        `The instance role of ${unknownRoles.join(', ')} is unknown (imported group); call grantInstanceRole() with it, or the instances cannot download revisions.`,
      );
    }

    if (this.installAgent === AgentInstallation.SYSTEMS_MANAGER) {
      this.agent = new CodeDeployAgent(this, 'Agent', {
        autoScalingGroups: groups,
        ec2InstanceTags: props.ec2InstanceTags,
        onPremiseInstanceTags: props.onPremiseInstanceTags,
        updateSchedule: props.agentUpdateSchedule,
      });
    }

    const waitAll = props.waitForInstances ?? true;
    const wait = waitAll && groups.length > 0;
    const agentAssociation = this.agent?.autoScalingGroupAssociation;
    // Tagged EC2 instances of this stack (the guide's tutorials: tag an instance, install the agent,
    // then deploy). Found when the template is written, after Tags aspects have run; their IDs in
    // the trigger's properties make CloudFormation create them first.
    const tagSet = props.ec2InstanceTags;
    const waitTagged = waitAll && tagSet !== undefined;
    const tagAssociations = waitTagged ? (this.agent?.associations ?? []).filter((a) => a.node.id.startsWith('Ec2Tag')) : [];
    const associationIds = [
      ...(wait && agentAssociation ? [agentAssociation.attrAssociationId] : []),
      ...tagAssociations.map((a) => a.attrAssociationId),
    ];
    this.trigger = new DeploymentTrigger(this, 'Deploy', {
      applicationName: this.application.applicationName,
      deploymentGroupName: this.deploymentGroup.deploymentGroupName,
      deploymentConfig: this.deploymentGroup.deploymentConfig,
      revision: revision.deploymentRevision,
      deployOnCreate: true,
      timeout: props.deploymentTimeout,
      fileExistsBehavior: props.fileExistsBehavior,
      ignoreApplicationStopFailures: props.ignoreApplicationStopFailures,
      waitForAutoScalingGroups: wait ? groups : undefined,
      waitForInstanceIds: waitTagged ? Lazy.list({ produce: () => taggedInstanceIds(this, tagSet!) }) : undefined,
      agentAssociationIds: associationIds.length > 0 ? associationIds : undefined,
      description: `cdk deploy of ${this.node.path}`.slice(0, 100),
    });
    // The deployment needs the group, the service role's permissions, the instances' permissions and the agent.
    dependOn(this.trigger, this.deploymentGroup, [this.deploymentGroup.deploymentGroupName]);
    this.trigger.node.addDependency(this.role);
    for (const role of this.instanceRoles) {
      if (role instanceof Construct) {
        this.trigger.node.addDependency(role);
      }
    }
    if (this.instanceProfile) {
      this.trigger.node.addDependency(this.instanceProfile);
    }
    for (const g of groups) {
      dependOn(this.trigger, g, [g.autoScalingGroupName]);
    }
    if (this.agent) {
      dependOn(this.trigger, this.agent, associationIds);
    }

    const trafficHooks = (revision.appSpec?.hookEvents ?? []).filter((e) => TRAFFIC_EVENTS.includes(e));
    if (trafficHooks.length > 0 && loadBalancers.length === 0) {
      Annotations.of(this).addWarningV2(
        'cdk-codedeploy-patterns:trafficHooksWithoutLoadBalancer',
        `The AppSpec has scripts for ${trafficHooks.join(', ')}, which only run when the deployment group has a load balancer; this one has none, so they never run.`,
      );
    }
    if (this.alarms.length === 0) {
      Annotations.of(this).addWarningV2(
        'cdk-codedeploy-patterns:noAlarms',
        'This deployment has no alarms, so CodeDeploy can only roll back when the scripts fail. Add loadBalancers (for the default unhealthy-hosts alarm) or pass alarms.',
      );
    }
  }

  /**
   * Gives the role of instances you launch yourself what they need: read access to this group's
   * revisions, the Region's CodeDeploy resource kit and (with SYSTEMS_MANAGER) the Systems
   * Manager calls of the agent installation.
   */
  public grantInstanceRole(role: iam.IRole): void {
    grantReadRevisions(role, this.revisionBucket, this.revisionReadPattern);
    grantAgentAccess(role, this, {
      systemsManager: this.installAgent === AgentInstallation.SYSTEMS_MANAGER,
      useAwsManagedPolicy: this.useAwsManagedPolicy,
    });
  }

  /**
   * Adds an alarm to the deployment group and lets the service role read it.
   * (`deploymentGroup.addAlarm()` does the same.)
   */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
    this.deploymentGroup.addAlarm(alarm);
  }

  /** An EventBridge rule matching state changes of this deployment group's deployments. */
  public onDeploymentStateChange(id: string, options: DeploymentStateChangeOptions = {}): events.Rule {
    return deploymentStateChangeRule(this, id, this.application.applicationName, this.deploymentGroup.deploymentGroupName, options);
  }

  private createStatusCheckAlarm(groups: autoscaling.IAutoScalingGroup[], options: ServerDeploymentAlarmOptions): cloudwatch.IAlarm {
    const period = options.period ?? Duration.minutes(1);
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    groups.forEach((group, i) => {
      // EC2 publishes status checks every minute, also aggregated per Auto Scaling group.
      usingMetrics[`asg${i}`] = new cloudwatch.Metric({
        namespace: 'AWS/EC2',
        metricName: 'StatusCheckFailed',
        dimensionsMap: { AutoScalingGroupName: group.autoScalingGroupName },
        statistic: 'Maximum',
        period,
      });
    });
    const names = Object.keys(usingMetrics);
    const metric = new cloudwatch.MathExpression({
      expression: names.length === 1 ? `FILL(${names[0]}, 0)` : `MAX([${names.map((n) => `FILL(${n}, 0)`).join(', ')}])`,
      usingMetrics,
      period,
      label: 'Failed EC2 status checks (maximum over the Auto Scaling groups)',
    });
    return new cloudwatch.Alarm(this, 'StatusCheckAlarm', {
      alarmDescription: `Failed EC2 status checks of ${this.node.path}'s instances: stops and rolls back the CodeDeploy deployment`,
      metric,
      threshold: 1,
      evaluationPeriods: options.evaluationPeriods ?? 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  private createUnhealthyHostsAlarm(loadBalancers: ServerLoadBalancer[], options: ServerDeploymentAlarmOptions): cloudwatch.IAlarm {
    const period = options.period ?? Duration.minutes(1);
    const usingMetrics: Record<string, cloudwatch.IMetric> = {};
    const errors: string[] = [];
    loadBalancers.forEach((lb, i) => {
      try {
        usingMetrics[`lb${i}`] = lb._unhealthyHosts(period);
      } catch (e) {
        // aws-cdk-lib's own error names neither this construct nor a way out.
        errors.push(
          `loadBalancers[${i}]: ${lb._construct().node.path} is not attached to a load balancer (aws-cdk-lib: "${(e as Error).message}"), so it has no UnHealthyHostCount metric for the default alarm. Add it to a listener, or set defaultAlarms.unhealthyHosts to false and pass your own alarms.`,
        );
      }
    });
    throwIfErrors(this, errors);
    const names = Object.keys(usingMetrics);
    const metric = new cloudwatch.MathExpression({
      expression: names.length === 1 ? `FILL(${names[0]}, 0)` : `MAX([${names.map((n) => `FILL(${n}, 0)`).join(', ')}])`,
      usingMetrics,
      period,
      label: 'Unhealthy hosts (maximum over the load balancers)',
    });
    return new cloudwatch.Alarm(this, 'UnhealthyHostsAlarm', {
      alarmDescription: `Unhealthy hosts of ${this.node.path}: stops and rolls back the CodeDeploy deployment`,
      metric,
      threshold: options.unhealthyHostsThreshold ?? 1,
      evaluationPeriods: options.evaluationPeriods ?? 2,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}

/** The role of an Auto Scaling group's instances, when this app knows it. */
function instanceRoleOf(group: autoscaling.IAutoScalingGroup): iam.IRole | undefined {
  if (!(group instanceof autoscaling.AutoScalingGroup)) {
    return undefined;
  }
  try {
    return group.role;
  } catch {
    return undefined; // a launch template without a role
  }
}

function hasUserData(group: autoscaling.AutoScalingGroup): boolean {
  try {
    return group.userData !== undefined;
  } catch {
    return false;
  }
}

function usesLaunchTemplate(group: autoscaling.IAutoScalingGroup): boolean {
  const cfn = group.node.defaultChild as autoscaling.CfnAutoScalingGroup | undefined;
  return cfn instanceof autoscaling.CfnAutoScalingGroup && (cfn.launchTemplate !== undefined || cfn.mixedInstancesPolicy !== undefined);
}

/** Warns when another ServerDeployment of the app already deploys to this Auto Scaling group (one group per ASG is AWS's advice). */
function recordAutoScalingGroup(deployment: ServerDeployment, group: autoscaling.IAutoScalingGroup): void {
  const seen = deployment.node.root.node.findAll()
    .filter((c): c is ServerDeployment => c instanceof ServerDeployment && c !== deployment && c._autoScalingGroups.includes(group))
    .map((c) => c.node.path);
  if (seen.length > 0) {
    Annotations.of(deployment).addWarningV2(
      'cdk-codedeploy-patterns:sharedAutoScalingGroup',
      `${group.node.path} is also in the deployment group of ${seen.join(', ')}. With several deployment groups per Auto Scaling group, every launch runs all of their deployments at once, which can exceed the 5-minute event timeout; AWS recommends one deployment group per Auto Scaling group.`,
    );
  }
}

/** The stack's revision bucket, created once per stack. */
function revisionBucketOf(scope: Construct): s3.IBucket {
  return perStack(scope, 'CodeDeployPatternsRevisions', s3.Bucket, createRevisionBucket);
}

function createRevisionBucket(stack: Stack, id: string): s3.Bucket {
  const bucket = new s3.Bucket(stack, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    // Every revision stays addressable by version: rollbacks and Auto Scaling launches use earlier ones.
    versioned: true,
  });
  acknowledgeCompliance(bucket, OwnedResource.REVISION_BUCKET);
  acknowledge(
    bucket,
    'AwsSolutions-S1',
    'Holds CodeDeploy revision bundles, written only by the deployment trigger (each copy is a CloudTrail event) and read by the deployment groups\' instances; pass revisionBucket with server access logging to log every read.',
  );
  return bucket;
}

function validateServerOptions(props: ServerDeploymentProps, installAgent: AgentInstallation): string[] {
  const errors: string[] = [];
  const groups = props.autoScalingGroups ?? [];
  if (groups.length === 0 && !props.ec2InstanceTags && !props.onPremiseInstanceTags) {
    errors.push('The deployment group has no instances: give autoScalingGroups, ec2InstanceTags or onPremiseInstanceTags.');
  }
  if (groups.length > MAX_PER_KIND) {
    errors.push(`A deployment group takes at most ${MAX_PER_KIND} Auto Scaling groups; received ${groups.length}. Split them across deployment groups.`);
  }
  errors.push(...validateTagSet('ec2InstanceTags', props.ec2InstanceTags));
  errors.push(...validateTagSet('onPremiseInstanceTags', props.onPremiseInstanceTags));
  const lbs = props.loadBalancers ?? [];
  const classic = lbs.filter((l) => l.isClassic).length;
  if (classic > MAX_PER_KIND) {
    errors.push(`A deployment group takes at most ${MAX_PER_KIND} Classic Load Balancers; received ${classic}.`);
  }
  if (lbs.length - classic > MAX_PER_KIND) {
    errors.push(`A deployment group takes at most ${MAX_PER_KIND} target groups; received ${lbs.length - classic}.`);
  }
  const seen = new Set<IConstruct>();
  for (const lb of lbs) {
    if (seen.has(lb._construct())) {
      errors.push(`loadBalancers lists ${lb._construct().node.path} twice.`);
    }
    seen.add(lb._construct());
  }
  if (props.terminationHook && groups.length === 0) {
    errors.push('terminationHook installs a hook in the Auto Scaling groups, but autoScalingGroups is empty; add groups or drop terminationHook.');
  }
  if (props.outdatedInstancesStrategy && groups.length === 0) {
    errors.push('outdatedInstancesStrategy is about instances Auto Scaling launches during a deployment, but autoScalingGroups is empty; drop it.');
  }
  if (installAgent === AgentInstallation.USER_DATA) {
    const imported = groups.filter((g) => !(g instanceof autoscaling.AutoScalingGroup));
    if (groups.length === 0 || imported.length > 0) {
      errors.push(
        `installAgent USER_DATA adds user data to Auto Scaling groups defined in this app${imported.length > 0 ? `; ${imported.map((g) => g.node.path).join(', ')} is imported` : ', and there are none'}. Use SYSTEMS_MANAGER or NONE.`,
      );
    }
    for (const g of groups) {
      if (g instanceof autoscaling.AutoScalingGroup && !hasUserData(g)) {
        errors.push(
          `installAgent USER_DATA: the launch template of ${g.node.path} has no user data to add the agent installation to. Give the launch template userData (ec2.UserData.forLinux()), or use SYSTEMS_MANAGER.`,
        );
      }
    }
  }
  if (props.agentUpdateSchedule && installAgent !== AgentInstallation.SYSTEMS_MANAGER) {
    errors.push(`agentUpdateSchedule applies to installAgent SYSTEMS_MANAGER; installAgent is ${installAgent}. Drop one of the two.`);
  }
  if (props.instanceRoles && props.instanceRoles.length === 0) {
    errors.push('instanceRoles is empty; omit it to get an instance profile for tagged instances, or list the roles.');
  }
  errors.push(...validateDeploymentConfig(props));
  return errors;
}

function validateTagSet(prop: string, tagSet: codedeploy.InstanceTagSet | undefined): string[] {
  if (!tagSet) {
    return [];
  }
  const errors: string[] = [];
  const groups = tagSet.instanceTagGroups;
  if (groups.length === 0) {
    errors.push(`${prop} has no tag groups; give at least one tag or omit it.`);
  }
  if (groups.length > MAX_TAG_GROUPS) {
    errors.push(`${prop} has ${groups.length} tag groups; CodeDeploy allows at most ${MAX_TAG_GROUPS}.`);
  }
  groups.forEach((group, i) => {
    const entries = Object.entries(group);
    const count = entries.reduce((n, [, values]) => n + Math.max(1, values.length), 0);
    if (count === 0) {
      errors.push(`${prop} tag group ${i + 1} is empty; remove it or add a tag.`);
    }
    if (count > MAX_TAGS_PER_GROUP) {
      errors.push(`${prop} tag group ${i + 1} has ${count} tags; CodeDeploy allows at most ${MAX_TAGS_PER_GROUP} per group.`);
    }
    for (const [key, values] of entries) {
      if (!Token.isUnresolved(key) && key.length > MAX_TAG_KEY) {
        errors.push(`${prop}: tag key "${key.slice(0, 40)}..." is ${key.length} characters; at most ${MAX_TAG_KEY}.`);
      }
      if (key === '' && values.length === 0) {
        errors.push(`${prop} tag group ${i + 1} has a tag with neither key nor value.`);
      }
      for (const v of values) {
        if (!Token.isUnresolved(v) && v.length > MAX_TAG_VALUE) {
          errors.push(`${prop}: the value of tag "${key}" is ${v.length} characters; at most ${MAX_TAG_VALUE}.`);
        }
      }
    }
  });
  return errors;
}

/** Checks a custom `ServerDeploymentConfig` defined in this app (predefined ones are always valid). */
function validateDeploymentConfig(props: ServerDeploymentProps): string[] {
  const config = props.deploymentConfig as unknown as IConstruct | undefined;
  let cfn: codedeploy.CfnDeploymentConfig | undefined;
  try {
    cfn = config?.node?.defaultChild as codedeploy.CfnDeploymentConfig | undefined;
  } catch {
    return []; // predefined configurations have no construct tree
  }
  if (!(cfn instanceof codedeploy.CfnDeploymentConfig)) {
    return [];
  }
  const errors: string[] = [];
  const where = `deploymentConfig ${config!.node.path}`;
  const mhh = cfn.minimumHealthyHosts as codedeploy.CfnDeploymentConfig.MinimumHealthyHostsProperty | undefined;
  errors.push(...validateHealthyHosts(`${where}: minimumHealthyHosts`, mhh));
  const zonal = cfn.zonalConfig as codedeploy.CfnDeploymentConfig.ZonalConfigProperty | undefined;
  if (zonal && !Token.isUnresolved(zonal)) {
    if (props.onPremiseInstanceTags) {
      errors.push(`${where} has a zonal configuration, which CodeDeploy supports for EC2 instances only; this group also deploys to on-premises instances. Use a configuration without zonalConfig.`);
    }
    for (const [name, value] of [
      ['monitorDuration', zonal.monitorDurationInSeconds],
      ['firstZoneMonitorDuration', zonal.firstZoneMonitorDurationInSeconds],
    ] as Array<[string, unknown]>) {
      if (typeof value === 'number' && (!Number.isInteger(value) || value < 0)) {
        errors.push(`${where}: zonalConfig.${name} must be a whole number of seconds, 0 or more; received ${value} seconds.`);
      }
    }
    errors.push(
      ...validateHealthyHosts(
        `${where}: zonalConfig.minimumHealthyHostsPerZone`,
        zonal.minimumHealthyHostsPerZone as codedeploy.CfnDeploymentConfig.MinimumHealthyHostsPerZoneProperty | undefined,
      ),
    );
  }
  return errors;
}

function validateHealthyHosts(where: string, mhh: { type: string; value: number } | undefined): string[] {
  if (!mhh || Token.isUnresolved(mhh) || Token.isUnresolved(mhh.value)) {
    return [];
  }
  if (mhh.type === 'HOST_COUNT' && (!Number.isInteger(mhh.value) || mhh.value < 0)) {
    return [`${where} by host count must be a whole number, 0 or more; received ${mhh.value}.`];
  }
  if (mhh.type === 'FLEET_PERCENT' && (!Number.isInteger(mhh.value) || mhh.value < 0 || mhh.value > 100)) {
    return [`${where} as a fleet percentage must be a whole number from 0 to 100; received ${mhh.value}.`];
  }
  if (mhh.type === 'FLEET_PERCENT' && mhh.value === 100) {
    return [`${where} of 100 % leaves no instance to update, so every deployment fails at once; use at most 99.`];
  }
  return [];
}

/**
 * A custom configuration that keeps at least as many hosts healthy as the Auto Scaling groups have
 * at their minimum size cannot update any instance while the groups run at that size: CodeDeploy
 * fails such a deployment at once (user guide, minimum healthy hosts). Known only when every
 * instance source is an Auto Scaling group of this app with a literal minimum size.
 */
function warnHealthyHostsAboveFleet(scope: Construct, props: ServerDeploymentProps): void {
  let cfn: unknown;
  try {
    cfn = (props.deploymentConfig as unknown as Construct | undefined)?.node?.defaultChild;
  } catch {
    return; // predefined configurations have no construct tree
  }
  const groups = props.autoScalingGroups ?? [];
  if (!(cfn instanceof codedeploy.CfnDeploymentConfig) || groups.length === 0 || props.ec2InstanceTags || props.onPremiseInstanceTags) {
    return;
  }
  const mhh = cfn.minimumHealthyHosts as codedeploy.CfnDeploymentConfig.MinimumHealthyHostsProperty | undefined;
  if (!mhh || Token.isUnresolved(mhh) || mhh.type !== 'HOST_COUNT' || Token.isUnresolved(mhh.value)) {
    return;
  }
  let fleet = 0;
  for (const group of groups) {
    const min = (group.node.defaultChild as autoscaling.CfnAutoScalingGroup | undefined)?.minSize;
    if (min === undefined || Token.isUnresolved(min) || !/^\d+$/.test(min)) {
      return;
    }
    fleet += Number(min);
  }
  if (mhh.value >= fleet) {
    Annotations.of(scope).addWarningV2(
      'cdk-codedeploy-patterns:minimumHealthyHostsTooHigh',
      `The deployment configuration keeps ${mhh.value} hosts healthy, but the Auto Scaling groups' minimum size adds up to ${fleet}: at that size CodeDeploy cannot take any instance out and fails the deployment. Lower minimumHealthyHosts below ${fleet} or raise the groups' minimum capacity.`,
    );
  }
}

/**
 * IDs of the EC2 instances of the scope's stack that a CodeDeploy tag set selects: every tag group
 * matches (groups are AND-ed), a group matches when one of its filters does (key and value, key
 * only when the values are empty, value only when the key is empty).
 */
function taggedInstanceIds(scope: IConstruct, tagSet: codedeploy.InstanceTagSet): string[] {
  const matches = (tags: Record<string, string>) => tagSet.instanceTagGroups.every((group) =>
    Object.entries(group).some(([key, values]) => {
      if (key === '') {
        return Object.values(tags).some((v) => values.includes(v));
      }
      return key in tags && (values.length === 0 || values.includes(tags[key]));
    }));
  return Stack.of(scope).node.findAll()
    .filter((c): c is ec2.CfnInstance => c instanceof ec2.CfnInstance && Stack.of(c) === Stack.of(scope))
    .filter((i) => matches(i.tags.tagValues()))
    .map((i) => i.ref);
}
