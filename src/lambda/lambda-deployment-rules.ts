import { Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LambdaDeploymentAlarmOptions, LambdaDeploymentProps } from './lambda-deployment-props';
import { DeploymentSource } from '../common/deployment-source';
import { throwIfErrors, validateAlarmTuning, validateConfigPlatform, validateCustomTrafficRouting } from '../private/validation';

/** How many default alarms the options turn on. */
export function lambdaDefaultAlarmCount(options: LambdaDeploymentAlarmOptions): number {
  return (options.errors ?? true ? 1 : 0) + (options.throttles ?? true ? 1 : 0);
}

/** Every problem of the Lambda-only props. */
export function validateLambdaOptions(props: LambdaDeploymentProps): string[] {
  const alarmOptions = props.defaultAlarms ?? {};
  return [
    ...validateAliasName(props.aliasName),
    ...validateAlarmTuning(
      { errorsThreshold: alarmOptions.errorsThreshold, throttlesThreshold: alarmOptions.throttlesThreshold },
      alarmOptions.evaluationPeriods,
      alarmOptions.period,
    ),
    ...validateCustomTrafficRouting(props.deploymentConfig),
    ...validateConfigPlatform(props.deploymentConfig, 'Lambda'),
    ...(props.deploymentSource === DeploymentSource.PIPELINE
      ? ([
        ['version', props.version, 'the alias\'s version in the template is the first version the pattern publishes; the pipeline publishes the others'],
        ['oldVersions', props.oldVersions, 'the pattern publishes only the first version, which it keeps; the pipeline owns the others'],
        ['provisionedConcurrentExecutions', props.provisionedConcurrentExecutions,
          'a change of the alias in the template makes CloudFormation move it back to the first version; set provisioned concurrency on the alias from the pipeline or the console'],
      ] as Array<[string, unknown, string]>)
        .filter(([, value]) => value !== undefined)
        .map(([name, , why]) => `${name} cannot be used with deploymentSource PIPELINE: ${why}. Drop ${name}, or use DeploymentSource.CDK_DEPLOY.`)
      : []),
    ...(props.oldVersions !== undefined && ![RemovalPolicy.RETAIN, RemovalPolicy.DESTROY].includes(props.oldVersions)
      ? [`oldVersions must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY (a Lambda version has no snapshot); received ${props.oldVersions}.`]
      : []),
    ...(props.oldVersions !== undefined && props.version
      ? ['oldVersions applies to the version the pattern publishes (lambdaFunction.currentVersion), and version is given; set the removal policy on your version, or drop one of the two.']
      : []),
    ...(props.version && !Token.isUnresolved(props.version.version) && props.version.version === '$LATEST'
      ? ['version is $LATEST (fn.latestVersion): an alias on $LATEST is never shifted by CodeDeploy, so every change goes live at once with no canary, alarms or rollback. Omit version (the pattern uses lambdaFunction.currentVersion) or pass a published version.']
      : []),
  ];
}

/** The alias name rule of Lambda: 1-128 of [a-zA-Z0-9_-], not only digits (a number names a version). */
export function validateAliasName(name: string | undefined): string[] {
  if (name === undefined || Token.isUnresolved(name)) {
    return [];
  }
  if (!/^[a-zA-Z0-9_-]{1,128}$/.test(name) || /^[0-9]+$/.test(name)) {
    return [
      `aliasName must be 1-128 letters, digits, "-" or "_" and not only digits (a number names a version); received "${name}".`,
    ];
  }
  return [];
}

/** The default alarms on the alias: errors and throttles. */
export function lambdaDefaultAlarms(scope: Construct, alias: lambda.Alias, options: LambdaDeploymentAlarmOptions): cloudwatch.IAlarm[] {
  const period = options.period ?? Duration.minutes(1);
  const common = {
    evaluationPeriods: options.evaluationPeriods ?? 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
  const sum = { period, statistic: cloudwatch.Stats.SUM };
  const kinds = [
    { id: 'ErrorsAlarm', label: 'Errors', on: options.errors ?? true, metric: alias.metricErrors(sum), threshold: options.errorsThreshold ?? 1 },
    { id: 'ThrottlesAlarm', label: 'Throttles', on: options.throttles ?? true, metric: alias.metricThrottles(sum), threshold: options.throttlesThreshold ?? 1 },
  ];
  return kinds.filter((k) => k.on).map((k) => new cloudwatch.Alarm(scope, k.id, {
    ...common,
    alarmDescription: `${k.label} of ${alias.aliasName}: stops and rolls back the CodeDeploy deployment`,
    metric: k.metric,
    threshold: k.threshold,
  }));
}

/**
 * A hook function CodeDeploy can invoke for this deployment: not the deployed function itself, and
 * one the service role can be granted on. `add` puts it in the deployment group.
 */
export function addHookFunction(scope: Construct, prop: string, fn: lambda.IFunction, deployed: lambda.Function, add: () => void): void {
  if (fn.node === deployed.node) {
    throwIfErrors(scope, [
      `${prop} is the deployed function itself (${deployed.node.path}): CodeDeploy would invoke $LATEST as the hook and wait for a PutLifecycleEventHookExecutionStatus it never sends. Use a separate hook function, or LifecycleHook.invokeCheck() to test the new version.`,
    ]);
  }
  try {
    add();
  } catch (e) {
    // aws-cdk-lib's error for an imported hook it cannot grant on names neither this construct nor the fix.
    throwIfErrors(scope, [
      `${prop}: CodeDeploy's role could not be given permission to invoke ${fn.node.path} (${fn.functionArn}), an imported function (aws-cdk-lib: "${(e as Error).message.split('\n')[0]}"). If it is in this account, import it with lambda.Function.fromFunctionAttributes(..., { sameEnvironment: true }); if it is in another account, give its resource policy lambda:InvokeFunction for the service role and import it with { skipPermissions: true }.`,
    ]);
  }
}
