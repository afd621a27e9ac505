import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  Action, CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DescribeListenersCommand,
  DescribeRulesCommand, ElasticLoadBalancingV2Client, ModifyListenerCommand, ModifyRuleCommand, RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { Template } from 'aws-cdk-lib/assertions';
import { EcsDeployment, EcsDeploymentEngine } from '../../src';
import { LIVE_TARGET_GROUPS_RESOURCE_TYPE } from '../../src/trigger/live-target-groups';
import { Moto } from '../fakes/moto';
import { testStack } from '../harness';
import { triggerHarness } from '../trigger/trigger-harness';
import { ecsFixture } from '../util';

/**
 * No drift back to the idle target group (aws/aws-cdk#36649): the listener reading of
 * `BlueGreenListeners`, run by the bundled handler against moto's Elastic Load Balancing v2 (an
 * implementation nobody here wrote) with the real SDK. A deployment's shift is simulated the way
 * CodeDeploy leaves it (a weighted forward, 0 to the original target group); a CloudFormation
 * update of the listener is simulated the way CloudFormation makes it: ModifyListener with every
 * property of the new template, the default action resolved from the reading.
 */

const h = triggerHarness({ TRIGGER_RESPONSE_RESERVE_MS: '20' });
const moto = new Moto();
let elb: ElasticLoadBalancingV2Client;
let lbArn: string;
let emptyLbArn: string;
let blue: string;
let green: string;
let production: string;
let test8080: string;
let subnetIds: string[];
let vpcId: string;

beforeAll(async () => {
  await moto.start();
  // Registered after the harness's set-up: the handler's client (created on first use) talks to moto.
  process.env.AWS_ENDPOINT_URL_ELASTIC_LOAD_BALANCING_V2 = moto.endpoint;
  const ec2 = new EC2Client(moto.clientConfig());
  elb = new ElasticLoadBalancingV2Client(moto.clientConfig());
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  const subnets = await Promise.all(['a', 'b'].map(async (az, i) =>
    (await ec2.send(new CreateSubnetCommand({ VpcId: vpc, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: `us-east-1${az}` }))).Subnet!.SubnetId!));
  const lb = async (name: string) => (await elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnets, Type: 'application' }))).LoadBalancers![0].LoadBalancerArn!;
  lbArn = await lb('web');
  emptyLbArn = await lb('replaced');
  const tg = async (name: string) =>
    (await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 8080, VpcId: vpc, TargetType: 'ip' }))).TargetGroups![0].TargetGroupArn!;
  blue = await tg('blue');
  green = await tg('green');
  const listener = async (port: number, target: string) =>
    (await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: port, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: target }] }))).Listeners![0].ListenerArn!;
  subnetIds = subnets;
  vpcId = vpc;
  production = await listener(80, blue);
  test8080 = await listener(8080, green);
  ec2.destroy();
}, 60_000);

afterAll(() => {
  elb?.destroy();
  moto.stop();
});

function readingEvent(requestType: 'Create' | 'Update', props: Record<string, unknown>, old?: Record<string, unknown>): any {
  const base = h.event(requestType, {});
  return {
    ...base,
    ResourceType: LIVE_TARGET_GROUPS_RESOURCE_TYPE,
    LogicalResourceId: 'WebTrafficLiveTargetGroups',
    ...(requestType === 'Update' ? { PhysicalResourceId: 'live-target-groups:WebTrafficLiveTargetGroups', OldResourceProperties: old } : {}),
    ResourceProperties: {
      ServiceToken: base.ServiceToken,
      LoadBalancerArn: lbArn,
      BlueTargetGroupArn: blue,
      GreenTargetGroupArn: green,
      ProductionPort: '80',
      TestPort: '8080',
      ...props,
    },
  };
}

async function answer(e: any): Promise<any> {
  h.fake.reset();
  await h.run(e, 10_000);
  expect(h.fake.responses).toHaveLength(1);
  return h.fake.responses[0];
}

