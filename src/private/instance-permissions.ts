import { Aws, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { IConstruct } from 'constructs';
import { agentPackageName } from './agent-install';
import { acknowledge, wildcardResourceFinding } from './nag';
import { AgentMajorVersion } from '../common/agent-version';

/**
 * What an EC2/on-premises instance role needs for CodeDeploy: read access to revisions, the
 * Region's CodeDeploy resource kit, and the Systems Manager calls the agent installation uses.
 * Shared by `AgentInstanceProfile` and `ServerDeployment` (for Auto Scaling groups' roles).
 */

/** Systems Manager actions the SSM Agent uses to register and run State Manager associations (AmazonSSMManagedInstanceCore, narrowed). */
const SSM_INSTANCE_ACTIONS = [
  'ssm:UpdateInstanceInformation',
  'ssm:ListInstanceAssociations',
  'ssm:UpdateInstanceAssociationStatus',
  'ssm:PutComplianceItems',
];
/** Actions without resource-level permissions (message channels, package manifests). */
const SSM_UNSCOPED_ACTIONS = [
  'ssm:GetManifest',
  'ssm:PutConfigurePackageResult',
  'ec2messages:AcknowledgeMessage',
  'ec2messages:DeleteMessage',
  'ec2messages:FailMessage',
  'ec2messages:GetEndpoint',
  'ec2messages:GetMessages',
  'ec2messages:SendReply',
  'ssmmessages:CreateControlChannel',
  'ssmmessages:CreateDataChannel',
  'ssmmessages:OpenControlChannel',
  'ssmmessages:OpenDataChannel',
];
/** The documents the agent installation runs: the package-configuring document and the agent's package. */
function agentDocuments(majorVersion: AgentMajorVersion): string[] {
  return ['AWS-ConfigureAWSPackage', agentPackageName(majorVersion)];
}

export const SSM_MANAGED_POLICY = 'AmazonSSMManagedInstanceCore';

/** The name of the CodeDeploy resource-kit bucket of the stack's Region. */
export function resourceKitBucketName(scope: IConstruct): string {
  return `aws-codedeploy-${Stack.of(scope).region}`;
}

/** Read on the resource kit and, with `systemsManager`, what the SSM Agent needs to install the CodeDeploy agent. */
export function grantAgentAccess(
  role: iam.IRole,
  scope: IConstruct,
  options: { systemsManager: boolean; useAwsManagedPolicy: boolean; agentMajorVersion?: AgentMajorVersion },
): void {
  const stack = Stack.of(scope);
  const documents = agentDocuments(options.agentMajorVersion ?? AgentMajorVersion.V1);
  const kit = `arn:${Aws.PARTITION}:s3:::${resourceKitBucketName(scope)}`;
  addStatement(
    role,
    new iam.PolicyStatement({ sid: 'CodeDeployResourceKitRead', actions: ['s3:GetObject'], resources: [`${kit}/*`] }),
    'The CodeDeploy agent installs and updates itself from the Region\'s AWS-owned resource kit bucket (aws-codedeploy-<region>), whose object keys change with every agent release; read-only.',
  );
  addStatement(role, new iam.PolicyStatement({ sid: 'CodeDeployResourceKitList', actions: ['s3:ListBucket'], resources: [kit] }));
  if (!options.systemsManager) {
    return;
  }
  if (options.useAwsManagedPolicy) {
    role.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName(SSM_MANAGED_POLICY));
    // The one finding of the user's opt-in the library acknowledges: aws-cdk-lib's Validations
    // rejects this finding's ID (it holds '::' twice), so a user could not acknowledge it.
    acknowledgeOn(
      role,
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${SSM_MANAGED_POLICY}]`,
      'The user opted in to the AWS managed AmazonSSMManagedInstanceCore policy for the instances.',
    );
    return;
  }
  addStatement(
    role,
    new iam.PolicyStatement({
      sid: 'SsmAgentDocuments',
      actions: ['ssm:GetDocument', 'ssm:DescribeDocument'],
      // AWS-owned documents: their ARN has no account (arn:…:ssm:<region>::document/<name>), while the Service
      // Authorization Reference's format has one; "*" matches both. Names starting with "AWS" are reserved for AWS.
      resources: documents.map((d) => stack.formatArn({ service: 'ssm', account: '*', resource: 'document', resourceName: d })),
    }),
    'AWS-owned Systems Manager documents have no account in their ARN (arn:<partition>:ssm:<region>::document/<name>); the account wildcard matches them, limited to these two documents by name (names starting with "AWS" are reserved for AWS).',
  );
  addStatement(
    role,
    new iam.PolicyStatement({
      sid: 'SsmAgentInstance',
      actions: SSM_INSTANCE_ACTIONS,
      resources: [stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' })],
    }),
    'The SSM Agent reports on its own instance, whose ID is only known at launch; limited to instances of this account and Region.',
  );
  addStatement(
    role,
    new iam.PolicyStatement({
      sid: 'SsmAgentAssociations',
      actions: ['ssm:DescribeAssociation'],
      // Every resource type the Service Authorization Reference lists for the action: the association, its
      // document and the (EC2 or on-premises) instance it runs on.
      resources: [
        stack.formatArn({ service: 'ssm', resource: 'association', resourceName: '*' }),
        stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' }),
        stack.formatArn({ service: 'ssm', resource: 'managed-instance', resourceName: '*' }),
        ...documents.map((d) => stack.formatArn({ service: 'ssm', account: '*', resource: 'document', resourceName: d })),
      ],
    }),
    'The SSM Agent reads the State Manager associations of its own instance; association and instance IDs are generated, so the statement is limited to associations and instances of this account and Region and the two agent documents.',
  );
  addStatement(
    role,
    new iam.PolicyStatement({ sid: 'SsmAgentMessages', actions: SSM_UNSCOPED_ACTIONS, resources: ['*'] }),
    'The SSM Agent\'s message channels (ec2messages, ssmmessages) and package manifests have no resource-level permissions in IAM; these are the AmazonSSMManagedInstanceCore actions the agent installation uses, without parameters, inventory or patching.',
  );
}

/** `s3:GetObject` (and version) on the revisions under a key pattern of a bucket, plus its KMS key. */
export function grantReadRevisions(role: iam.IRole, bucket: s3.IBucket, keyPattern: string): void {
  addStatement(
    role,
    new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:GetObjectVersion'],
      resources: [bucket.arnForObjects(keyPattern)],
    }),
    'The instances download every revision of this deployment group (current, previous for rollbacks, last successful for Auto Scaling launches); limited to the group\'s key prefix in the revision bucket.',
  );
  bucket.encryptionKey?.grantDecrypt(role);
}

/** `s3:GetObject` (and version) on every object of a pipeline's artifact bucket, plus its KMS key. */
export function grantReadPipelineArtifacts(role: iam.IRole, bucket: s3.IBucket): void {
  addStatement(
    role,
    new iam.PolicyStatement({ actions: ['s3:GetObject', 's3:GetObjectVersion'], resources: [bucket.arnForObjects('*')] }),
    'CodePipeline stores the revisions it deploys under generated keys in its artifact bucket; the instances download them (also when Auto Scaling launches one later), read-only and in that bucket only.',
  );
  bucket.encryptionKey?.grantDecrypt(role);
}

function addStatement(role: iam.IRole, statement: iam.PolicyStatement, reason?: string): void {
  role.addToPrincipalPolicy(statement);
  if (!reason) {
    return;
  }
  for (const resource of statement.resources) {
    if (resource.includes('*')) {
      acknowledgeOn(role, wildcardResourceFinding(role, resource), reason);
    }
  }
}

/** Acknowledges on the role when it is part of this app (imported roles have no policy here to check). */
function acknowledgeOn(role: iam.IRole, id: string, reason: string): void {
  if (role instanceof iam.Role) {
    acknowledge(role, id, reason);
  }
}
