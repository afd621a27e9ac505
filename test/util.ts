import { RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * A function as a careful user writes it: latest Node.js runtime, its own log group and a role
 * with exactly the log permissions it needs (no AWS managed policy).
 */
export function userFunction(scope: Construct, id: string, code = 'exports.handler = async () => ({ ok: true });'): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: logs.RetentionDays.ONE_MONTH,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(code),
    role,
    logGroup,
  });
}

/** An SNS topic that passes cdk-nag: KMS-encrypted (rotating key) and TLS-only. */
export function secureTopic(scope: Construct, id: string): sns.Topic {
  const key = new kms.Key(scope, `${id}Key`, { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
  return new sns.Topic(scope, id, { masterKey: key, enforceSSL: true });
}
