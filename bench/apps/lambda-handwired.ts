import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { lambdaFixture } from './fixtures';

/**
 * The same as lambda-pattern.ts with aws-cdk-lib L2s only, as a careful user writes it today:
 * scoped service role with confused-deputy conditions (no managed policy), errors and throttles
 * alarms with rollback, a pre-traffic hook that invokes the new version and always reports, a
 * post-traffic hook that checks the alarms, each hook with its own role and log group.
 */
export function build(stack: Stack, id: string): void {
  const fn = lambdaFixture(stack, `${id}Fn`);
  // --- user code begin
  const alias = new lambda.Alias(stack, `${id}Alias`, { aliasName: 'live', version: fn.currentVersion });
  const application = new codedeploy.LambdaApplication(stack, `${id}App`);
  const role = new iam.Role(stack, `${id}ServiceRole`, {
    assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com').withConditions({
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'codedeploy', resource: 'deploymentgroup', resourceName: `${application.applicationName}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME }) },
    }),
  });
  role.addToPolicy(new iam.PolicyStatement({
    actions: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'],
    resources: [fn.functionArn, alias.functionArn],
  }));
  const alarm = (name: string, metric: cloudwatch.IMetric) => new cloudwatch.Alarm(stack, `${id}${name}`, {
    metric, threshold: 1, evaluationPeriods: 1, treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const alarms = [
    alarm('Errors', alias.metricErrors({ period: Duration.minutes(1) })),
    alarm('Throttles', alias.metricThrottles({ period: Duration.minutes(1) })),
  ];
  role.addToPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarms.map((a) => a.alarmArn) }));
  const hook = (name: string, code: string, env: Record<string, string>) => {
    const logGroup = new logs.LogGroup(stack, `${id}${name}Logs`, { retention: logs.RetentionDays.ONE_YEAR });
    const hookRole = new iam.Role(stack, `${id}${name}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(hookRole);
    const f = new lambda.Function(stack, `${id}${name}`, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(code),
      timeout: Duration.minutes(2),
      role: hookRole,
      logGroup,
      environment: env,
      retryAttempts: 0,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [f.functionArn] }));
    return f;
  };
  const report = `
const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = require('@aws-sdk/client-codedeploy');
const report = (e, status) => new CodeDeployClient({}).send(new PutLifecycleEventHookExecutionStatusCommand({
  deploymentId: e.DeploymentId, lifecycleEventHookExecutionId: e.LifecycleEventHookExecutionId, status }));`;
  const pre = hook('PreTraffic', `${report}
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
exports.handler = async (e) => {
  let status = 'Failed';
  try {
    const r = await new LambdaClient({}).send(new InvokeCommand({ FunctionName: process.env.TARGET, Payload: JSON.stringify({ healthCheck: true }) }));
    status = !r.FunctionError && Buffer.from(r.Payload).toString().includes('"ok":true') ? 'Succeeded' : 'Failed';
  } catch (err) { console.error(err); }
  await report(e, status);
};`, { TARGET: fn.currentVersion.functionArn });
  fn.currentVersion.grantInvoke(pre);
  const post = hook('PostTraffic', `${report}
const { CloudWatchClient, DescribeAlarmsCommand } = require('@aws-sdk/client-cloudwatch');
exports.handler = async (e) => {
  let status = 'Failed';
  try {
    const r = await new CloudWatchClient({}).send(new DescribeAlarmsCommand({ AlarmNames: process.env.ALARMS.split(',') }));
    status = r.MetricAlarms.some((a) => a.StateValue === 'ALARM') ? 'Failed' : 'Succeeded';
  } catch (err) { console.error(err); }
  await report(e, status);
};`, { ALARMS: alarms.map((a) => a.alarmName).join(',') });
  post.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarms.map((a) => a.alarmArn) }));
  const group = new codedeploy.LambdaDeploymentGroup(stack, `${id}Group`, {
    alias,
    application,
    role: role.withoutPolicyUpdates(),
    deploymentConfig: codedeploy.LambdaDeploymentConfig.CANARY_10PERCENT_5MINUTES,
    alarms,
    preHook: pre,
    postHook: post,
    autoRollback: { failedDeployment: true, deploymentInAlarm: true },
  });
  for (const f of [pre, post]) {
    f.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'], resources: [group.deploymentGroupArn] }));
  }
  // --- user code end
}
