/**
 * Built-in hook `LifecycleHook.alarmCheck`: fails while any of the given CloudWatch alarms is in
 * ALARM (or missing); with an observation window, keeps looking until the window ends.
 */
import { builtInHandler, readConfig, sdkClient, sdkPackage, sleep } from './common';

export interface AlarmCheckConfig {
  readonly alarmNames: string[];
  /** Keep checking for this long (0: check once). */
  readonly observeMs: number;
  readonly intervalMs: number;
  readonly failOnInsufficientData: boolean;
}

export const handler = builtInHandler(async (_event, context) => {
  const config = readConfig<AlarmCheckConfig>();
  const started = Date.now();
  for (let round = 1; ; round++) {
    await checkOnce(config, context.signal);
    const left = config.observeMs - (Date.now() - started);
    if (left <= 0 || context.signal.aborted) {
      return `${config.alarmNames.length} alarm(s) not in ALARM (${round} check(s) over ${Date.now() - started} ms)`;
    }
    await sleep(Math.min(config.intervalMs, left), context.signal);
  }
});

async function checkOnce(config: AlarmCheckConfig, signal: AbortSignal): Promise<void> {
  const cloudwatch = sdkPackage('cloudwatch');
  const found = new Map<string, string>();
  // DescribeAlarms takes up to 100 names (the construct allows no more).
  let nextToken: string | undefined;
  do {
    const page = await sdkClient('cloudwatch').send(
      new cloudwatch.DescribeAlarmsCommand({
        AlarmNames: config.alarmNames,
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
  for (const name of config.alarmNames) {
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
