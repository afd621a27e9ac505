import { CfnResource, Stack } from 'aws-cdk-lib';
// From cdk-nag's own modules rather than its index: the index loads every rule pack (about 90 ms
// on each synth of every app that imports this library, measured by npm run bench); these two take 2 ms.
import { NagPack, NagPackProps } from 'cdk-nag/lib/nag-pack';
import { NagMessageLevel, NagRuleCompliance, NagRuleResult } from 'cdk-nag/lib/nag-rules';
import { IConstruct } from 'constructs';

/**
 * cdk-nag rules for AWS CodeDeploy best practice, for any stack: ours, hand-written with
 * aws-cdk-lib L2s, or plain L1 resources. The rules read the synthesized CloudFormation of each
 * resource, so they hold however the resource was defined.
 *
 * | rule | checks |
 * | --- | --- |
 * | CodeDeploy-CD1 | a deployment group has alarms |
 * | CodeDeploy-CD2 | a deployment group rolls back automatically on failure |
 * | CodeDeploy-CD3 | a deployment group with alarms rolls back when they fire |
 * | CodeDeploy-CD4 | an ECS blue/green deployment group has a test listener |
 * | CodeDeploy-CD5 | an ECS blue/green deployment group keeps the original tasks for a while |
 * | CodeDeploy-CD6 | a Lambda alias deployed by CodeDeploy has a pre- or post-traffic hook |
 * | CodeDeploy-CD7 | no role uses an AWS managed CodeDeploy policy |
 * | CodeDeploy-CD8 | a role CodeDeploy assumes has aws:SourceAccount or aws:SourceArn in its trust |
 * | CodeDeploy-CD9 | nobody may call PutLifecycleEventHookExecutionStatus on any deployment group |
 * | CodeDeploy-CD10 | deployment notifications go to topics that deny requests without TLS |
 *
 * Use it like any cdk-nag pack: `new CodeDeployChecks().validateScope(app)` reports the findings,
 * or `Validations.of(app).addPlugins(new CodeDeployChecks(app))` with aws-cdk-lib 2.258 and later.
 */
export class CodeDeployChecks extends NagPack {
  public readonly name: string = 'CodeDeploy';

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'CodeDeploy';
  }

  protected checkResource(node: CfnResource): void {
    const rule = (suffix: string, info: string, explanation: string, check: (n: CfnResource) => NagRuleResult) =>
      this.applyRule({ ruleSuffixOverride: suffix, info, explanation, level: NagMessageLevel.ERROR, node, rule: check });

    rule(
      'CD1',
      'The CodeDeploy deployment group has no CloudWatch alarms.',
      'Without alarms CodeDeploy cannot stop a deployment whose new version misbehaves; it only notices failed lifecycle events. Add alarms on errors, latency or unhealthy hosts.',
      deploymentGroupWithoutAlarms,
    );
    rule(
      'CD2',
      'The CodeDeploy deployment group does not roll back automatically when a deployment fails.',
      'A failed Lambda deployment without rollback can leave the alias split between two versions, and a failed EC2 deployment leaves instances on different revisions. Enable automatic rollback for DEPLOYMENT_FAILURE.',
      deploymentGroupWithoutFailureRollback,
    );
    rule(
      'CD3',
      'The CodeDeploy deployment group has alarms but does not roll back when they fire.',
      'An alarm only stops the deployment; without DEPLOYMENT_STOP_ON_ALARM in the rollback events the stopped deployment stays half done. Add DEPLOYMENT_STOP_ON_ALARM.',
      alarmsWithoutAlarmRollback,
    );
    rule(
      'CD4',
      'The ECS blue/green deployment group has no test listener.',
      'A test listener lets the AfterAllowTestTraffic hook exercise the replacement task set before any production traffic reaches it. Add a test traffic route.',
      ecsWithoutTestListener,
    );
    rule(
      'CD5',
      'The ECS blue/green deployment group terminates the original task set as soon as traffic has shifted.',
      'With a termination wait of zero there is no time to roll back to the original tasks once a problem shows in production. Keep them for some minutes (TerminationWaitTimeInMinutes).',
      ecsWithoutTerminationWait,
    );
    rule(
      'CD6',
      'The Lambda alias deployed by CodeDeploy has no BeforeAllowTraffic or AfterAllowTraffic hook.',
      'Without hooks, traffic shifts to a version nobody has invoked; a pre-traffic hook catches a broken version before users do.',
      lambdaAliasWithoutHooks,
    );
    rule(
      'CD7',
      'The IAM role uses an AWS managed CodeDeploy policy.',
      'AWSCodeDeployRole and its ECS and Lambda variants allow their actions on every resource of those kinds in the account, not only the deployment group\'s. Grant the actions on the deployment group\'s own resources instead.',
      managedCodeDeployPolicy,
    );
    rule(
      'CD8',
      'The IAM role trusts the CodeDeploy service without an aws:SourceAccount or aws:SourceArn condition.',
      'Without them any account\'s deployment group could make CodeDeploy act with this role (confused deputy). Add aws:SourceAccount and aws:SourceArn conditions to the trust policy.',
      codeDeployTrustWithoutSourceCondition,
    );
    rule(
      'CD9',
      'The IAM policy allows codedeploy:PutLifecycleEventHookExecutionStatus on all resources.',
      'A principal that can report hook results for every deployment group can pass any deployment\'s validation. Allow the action on the hook\'s own deployment group ARN.',
      hookStatusOnAnyResource,
    );
    rule(
      'CD10',
      'The CodeDeploy deployment group notifies an SNS topic that does not deny requests without TLS.',
      'Deployment notifications name applications, groups and instances. Add a topic policy denying sns:Publish when aws:SecureTransport is false (enforceSSL on the Topic).',
      notificationTopicWithoutTls,
    );
  }
}

