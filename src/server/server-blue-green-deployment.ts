import { createHash } from 'crypto';
import { Annotations, ArnFormat, CfnResource, CustomResource, Duration, Fn, Lazy, Names, Stack, Tags, Token } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { CodeDeployAgent } from './codedeploy-agent';
import { ServerDeploymentAlarmOptions, ServerLoadBalancer } from './server-deployment-props';
import { revisionBucketOf, serverDefaultAlarms } from './server-deployment-rules';
import { ServerRevision } from './server-revision';
import { AgentMajorVersion } from '../common/agent-version';
import { DeploymentNotification } from '../common/deployment-options';
import { DeploymentSource } from '../common/deployment-source';
import { CodeDeployServiceRole, ComputePlatform } from '../iam/codedeploy-service-role';
import { dependOn } from '../private/dependencies';
import { grantNotifications, notificationTriggers, validateSharedOptions } from '../private/deployment-group';
import { emergencyDescription, emergencyFor, markEmergency } from '../private/emergency';
import { grantAgentAccess, grantReadRevisions } from '../private/instance-permissions';
import { acknowledge, wildcardResourceFinding } from '../private/nag';
import { grantStatements, serverAutoScalingStatements } from '../private/permissions';
import { throwIfErrors, validateDeploymentGroupName } from '../private/validation';
import { DeploymentTrigger } from '../trigger/deployment-trigger';
import { TriggerProvider } from '../trigger/trigger-provider';

/** The resource type the trigger function answers with the blue/green deployment group (src/trigger/server-blue-green-group.ts). */
const GROUP_RESOURCE_TYPE = 'Custom::CodeDeployServerBlueGreenGroup';

/** The tag of every generation of a fleet (its value: the fleet's name prefix). */
const FLEET_TAG = 'cdk-codedeploy-patterns:fleet';

/** Construction properties for `ServerBlueGreenDeployment`. */
export interface ServerBlueGreenDeploymentProps {
  /** The revision every `cdk deploy` deploys, to a new fleet. */
  readonly revision: ServerRevision;

  /** The VPC of the fleet. */
  readonly vpc: ec2.IVpc;

  /**
   * Where the fleet's instances run.
   *
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * The launch template of the fleet's instances. It must have a role (`role`), which gets the
   * revision's and the agent's permissions. Each new version of it (a new AMI, say) is deployed
   * blue/green too.
   */
  readonly launchTemplate: ec2.LaunchTemplate;

  /**
   * The load balancers (1 to 10 Classic Load Balancers and 1 to 10 target groups of target type
   * instance) traffic moves on; CodeDeploy registers the new fleet and deregisters the old one.
   */
  readonly loadBalancers: ServerLoadBalancer[];

  /**
   * The fleet's minimum size; a new fleet starts the deployment at the live fleet's size.
   *
   * @default 2
   */
  readonly minCapacity?: number;

  /**
   * The fleet's maximum size (at least the live fleet's size at each deployment).
   *
   * @default - twice minCapacity
   */
  readonly maxCapacity?: number;

  /**
   * Auto Scaling notifications of the fleet (every generation): launches, terminations and their errors.
   *
   * @default - none
   */
  readonly fleetNotifications?: autoscaling.NotificationConfiguration[];

  /**
   * How traffic moves to the new fleet's instances (the original fleet is deregistered at once).
   *
   * @default ServerDeploymentConfig.HALF_AT_A_TIME
   */
  readonly deploymentConfig?: codedeploy.IServerDeploymentConfig;

  /**
   * More alarms that stop a deployment and roll it back (traffic goes back to the original fleet).
   *
   * @default - only the default alarms
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * The alarms the pattern defines: unhealthy hosts over the load balancers, and failed status
   * checks of the fleet's instances (the alarm follows each new fleet: it watches the fleet being
   * deployed to).
   *
   * @default - both, 2 periods of 1 minute
   */
  readonly defaultAlarms?: ServerDeploymentAlarmOptions;

