import { Annotations, Names } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CodeDeployAgent } from './codedeploy-agent';
import { AgentInstallation, ServerDeploymentProps } from './server-deployment-props';
import {
  autoScalingInstanceRoles,
  grantServerPlatform,
  instanceWaits,
  planServerDeployment,
  ServerPlan,
  revisionBucketOf,
  serverDefaultAlarms,
  warnHealthyHostsAboveFleet,
  warnServerChoices,
} from './server-deployment-rules';
import { AgentMajorVersion } from '../common/agent-version';
import { DeploymentSource } from '../common/deployment-source';
import { AgentInstanceProfile } from '../iam/agent-instance-profile';
import { CodeDeployServiceRole, ComputePlatform } from '../iam/codedeploy-service-role';
import { agentV2LinuxCommands } from '../private/agent-install';
import { dependOn } from '../private/dependencies';
import { GrantingServerDeploymentGroup } from '../private/granting-groups';
import { grantAgentAccess, grantReadPipelineArtifacts, grantReadRevisions } from '../private/instance-permissions';
import { setProcessesToSuspend } from '../private/newer-cfn-properties';
import { DeploymentPatternBase, PatternGroupBasics } from '../private/pattern/deployment-pattern';
import { DeploymentTrigger } from '../trigger/deployment-trigger';

/**
 * An application deployed to EC2 instances and on-premises servers by AWS CodeDeploy, in one
 * construct: the application and deployment group (Auto Scaling groups, tags, load balancers)
 * with a least-privilege service role, alarms and rollback; the revision (a local folder with
 * its `appspec.yml`, zipped, copied to a private revision bucket); the CodeDeploy agent installed
 * and kept current by Systems Manager; instance roles allowed to read exactly the group's
 * revisions; and a real deployment of the revision on every `cdk deploy` that changes it.
 */
export class ServerDeployment extends DeploymentPatternBase {
  /** The CodeDeploy application. */
  public readonly application: codedeploy.IServerApplication;
  /** The CodeDeploy deployment group. */
  public readonly deploymentGroup: codedeploy.ServerDeploymentGroup;
  /** The bucket the revision is deployed from (the revision bucket, or the bucket of a prebuilt bundle); none with `PIPELINE`. */
  public readonly revisionBucket?: s3.IBucket;
  /** The trigger that deploys on `cdk deploy`; none with `PIPELINE`. */
  public readonly trigger?: DeploymentTrigger;
  /** Who deploys revisions to this deployment group. */
  public readonly deploymentSource: DeploymentSource;
  /** The Systems Manager agent installation, with SYSTEMS_MANAGER. */
  public readonly agent?: CodeDeployAgent;
  /** The instance profile created for tagged instances (launch your instances with it). */
  public readonly instanceProfile?: AgentInstanceProfile;
  /** Every instance role that got the grants. */
  public readonly instanceRoles: iam.IRole[];

  /** The Auto Scaling groups this deployment group deploys to. @internal */
  public readonly _autoScalingGroups: autoscaling.IAutoScalingGroup[];

  private readonly revisionReadPattern?: string;
  private readonly pipelineArtifactBuckets: s3.IBucket[] = [];
  private readonly installAgent: AgentInstallation;
  private readonly useAwsManagedPolicy: boolean;
  private readonly agentMajorVersion: AgentMajorVersion;