/** Where a listener sends traffic: the target groups with a weight above zero. */
async function forwardsTo(listenerArn: string): Promise<string[]> {
  const l = (await elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] }))).Listeners![0];
  return l.DefaultActions!.flatMap((a) => a.ForwardConfig?.TargetGroups?.length
    ? a.ForwardConfig.TargetGroups.filter((g) => (g.Weight ?? 1) > 0).map((g) => g.TargetGroupArn!)
    : [a.TargetGroupArn!]);
}

/** The listeners' default action in the synthesized template, with the reading's attributes resolved as CloudFormation would. */
function templateDefaultActions(template: any, port: number, reading: Record<string, string>, targetGroups: Record<string, string>): Action[] {
  const listener = Object.values(template.Resources).find((r: any) => r.Type === 'AWS::ElasticLoadBalancingV2::Listener' && r.Properties.Port === port) as any;
  return listener.Properties.DefaultActions.map((a: any) => {
    const arn = a.TargetGroupArn;
    const resolved = arn['Fn::GetAtt'] ? reading[arn['Fn::GetAtt'][1]] : targetGroups[arn.Ref.includes('Blue') ? 'blue' : 'green'];
    return { Type: a.Type, TargetGroupArn: resolved };
  });
}

test('creation: no listener yet, so production is blue and test is green (what the template created before)', async () => {
  const response = await answer(readingEvent('Create', { LoadBalancerArn: emptyLbArn }));
  expect(response).toMatchObject({
    Status: 'SUCCESS',
    PhysicalResourceId: 'live-target-groups:WebTrafficLiveTargetGroups',
    Data: { ProductionTargetGroupArn: blue, TestTargetGroupArn: green },
  });
  expect(response.Reason).toMatch(/no production listener yet; neither target groups have healthy targets, so blue; no test listener yet, so green/);
});

test('before any deployment: the listeners forward where the template created them', async () => {
  const response = await answer(readingEvent('Update', { Certificates: 'new' }, { ProductionPort: '80', TestPort: '8080' }));
  expect(response.Data).toEqual({ ProductionTargetGroupArn: blue, TestTargetGroupArn: green });
});

test('after a completed shift, a later update of the listener (port 80 to 81) keeps production on the live target group; the old template sent it to the empty one', async () => {
  // The deployment: the replacement tasks in green, production shifted with CodeDeploy's weighted forward (blue 0), the test listener on green.
  await elb.send(new RegisterTargetsCommand({ TargetGroupArn: green, Targets: [{ Id: '10.0.0.10', Port: 8080 }] }));
  await elb.send(new ModifyListenerCommand({
    ListenerArn: production,
    DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: green, Weight: 100 }, { TargetGroupArn: blue, Weight: 0 }] } }],
  }));
  expect(await forwardsTo(production)).toEqual([green]);

  // The stack update that changes the listener's port: CloudFormation updates the reading first (its properties changed).
  const response = await answer(readingEvent('Update', { ProductionPort: '81' }, { ProductionPort: '80', TestPort: '8080' }));
  expect(response.Status).toBe('SUCCESS');
  expect(response.Data).toEqual({ ProductionTargetGroupArn: green, TestTargetGroupArn: green });
  expect(response.Reason).toContain('production listener (port 80) forwards to green');

  // Then the listener, with the synthesized template's default action.
  const stack = testStack();
  const { cluster, taskDefinition } = ecsFixture(stack);
  new EcsDeployment(stack, 'Web', { cluster, taskDefinition, traffic: { productionPort: 81 } });
  const template = Template.fromStack(stack).toJSON();
  const actions = templateDefaultActions(template, 81, response.Data, { blue, green });
  await elb.send(new ModifyListenerCommand({ ListenerArn: production, Port: 81, Protocol: 'HTTP', DefaultActions: actions }));
  expect(await forwardsTo(production)).toEqual([green]);

  // What the template of aws-cdk-lib's listener (a Ref to the blue target group) did on the same update: production on blue, which has no targets.
  const before = { Resources: { L: { Type: 'AWS::ElasticLoadBalancingV2::Listener', Properties: { Port: 81, DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: 'WebTrafficBlueTargetGroup' } }] } } } };
  await elb.send(new ModifyListenerCommand({ ListenerArn: production, DefaultActions: templateDefaultActions(before, 81, {}, { blue, green }) }));
  expect(await forwardsTo(production)).toEqual([blue]);
  // Put it back as the deployment left it for the next test.
  await elb.send(new ModifyListenerCommand({ ListenerArn: production, Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: green }] }));
});