  /**
   * SNS notifications (CodeDeploy triggers) for deployment events; at most 10 (as on every pattern).
   *
   * @default - no notifications
   */
  readonly notifications?: DeploymentNotification[];

  /**
   * Where deployments come from. Only `CDK_DEPLOY`: CodePipeline's CodeDeploy action cannot name
   * the new fleet a blue/green deployment targets.
   *
   * @default DeploymentSource.CDK_DEPLOY
   */
  readonly deploymentSource?: DeploymentSource;

  /**
   * The CodeDeploy agent's major version, installed through Systems Manager.
   *
   * @default AgentMajorVersion.V1
   */
  readonly agentMajorVersion?: AgentMajorVersion;

  /**
   * Name of the deployment group.
   *
   * @default - generated from the construct path
   */
  readonly deploymentGroupName?: string;
}

/**
 * EC2 blue/green on `cdk deploy`, without a resource CloudFormation does not know
 * (design B2 of the design study): the fleet's Auto Scaling group is replaced by CloudFormation for
 * each new revision or launch-template version; the deployment group (a custom resource, since
 * CloudFormation cannot declare an EC2 blue/green group) discovers the new fleet; the trigger sizes
 * it like the live one, keeps scaling from changing either fleet, deploys to it, and moves the group
 * to it on success; CloudFormation's cleanup then deletes the old fleet. The first deployment (no
 * original fleet yet) runs in place, then the group becomes blue/green.
 *
 * CodeDeploy never creates, deletes or terminates anything here, so its role has none of the
 * copy actions. Not for CodePipeline: the pipeline's CodeDeploy action cannot name the new fleet.
 *
 * @experimental the behaviours the design study lists for a first real deployment (E1, E2, E5, E6, E8, E10, E12) are not yet verified on an account
 */
export class ServerBlueGreenDeployment extends Construct {
  /** The CodeDeploy application. */
  public readonly application: codedeploy.IServerApplication;

  /** The deployment group (a custom resource), typed for aws-cdk-lib's APIs. */
  public readonly deploymentGroup: codedeploy.IServerDeploymentGroup;

  /** The fleet: one Auto Scaling group per revision and launch-template version (its name changes with them). */
  public readonly fleet: autoscaling.AutoScalingGroup;

  /** The service role CodeDeploy uses. */
  public readonly role: iam.IRole;

  /** The trigger that deploys on `cdk deploy`. */
  public readonly trigger: DeploymentTrigger;

  /** The bucket the revision is deployed from. */
  public readonly revisionBucket: s3.IBucket;