  constructor(scope: Construct, id: string, props: ServerDeploymentProps) {
    super(scope, id);
    const plan = planServerDeployment(props);
    this.node.addValidation({ validate: plan.targetTypeProblems });
    this._validate(props, plan.defaultAlarmCount, plan.errors);
    this.installAgent = plan.installAgent;
    this.useAwsManagedPolicy = props.useAwsManagedPolicy ?? false;
    this.agentMajorVersion = plan.agentMajorVersion;
    const groups = plan.autoScalingGroups;
    this._autoScalingGroups = [...groups];
    this.deploymentSource = plan.deploymentSource;

    const parts = this._assemble({
      platform: ComputePlatform.SERVER,
      options: props,
      application: props.application,
      newApplication: (s, name) => new codedeploy.ServerApplication(s, name),
      defaultAlarms: () => serverDefaultAlarms(this, plan, props.defaultAlarms ?? {}),
      deploymentGroup: (basics) => this.createDeploymentGroup(basics, plan, props),
      riskyConfigName: (group) => (this._emergency ? undefined : group.deploymentConfig.deploymentConfigName),
      grants: (role, managed) => grantServerPlatform(this, role, managed, plan),
    });
    this.application = parts.application;
    this.deploymentGroup = parts.deploymentGroup;
    warnHealthyHostsAboveFleet(this, props);

    // Revision: copied to (or already in) a bucket the instances may read, under this group's prefix.
    // With PIPELINE there is none: the pipeline's artifacts are the revisions (grantReadPipelineArtifacts).
    const revision = props.revision?.bind(this, {
      revisionBucket: props.revision.needsRevisionBucket ? props.revisionBucket ?? revisionBucketOf(this) : props.revisionBucket,
      keyPrefix: `CodeDeploy/${Names.uniqueResourceName(this, { maxLength: 64, separator: '-' })}/`,
    });
    this.revisionReadPattern = revision?.instanceReadPattern;
    this.revisionBucket = revision?.bucket;

    // Instance roles: the groups' roles, the user's, or a new instance profile for tagged instances.
    this.instanceProfile = props.ec2InstanceTags && !props.instanceRoles ? this.createInstanceProfile() : undefined;
    this.instanceRoles = this.grantInstanceRoles(groups, props.instanceRoles ?? []);
    if (this.installAgent === AgentInstallation.SYSTEMS_MANAGER) {
      this.agent = new CodeDeployAgent(this, 'Agent', {
        majorVersion: plan.agentMajorVersion,
        autoScalingGroups: groups,
        ec2InstanceTags: props.ec2InstanceTags,
        onPremiseInstanceTags: props.onPremiseInstanceTags,
        updateSchedule: props.agentUpdateSchedule,
      });
    } else if (this.installAgent === AgentInstallation.USER_DATA && plan.agentMajorVersion === AgentMajorVersion.V2) {
      // aws-cdk-lib's installAgent writes the 1.x (Ruby) installer; 2.x gets the guide's latestv2 installer.
      groups.forEach((g) => (g as autoscaling.AutoScalingGroup).userData.addCommands(...agentV2LinuxCommands()));
    }

    warnServerChoices(this, revision?.appSpec?.hookEvents ?? [], plan);
    this._warnIfNoAlarms(
      'This deployment has no alarms, so CodeDeploy can only roll back when the scripts fail. Add loadBalancers (for the default unhealthy-hosts alarm) or pass alarms.',
    );
    if (!revision) {
      return; // PIPELINE: no deployment from cdk deploy (validated: CDK_DEPLOY has a revision).
    }
    const waits = instanceWaits(this, props, this.agent);
    const trigger = this._deployOnUpdate({
      deploymentConfig: this.deploymentGroup.deploymentConfig,
      revision: revision.deploymentRevision,
      deployOnCreate: true,
      timeout: props.deploymentTimeout,
      fileExistsBehavior: props.fileExistsBehavior,
      ignoreApplicationStopFailures: props.ignoreApplicationStopFailures,
      ...waits,
    });
    this.trigger = trigger;
    // The deployment needs the instances' permissions, their groups and the agent too.
    this.instanceRoles.filter((role) => role instanceof Construct).forEach((role) => trigger.node.addDependency(role));
    if (this.instanceProfile) {
      trigger.node.addDependency(this.instanceProfile);
    }
    groups.forEach((g) => dependOn(trigger, g, [g.autoScalingGroupName]));
    if (this.agent) {
      dependOn(trigger, this.agent, waits.agentAssociationIds ?? []);
    }
  }

