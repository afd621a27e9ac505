import { Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DeploymentEvent, LambdaDeployment, LifecycleHook } from '../../src';

/** A function with its own log group and a role that can write only there. */
function loggedFunction(scope: Construct, id: string, props: Omit<lambda.FunctionProps, 'runtime' | 'role' | 'logGroup'>): lambda.Function {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  return new lambda.Function(scope, id, { runtime: lambda.Runtime.NODEJS_24_X, role, logGroup, ...props });
}

/**
 * An API handler deployed 20 % first, then the rest after 10 minutes: the new version is invoked
 * before it gets traffic, and the function's errors are watched after the shift.
 */
export class LambdaCanaryStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const handler = loggedFunction(this, 'Handler', {
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async (event) => ({ ok: true, healthCheck: !!event.healthCheck });'),
      timeout: Duration.seconds(10),
    });

    // After all traffic has shifted, watch the function's errors for two more minutes.
    const errors = new cloudwatch.Alarm(this, 'HandlerErrors', {
      metric: handler.metricErrors({ period: Duration.minutes(1) }),
      threshold: 1,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
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
      hooks: {
        // BeforeAllowTraffic: invoke the version being deployed (read from the deployment) before it gets traffic.
        beforeAllowTraffic: LifecycleHook.invokeCheck({ payload: { healthCheck: true }, responseContains: '"ok":true' }),
        afterAllowTraffic: LifecycleHook.alarmCheck([errors], { observeFor: Duration.minutes(2) }),
      },
      notifications: [
        { topic: notifications, events: [DeploymentEvent.DEPLOYMENT_FAILURE, DeploymentEvent.DEPLOYMENT_ROLLBACK] },
      ],
    });
  }
}