  /** Every alarm that stops a deployment: the default ones and `alarms`. */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: ServerBlueGreenDeploymentProps) {
    super(scope, id);
    const minCapacity = props.minCapacity ?? 2;
    const maxCapacity = props.maxCapacity ?? Math.max(minCapacity * 2, 1);
    // The emergency switch (src/private/emergency.ts): every new instance at once, alarms ignored.
    const emergency = emergencyFor(this);
    throwIfErrors(this, [...emergency.errors, ...validate(props, minCapacity, maxCapacity)]);
    const instanceRole = props.launchTemplate.role!;
    const stack = Stack.of(this);
    const unique = Names.uniqueResourceName(this, { maxLength: 60, separator: '-' });
    const groupName = props.deploymentGroupName ?? unique;
    const deploymentConfig = emergency.emergency
      ? codedeploy.ServerDeploymentConfig.ALL_AT_ONCE
      : props.deploymentConfig ?? codedeploy.ServerDeploymentConfig.HALF_AT_A_TIME;

    const application = new codedeploy.ServerApplication(this, 'Application');
    this.application = application;

    // The revision: a local folder goes to the stack's revision bucket under this group's prefix;
    // a bundle already in S3 is deployed from where it is (no revision bucket is created for it).
    const revision = props.revision.bind(this, {
      revisionBucket: props.revision.needsRevisionBucket ? revisionBucketOf(this) : undefined,
      keyPrefix: `CodeDeploy/${unique}/`,
    });
    this.revisionBucket = revision.bucket;

    // The fleet: its name carries the revision and the launch template's version, so either
    // change makes CloudFormation create a new group and delete the old one after the update.
    const fleetPrefix = `${unique}-fleet`;
    const revisionKey = Lazy.string({ produce: () => shortHash(JSON.stringify(stack.resolve(revision.deploymentRevision._properties()))) });
    this.fleet = new autoscaling.AutoScalingGroup(this, 'Fleet', {
      vpc: props.vpc,
      vpcSubnets: props.vpcSubnets,
      launchTemplate: props.launchTemplate,
      minCapacity,
      maxCapacity,
      notifications: props.fleetNotifications,
      autoScalingGroupName: Fn.join('-', [fleetPrefix, revisionKey, props.launchTemplate.latestVersionNumber]),
    });
    // Every generation carries the fleet's tag: the trigger finds generations a failed cleanup left behind.
    Tags.of(this.fleet).add(FLEET_TAG, fleetPrefix, { applyToLaunchedInstances: false });
    const fleetArns = stack.formatArn({
      service: 'autoscaling',
      resource: 'autoScalingGroup',
      resourceName: `*:autoScalingGroupName/${fleetPrefix}-*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });

    const defaultAlarms = serverDefaultAlarms(this, {
      unhealthyHostsAlarm: (props.defaultAlarms?.unhealthyHosts ?? true) && props.loadBalancers.length > 0,
      statusCheckAlarm: props.defaultAlarms?.instanceStatusChecks ?? true,
      loadBalancers: props.loadBalancers,
      autoScalingGroups: [this.fleet],
    }, props.defaultAlarms ?? {});
    this.alarms = [...defaultAlarms, ...(props.alarms ?? [])];
    const alarms = this.alarms;

    // Instances: read the revisions, install the agent through Systems Manager.
    grantReadRevisions(instanceRole, revision.bucket, revision.instanceReadPattern);
    grantAgentAccess(instanceRole, this, { systemsManager: true, useAwsManagedPolicy: false, agentMajorVersion: props.agentMajorVersion });
    const agent = new CodeDeployAgent(this, 'Agent', { autoScalingGroups: [this.fleet], majorVersion: props.agentMajorVersion });

    // CodeDeploy's role: lifecycle hooks on every generation of the fleet, registration with the
    // load balancers, launch-template instances (user guide), the alarms. No copy actions.
    const role = new CodeDeployServiceRole(this, 'ServiceRole', { computePlatform: ComputePlatform.SERVER, applicationName: application.applicationName });
    grantStatements(role, serverAutoScalingStatements(this, [`${fleetPrefix}-*`]));
    role.grantLoadBalancerRegistration(
      props.loadBalancers.flatMap((lb) => lb._classicLoadBalancerArns(this)),
      props.loadBalancers.flatMap((lb) => lb._targetGroupArns()),
    );
    role.grantLaunchTemplateInstances(instanceRole);
    role.grantReadAlarms(alarms);
    grantNotifications(role, props.notifications ?? []);
    this.role = role;

    // The deployment group: a custom resource answered by the stack's trigger function.
    const provider = TriggerProvider.of(this);
    const groupArn = stack.formatArn({
      service: 'codedeploy',
      resource: 'deploymentgroup',
      resourceName: `${application.applicationName}/${groupName}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    provider.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'codedeploy:CreateDeploymentGroup',
        'codedeploy:UpdateDeploymentGroup',
        'codedeploy:DeleteDeploymentGroup',
        'codedeploy:GetDeploymentGroup',
        // Which instances a deployment installed on (ListDeploymentInstances; ListDeploymentTargets is authorized only on *).
        'codedeploy:ListDeploymentInstances',
      ],
      resources: [groupArn],
    }));
    provider.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [role.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'codedeploy.amazonaws.com' } },
    }));
    // The trigger's fleet steps: size the new fleet, suspend and resume processes on every generation,
    // replace instances launched into the new fleet during the deployment, and delete a generation a
    // failed cleanup left behind (never the live one or the new one).
    provider.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: [
        'autoscaling:UpdateAutoScalingGroup',
        'autoscaling:SuspendProcesses',
        'autoscaling:ResumeProcesses',
        'autoscaling:DeleteAutoScalingGroup',
        'autoscaling:TerminateInstanceInAutoScalingGroup',
      ],
      resources: [fleetArns],
    }));
    acknowledge(
      provider.role,
      wildcardResourceFinding(provider.role, fleetArns),
      'The fleet\'s Auto Scaling group is replaced for every revision (its name ends in the revision and launch-template version) and Auto Scaling generates the group ID in its ARN; the trigger sizes the new fleet, suspends and resumes processes, and deletes generations a failed cleanup left behind, on this fleet\'s generations only (the name prefix).',
    );
    const loadBalancers = props.loadBalancers.map((lb) => lb._loadBalancer());
    const group = new CustomResource(this, 'DeploymentGroup', {
      serviceToken: provider.function.functionArn,
      resourceType: GROUP_RESOURCE_TYPE,
      serviceTimeout: Duration.minutes(5),
      properties: {
        ApplicationName: application.applicationName,
        DeploymentGroupName: groupName,
        ServiceRoleArn: role.roleArn,
        DeploymentConfigName: deploymentConfig.deploymentConfigName,
        FleetAutoScalingGroupName: this.fleet.autoScalingGroupName,
        TargetGroupNames: loadBalancers.filter((lb) => lb.generation === codedeploy.LoadBalancerGeneration.SECOND).map((lb) => lb.name),
        ClassicLoadBalancerNames: loadBalancers.filter((lb) => lb.generation === codedeploy.LoadBalancerGeneration.FIRST).map((lb) => lb.name),
        AlarmNames: alarms.map((a) => a.alarmName),
        // An emergency deploys even while an alarm fires (the alarms stay listed, CodeDeploy ignores them).
        IgnoreAlarms: emergency.emergency ? 'true' : 'false',
        AutoRollbackEvents: [
          'DEPLOYMENT_FAILURE',
          'DEPLOYMENT_STOP_ON_REQUEST',
          ...(alarms.length > 0 ? ['DEPLOYMENT_STOP_ON_ALARM'] : []),
        ],
        TerminationHook: false,
        OutdatedInstancesStrategy: 'UPDATE',
        TriggerConfigurations: notificationTriggers(props.notifications ?? []).map((t) => ({
          TriggerName: t.triggerName,
          TriggerTargetArn: t.triggerTargetArn,
          TriggerEvents: t.triggerEvents,
        })),
      },
    });
    // CreateDeploymentGroup installs lifecycle hooks with the service role: its policies first (the role and the application are referenced).
    dependOn(group, role, [role.roleArn]);
    const policy = provider.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      group.node.addDependency(policy);
    }
    this.deploymentGroup = codedeploy.ServerDeploymentGroup.fromServerDeploymentGroupAttributes(this, 'Group', {
      application,
      // The name is known at synth; a reference to the resource would make its policy depend on it (a cycle).
      deploymentGroupName: groupName,
      deploymentConfig,
    });

    // The trigger: every revision (every new fleet) is deployed on cdk deploy, blue/green after the first.
    this.trigger = new DeploymentTrigger(this, 'Deploy', {
      applicationName: application.applicationName,
      deploymentGroupName: groupName,
      deploymentConfig,
      revision: revision.deploymentRevision,
      deployOnCreate: true,
      waitForAutoScalingGroups: [this.fleet],
      agentAssociationIds: agent.autoScalingGroupAssociation ? [agent.autoScalingGroupAssociation.attrAssociationId] : undefined,
      description: emergency.emergency ? emergencyDescription(emergency.emergency) : `cdk deploy of ${this.node.path}`.slice(0, 100),
    });
    (this.trigger.resource.node.defaultChild as CfnResource).addPropertyOverride('BlueGreenFleet', {
      AutoScalingGroupName: this.fleet.autoScalingGroupName,
      FleetTag: { Key: FLEET_TAG, Value: fleetPrefix },
      BlueGreenConfiguration: JSON.stringify({
        greenFleetProvisioningOption: { action: 'DISCOVER_EXISTING' },
        deploymentReadyOption: { actionOnTimeout: 'CONTINUE_DEPLOYMENT' },
        terminateBlueInstancesOnDeploymentSuccess: { action: 'KEEP_ALIVE' },
      }),
    });
    // On the custom resource only: the trigger's event queue is named in the function's policy, which the group waits for.
    this.trigger.resource.node.addDependency(group);
    dependOn(this.trigger.resource, instanceRole, []);
    dependOn(this.trigger.resource, agent, (agent.autoScalingGroupAssociation ? [agent.autoScalingGroupAssociation.attrAssociationId] : []));
    if (emergency.emergency) {
      // The group is a custom resource (no tags): the warning and the deployment's description say it.
      markEmergency(this, emergency.emergency, 'deploys to every instance of the new fleet at once and ignores its alarms');
    }
    if (alarms.length === 0) {
      Annotations.of(this).addWarningV2(
        'cdk-codedeploy-patterns:noAlarms',
        'This deployment has no alarms, so only failed scripts (or a failed AllowTraffic) stop it and roll traffic back to the original fleet. Keep the default alarms or pass alarms.',
      );
    }
  }
}