  private createDeploymentGroup(basics: PatternGroupBasics<codedeploy.IServerApplication>, plan: ServerPlan, props: ServerDeploymentProps) {
    const group = new GrantingServerDeploymentGroup(this, 'DeploymentGroup', {
      ...basics,
      managedPolicy: basics.grantRole instanceof CodeDeployServiceRole && basics.grantRole.usesAwsManagedPolicy,
      suspendsProcesses: plan.suspendedProcesses.length > 0,
      // The emergency switch updates every instance at once (src/private/emergency.ts).
      deploymentConfig: this._emergency ? codedeploy.ServerDeploymentConfig.ALL_AT_ONCE : props.deploymentConfig,
      autoScalingGroups: plan.autoScalingGroups,
      installAgent: plan.installAgent === AgentInstallation.USER_DATA && plan.agentMajorVersion === AgentMajorVersion.V1,
      loadBalancers: plan.loadBalancers.length > 0 ? plan.loadBalancers.map((lb) => lb._loadBalancer()) : undefined,
      ec2InstanceTags: props.ec2InstanceTags,
      onPremiseInstanceTags: props.onPremiseInstanceTags,
      terminationHook: props.terminationHook,
    });
    const cfn = group.node.defaultChild as codedeploy.CfnDeploymentGroup;
    if (props.outdatedInstancesStrategy) {
      cfn.outdatedInstancesStrategy = props.outdatedInstancesStrategy;
    }
    setProcessesToSuspend(cfn, plan.suspendedProcesses);
    // CodeDeploy installs its lifecycle hooks in the groups and reads the load balancers when the group is created.
    plan.autoScalingGroups.forEach((g) => dependOn(group, g, [g.autoScalingGroupName]));
    return group;
  }

  /** An instance profile for tagged instances, allowed to read this group's revisions. */
  private createInstanceProfile(): AgentInstanceProfile {
    const profile = new AgentInstanceProfile(this, 'InstanceProfile', {
      systemsManager: this.installAgent === AgentInstallation.SYSTEMS_MANAGER,
      useAwsManagedPolicy: this.useAwsManagedPolicy,
      agentMajorVersion: this.agentMajorVersion,
    });
    if (this.revisionBucket && this.revisionReadPattern) {
      profile.grantReadRevisions(this.revisionBucket, this.revisionReadPattern);
    }
    return profile;
  }

  /** Grants the Auto Scaling groups' roles and the user's; warns about groups whose role is unknown. */
  private grantInstanceRoles(groups: autoscaling.IAutoScalingGroup[], userRoles: iam.IRole[]): iam.IRole[] {
    const known = autoScalingInstanceRoles(groups);
    groups.forEach((g) => recordAutoScalingGroup(this, g));
    const roles = [...new Set([...known.roles, ...userRoles])];
    roles.forEach((role) => this.grantInstanceRole(role));
    if (known.unknown.length > 0) {
      Annotations.of(this).addWarningV2(
        'cdk-codedeploy-patterns:unknownInstanceRole',
        `The instance role of ${known.unknown.join(', ')} is unknown (imported group); call grantInstanceRole() with it, or the instances cannot download revisions.`,
      );
    }
    return roles;
  }

  /**
   * Gives the role of instances you launch yourself what they need: read access to this group's
   * revisions, the Region's CodeDeploy resource kit and (with SYSTEMS_MANAGER) the Systems
   * Manager calls of the agent installation.
   */
  public grantInstanceRole(role: iam.IRole): void {
    if (this.revisionBucket && this.revisionReadPattern) {
      grantReadRevisions(role, this.revisionBucket, this.revisionReadPattern);
    }
    this.pipelineArtifactBuckets.forEach((bucket) => grantReadPipelineArtifacts(role, bucket));
    grantAgentAccess(role, this, {
      systemsManager: this.installAgent === AgentInstallation.SYSTEMS_MANAGER,
      useAwsManagedPolicy: this.useAwsManagedPolicy,
      agentMajorVersion: this.agentMajorVersion,
    });
  }

  /**
   * Lets every instance of this deployment group read a pipeline's artifact bucket: the groups'
   * roles, the roles given in `instanceRoles`, the instance profile for tagged instances, and roles
   * granted later with `grantInstanceRole`. CodeDeploy has the instances download the pipeline's
   * revisions from it, also when Auto Scaling launches an instance later (aws-cdk-lib's
   * CodeDeploy action grants only the Auto Scaling groups).
   *
   * @param bucket the pipeline's artifact bucket (`pipeline.artifactBucket`)
   */
  public grantReadPipelineArtifacts(bucket: s3.IBucket): void {
    this.pipelineArtifactBuckets.push(bucket);
    const roles = [...this.instanceRoles, ...(this.instanceProfile ? [this.instanceProfile.role] : [])];
    [...new Set(roles)].forEach((role) => grantReadPipelineArtifacts(role, bucket));
  }
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
