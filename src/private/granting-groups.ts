import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { aws_cloudwatch as cloudwatchRefs } from 'aws-cdk-lib/interfaces';
import { Construct } from 'constructs';
import { dependOn } from './dependencies';
import { DEPLOYMENT_GROUP_STATEMENT, grantAccumulated, grantDescribeAlarms, grantInvokeHook, grantStatements, serverAutoScalingStatements, warnMissingStatements } from './permissions';

/**
 * The deployment groups the patterns expose, with aws-cdk-lib's own methods made to grant.
 *
 * The patterns give aws-cdk-lib an immutable view of the service role (so it attaches no managed
 * policy), which means `deploymentGroup.addAlarm()` or `.addPreHook()` on the exposed L2 would put
 * the alarm or hook in the group while the role may neither read nor invoke it. These subclasses
 * keep aws-cdk-lib's behaviour and add the grant to the real role. Internal: the public type stays
 * aws-cdk-lib's class.
 */

/**
 * Roles that must read every alarm of a group (a shared `deploymentGroupAlarmCheck` hook reads
 * them from the group at run time): they get the group's alarms so far and each one added later.
 */
class AlarmReaders {
  private readonly alarmArns: string[];
  private readonly roles: iam.IRole[] = [];

  constructor(alarms: cloudwatchRefs.IAlarmRef[] | undefined) {
    this.alarmArns = (alarms ?? []).map((a) => a.alarmRef.alarmArn);
  }

  public addAlarm(alarm: cloudwatchRefs.IAlarmRef): void {
    this.alarmArns.push(alarm.alarmRef.alarmArn);
    this.roles.forEach((role) => grantAccumulated(role, ['cloudwatch:DescribeAlarms'], [alarm.alarmRef.alarmArn]));
  }

  public addReader(role: iam.IRole): void {
    this.roles.push(role);
    if (this.alarmArns.length > 0) {
      grantAccumulated(role, ['cloudwatch:DescribeAlarms'], this.alarmArns);
    }
  }
}

export interface GrantingLambdaDeploymentGroupProps extends codedeploy.LambdaDeploymentGroupProps {
  /** The service role that gets the grants (the group itself holds an immutable view of it). */
  readonly grantRole: iam.IRole;
}

export class GrantingLambdaDeploymentGroup extends codedeploy.LambdaDeploymentGroup {
  private readonly alarmReaders: AlarmReaders;
  private readonly grantRole: iam.IRole;
  private readonly lambdaAlias: lambda.Alias;

  constructor(scope: Construct, id: string, props: GrantingLambdaDeploymentGroupProps) {
    const { grantRole, ...rest } = props;
    super(scope, id, rest);
    this.alarmReaders = new AlarmReaders(rest.alarms);
    this.grantRole = grantRole;
    this.lambdaAlias = props.alias;
  }

  public addAlarm(alarm: cloudwatchRefs.IAlarmRef): void {
    super.addAlarm(alarm);
    warnMissingStatements(this, this.grantRole, grantDescribeAlarms(this.grantRole, [alarm.alarmRef.alarmArn]));
    // Undefined only if aws-cdk-lib's constructor called this; the readers start from props.alarms then.
    this.alarmReaders?.addAlarm(alarm);
  }

  /** Lets the role read every alarm of the group, also those added later. */
  public addAlarmReader(role: iam.IRole): void {
    this.alarmReaders.addReader(role);
  }

  public addPreHook(preHook: lambda.IFunction): void {
    super.addPreHook(preHook);
    this.grantHook(preHook);
  }

  public addPostHook(postHook: lambda.IFunction): void {
    super.addPostHook(postHook);
    this.grantHook(postHook);
  }

  /**
   * aws-cdk-lib's addPreHook/addPostHook call this: the grant goes into the one statement the library
   * keeps per role, so a hook function shared by many groups lists them all in one statement.
   */
  public grantPutLifecycleEventHookExecutionStatus(grantee: iam.IGrantable): iam.Grant {
    const principal = grantee.grantPrincipal;
    if (!(principal instanceof iam.Role)) {
      return super.grantPutLifecycleEventHookExecutionStatus(grantee);
    }
    grantAccumulated(principal, ['codedeploy:PutLifecycleEventHookExecutionStatus'], [this.deploymentGroupArn], DEPLOYMENT_GROUP_STATEMENT);
    return iam.Grant.drop(grantee, 'codedeploy:PutLifecycleEventHookExecutionStatus, added to the statement the library keeps for this role');
  }