const NA = NagRuleCompliance.NOT_APPLICABLE;
const OK = NagRuleCompliance.COMPLIANT;
const BAD = NagRuleCompliance.NON_COMPLIANT;

/** The resource as it synthesizes: `{ Type, Properties, UpdatePolicy, ... }` with tokens resolved. */
function synthesized(node: CfnResource): any {
  const rendered = Stack.of(node).resolve((node as any)._toCloudFormation());
  return Object.values(rendered.Resources ?? {})[0] ?? {};
}

function propertiesOf(node: CfnResource): any {
  return synthesized(node).Properties ?? {};
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function isDeploymentGroup(node: CfnResource): boolean {
  return node.cfnResourceType === 'AWS::CodeDeploy::DeploymentGroup';
}

function deploymentGroupWithoutAlarms(node: CfnResource): NagRuleResult {
  if (!isDeploymentGroup(node)) {
    return NA;
  }
  const alarms = propertiesOf(node).AlarmConfiguration;
  return alarms?.Enabled === true && asArray(alarms.Alarms).length > 0 ? OK : BAD;
}

function rollbackEvents(p: any): string[] {
  const rollback = p.AutoRollbackConfiguration;
  return rollback?.Enabled === true ? asArray(rollback.Events) : [];
}

function deploymentGroupWithoutFailureRollback(node: CfnResource): NagRuleResult {
  if (!isDeploymentGroup(node)) {
    return NA;
  }
  return rollbackEvents(propertiesOf(node)).includes('DEPLOYMENT_FAILURE') ? OK : BAD;
}

function alarmsWithoutAlarmRollback(node: CfnResource): NagRuleResult {
  if (!isDeploymentGroup(node)) {
    return NA;
  }
  const p = propertiesOf(node);
  if (p.AlarmConfiguration?.Enabled !== true || asArray(p.AlarmConfiguration.Alarms).length === 0) {
    return NA;
  }
  return rollbackEvents(p).includes('DEPLOYMENT_STOP_ON_ALARM') ? OK : BAD;
}

function ecsBlueGreen(node: CfnResource): any | undefined {
  if (!isDeploymentGroup(node)) {
    return undefined;
  }
  const p = propertiesOf(node);
  return asArray(p.ECSServices).length > 0 ? p : undefined;
}

function ecsWithoutTestListener(node: CfnResource): NagRuleResult {
  const p = ecsBlueGreen(node);
  if (!p) {
    return NA;
  }
  const pairs = asArray<any>(p.LoadBalancerInfo?.TargetGroupPairInfoList);
  return pairs.length > 0 && pairs.every((pair) => asArray(pair.TestTrafficRoute?.ListenerArns).length > 0) ? OK : BAD;
}

function ecsWithoutTerminationWait(node: CfnResource): NagRuleResult {
  const p = ecsBlueGreen(node);
  if (!p) {
    return NA;
  }
  const terminate = p.BlueGreenDeploymentConfiguration?.TerminateBlueInstancesOnDeploymentSuccess;
  if (terminate?.Action === 'KEEP_ALIVE') {
    return OK;
  }
  // CloudFormation's default (no configuration) is an immediate termination.
  const minutes = terminate?.TerminationWaitTimeInMinutes;
  return typeof minutes === 'number' && minutes > 0 ? OK : BAD;
}

function lambdaAliasWithoutHooks(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::Lambda::Alias') {
    return NA;
  }
  const update = synthesized(node).UpdatePolicy?.CodeDeployLambdaAliasUpdate;
  if (!update) {
    return NA;
  }
  return update.BeforeAllowTrafficHook || update.AfterAllowTrafficHook ? OK : BAD;
}

