// Which target group each blue/green listener serves now, for the `LiveTargetGroups` custom resource
// of `BlueGreenListeners` (answered by the deployment trigger's function). The listeners' template
// forwards to what this returns, so a CloudFormation update of a listener never points it back at
// the target group a deployment moved traffic away from. Bundled into the trigger handler.
import type * as Elbv2Sdk from '@aws-sdk/client-elastic-load-balancing-v2';

/** The resource type the trigger function answers with `liveTargetGroups`. */
export const LIVE_TARGET_GROUPS_RESOURCE_TYPE = 'Custom::CodeDeployLiveTargetGroups';

/** Resource properties (CloudFormation passes every scalar as a string). */
export interface LiveTargetGroupsProperties {
  readonly LoadBalancerArn: string;
  readonly BlueTargetGroupArn: string;
  readonly GreenTargetGroupArn: string;
  /** Port of a listener the template follows (it cannot reference the listener: the listener references this resource). */
  readonly ProductionPort?: string;
  readonly TestPort?: string;
  /**
   * A listener the template does not follow (one the user gave, whose rule the construct adds), so
   * it can be named: found by ARN, whatever its default action forwards to.
   */
  readonly ProductionListenerArn?: string;
  readonly TestListenerArn?: string;
  /**
   * The listeners' other properties, unused here: any change of them (including a referenced
   * value, such as a replaced certificate) updates this resource before the listener, so the
   * listener's update forwards to what serves traffic now.
   */
  readonly ProductionListener?: unknown;
  readonly TestListener?: unknown;
  /**
   * ECS-native deployments shift an Application Load Balancer's traffic on a listener rule of this
   * priority (on each listener), not on the listener's default action: where it forwards is what
   * serves traffic. A listener without it (not created yet) falls back to its default action.
   */
  readonly RulePriority?: string;
  /** The rules' other properties, unused here (as for the listeners). */
  readonly ProductionRule?: unknown;
  readonly TestRule?: unknown;
  /**
   * The engine that deploys the service (`CODE_DEPLOY` or `ECS`). The service depends on this
   * resource, so an update that switches it fails here, before CloudFormation touches the service.
   */
  readonly Engine?: string;
}

/** What the listeners' default actions forward to. */
export interface LiveTargetGroups {
  readonly ProductionTargetGroupArn: string;
  readonly TestTargetGroupArn: string;
  /** How each was decided, for the log and the answer's reason. */
  readonly how: string;
}

/** The subset of the ELBv2 client and commands the lookup uses (the real SDK's in the handler and tests). */
export interface Elbv2Api {
  describeListeners(loadBalancerArn: string, marker?: string): Promise<Elbv2Sdk.DescribeListenersOutput>;
  describeTargetHealth(targetGroupArn: string): Promise<Elbv2Sdk.DescribeTargetHealthOutput>;
  describeRules(listenerArn: string, marker?: string): Promise<Elbv2Sdk.DescribeRulesOutput>;
}

export function parseLiveTargetGroupsProperties(raw: Record<string, unknown>): LiveTargetGroupsProperties {
  const problems: string[] = [];
  const given = (key: string) => typeof raw?.[key] === 'string' || typeof raw?.[key] === 'number';
  for (const key of ['LoadBalancerArn', 'BlueTargetGroupArn', 'GreenTargetGroupArn']) {
    if (!given(key)) {
      problems.push(`${key} is required; received ${JSON.stringify(raw?.[key])?.slice(0, 80)}`);
    }
  }
  if (!given('ProductionPort') && !given('ProductionListenerArn')) {
    problems.push(`ProductionPort or ProductionListenerArn is required; received neither (${JSON.stringify(raw?.ProductionPort)?.slice(0, 80)})`);
  }
  if (problems.length > 0) {
    throw new Error(`invalid resource properties: ${problems.join('; ')}`);
  }
  return raw as unknown as LiveTargetGroupsProperties;
}

/** Target groups a listener (or rule) forwards to with a weight above zero (a plain forward has weight 1). */
function servedBy(listener: { DefaultActions?: Elbv2Sdk.Action[] }): { arns: string[]; all: string[] } {
  const all: string[] = [];
  const arns: string[] = [];
  for (const action of listener.DefaultActions ?? []) {
    if (action.Type !== 'forward') {
      continue;
    }
    const groups = action.ForwardConfig?.TargetGroups?.length
      ? action.ForwardConfig.TargetGroups.map((g) => ({ arn: g.TargetGroupArn!, weight: g.Weight ?? 1 }))
      : action.TargetGroupArn ? [{ arn: action.TargetGroupArn, weight: 1 }] : [];
    for (const g of groups) {
      all.push(g.arn);
      if (g.weight > 0) {
        arns.push(g.arn);
      }
    }
  }
  return { arns: [...new Set(arns)], all: [...new Set(all)] };
}

/**
 * Reads where the load balancer's blue/green listeners forward now. A listener is found by its ARN
 * when the template names it, else by its port (or its previous port, when this update changes it)
 * among the listeners that forward only to the pair. Without a listener (the stack is being created, or the listener is new), the production
 * target group is the one with healthy targets, else blue; the test listener follows production's
 * other group, as on creation.
 */
