/**
 * Built-in hook `LifecycleHook.alarmCheck`: fails while any of the given CloudWatch alarms is in
 * ALARM (or missing); with an observation window, keeps looking until the window ends. Without
 * alarm names in its configuration it checks the alarms of the deployment's group.
 */
import { builtInHandler, readConfig, sdkClient, sdkPackage, sleep } from './common';

export interface AlarmCheckConfig {
  /** The alarms to check; without them, the alarms of the deployment's group (read when the hook runs). */
  readonly alarmNames?: string[];
  /** Keep checking for this long (0: check once). */
  readonly observeMs: number;
  readonly intervalMs: number;
  readonly failOnInsufficientData: boolean;
}

export const handler = builtInHandler(async (_event, context) => {
  const config = readConfig<AlarmCheckConfig>();
  let alarmNames = config.alarmNames;
  if (!alarmNames) {
    // The alarms that roll this deployment back: the deployment group's (CodeDeploy) or the service's (ECS).
    const group = context.engine === 'ECS'
      ? serviceAlarms(context.serviceArn, context.details)
      : await groupAlarms(context.deploymentId, context.signal);
    if (!group.enabled || group.names.length === 0) {
      return `the ${group.kind} ${group.name} ${group.enabled ? 'has no alarms' : 'has its alarm configuration turned off'}: nothing to check`;
    }
    context.log(`checking the alarms of the ${group.kind}`, { [context.engine === 'ECS' ? 'service' : 'deploymentGroup']: group.name, alarms: group.names });
    alarmNames = group.names;
  }
  const started = Date.now();
  for (let round = 1; ; round++) {
    await checkOnce(alarmNames, config, context.signal);
    const left = config.observeMs - (Date.now() - started);
    if (left <= 0 || context.signal.aborted) {
      return `${alarmNames.length} alarm(s) not in ALARM (${round} check(s) over ${Date.now() - started} ms)`;
    }
    await sleep(Math.min(config.intervalMs, left), context.signal);
  }
});

interface WatchedAlarms {
  readonly kind: string;
  readonly name: string;
  readonly enabled: boolean;
  readonly names: string[];
}

/**
 * The ECS service's deployment alarms, as EcsDeployment puts them in the hook's details
 * (`hookDetails`, which ECS passes on every invocation): no call, so no permission on the service.
 */
function serviceAlarms(serviceArn: string | undefined, details: Record<string, unknown>): WatchedAlarms {
  const names = details.alarmNames;
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
    throw new Error(
      `the ECS event's hookDetails has no alarmNames list (received ${JSON.stringify(names)}); EcsDeployment sets it for the hooks that check the service's alarms. ` +
        'A hook wired by hand needs hookDetails { alarmNames: [...] }, or alarm names in LifecycleHook.alarmCheck(alarms).',
    );
  }
  const service = /:service\/(.+)$/.exec(serviceArn ?? '')?.[1] ?? serviceArn ?? 'of this deployment';
  return { kind: 'service', name: service, enabled: details.alarmsEnabled !== false, names: names as string[] };
}

/** The alarm configuration of the deployment's group: GetDeployment names the group, GetDeploymentGroup has its alarms. */
async function groupAlarms(deploymentId: string, signal: AbortSignal): Promise<WatchedAlarms> {
  const codedeploy = sdkPackage('codedeploy');
  const deployment = await sdkClient('codedeploy').send(new codedeploy.GetDeploymentCommand({ deploymentId }), { abortSignal: signal });
  const { applicationName, deploymentGroupName } = deployment.deploymentInfo ?? {};
  if (!applicationName || !deploymentGroupName) {
    throw new Error(`GetDeployment ${deploymentId} named no application and deployment group`);
  }
  const group = await sdkClient('codedeploy').send(new codedeploy.GetDeploymentGroupCommand({ applicationName, deploymentGroupName }), {
    abortSignal: signal,
  });
  const alarms = group.deploymentGroupInfo?.alarmConfiguration;
  return {
    kind: 'deployment group',
    name: `${applicationName}/${deploymentGroupName}`,
    enabled: alarms?.enabled === true,
    names: (alarms?.alarms ?? []).map((a: { name?: string }) => a.name).filter((n: string | undefined): n is string => !!n),
  };
}

async function checkOnce(alarmNames: string[], config: AlarmCheckConfig, signal: AbortSignal): Promise<void> {
  const cloudwatch = sdkPackage('cloudwatch');
  const found = new Map<string, string>();
  // DescribeAlarms takes up to 100 names (the construct allows no more).
  let nextToken: string | undefined;
  do {
    const page = await sdkClient('cloudwatch').send(
      new cloudwatch.DescribeAlarmsCommand({
        AlarmNames: alarmNames,
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        NextToken: nextToken,
      }),
      { abortSignal: signal },
    );
    for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      found.set(alarm.AlarmName, alarm.StateValue);
    }
    nextToken = page.NextToken;
  } while (nextToken);

  const problems: string[] = [];
  for (const name of alarmNames) {
    const state = found.get(name);
    if (state === undefined) {
      problems.push(`${name} does not exist`);
    } else if (state === 'ALARM' || (config.failOnInsufficientData && state === 'INSUFFICIENT_DATA')) {
      problems.push(`${name} is in ${state}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(problems.join('; '));
  }
}
