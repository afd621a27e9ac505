import { Annotations, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { acknowledge, wildcardResourceFinding } from './nag';

/**
 * Scoped grants shared by `CodeDeployServiceRole` and the patterns (which may be given a plain role).
 * Every helper grants on exact resource ARNs; none uses a wildcard resource.
 */

/**
 * `cloudwatch:DescribeAlarms` on exactly these alarm ARNs (CodeDeploy polls them during a
 * deployment); returns the statement when an immutable role did not take it.
 */
export function grantDescribeAlarms(role: iam.IRole, alarmArns: string[]): iam.PolicyStatement[] {
  if (alarmArns.length === 0) {
    return [];
  }
  return grantStatements(role, [{ statement: new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarmArns }) }]);
}

/** `lambda:InvokeFunction` on exactly this function (the unqualified ARN CodeDeploy invokes hooks with). */
export function grantInvokeHook(role: iam.IRole, fn: lambda.IFunction): iam.Grant {
  return iam.Grant.addToPrincipal({
    grantee: role,
    actions: ['lambda:InvokeFunction'],
    resourceArns: [fn.functionArn],
  });
}

/**
 * What CodeDeploy needs to shift traffic on one Lambda alias.
 *
 * The alias ARN is built from the function's ARN and the alias name, not taken from the alias
 * resource: the policy must not depend on the alias, because the alias update (which runs the
 * deployment) has to wait for the policy.
 */
