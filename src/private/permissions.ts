import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';

/**
 * Scoped grants shared by `CodeDeployServiceRole` and the patterns (which may be given a plain role).
 * Every helper grants on exact resource ARNs; none uses a wildcard resource.
 */

/** `cloudwatch:DescribeAlarms` on exactly these alarms (CodeDeploy polls them during a deployment). */
export function grantDescribeAlarms(role: iam.IRole, alarms: cloudwatch.IAlarm[]): iam.Grant | undefined {
  if (alarms.length === 0) {
    return undefined;
  }
  return iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['cloudwatch:DescribeAlarms'],
    resourceArns: alarms.map((a) => a.alarmArn),
  });
}

/** `lambda:InvokeFunction` on exactly this function (the unqualified ARN CodeDeploy invokes hooks with). */
export function grantInvokeHook(role: iam.IRole, fn: lambda.IFunction): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['lambda:InvokeFunction'],
    resourceArns: [fn.functionArn],
  });
}

/** What CodeDeploy needs to shift traffic on one Lambda alias. */
export function grantShiftAliasTraffic(role: iam.IRole, alias: lambda.IAlias): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'],
    // Alias operations are authorized on the function; provisioned concurrency on the qualified alias ARN.
    resourceArns: [alias.version.lambda.functionArn, alias.functionArn],
  });
}

/** `sns:Publish` on a notification topic, plus use of its KMS key when it is encrypted. */
export function grantPublishNotifications(role: iam.IRole, topic: sns.ITopic): void {
  iam.Grant.addToPrincipal({ grantee: role, actions: ['sns:Publish'], resourceArns: [topic.topicArn] });
  topic.masterKey?.grant(role, 'kms:Decrypt', 'kms:GenerateDataKey');
}

/** `codedeploy:PutLifecycleEventHookExecutionStatus` on exactly one deployment group. */
export function grantPutHookStatus(grantee: iam.IGrantable, groupArn: string): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee,
    actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'],
    resourceArns: [groupArn],
  });
}

/** ARN pattern of every deployment group of one application (`*` for any application). */
export function deploymentGroupsArn(scope: IConstruct, applicationName?: string): string {
  return Stack.of(scope).formatArn({
    service: 'codedeploy',
    resource: 'deploymentgroup',
    resourceName: `${applicationName ?? '*'}/*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** A mutable role gets our grants; an immutable view of it goes to aws-cdk-lib so no managed policy is attached. */
export function immutableView(scope: Construct, id: string, role: iam.IRole): iam.IRole {
  if (role instanceof iam.Role) {
    return role.withoutPolicyUpdates();
  }
  return iam.Role.fromRoleArn(scope, id, role.roleArn, { mutable: false });
}