export async function liveTargetGroups(
  api: Elbv2Api,
  props: LiveTargetGroupsProperties,
  oldProps: Partial<LiveTargetGroupsProperties> | undefined,
): Promise<LiveTargetGroups> {
  const switched = engineSwitch(props, oldProps);
  if (switched) {
    throw new Error(switched);
  }
  const blue = props.BlueTargetGroupArn;
  const green = props.GreenTargetGroupArn;
  const pair = new Set([blue, green]);
  const listeners: Elbv2Sdk.Listener[] = [];
  let marker: string | undefined;
  do {
    const page = await api.describeListeners(props.LoadBalancerArn, marker);
    listeners.push(...(page.Listeners ?? []));
    marker = page.NextMarker;
  } while (marker);
  const ours = listeners.filter((l) => {
    const s = servedBy(l);
    return s.all.length > 0 && s.all.every((arn) => pair.has(arn));
  });
  const find = (port: unknown, oldPort: unknown, arn: unknown) =>
    (arn ? listeners.find((l) => l.ListenerArn === arn) : undefined) ??
    ours.find((l) => port !== undefined && port !== '' && String(l.Port) === String(port)) ??
    ours.find((l) => oldPort !== undefined && oldPort !== '' && String(l.Port) === String(oldPort));

  const ruleOf = async (listener: Elbv2Sdk.Listener): Promise<Elbv2Sdk.Rule | undefined> => {
    if (props.RulePriority === undefined || props.RulePriority === '' || !listener.ListenerArn) {
      return undefined;
    }
    let next: string | undefined;
    do {
      const page = await api.describeRules(listener.ListenerArn, next);
      const rule = (page.Rules ?? []).find((r) => String(r.Priority) === String(props.RulePriority));
      if (rule) {
        return rule;
      }
      next = page.NextMarker;
    } while (next);
    return undefined;
  };
  const liveOf = async (listener: Elbv2Sdk.Listener, role: string): Promise<string> => {
    // ECS-native: the rule carries the traffic; the default action only follows it.
    const rule = await ruleOf(listener);
    const what = rule ? `the ${role} listener's rule ${props.RulePriority} on port ${listener.Port}` : `the ${role} listener on port ${listener.Port}`;
    const { arns } = servedBy(rule ? { DefaultActions: rule.Actions } : listener);
    if (arns.length !== 1) {
      throw new Error(
        `${what} forwards to ${arns.length} target groups with a weight above zero (${arns.join(', ')}): ` +
          'a deployment is shifting traffic. Wait for it to finish (or stop it), then update the stack again; updating the listener now would cut the shift short.',
      );
    }
    return arns[0];
  };

  const production = find(props.ProductionPort, oldProps?.ProductionPort, props.ProductionListenerArn);
  let productionArn: string;
  let how: string;
  if (production) {
    productionArn = await liveOf(production, 'production');
    how = `production listener (port ${production.Port}) forwards to ${name(productionArn, blue)}`;
  } else {
    const healthy = await healthyGroups(api, [blue, green]);
    productionArn = healthy.length === 1 ? healthy[0] : blue;
    how = healthy.length === 1
      ? `no production listener yet; ${name(productionArn, blue)} has the healthy targets`
      : `no production listener yet; ${healthy.length === 0 ? 'neither' : 'both'} target groups have healthy targets, so blue`;
  }
  const otherArn = productionArn === blue ? green : blue;
  let testArn = otherArn;
  if ((props.TestPort !== undefined && props.TestPort !== '') || props.TestListenerArn) {
    const test = find(props.TestPort, oldProps?.TestPort, props.TestListenerArn);
    if (test) {
      testArn = await liveOf(test, 'test');
      how += `; test listener (port ${test.Port}) forwards to ${name(testArn, blue)}`;
    } else {
      how += `; no test listener yet, so ${name(testArn, blue)}`;
    }
  }
  return { ProductionTargetGroupArn: productionArn, TestTargetGroupArn: testArn, how };
}

/**
 * Why an update that changes the engine of a deployed service must stop, or undefined. A resource
 * without an engine before (created by an older version of the library) is no switch.
 */
export function engineSwitch(
  props: Partial<LiveTargetGroupsProperties>,
  oldProps: Partial<LiveTargetGroupsProperties> | undefined,
): string | undefined {
  const from = oldProps?.Engine;
  const to = props.Engine;
  if (!from || !to || from === to) {
    return undefined;
  }
  return (
    `this update switches the service's deployment engine from ${from} to ${to} in place; stopped before the service is changed. ` +
    'CloudFormation rejects moving a running service onto CODE_DEPLOY (aws/aws-cdk#36012), and the other way round the service\'s ' +
    'controller, target groups and listener rules would all change while it serves traffic. Keep the engine, or switch safely: add a ' +
    'second EcsDeployment with the other engine (its own construct ID, so its own service and load balancer), deploy, move clients to it, ' +
    'then remove the first.'
  );
}

function name(arn: string, blue: string): string {
  return arn === blue ? 'blue' : 'green';
}

/** Target groups of the list with at least one healthy target. */
async function healthyGroups(api: Elbv2Api, arns: string[]): Promise<string[]> {
  const healthy: string[] = [];
  for (const arn of arns) {
    const out = await api.describeTargetHealth(arn);
    if ((out.TargetHealthDescriptions ?? []).some((d) => d.TargetHealth?.State === 'healthy')) {
      healthy.push(arn);
    }
  }
  return healthy;
}