export function grantShiftAliasTraffic(role: iam.IRole, alias: lambda.IAlias): iam.PolicyStatement[] {
  const functionArn = alias.version.lambda.functionArn;
  return grantStatements(role, [
    {
      statement: new iam.PolicyStatement({
        actions: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'],
        // Alias operations are authorized on the function; provisioned concurrency on the qualified alias ARN.
        resources: [functionArn, `${functionArn}:${alias.aliasName}`],
      }),
    },
  ]);
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

const accumulated = new WeakMap<iam.IRole, Map<string, iam.PolicyStatement[]>>();

/** The statement key of every grant on deployment groups: a hook function's group actions merge into one statement. */
export const DEPLOYMENT_GROUP_STATEMENT = 'codedeploy:deploymentgroup';

/**
 * Resources per accumulated statement. aws-cdk-lib moves whole statements into overflow managed
 * policies (at most 6,144 characters each) and packs them by an estimate of 150 characters per ARN
 * token (context key `@aws-cdk/aws-iam.arnSizeEstimate`), while a deployment group's ARN with
 * CloudFormation-generated names is about 230 for a 30-character stack name. Ten ARNs per statement
 * keep the real sizes under IAM's limits (the 50-deployment test measures them).
 */
const MAX_RESOURCES_PER_STATEMENT = 10;

/**
 * Allows `actions` on `resources` through the statements the library keeps on the role per `key`
 * (by default, per set of actions): a role that serves many deployment groups (a shared hook
 * function) gets a statement listing up to 10 groups, not one statement per group, which keeps its
 * policy small. Give a key only where every resource needs every action of that key (a shared hook
 * function: each group it serves is served the same way).
 */
export function grantAccumulated(role: iam.IRole, actions: string[], resources: string[], key?: string): void {
  let byKey = accumulated.get(role);
  if (!byKey) {
    byKey = new Map();
    accumulated.set(role, byKey);
  }
  const statementKey = key ?? [...actions].sort().join(',');
  const statements = byKey.get(statementKey) ?? [];
  byKey.set(statementKey, statements);
  for (const statement of statements) {
    const known = new Set(statement.actions);
    statement.addActions(...actions.filter((a) => !known.has(a)));
  }
  const granted = new Set(statements.flatMap((st) => st.resources));
  for (const resource of new Set(resources)) {
    if (granted.has(resource)) {
      continue;
    }
    let last = statements[statements.length - 1];
    if (!last || last.resources.length >= MAX_RESOURCES_PER_STATEMENT) {
      last = new iam.PolicyStatement({ actions: [...new Set(statements[0]?.actions ?? actions)] });
      statements.push(last);
      role.addToPrincipalPolicy(last);
    }
    last.addResources(resource);
  }
}

const added = new WeakMap<iam.IRole, Set<string>>();

/** Adds the statement unless an equal one (after resolving) was added through this function before. */
export function addStatementOnce(role: iam.IRole, statement: iam.PolicyStatement): void {
  const key = JSON.stringify(Stack.of(role).resolve(statement.toStatementJson()));
  let keys = added.get(role);
  if (!keys) {
    keys = new Set();
    added.set(role, keys);
  }
  if (!keys.has(key)) {
    keys.add(key);
    role.addToPrincipalPolicy(statement);
  }
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

/**
 * Platform grants to any service role (a `CodeDeployServiceRole`, a user's `iam.Role`, a mutable
 * imported role). Each returns the statements the role did not take (an immutable role), so the
 * pattern can tell the user what the role must allow.
 */
export interface PlatformStatement {
  readonly statement: iam.PolicyStatement;
  /** Why a wildcard in the resources is inherent to CodeDeploy (acknowledged for cdk-nag with this reason). */
  readonly wildcardReason?: string;
}

/** Adds the statements to the role; returns those an immutable role did not take. */
export function grantStatements(role: iam.IRole, statements: PlatformStatement[]): iam.PolicyStatement[] {
  const missing: iam.PolicyStatement[] = [];
  for (const { statement, wildcardReason } of statements) {
    const result = role.addToPrincipalPolicy(statement);
    // An immutable role (Role.fromRoleArn(..., { mutable: false }), withoutPolicyUpdates()) answers
    // "added" but writes no policy: only an iam.Role or an import that made a Policy really took it.
    const tookIt = role instanceof iam.Role || role.node.children.some((c) => c instanceof iam.Policy);
    if (!result.statementAdded || !tookIt) {
      missing.push(statement);
      continue;
    }
    if (wildcardReason) {
      for (const resource of statement.resources) {
        if (resource.includes('*')) {
          acknowledge(role, wildcardResourceFinding(role, resource), wildcardReason);
        }
      }
    }
  }
  return missing;
}

/** Describe calls of the Server platform: IAM has no resource-level permissions for them. */
export function serverDescribeStatements(): PlatformStatement[] {
  return [
    {
      statement: new iam.PolicyStatement({ actions: SERVER_DESCRIBE_ACTIONS, resources: ['*'] }),
      wildcardReason:
        'Describe calls of Auto Scaling, EC2 and Elastic Load Balancing and tag:GetResources have no resource-level permissions in IAM; CodeDeploy uses them to find the instances of a deployment group.',
    },
  ];
}

/**
 * In-place deployments to Auto Scaling groups: CodeDeploy puts its lifecycle hooks on the groups
 * (launch and, with `terminationHook`, termination) and completes them, on exactly these groups;
 * with processes to suspend (`suspendAutoScalingProcesses`) it also suspends and resumes them there.
 * Blue/green-only actions (creating and deleting copies of groups, terminating instances, copying
 * alarms) are not here: `ServerDeployment` runs in-place deployments only.
 */
export function serverAutoScalingStatements(scope: IConstruct, groupNames: string[], suspendProcesses: boolean = false): PlatformStatement[] {
  if (groupNames.length === 0) {
    return [];
  }
  return [
    {
      statement: new iam.PolicyStatement({
        // With processes to suspend, CodeDeploy also suspends and resumes them in these groups (EC2DeploymentOptions, API reference).
        actions: suspendProcesses ? [...SERVER_AUTOSCALING_HOOK_ACTIONS, ...SERVER_AUTOSCALING_SUSPEND_ACTIONS] : SERVER_AUTOSCALING_HOOK_ACTIONS,
        // arn:…:autoScalingGroup:<group id>:autoScalingGroupName/<name> (Service Authorization Reference).
        resources: groupNames.map((name) =>
          Stack.of(scope).formatArn({
            service: 'autoscaling',
            resource: 'autoScalingGroup',
            resourceName: `*:autoScalingGroupName/${name}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      }),
      wildcardReason:
        'The Auto Scaling group ID in the ARN is generated by Auto Scaling; the group name that follows it limits the statement to this deployment group\'s Auto Scaling groups.',
    },
  ];
}

/** In-place deployments with traffic control: take instances out of and back into exactly these load balancers / target groups. */
export function serverLoadBalancerStatements(classicArns: string[], targetGroupArns: string[]): PlatformStatement[] {
  const out: PlatformStatement[] = [];
  if (classicArns.length > 0) {
    out.push({
      statement: new iam.PolicyStatement({
        actions: ['elasticloadbalancing:RegisterInstancesWithLoadBalancer', 'elasticloadbalancing:DeregisterInstancesFromLoadBalancer'],
        resources: classicArns,
      }),
    });
  }
  if (targetGroupArns.length > 0) {
    out.push({
      statement: new iam.PolicyStatement({
        actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
        resources: targetGroupArns,
      }),
    });
  }
  return out;
}

/**
 * Auto Scaling groups with a launch template (user guide, "Create a service role": ec2:RunInstances,
 * ec2:CreateTags and iam:PassRole), also next to the AWS managed policy, which lacks them.
 */
export function launchTemplateStatements(scope: IConstruct, instanceRole: iam.IRole): PlatformStatement[] {
  return [
    {
      statement: new iam.PolicyStatement({ actions: ['ec2:RunInstances'], resources: ['*'] }),
      wildcardReason:
        'ec2:RunInstances with a launch template touches the template\'s images, subnets, security groups and volumes, which CodeDeploy\'s role cannot know; the user guide requires it for launch-template Auto Scaling groups.',
    },
    {
      statement: new iam.PolicyStatement({
        actions: ['ec2:CreateTags'],
        resources: [Stack.of(scope).formatArn({ service: 'ec2', resource: '*', resourceName: '*' })],
        conditions: { StringEquals: { 'ec2:CreateAction': 'RunInstances' } },
      }),
      wildcardReason: 'Tags the instances and volumes a launch template creates, only while running instances (ec2:CreateAction condition).',
    },
    {
      statement: new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [instanceRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      }),
    },
  ];
}

/** ECS: read the listeners, rules and target groups (no resource-level permissions). */
export function ecsDescribeStatements(): PlatformStatement[] {
  return [
    {
      statement: new iam.PolicyStatement({
        actions: ['elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules'],
        resources: ['*'],
      }),
      wildcardReason:
        'elasticloadbalancing:Describe* calls have no resource-level permissions in IAM; CodeDeploy reads the listeners and target groups it shifts traffic between.',
    },
  ];
}

/** ECS: create, promote and delete task sets of this service and pass its task roles to ECS. */
export function ecsServiceStatements(scope: IConstruct, service: ecs.IBaseService, taskRoles: iam.IRole[]): PlatformStatement[] {
  const stack = Stack.of(scope);
  const out: PlatformStatement[] = [
    {
      statement: new iam.PolicyStatement({
        actions: ['ecs:DescribeServices', 'ecs:CreateTaskSet', 'ecs:UpdateServicePrimaryTaskSet', 'ecs:DeleteTaskSet'],
        resources: [
          // The long ARN format (cluster name included), which every service has used since 2021.
          stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${service.cluster.clusterName}/${service.serviceName}` }),
          stack.formatArn({ service: 'ecs', resource: 'task-set', resourceName: `${service.cluster.clusterName}/${service.serviceName}/*` }),
        ],
      }),
      wildcardReason: 'Task set IDs are generated by ECS during each deployment; the wildcard is limited to the task sets of this one service.',
    },
  ];
  if (taskRoles.length > 0) {
    out.push({
      statement: new iam.PolicyStatement({
        actions: ['iam:PassRole'],
        resources: taskRoles.map((r) => r.roleArn),
        conditions: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    });
  }
  return out;
}

/**
 * ECS: re-point these listeners between the blue and the green target group, and the rules of
 * this load balancer's listeners (CodeDeploy also moves rules that forward to the target groups).
 */
export function ecsListenerStatements(scope: IConstruct, listenerArns: string[], loadBalancerFullName: string): PlatformStatement[] {
  if (listenerArns.length === 0) {
    return [];
  }
  return [
    { statement: new iam.PolicyStatement({ actions: ['elasticloadbalancing:ModifyListener'], resources: listenerArns }) },
    {
      statement: new iam.PolicyStatement({
        actions: ['elasticloadbalancing:ModifyRule'],
        // arn:…:listener-rule/<app|net>/<lb name>/<lb id>/<listener id>/<rule id>
        resources: [Stack.of(scope).formatArn({ service: 'elasticloadbalancing', resource: 'listener-rule', resourceName: `${loadBalancerFullName}/*` })],
      }),
      wildcardReason: 'Listener and rule IDs are generated by Elastic Load Balancing; the wildcard is limited to the rules of this one load balancer\'s listeners.',
    },
  ];
}

/** Tells the user what an immutable service role must allow, as an acknowledgeable warning. */
export function warnMissingStatements(scope: IConstruct, role: iam.IRole, missing: iam.PolicyStatement[]): void {
  if (missing.length === 0) {
    return;
  }
  const stack = Stack.of(scope);
  const lines = missing.map((s) => {
    const resources = s.resources.map((r) => (Token.isUnresolved(r) ? JSON.stringify(stack.resolve(r)) : r)).join(', ');
    return `${s.actions.join(', ')} on ${resources}`;
  });
  Annotations.of(scope).addWarningV2(
    'cdk-codedeploy-patterns:immutableServiceRole',
    `The service role ${role.node.path} cannot be changed by this app (imported or immutable), so the pattern could not add its permissions. ` +
      `Make sure the role allows: ${lines.join('; ')}. Otherwise CodeDeploy fails during the deployment.`,
  );
}

const SERVER_DESCRIBE_ACTIONS = [
  'autoscaling:DescribeAutoScalingGroups',
  'autoscaling:DescribeLifecycleHooks',
  'autoscaling:DescribePolicies',
  'autoscaling:DescribeScheduledActions',
  'autoscaling:DescribeNotificationConfigurations',
  'autoscaling:DescribeScalingActivities',
  'ec2:DescribeInstances',
  'ec2:DescribeInstanceStatus',
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeLoadBalancerAttributes',
  'elasticloadbalancing:DescribeInstanceHealth',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  'elasticloadbalancing:DescribeTargetHealth',
  'tag:GetResources',
];

/** Lifecycle hooks CodeDeploy installs on (and completes in) the deployment group's Auto Scaling groups. */
const SERVER_AUTOSCALING_HOOK_ACTIONS = [
  'autoscaling:PutLifecycleHook',
  'autoscaling:DeleteLifecycleHook',
  'autoscaling:CompleteLifecycleAction',
  'autoscaling:RecordLifecycleActionHeartbeat',
];
const SERVER_AUTOSCALING_SUSPEND_ACTIONS = ['autoscaling:SuspendProcesses', 'autoscaling:ResumeProcesses'];
