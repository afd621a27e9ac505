import { IConstruct } from 'constructs';
import { acknowledge } from './nag';

/**
 * The acknowledgements the library makes for cdk-nag's NIST 800-53 rev 5, HIPAA Security,
 * PCI DSS 3.2.1 and Serverless packs, by kind of resource it creates. Each is applied to the one
 * resource it is about (and so covers only that resource's finding of that rule). The README's
 * compliance table is generated from this catalog (`scripts/compliance-table.ts`); a test keeps
 * the two equal.
 */
export enum OwnedResource {
  /** A Lambda function of the library outside any VPC (the deployment trigger, most built-in hooks). */
  FUNCTION = 'FUNCTION',
  /** A built-in hook function that runs in a VPC. */
  VPC_FUNCTION = 'VPC_FUNCTION',
  /** A CloudWatch Logs group of a library function. */
  LOG_GROUP = 'LOG_GROUP',
  /** A role the library creates, with its grants as inline policies. */
  ROLE = 'ROLE',
  /** The per-stack revision bucket of `ServerDeployment`. */
  REVISION_BUCKET = 'REVISION_BUCKET',
  /** A default alarm of a pattern. */
  DEFAULT_ALARM = 'DEFAULT_ALARM',
  /** The security group of a load balancer `BlueGreenListeners` creates. */
  LOAD_BALANCER_SECURITY_GROUP = 'LOAD_BALANCER_SECURITY_GROUP',
  /** The queue of a deployment trigger that receives its group's state-change events. */
  EVENT_QUEUE = 'EVENT_QUEUE',
  /** The EventBridge rule that fills that queue. */
  EVENT_RULE = 'EVENT_RULE',
}

export interface ComplianceAcknowledgement {
  /** Rule IDs, one per pack that has the rule. */
  readonly rules: string[];
  readonly reason: string;
}

const NIST = 'NIST.800.53.R5';
const HIPAA = 'HIPAA.Security';
const PCI = 'PCI.DSS.321';
const SERVERLESS = 'Serverless';
const inPacks = (rule: string, ...packs: string[]) => packs.map((p) => `${p}-${rule}`);

const LAMBDA_FUNCTION: ComplianceAcknowledgement[] = [
  {
    rules: inPacks('LambdaConcurrency', NIST, HIPAA),
    reason:
      'Invoked a handful of times per deployment; reserved concurrency would take capacity from the account\'s unreserved pool (and fails in accounts with the minimum concurrency quota).',
  },
  {
    rules: [...inPacks('LambdaDLQ', NIST, HIPAA, SERVERLESS), ...inPacks('LambdaAsyncFailureDestination', SERVERLESS)],
    reason:
      'The function reports its own outcome (to CodeDeploy or CloudFormation) and is never retried; a failed event in a queue would help nobody, and the failure is in its JSON logs.',
  },
  {
    rules: inPacks('LambdaTracing', SERVERLESS),
    reason: 'One short call chain per deployment, logged as JSON lines with the deployment ID; tracing would add X-Ray permissions on * for no insight.',
  },
];

/** The catalog: what the library acknowledges on each kind of resource it creates, and why. */
export const COMPLIANCE_ACKNOWLEDGEMENTS: Record<OwnedResource, ComplianceAcknowledgement[]> = {
  [OwnedResource.FUNCTION]: [
    ...LAMBDA_FUNCTION,
    {
      rules: inPacks('LambdaInsideVPC', NIST, HIPAA, PCI),
      reason: 'Calls only AWS APIs (CodeDeploy, CloudFormation, Lambda, S3, Auto Scaling, SSM, Elastic Load Balancing) and reads no data of the VPC; in a VPC it would need NAT or interface endpoints to reach them.',
    },
  ],
  [OwnedResource.VPC_FUNCTION]: LAMBDA_FUNCTION,
  [OwnedResource.LOG_GROUP]: [
    {
      rules: inPacks('CloudWatchLogGroupEncrypted', NIST, HIPAA, PCI),
      reason: 'Holds deployment IDs, statuses and error texts, no application data; encrypted at rest by CloudWatch Logs. Pass your own key by wrapping the pattern if your policy requires a customer managed key.',
    },
  ],
  [OwnedResource.ROLE]: [
    {
      rules: inPacks('IAMNoInlinePolicy', NIST, HIPAA, PCI),
      reason: 'The role\'s grants are an inline policy of exactly this role, each statement on named resources; a managed policy would be attachable to other principals.',
    },
  ],
  [OwnedResource.REVISION_BUCKET]: [
    {
      rules: inPacks('S3BucketLoggingEnabled', NIST, HIPAA, PCI),
      reason: 'Written only by the deployment trigger and read by the deployment group\'s instances (CloudTrail records the writes); pass revisionBucket with server access logging to log every read.',
    },
    {
      rules: inPacks('S3BucketReplicationEnabled', NIST, HIPAA, PCI),
      reason: 'Revisions are build outputs: every cdk deploy can copy them again from the CDK asset; CodeDeploy needs them in the instances\' Region only.',
    },
    {
      rules: inPacks('S3DefaultEncryptionKMS', NIST, HIPAA, PCI),
      reason: 'Encrypted with S3 managed keys, so the instances need no KMS permissions; pass revisionBucket with a KMS key (and grant it to the instance roles) if your policy requires one.',
    },
  ],
  [OwnedResource.DEFAULT_ALARM]: [
    {
      rules: inPacks('CloudWatchAlarmAction', NIST, HIPAA),
      reason: 'The alarm\'s action is CodeDeploy\'s: the deployment group stops and rolls back the deployment when it fires. Add your own actions (alarmActions) for paging.',
    },
  ],
  [OwnedResource.LOAD_BALANCER_SECURITY_GROUP]: [
    {
      rules: [...inPacks('EC2RestrictedCommonPorts', NIST, HIPAA, PCI), ...inPacks('EC2RestrictedSSH', NIST, HIPAA, PCI)],
      reason: 'Only the listener ports are open, to the peers given (anyone for the production listener of an internet-facing load balancer, the VPC otherwise); SSH is never opened.',
    },
  ],
  [OwnedResource.EVENT_QUEUE]: [
    {
      rules: ['AwsSolutions-SQS3', ...inPacks('SQSRedrivePolicy', SERVERLESS)],
      reason:
        'A mailbox that only wakes the waiting deployment trigger: each event is deleted when read and expires after an hour. A dead-letter queue would only collect stale events; the trigger also reads the deployment at least once a minute.',
    },
  ],
  [OwnedResource.EVENT_RULE]: [
    {
      rules: inPacks('EventBusDLQ', SERVERLESS),
      reason:
        'An event that cannot be delivered delays the answer to CloudFormation by at most one minute (the trigger reads the deployment at least once a minute); a dead-letter queue would hold events nobody reads.',
    },
  ],
};

/** Acknowledges every catalog finding of this kind of resource on it. */
export function acknowledgeCompliance(scope: IConstruct, kind: OwnedResource): void {
  for (const ack of COMPLIANCE_ACKNOWLEDGEMENTS[kind]) {
    for (const rule of ack.rules) {
      acknowledge(scope, rule, ack.reason);
    }
  }
}
