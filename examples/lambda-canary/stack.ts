import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DeploymentEvent, LambdaDeployment, LifecycleHook } from '../../src';

/**
 * A hook that invokes a target (the new version before traffic shifts, the alias after) with a
 * health-check payload and reports Succeeded or Failed to CodeDeploy, also when the check throws.
 */
const HOOK_CODE = `
const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = require('@aws-sdk/client-codedeploy');
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
exports.handler = async (event) => {
  let status = 'Failed';
  try {
    const res = await new LambdaClient({}).send(new InvokeCommand({
      FunctionName: process.env.TARGET,
      Payload: JSON.stringify({ healthCheck: true }),
    }));
    const body = JSON.parse(Buffer.from(res.Payload || []).toString() || '{}');
    status = !res.FunctionError && body.ok === true ? 'Succeeded' : 'Failed';
  } catch (err) {
    console.error(JSON.stringify({ deploymentId: event.DeploymentId, error: String(err) }));
  }
  console.log(JSON.stringify({ deploymentId: event.DeploymentId, target: process.env.TARGET, status }));
  await new CodeDeployClient({}).send(new PutLifecycleEventHookExecutionStatusCommand({
    deploymentId: event.DeploymentId,
    lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
    status,
  }));
};
`;

/** A function with its own log group and a role that can write only there. */
function loggedFunction(scope: Construct, id: string, props: Omit<lambda.FunctionProps, 'runtime' | 'role' | 'logGroup'>): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return new lambda.Function(scope, id, { runtime: lambda.Runtime.NODEJS_24_X, role, logGroup, ...props });
}

/** An API handler deployed 20 % first, then the rest after 10 minutes, with both hooks. */
export class LambdaCanaryStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const handler = loggedFunction(this, 'Handler', {
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async (event) => ({ ok: true, healthCheck: !!event.healthCheck });'),
      timeout: Duration.seconds(10),
    });

    // BeforeAllowTraffic: invoke the new version before it gets any traffic.
    const preTraffic = loggedFunction(this, 'PreTrafficHook', {
      handler: 'index.handler',
      code: lambda.Code.fromInline(HOOK_CODE),
      timeout: Duration.seconds(30),
      environment: { TARGET: handler.currentVersion.functionArn },
    });
    handler.currentVersion.grantInvoke(preTraffic);

    // AfterAllowTraffic: invoke through the alias once all traffic has shifted.
    const postTraffic = loggedFunction(this, 'PostTrafficHook', {
      handler: 'index.handler',
      code: lambda.Code.fromInline(HOOK_CODE),
      timeout: Duration.seconds(30),
      environment: { TARGET: `${handler.functionName}:live` },
    });
    iam.Grant.addToPrincipal({
      grantee: postTraffic,
      actions: ['lambda:InvokeFunction'],
      resourceArns: [`${handler.functionArn}:live`],
    });

    const canary = new codedeploy.LambdaDeploymentConfig(this, 'Canary20Percent10Minutes', {
      trafficRouting: codedeploy.TrafficRouting.timeBasedCanary({ percentage: 20, interval: Duration.minutes(10) }),
    });

    const notifications = new sns.Topic(this, 'DeploymentNotifications', {
      masterKey: new kms.Key(this, 'NotificationsKey', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY }),
      enforceSSL: true,
    });

    new LambdaDeployment(this, 'Deployment', {
      lambdaFunction: handler,
      deploymentConfig: canary,
      preTraffic: LifecycleHook.fromFunction(preTraffic),
      postTraffic: LifecycleHook.fromFunction(postTraffic),
      notifications: [
        { topic: notifications, events: [DeploymentEvent.DEPLOYMENT_FAILURE, DeploymentEvent.DEPLOYMENT_ROLLBACK] },
      ],
    });
  }
}