test('a shift in progress (weights 90/10) fails the update instead of cutting it short', async () => {
  await elb.send(new ModifyListenerCommand({
    ListenerArn: production,
    DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: green, Weight: 90 }, { TargetGroupArn: blue, Weight: 10 }] } }],
  }));
  const response = await answer(readingEvent('Update', { Certificates: 'x' }, { ProductionPort: '80', TestPort: '8080' }));
  expect(response.Status).toBe('FAILED');
  expect(response.Reason).toMatch(/^Live target group lookup error: .*the production listener on port 80 forwards to 2 target groups with a weight above zero .*a deployment is shifting traffic\. Wait for it to finish/);
  await elb.send(new ModifyListenerCommand({ ListenerArn: production, DefaultActions: [{ Type: 'forward', TargetGroupArn: green }] }));
});

test('no test listener: only production is read, the test attribute is the other target group', async () => {
  const response = await answer(readingEvent('Update', { TestPort: '' }, { ProductionPort: '80' }));
  expect(response.Data).toEqual({ ProductionTargetGroupArn: green, TestTargetGroupArn: blue });
  expect(test8080).toBeDefined();
});

test('a load balancer without our listeners (replaced): production follows the target group with healthy targets', async () => {
  // green has the registered replacement task since the shift test; moto reports registered IP targets healthy.
  const response = await answer(readingEvent('Update', { LoadBalancerArn: emptyLbArn }, { ProductionPort: '80', TestPort: '8080' }));
  expect(response.Data).toEqual({ ProductionTargetGroupArn: green, TestTargetGroupArn: blue });
  expect(response.Reason).toMatch(/no production listener yet; green has the healthy targets/);
});