const MANAGED_CODEDEPLOY_POLICY = /:iam::aws:policy\/(service-role\/)?AWSCodeDeployRole(ForECS|ForECSLimited|ForLambda|ForLambdaLimited)?$/;

/** A policy ARN as text (`arn:<AWS::Partition>:iam::aws:policy/...` for Fn::Join with the partition). */
function arnText(value: any): string {
  if (typeof value === 'string') {
    return value;
  }
  const join = value?.['Fn::Join'];
  if (join) {
    return asArray<any>(join[1]).map((part) => (typeof part === 'string' ? part : '<token>')).join(join[0]);
  }
  return JSON.stringify(value);
}

function managedCodeDeployPolicy(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::IAM::Role') {
    return NA;
  }
  return asArray(propertiesOf(node).ManagedPolicyArns).some((arn) => MANAGED_CODEDEPLOY_POLICY.test(arnText(arn))) ? BAD : OK;
}

function principalsOf(statement: any): string[] {
  return asArray(statement?.Principal?.Service).map(arnText);
}

function codeDeployTrustWithoutSourceCondition(node: CfnResource): NagRuleResult {
  if (node.cfnResourceType !== 'AWS::IAM::Role') {
    return NA;
  }
  const statements = asArray<any>(propertiesOf(node).AssumeRolePolicyDocument?.Statement).filter(
    (s) => s.Effect === 'Allow' && principalsOf(s).some((p) => /^codedeploy(\.[a-z0-9-]+)?\.amazonaws\.com$/.test(p)),
  );
  if (statements.length === 0) {
    return NA;
  }
  const hasSource = (s: any) =>
    Object.values(s.Condition ?? {}).some((block: any) => Object.keys(block ?? {}).some((key) => /^aws:Source(Account|Arn)$/i.test(key)));
  return statements.every(hasSource) ? OK : BAD;
}

/** Whether an IAM action pattern (with * and ?) covers the given action. */
function actionCovers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(action);
}

function policyDocuments(node: CfnResource): any[] {
  const p = propertiesOf(node);
  switch (node.cfnResourceType) {
    case 'AWS::IAM::Policy':
    case 'AWS::IAM::ManagedPolicy':
      return [p.PolicyDocument];
    case 'AWS::IAM::Role':
    case 'AWS::IAM::User':
    case 'AWS::IAM::Group':
      return asArray<any>(p.Policies).map((policy) => policy.PolicyDocument);
    default:
      return [];
  }
}

function hookStatusOnAnyResource(node: CfnResource): NagRuleResult {
  const documents = policyDocuments(node);
  if (documents.length === 0) {
    return NA;
  }
  const wide = documents
    .flatMap((d) => asArray<any>(d?.Statement))
    .some(
      (s) =>
        s.Effect === 'Allow' &&
        asArray<string>(s.Action).some((a) => typeof a === 'string' && actionCovers(a, 'codedeploy:PutLifecycleEventHookExecutionStatus')) &&
        asArray(s.Resource).some((r) => r === '*'),
    );
  return wide ? BAD : OK;
}

/** Logical ID of a `Ref` or `Fn::GetAtt` target, else undefined. */
function referencedId(value: any): string | undefined {
  return value?.Ref ?? value?.['Fn::GetAtt']?.[0];
}

function notificationTopicWithoutTls(node: CfnResource): NagRuleResult {
  if (!isDeploymentGroup(node)) {
    return NA;
  }
  const topics = asArray<any>(propertiesOf(node).TriggerConfigurations).map((t) => t.TriggerTargetArn);
  if (topics.length === 0) {
    return NA;
  }
  const stack = Stack.of(node);
  const policies = stack.node
    .findAll()
    .filter((c): c is CfnResource => CfnResource.isCfnResource(c) && c.cfnResourceType === 'AWS::SNS::TopicPolicy')
    .map((c) => propertiesOf(c));
  for (const topic of topics) {
    const id = referencedId(topic);
    if (id === undefined) {
      // A topic of another stack or account: its policy cannot be seen here.
      return NagRuleCompliance.NOT_APPLICABLE;
    }
    const enforced = policies.some(
      (p) =>
        asArray(p.Topics).some((t) => referencedId(t) === id) &&
        asArray<any>(p.PolicyDocument?.Statement).some(
          (s) => s.Effect === 'Deny' && String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false',
        ),
    );
    if (!enforced) {
      return BAD;
    }
  }
  return OK;
}