  private grantHook(hook: lambda.IFunction): void {
    grantInvokeHook(this.grantRole, hook);
    // The alias update runs the deployment: the hook and its permissions must exist before it.
    dependOn(this.lambdaAlias, hook, [hook.functionName]);
  }
}

export interface GrantingEcsDeploymentGroupProps extends codedeploy.EcsDeploymentGroupProps {
  /** The service role that gets the grants (the group itself holds an immutable view of it). */
  readonly grantRole: iam.IRole;
}

export class GrantingEcsDeploymentGroup extends codedeploy.EcsDeploymentGroup {
  private readonly alarmReaders: AlarmReaders;
  private readonly grantRole: iam.IRole;

  constructor(scope: Construct, id: string, props: GrantingEcsDeploymentGroupProps) {
    const { grantRole, ...rest } = props;
    super(scope, id, rest);
    this.alarmReaders = new AlarmReaders(rest.alarms);
    this.grantRole = grantRole;
  }

  public addAlarm(alarm: cloudwatchRefs.IAlarmRef): void {
    super.addAlarm(alarm);
    warnMissingStatements(this, this.grantRole, grantDescribeAlarms(this.grantRole, [alarm.alarmRef.alarmArn]));
    // Undefined only if aws-cdk-lib's constructor called this; the readers start from props.alarms then.
    this.alarmReaders?.addAlarm(alarm);
  }

  /** Lets the role read every alarm of the group, also those added later. */
  public addAlarmReader(role: iam.IRole): void {
    this.alarmReaders.addReader(role);
  }
}

export interface GrantingServerDeploymentGroupProps extends codedeploy.ServerDeploymentGroupProps {
  /** The service role that gets the grants (the group itself holds an immutable view of it). */
  readonly grantRole: iam.IRole;
  /** Whether the role carries the AWS managed policy (which has the Auto Scaling permissions on "*"). */
  readonly managedPolicy: boolean;
  /** Whether CodeDeploy suspends Auto Scaling processes in the groups during deployments. */
  readonly suspendsProcesses?: boolean;
}

export class GrantingServerDeploymentGroup extends codedeploy.ServerDeploymentGroup {
  private readonly alarmReaders: AlarmReaders;
  private readonly grantRole: iam.IRole;
  private readonly managedPolicy: boolean;
  private readonly suspendsProcesses: boolean;

  constructor(scope: Construct, id: string, props: GrantingServerDeploymentGroupProps) {
    const { grantRole, managedPolicy, suspendsProcesses, ...rest } = props;
    super(scope, id, rest);
    this.alarmReaders = new AlarmReaders(rest.alarms);
    this.grantRole = grantRole;
    this.managedPolicy = managedPolicy;
    this.suspendsProcesses = suspendsProcesses ?? false;
  }

  public addAlarm(alarm: cloudwatchRefs.IAlarmRef): void {
    super.addAlarm(alarm);
    warnMissingStatements(this, this.grantRole, grantDescribeAlarms(this.grantRole, [alarm.alarmRef.alarmArn]));
    // Undefined only if aws-cdk-lib's constructor called this; the readers start from props.alarms then.
    this.alarmReaders?.addAlarm(alarm);
  }

  /** Lets the role read every alarm of the group, also those added later. */
  public addAlarmReader(role: iam.IRole): void {
    this.alarmReaders.addReader(role);
  }

  public addAutoScalingGroup(asg: autoscaling.AutoScalingGroup): void {
    super.addAutoScalingGroup(asg);
    // The group's constructor adds its own groups before the role is known; the pattern grants those.
    if (this.grantRole && !this.managedPolicy) {
      const statements = serverAutoScalingStatements(this, [asg.autoScalingGroupName], this.suspendsProcesses);
      warnMissingStatements(this, this.grantRole, grantStatements(this.grantRole, statements));
      dependOn(this, asg, [asg.autoScalingGroupName]);
    }
  }
}