describe('switching engines in place', () => {
  test('an update that changes the engine fails before anything is read, saying how to switch safely', async () => {
    const response = await answer(readingEvent('Update', { Engine: 'ECS' }, { ProductionPort: '80', TestPort: '8080', Engine: 'CODE_DEPLOY' }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/switches the service's deployment engine from CODE_DEPLOY to ECS in place; stopped before the service is changed/);
    expect(response.Reason).toMatch(/add a second EcsDeployment with the other engine \(its own construct ID/);
    const back = await answer(readingEvent('Update', { Engine: 'CODE_DEPLOY' }, { ProductionPort: '80', TestPort: '8080', Engine: 'ECS' }));
    expect(back.Status).toBe('FAILED');
    expect(back.Reason).toMatch(/from ECS to CODE_DEPLOY.*aws\/aws-cdk#36012/);
  });

  test('the same engine, or a reading created before the engine was recorded: read as always', async () => {
    expect((await answer(readingEvent('Update', { Engine: 'CODE_DEPLOY' }, { ProductionPort: '80', TestPort: '8080', Engine: 'CODE_DEPLOY' }))).Status).toBe('SUCCESS');
    expect((await answer(readingEvent('Update', { Engine: 'CODE_DEPLOY' }, { ProductionPort: '80', TestPort: '8080' }))).Status).toBe('SUCCESS');
  });

  test('the construct records its engine on the reading, which the service depends on', () => {
    for (const engine of [EcsDeploymentEngine.CODE_DEPLOY, EcsDeploymentEngine.ECS]) {
      const stack = testStack();
      const { cluster, taskDefinition } = ecsFixture(stack);
      new EcsDeployment(stack, 'Web', { cluster, taskDefinition, engine });
      const template = Template.fromStack(stack);
      template.hasResourceProperties(LIVE_TARGET_GROUPS_RESOURCE_TYPE, { Engine: engine });
      // The service reaches the reading through what it references or depends on (listeners or rules).
      const json = template.toJSON();
      const reading = Object.keys(template.findResources(LIVE_TARGET_GROUPS_RESOURCE_TYPE))[0];
      const serviceId = Object.keys(template.findResources('AWS::ECS::Service'))[0];
      expect(dependsOn(json, serviceId, reading)).toBe(true);
      expect(dependsOn(json, reading, serviceId)).toBe(false);
    }
  });
});

/** Whether a resource depends on another, through DependsOn, Ref or GetAtt, directly or not. */
function dependsOn(template: any, from: string, to: string, seen = new Set<string>()): boolean {
  if (seen.has(from)) {
    return false;
  }
  seen.add(from);
  const resource = template.Resources[from];
  const text = JSON.stringify(resource.Properties ?? {});
  const direct = new Set<string>([
    ...[resource.DependsOn ?? []].flat(),
    ...[...text.matchAll(/"Ref":"(\w+)"/g)].map((m) => m[1]),
    ...[...text.matchAll(/"Fn::GetAtt":\["(\w+)"/g)].map((m) => m[1]),
  ].filter((id) => id in template.Resources));
  return direct.has(to) || [...direct].some((id) => dependsOn(template, id, to, seen));
}

describe('the ECS engine: traffic on a listener rule, which ECS re-weights', () => {
  /** Where a rule sends traffic: the target groups with a weight above zero. */
  async function ruleForwardsTo(ruleArn: string): Promise<string[]> {
    const r = (await elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }))).Rules![0];
    return r.Actions!.flatMap((a) => a.ForwardConfig?.TargetGroups?.length
      ? a.ForwardConfig.TargetGroups.filter((g) => (g.Weight ?? 1) > 0).map((g) => g.TargetGroupArn!)
      : [a.TargetGroupArn!]);
  }

  test('after ECS shifted the rule to green, a later update of the rule (its conditions) keeps production on green; a Ref to blue sent it back', async () => {
    const native = (await elb.send(new CreateLoadBalancerCommand({ Name: 'native', Subnets: subnetIds, Type: 'application' }))).LoadBalancers![0].LoadBalancerArn!;
    const tg = async (name: string) =>
      (await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0].TargetGroupArn!;
    const nblue = await tg('native-blue');
    const ngreen = await tg('native-green');
    const listenerArn = (await elb.send(new CreateListenerCommand({
      LoadBalancerArn: native, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: nblue }],
    }))).Listeners![0].ListenerArn!;
    const ruleArn = (await elb.send(new CreateRuleCommand({
      ListenerArn: listenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['*'] }], Actions: [{ Type: 'forward', TargetGroupArn: nblue }],
    }))).Rules![0].RuleArn!;
    const props = { LoadBalancerArn: native, BlueTargetGroupArn: nblue, GreenTargetGroupArn: ngreen, TestPort: '', RulePriority: '1' };

    // Before any deployment: the rule forwards to blue.
    expect((await answer(readingEvent('Update', props, { ProductionPort: '80' }))).Data).toEqual({ ProductionTargetGroupArn: nblue, TestTargetGroupArn: ngreen });

    // ECS's deployment: the rule weighted to green; the listener's default action untouched (still blue).
    await elb.send(new ModifyRuleCommand({
      RuleArn: ruleArn,
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: ngreen, Weight: 100 }, { TargetGroupArn: nblue, Weight: 0 }] } }],
    }));
    const response = await answer(readingEvent('Update', { ...props, ProductionRule: { Conditions: 'changed' } }, { ProductionPort: '80' }));
    expect(response.Status).toBe('SUCCESS');
    expect(response.Data).toEqual({ ProductionTargetGroupArn: ngreen, TestTargetGroupArn: nblue });
    expect(response.Reason).toContain('production listener (port 80) forwards to green');

    // The rule's update, with the synthesized template's action (the reading's attribute): production stays on green.
    const stack = testStack();
    const { cluster, taskDefinition } = ecsFixture(stack);
    new EcsDeployment(stack, 'Web', { cluster, taskDefinition, engine: EcsDeploymentEngine.ECS });
    const template = Template.fromStack(stack).toJSON();
    // The production rule: the one whose action takes the reading's production attribute.
    const rule = Object.values(template.Resources)
      .find((r: any) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule' && JSON.stringify(r.Properties.Actions).includes('ProductionTargetGroupArn')) as any;
    expect(rule.Properties.Actions[0].TargetGroupArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/LiveTargetGroups/), 'ProductionTargetGroupArn'] });
    await elb.send(new ModifyRuleCommand({
      RuleArn: ruleArn,
      Conditions: [{ Field: 'path-pattern', Values: ['/*'] }],
      Actions: [{ Type: 'forward', TargetGroupArn: response.Data[rule.Properties.Actions[0].TargetGroupArn['Fn::GetAtt'][1]] }],
    }));
    expect(await ruleForwardsTo(ruleArn)).toEqual([ngreen]);
    // aws-cdk-lib's rule (a Ref to the blue target group) on the same update: production on blue, where no task runs.
    await elb.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: [{ Type: 'forward', TargetGroupArn: nblue }] }));
    expect(await ruleForwardsTo(ruleArn)).toEqual([nblue]);

    // A shift in progress on the rule fails the update, naming the rule.
    await elb.send(new ModifyRuleCommand({
      RuleArn: ruleArn,
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: ngreen, Weight: 30 }, { TargetGroupArn: nblue, Weight: 70 }] } }],
    }));
    const shifting = await answer(readingEvent('Update', props, { ProductionPort: '80' }));
    expect(shifting.Status).toBe('FAILED');
    expect(shifting.Reason).toMatch(/the production listener's rule 1 on port 80 forwards to 2 target groups with a weight above zero/);
  });

  test('your own listener (found by its ARN, whatever its default action): the reading follows the construct\'s rule at your priority, not your other rules', async () => {
    const own = (await elb.send(new CreateLoadBalancerCommand({ Name: 'own', Subnets: subnetIds, Type: 'application' }))).LoadBalancers![0].LoadBalancerArn!;
    const tg = async (name: string) =>
      (await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0].TargetGroupArn!;
    const oblue = await tg('own-blue');
    const ogreen = await tg('own-green');
    const other = await tg('own-admin');
    // The user's listener: a fixed response by default, an admin rule of theirs at priority 5; the construct's rule at 10.
    const listenerArn = (await elb.send(new CreateListenerCommand({
      LoadBalancerArn: own, Port: 443, Protocol: 'HTTP', DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404' } }],
    }))).Listeners![0].ListenerArn!;
    await elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 5, Conditions: [{ Field: 'path-pattern', Values: ['/admin/*'] }], Actions: [{ Type: 'forward', TargetGroupArn: other }] }));
    const ruleArn = (await elb.send(new CreateRuleCommand({
      ListenerArn: listenerArn, Priority: 10, Conditions: [{ Field: 'path-pattern', Values: ['*'] }], Actions: [{ Type: 'forward', TargetGroupArn: oblue }],
    }))).Rules![0].RuleArn!;
    // What the construct's synth-time check of your rules' priorities stands for: a second rule at 10 is refused.
    await expect(elb.send(new CreateRuleCommand({
      ListenerArn: listenerArn, Priority: 10, Conditions: [{ Field: 'path-pattern', Values: ['/x'] }], Actions: [{ Type: 'forward', TargetGroupArn: other }],
    }))).rejects.toMatchObject({ name: 'PriorityInUseException', message: 'The specified priority is in use.' });
    const props = { LoadBalancerArn: own, BlueTargetGroupArn: oblue, GreenTargetGroupArn: ogreen, ProductionPort: undefined, TestPort: undefined, ProductionListenerArn: listenerArn, RulePriority: '10' };

    expect((await answer(readingEvent('Update', props, { ProductionListenerArn: listenerArn }))).Data).toEqual({ ProductionTargetGroupArn: oblue, TestTargetGroupArn: ogreen });
    await elb.send(new ModifyRuleCommand({
      RuleArn: ruleArn,
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: ogreen, Weight: 100 }, { TargetGroupArn: oblue, Weight: 0 }] } }],
    }));
    const response = await answer(readingEvent('Update', { ...props, ProductionRule: { Conditions: 'changed' } }, { ProductionListenerArn: listenerArn }));
    expect(response.Status).toBe('SUCCESS');
    expect(response.Data).toEqual({ ProductionTargetGroupArn: ogreen, TestTargetGroupArn: oblue });
    expect(response.Reason).toContain('production listener (port 443) forwards to green');
  });

  test('no test listener: the production rule names both target groups (1 / 0); after ECS shifted it, the template\'s weighted action keeps production on green', async () => {
    const lbArn2 = (await elb.send(new CreateLoadBalancerCommand({ Name: 'weighted', Subnets: subnetIds, Type: 'application' }))).LoadBalancers![0].LoadBalancerArn!;
    const tg = async (name: string) =>
      (await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 8080, VpcId: vpcId, TargetType: 'ip' }))).TargetGroups![0].TargetGroupArn!;
    const wblue = await tg('weighted-blue');
    const wgreen = await tg('weighted-green');
    const listenerArn = (await elb.send(new CreateListenerCommand({
      LoadBalancerArn: lbArn2, Port: 80, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: wblue }],
    }))).Listeners![0].ListenerArn!;
    const weighted = (live: string, other: string) => [{ Type: 'forward' as const, ForwardConfig: { TargetGroups: [{ TargetGroupArn: live, Weight: 1 }, { TargetGroupArn: other, Weight: 0 }] } }];
    const ruleArn = (await elb.send(new CreateRuleCommand({
      ListenerArn: listenerArn, Priority: 1, Conditions: [{ Field: 'path-pattern', Values: ['*'] }], Actions: weighted(wblue, wgreen),
    }))).Rules![0].RuleArn!;
    const props = { LoadBalancerArn: lbArn2, BlueTargetGroupArn: wblue, GreenTargetGroupArn: wgreen, TestPort: '', RulePriority: '1' };
    expect((await answer(readingEvent('Update', props, { ProductionPort: '80' }))).Data).toEqual({ ProductionTargetGroupArn: wblue, TestTargetGroupArn: wgreen });

    // ECS's deployment re-weights the rule to green.
    await elb.send(new ModifyRuleCommand({ RuleArn: ruleArn, Actions: weighted(wgreen, wblue) }));
    const response = await answer(readingEvent('Update', { ...props, ProductionRule: { Conditions: 'changed' } }, { ProductionPort: '80' }));
    expect(response.Data).toEqual({ ProductionTargetGroupArn: wgreen, TestTargetGroupArn: wblue });

    // The synthesized rule's action, its attributes resolved from the reading, applied the way CloudFormation updates the rule.
    const stack = testStack();
    const { cluster, taskDefinition } = ecsFixture(stack);
    new EcsDeployment(stack, 'Web', { cluster, taskDefinition, engine: EcsDeploymentEngine.ECS, traffic: { testListener: false } });
    const template = Template.fromStack(stack).toJSON();
    const rule = Object.values(template.Resources).find((r: any) => r.Type === 'AWS::ElasticLoadBalancingV2::ListenerRule') as any;
    const actions = rule.Properties.Actions.map((a: any) => ({
      Type: a.Type,
      ForwardConfig: { TargetGroups: a.ForwardConfig.TargetGroups.map((g: any) => ({ TargetGroupArn: response.Data[g.TargetGroupArn['Fn::GetAtt'][1]], Weight: g.Weight })) },
    }));
    await elb.send(new ModifyRuleCommand({ RuleArn: ruleArn, Conditions: [{ Field: 'path-pattern', Values: ['/*'] }], Actions: actions }));
    expect(await ruleForwardsTo(ruleArn)).toEqual([wgreen]);
    // Both target groups are still named on the rule, as ECS requires for the next deployment.
    const after = (await elb.send(new DescribeRulesCommand({ RuleArns: [ruleArn] }))).Rules![0];
    expect(after.Actions![0].ForwardConfig!.TargetGroups!.map((g) => g.TargetGroupArn).sort()).toEqual([wblue, wgreen].sort());
  });

  test('neither a port nor a listener ARN: the reading fails and says which property is missing', async () => {
    const response = await answer(readingEvent('Create', { ProductionPort: undefined, TestPort: undefined }));
    expect(response.Status).toBe('FAILED');
    expect(response.Reason).toMatch(/ProductionPort or ProductionListenerArn is required; received neither/);
  });
});
