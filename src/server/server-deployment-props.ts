import { Duration, Stack } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as elb from 'aws-cdk-lib/aws-elasticloadbalancing';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { ServerRevision } from './server-revision';
import { AgentMajorVersion } from '../common/agent-version';
import { DefaultAlarmTuning, DeploymentGroupOptions } from '../common/deployment-options';
import { DeploymentSource } from '../common/deployment-source';
import { FileExistsBehavior } from '../trigger/deployment-trigger';

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

/**
 * An Amazon EC2 Auto Scaling process CodeDeploy can suspend in the deployment group's Auto Scaling
 * groups while an in-place deployment runs (the values `EC2DeploymentOptions` accepts, case-sensitive).
 * CodeDeploy resumes them when the deployment succeeds, fails or is stopped.
 */
export enum AutoScalingProcess {
  /** Scale-in and the replacement of unhealthy instances cannot terminate an instance in the middle of its update. */
  TERMINATE = 'Terminate',
  /** Rebalancing across Availability Zones cannot move instances while they are updated. */
  AZ_REBALANCE = 'AZRebalance',
  /** An instance refresh cannot replace instances while they are updated. */
  INSTANCE_REFRESH = 'InstanceRefresh',
  /** Scheduled actions do not run; one whose start time falls in the deployment is skipped, not run afterwards. */
  SCHEDULED_ACTIONS = 'ScheduledActions',
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
export interface ServerDeploymentAlarmOptions extends DefaultAlarmTuning {
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
}

/** Construction properties for `ServerDeployment`. */
export interface ServerDeploymentProps extends DeploymentGroupOptions {
  /**
   * The application revision to deploy on every `cdk deploy` that changes it (with `CDK_DEPLOY`).
   *
   * @default - none; required with `DeploymentSource.CDK_DEPLOY`, not allowed with `PIPELINE` (the pipeline supplies revisions)
   */
  readonly revision?: ServerRevision;

  /**
   * Who deploys revisions: `cdk deploy` (the pattern's trigger) or a pipeline. With `PIPELINE` the
   * pattern creates no trigger and deploys nothing; give the pipeline's CodeDeploy action
   * `deploymentGroup`, and let the instances read the pipeline's artifacts with
   * `grantReadPipelineArtifacts(bucket)`.
   *
   * @default DeploymentSource.CDK_DEPLOY
   */
  readonly deploymentSource?: DeploymentSource;

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
   * Auto Scaling processes CodeDeploy suspends in `autoScalingGroups` while a deployment runs, so
   * that scaling cannot terminate, move or replace instances in the middle of their update. The
   * service role gets `autoscaling:SuspendProcesses` and `autoscaling:ResumeProcesses` on exactly
   * these groups. Launches are never suspended: instances that start during the deployment get a
   * revision according to `outdatedInstancesStrategy`. The README's "Auto Scaling during deployments"
   * says which to choose.
   *
   * @default - none: scaling goes on during deployments (CodeDeploy's default)
   */
  readonly suspendAutoScalingProcesses?: AutoScalingProcess[];

  /**
   * How the CodeDeploy agent is installed.
   *
   * @default AgentInstallation.SYSTEMS_MANAGER
   */
  readonly installAgent?: AgentInstallation;

  /**
   * The major version of the CodeDeploy agent to install, with SYSTEMS_MANAGER (its Systems Manager
   * package) or USER_DATA (its installer; V2 on Linux only). Instances keep the major version they
   * were installed with: changing it later installs the other one only where the installation runs again.
   *
   * @default AgentMajorVersion.V1 (available in every Region; the README says when to choose V2)
   */
  readonly agentMajorVersion?: AgentMajorVersion;

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