function validate(props: ServerBlueGreenDeploymentProps, min: number, max: number): string[] {
  const errors: string[] = [...validateDeploymentGroupName(props.deploymentGroupName)];
  if (props.deploymentSource === DeploymentSource.PIPELINE) {
    errors.push(
      'deploymentSource is PIPELINE, but CodePipeline\'s CodeDeploy action sends only the application and deployment group names and cannot name the new fleet a blue/green deployment targets. Use ServerDeployment (in place) with DeploymentSource.PIPELINE, or deploy this pattern with cdk deploy.',
    );
  }
  // The patterns' shared rules for alarms (at most 10 with the defaults) and notifications (at most 10, events, unique names).
  const defaults = ((props.defaultAlarms?.unhealthyHosts ?? true) ? 1 : 0) + ((props.defaultAlarms?.instanceStatusChecks ?? true) ? 1 : 0);
  errors.push(...validateSharedOptions({ alarms: props.alarms, notifications: props.notifications }, defaults));
  if (!props.launchTemplate.role) {
    errors.push(`launchTemplate ${props.launchTemplate.node.path} has no role; create it with role (the instances need the revision's and the agent's permissions).`);
  }
  const classic = props.loadBalancers.filter((lb) => lb.isClassic).length;
  const targetGroups = props.loadBalancers.length - classic;
  if (props.loadBalancers.length === 0) {
    errors.push('loadBalancers is empty; a blue/green deployment moves traffic on a load balancer (user guide), so give at least one target group or Classic Load Balancer.');
  }
  if (classic > 10 || targetGroups > 10) {
    errors.push(`loadBalancers has ${classic} Classic Load Balancers and ${targetGroups} target groups; CodeDeploy takes at most 10 of each.`);
  }
  for (const lb of props.loadBalancers) {
    const type = lb._targetType();
    if (type !== undefined && type !== 'instance') {
      errors.push(`target group ${lb._construct().node.path} has target type ${type}; EC2 blue/green needs target type instance.`);
    }
  }
  if (!Token.isUnresolved(min) && (!Number.isInteger(min) || min < 1)) {
    errors.push(`minCapacity must be a whole number of at least 1 (blue/green shifts from a fleet with instances); received ${min}.`);
  }
  if (!Token.isUnresolved(max) && !Token.isUnresolved(min) && max < min) {
    errors.push(`maxCapacity (${max}) is below minCapacity (${min}).`);
  }
  return errors;
}

/** 8 hex characters of a string (the fleet name's revision part). */
function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}
