import { App, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { BlueGreenExistingListeners, BlueGreenLoadBalancerType, BlueGreenTrafficOptions, EcsDeployment, EcsDeploymentProps, EcsDeploymentEngine, HttpCheckTarget, LifecycleHook } from '../../src';
import { acknowledge } from '../../src/private/nag';
import { LIVE_TARGET_GROUPS_RESOURCE_TYPE } from '../../src/trigger/live-target-groups';
import { complianceSuite, testStack, TEST_ENV } from '../harness';
import { acknowledgeFixture, ecsFixture } from '../util';

/**
 * `EcsDeployment` with listeners and target groups the user already has (issue 17: the guide's
 * ECS tutorial starts from them). What decides at deploy time: the deployment group's
 * `TargetGroupPairInfoList` and the service's `LoadBalancers` name the user's resources
 * (cfn-lint checks the schema in the compliance suite), the service role's and infrastructure
 * role's statements match the Service Authorization Reference (the suite's reference check), and
 * a listener the stack updates keeps forwarding to what serves traffic (aws/aws-cdk#36649).
 */

const LB_FINDINGS = ['ELBLoggingEnabled', 'ALBWAFEnabled', 'ELBDeletionProtectionEnabled', 'ALBHttpToHttpsRedirection', 'ELBv2ACMCertificateRequired'];

/** The user's internal Application Load Balancer with two listeners (80, 9000) and two IP target groups, in `scope`. */
function userAlb(scope: Stack, vpc: ec2.IVpc, options: { targetType?: elbv2.TargetType; test?: boolean } = {}) {
  const loadBalancer = new elbv2.ApplicationLoadBalancer(scope, 'UserLb', { vpc, internetFacing: false, dropInvalidHeaderFields: true });
  const tg = (id: string) => new elbv2.ApplicationTargetGroup(scope, id, {
    vpc, port: 8080, protocol: elbv2.ApplicationProtocol.HTTP, targetType: options.targetType ?? elbv2.TargetType.IP, healthCheck: { path: '/health' },
  });
  const blue = tg('UserBlue');
  const green = tg('UserGreen');
  const production = loadBalancer.addListener('UserProduction', { port: 80, open: false, defaultTargetGroups: [blue] });
  const test = options.test === false ? undefined : loadBalancer.addListener('UserTest', { port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultTargetGroups: [green] });
  acknowledgeFixture(loadBalancer, 'the user\'s load balancer', ...LB_FINDINGS);
  acknowledge(loadBalancer, 'AwsSolutions-ELB2', 'Test fixture: the user\'s load balancer.');
  return { loadBalancer, blue, green, production, test };
}

/** The traffic options of EcsDeployment on the user's load balancer, listeners and target groups. */
function trafficOf(user: ReturnType<typeof userAlb>, extra: Partial<BlueGreenTrafficOptions> = {}): BlueGreenTrafficOptions {
  return {
    applicationLoadBalancer: user.loadBalancer,
    listeners: { production: user.production, test: user.test },
    targetGroups: { blue: user.blue, green: user.green },
    ...extra,
  };
}

function withUserAlb(stack: Stack, extra: Partial<BlueGreenTrafficOptions> = {}, engine?: EcsDeploymentEngine) {
  const { cluster, taskDefinition, vpc } = ecsFixture(stack);
  const user = userAlb(stack, vpc);
  const dep = new EcsDeployment(stack, 'Web', {
    cluster,
    taskDefinition,
    engine,
    traffic: trafficOf(user, extra),
  });
  return { dep, user };
}

/** Listeners and target groups imported by ARN (made elsewhere: the console, another tool). */
function imported(stack: Stack, options: { dnsName?: boolean } = {}) {
  const arn = (resource: string) => `arn:${stack.partition}:elasticloadbalancing:${TEST_ENV.region}:${TEST_ENV.account}:${resource}`;
  const loadBalancerArn = arn('loadbalancer/app/tutorial/0123456789abcdef');
  const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'LbSg', 'sg-0123456789abcdef0');
  const loadBalancer = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Lb', {
    loadBalancerArn,
    securityGroupId: 'sg-0123456789abcdef0',
    loadBalancerDnsName: options.dnsName === false ? undefined : 'internal-tutorial-1234567890.us-east-1.elb.amazonaws.com',
  });
  const listener = (id: string, suffix: string) => elbv2.ApplicationListener.fromApplicationListenerAttributes(stack, id, {
    listenerArn: arn(`listener/app/tutorial/0123456789abcdef/${suffix}`), securityGroup,
  });
  const tg = (id: string, name: string) => elbv2.ApplicationTargetGroup.fromTargetGroupAttributes(stack, id, { targetGroupArn: arn(`targetgroup/${name}`), loadBalancerArns: loadBalancerArn });
  return {
    loadBalancer,
    production: listener('Prod', '1111111111111111'),
    test: listener('Test', '2222222222222222'),
    blue: tg('Blue', 'tutorial-blue/0123456789abcdef'),
    green: tg('Green', 'tutorial-green/fedcba9876543210'),
  };
}

/**
 * An EcsDeployment (in the stack given, else a fresh one) on imported listeners and target groups (`listeners` adds to or
 * replaces the production and test listeners: `{ test: undefined }` drops the test listener).
 */
function onImported(
  options: { dnsName?: boolean; stack?: Stack; stackId?: string; listeners?: Partial<BlueGreenExistingListeners> } = {},
  extra: Partial<EcsDeploymentProps> = {},
) {
  const stack = options.stack ?? testStack('us-east-1', options.stackId ?? 'TestStack');
  const { cluster, taskDefinition } = ecsFixture(stack);
  const given = imported(stack, options);
  const deploy = () => new EcsDeployment(stack, 'Web', {
    cluster,
    taskDefinition,
    traffic: {
      applicationLoadBalancer: given.loadBalancer,
      listeners: { production: given.production, test: given.test, ...options.listeners },
      targetGroups: { blue: given.blue, green: given.green },
    },
    ...extra,
  });
  return { stack, given, deploy };
}

const logicalIdOf = (stack: Stack, c: { node: { defaultChild?: unknown } } | undefined) => stack.getLogicalId(c!.node.defaultChild as any);

describe('EcsDeployment with your own listeners and target groups', () => {
  test('CodeDeploy engine, listeners of this stack: no load balancer, listener or target group of its own; the group, the service and the role name yours', () => {
    const stack = testStack();
    const { user } = withUserAlb(stack);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    const ref = (c: any) => ({ Ref: logicalIdOf(stack, c) });
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      LoadBalancerInfo: {
        TargetGroupPairInfoList: [{
          TargetGroups: [{ Name: Match.anyValue() }, { Name: Match.anyValue() }],
          ProdTrafficRoute: { ListenerArns: [ref(user.production)] },
          TestTrafficRoute: { ListenerArns: [ref(user.test)] },
        }],
      },
    });
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentController: { Type: 'CODE_DEPLOY' },
      LoadBalancers: [{ TargetGroupArn: ref(user.blue), ContainerName: 'web', ContainerPort: 8080 }],
    });
    // The service role may modify exactly your listeners.
    const policies = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('"elasticloadbalancing:ModifyListener"');
    expect(policies).toContain(JSON.stringify(ref(user.production)));
    // The service is created after both listeners, and the load balancer reaches the container port.
    const service = Object.values(t.findResources('AWS::ECS::Service'))[0] as any;
    expect(service.DependsOn).toEqual(expect.arrayContaining([logicalIdOf(stack, user.production), logicalIdOf(stack, user.test)]));
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 8080,
      ToPort: 8080,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^UserLbSecurityGroup'), 'GroupId'] },
    });
  });

  test('listeners of this stack follow the live target group: their default actions take the reading, found by their ports', () => {
    const stack = testStack();
    const { user } = withUserAlb(stack);
    const t = Template.fromStack(stack);
    const reading = Object.keys(t.findResources(LIVE_TARGET_GROUPS_RESOURCE_TYPE));
    expect(reading).toHaveLength(1);
    t.hasResource('AWS::ElasticLoadBalancingV2::Listener', {
      Properties: Match.objectLike({
        Port: 80,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: { 'Fn::GetAtt': [reading[0], 'ProductionTargetGroupArn'] } }],
      }),
    });
    t.hasResource('AWS::ElasticLoadBalancingV2::Listener', {
      Properties: Match.objectLike({
        Port: 9000,
        DefaultActions: [{ Type: 'forward', TargetGroupArn: { 'Fn::GetAtt': [reading[0], 'TestTargetGroupArn'] } }],
      }),
    });
    t.hasResourceProperties(LIVE_TARGET_GROUPS_RESOURCE_TYPE, {
      ProductionPort: 80,
      TestPort: 9000,
      BlueTargetGroupArn: { Ref: logicalIdOf(stack, user.blue) },
      ProductionListener: Match.objectLike({ Port: 80, Protocol: 'HTTP' }),
    });
  });

  test('hooks learn the ports and protocol from listeners of this app', () => {
    const stack = testStack();
    const { dep } = withUserAlb(stack);
    expect(dep.listeners.productionPort).toBe(80);
    expect(dep.listeners.testPort).toBe(9000);
    expect(dep.listeners.secure).toBe(false);
    expect(dep.listeners.hookLoadBalancer()).toMatchObject({ productionPort: 80, testPort: 9000, hasTestListener: true, secure: false });
  });

  test('imported listeners and target groups: referenced by ARN, nothing of them in the template, no reading (CloudFormation never updates them)', () => {
    const { stack, given, deploy } = onImported(
      { listeners: { testPort: 8080 } },
      { hooks: { afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener() }) } },
    );
    deploy();
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 0);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 0);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 0);
    t.resourceCountIs(LIVE_TARGET_GROUPS_RESOURCE_TYPE, 0);
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      LoadBalancerInfo: {
        TargetGroupPairInfoList: [{
          TargetGroups: [{ Name: 'tutorial-blue' }, { Name: 'tutorial-green' }],
          ProdTrafficRoute: { ListenerArns: [stack.resolve(given.production.listenerArn)] },
          TestTrafficRoute: { ListenerArns: [stack.resolve(given.test.listenerArn)] },
        }],
      },
    });
    t.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [{ TargetGroupArn: stack.resolve(given.blue.targetGroupArn), ContainerName: 'web', ContainerPort: 8080 }],
    });
    // The imported load balancer's security group lets the load balancer reach the tasks.
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 8080, SourceSecurityGroupId: 'sg-0123456789abcdef0' });
    // The test-listener check knows the port it was told.
    const fn = JSON.stringify(t.findResources('AWS::Lambda::Function'));
    expect(fn).toContain('\\"port\\":8080');
  });

  test('an imported listener without its port: a hook that sends it requests is an error that says what to set', () => {
    const { deploy } = onImported({}, { hooks: { afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener() }) } });
    expect(deploy).toThrow(/HttpCheckTarget\.testListener\(\) was given for AfterAllowTestTraffic, but the test listener was given without a port known at synth time \(an imported listener, or a port that is a token\)\. Set traffic\.listeners\.testPort/);
  });

  test('an imported load balancer without its DNS name: fine without listener checks; a listener check says what to import', () => {
    const listeners = { test: undefined, productionPort: 80 };
    const plain = onImported({ dnsName: false, listeners });
    plain.deploy();
    expect(() => Template.fromStack(plain.stack)).not.toThrow();
    const checked = onImported(
      { dnsName: false, listeners, stackId: 'Other' },
      { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.productionListener() }) } },
    );
    expect(checked.deploy).toThrow(
      /HttpCheckTarget\.productionListener\(\) sends requests to the load balancer's DNS name, which it does not know \(.*loadBalancerDnsName' was not provided.*\)\. Import the load balancer with loadBalancerDnsName/,
    );
  });

  test('no test listener given: the deployment has none (the warning and the afterAllowTestTraffic error say so)', () => {
    const stack = testStack();
    const { cluster, taskDefinition, vpc } = ecsFixture(stack);
    const user = userAlb(stack, vpc, { test: false });
    const traffic = {
      applicationLoadBalancer: user.loadBalancer, listeners: { production: user.production }, targetGroups: { blue: user.blue, green: user.green },
    };
    const dep = new EcsDeployment(stack, 'Web', { cluster, taskDefinition, traffic });
    expect(dep.testListener).toBeUndefined();
    Annotations.fromStack(stack).hasWarning('/TestStack/Web', Match.stringLikeRegexp('traffic.listeners has no test listener, so no hook can test'));
    const other = testStack('us-east-1', 'Other');
    const f = ecsFixture(other);
    const u = userAlb(other, f.vpc, { test: false });
    expect(() => new EcsDeployment(other, 'Web', {
      cluster: f.cluster,
      taskDefinition: f.taskDefinition,
      traffic: { applicationLoadBalancer: u.loadBalancer, listeners: { production: u.production }, targetGroups: { blue: u.blue, green: u.green } },
      hooks: { afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('https://example.com') }) },
    })).toThrow(/hooks\.afterAllowTestTraffic needs a test listener, but traffic\.listeners has no test listener/);
  });

  test('only target groups given: the construct creates the listeners, forwarding to yours', () => {
    const stack = testStack();
    const { cluster, taskDefinition, vpc } = ecsFixture(stack);
    const user = userAlb(stack, vpc, { test: false });
    new EcsDeployment(stack, 'Web', { cluster, taskDefinition, traffic: { targetGroups: { blue: user.blue, green: user.green } } });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 2);
    t.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [{ TargetGroupArn: { Ref: logicalIdOf(stack, user.blue) } }] });
    t.hasResourceProperties(LIVE_TARGET_GROUPS_RESOURCE_TYPE, {
      BlueTargetGroupArn: { Ref: logicalIdOf(stack, user.blue) },
      GreenTargetGroupArn: { Ref: logicalIdOf(stack, user.green) },
      ProductionPort: 80,
      TestPort: 8080,
    });
  });

  test('a listener in another stack of the app: used, left as it is, and a warning says an update there can send production back', () => {
    const app = new App();
    const shared = new Stack(app, 'Shared', { env: TEST_ENV });
    const stack = new Stack(app, 'Service', { env: TEST_ENV });
    const vpc = new ec2.Vpc(shared, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const user = userAlb(shared, vpc);
    const { cluster, taskDefinition } = ecsFixture(stack);
    new EcsDeployment(stack, 'Web', { cluster, taskDefinition, traffic: trafficOf(user) });
    Annotations.fromStack(stack).hasWarning('/Service/Web/Traffic', Match.stringLikeRegexp('The listener Shared/UserLb/UserProduction is defined in another stack.*aws/aws-cdk#36649'));
    const listeners = Template.fromStack(shared).findResources('AWS::ElasticLoadBalancingV2::Listener');
    for (const l of Object.values(listeners) as any[]) {
      expect(l.Properties.DefaultActions[0].TargetGroupArn).toEqual({ Ref: expect.stringMatching(/^User(Blue|Green)/) });
    }
    Template.fromStack(stack).resourceCountIs(LIVE_TARGET_GROUPS_RESOURCE_TYPE, 0);
  });

  test('ECS engine: a rule on each of your listeners at the priority you choose follows the reading; your listeners\' default actions stay yours', () => {
    const stack = testStack();
    const { user } = withUserAlb(stack, { listenerRulePriority: 10 }, EcsDeploymentEngine.ECS);
    const t = Template.fromStack(stack);
    const reading = Object.keys(t.findResources(LIVE_TARGET_GROUPS_RESOURCE_TYPE))[0];
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      ListenerArn: { Ref: logicalIdOf(stack, user.production) },
      Actions: [{ Type: 'forward', TargetGroupArn: { 'Fn::GetAtt': [reading, 'ProductionTargetGroupArn'] } }],
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 10,
      ListenerArn: { Ref: logicalIdOf(stack, user.test) },
      Actions: [{ Type: 'forward', TargetGroupArn: { 'Fn::GetAtt': [reading, 'TestTargetGroupArn'] } }],
    });
    // The reading finds your listeners by ARN (they do not reference it) and reads rule 10.
    t.hasResourceProperties(LIVE_TARGET_GROUPS_RESOURCE_TYPE, {
      ProductionListenerArn: { Ref: logicalIdOf(stack, user.production) },
      TestListenerArn: { Ref: logicalIdOf(stack, user.test) },
      RulePriority: 10,
      ProductionPort: Match.absent(),
    });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: logicalIdOf(stack, user.blue) } }],
    });
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentController: { Type: 'ECS' },
      LoadBalancers: [Match.objectLike({
        TargetGroupArn: { Ref: logicalIdOf(stack, user.blue) },
        AdvancedConfiguration: Match.objectLike({ AlternateTargetGroupArn: { Ref: logicalIdOf(stack, user.green) } }),
      })],
    });
  });

  test('ECS engine, a Network Load Balancer of this stack: ECS modifies your listener, which follows the reading; the infrastructure role may modify exactly it', () => {
    const stack = testStack();
    const { cluster, taskDefinition, vpc } = ecsFixture(stack);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'UserNlb', { vpc, internetFacing: false, securityGroups: [new ec2.SecurityGroup(stack, 'NlbSg', { vpc })] });
    const tg = (id: string) => new elbv2.NetworkTargetGroup(stack, id, { vpc, port: 8080, targetType: elbv2.TargetType.IP });
    const blue = tg('NBlue');
    const green = tg('NGreen');
    const production = nlb.addListener('Tcp', { port: 443, defaultTargetGroups: [blue] });
    const test = nlb.addListener('TcpTest', { port: 9443, defaultTargetGroups: [green] });
    new EcsDeployment(stack, 'Web', {
      cluster,
      taskDefinition,
      engine: EcsDeploymentEngine.ECS,
      traffic: { networkLoadBalancer: nlb, listeners: { production, test }, targetGroups: { blue, green } },
    });
    const t = Template.fromStack(stack);
    const reading = Object.keys(t.findResources(LIVE_TARGET_GROUPS_RESOURCE_TYPE))[0];
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { 'Fn::GetAtt': [reading, 'ProductionTargetGroupArn'] } }],
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: 'elasticloadbalancing:ModifyListener',
          Effect: 'Allow',
          Resource: [{ Ref: logicalIdOf(stack, production) }, { Ref: logicalIdOf(stack, test) }],
        }]),
      },
    });
  });
});

describe('bad input with your own listeners and target groups', () => {
  const cases: Array<[string, (s: Stack, vpc: ec2.IVpc) => Partial<BlueGreenTrafficOptions>, RegExp]> = [
    ['listeners without their load balancer', (s) => {
      const i = imported(s);
      return { listeners: { production: i.production }, targetGroups: { blue: i.blue, green: i.green } };
    }, /traffic\.listeners needs the load balancer they belong to: give applicationLoadBalancer \(or networkLoadBalancer\) too/],
    ['listeners without target groups', (s) => {
      const i = imported(s);
      return { applicationLoadBalancer: i.loadBalancer, listeners: { production: i.production } };
    }, /traffic\.listeners needs the target groups they forward to: give targetGroups too/],
    ['certificates and ports with given listeners', (s) => {
      const i = imported(s);
      return {
        applicationLoadBalancer: i.loadBalancer,
        listeners: { production: i.production },
        targetGroups: { blue: i.blue, green: i.green },
        productionPort: 443,
        testListener: false,
      };
    }, /productionPort applies to listeners the construct creates, but traffic\.listeners were given[\s\S]*testListener applies to listeners the construct creates/],
    ['the same listener twice', (s) => {
      const i = imported(s);
      const targetGroups = { blue: i.blue, green: i.green };
      return { applicationLoadBalancer: i.loadBalancer, listeners: { production: i.production, test: i.production }, targetGroups };
    }, /listeners\.test and listeners\.production are the same listener \(TestStack\/Prod\)/],
    ['a test port without a test listener', (s) => {
      const i = imported(s);
      const targetGroups = { blue: i.blue, green: i.green };
      return { applicationLoadBalancer: i.loadBalancer, listeners: { production: i.production, testPort: 8080 }, targetGroups };
    }, /listeners\.testPort is 8080 but there is no listeners\.test/],
    ['the same target group twice', (s) => {
      const i = imported(s);
      return { targetGroups: { blue: i.blue, green: i.blue } };
    }, /targetGroups\.blue and targetGroups\.green are the same target group \(TestStack\/Blue\)/],
    ['target group settings with given target groups', (s) => {
      const i = imported(s);
      return { targetGroups: { blue: i.blue, green: i.green }, healthCheck: { path: '/x' } };
    }, /healthCheck applies to target groups the construct creates, but traffic\.targetGroups were given; set it on your target groups/],
    ['Application target groups on a Network Load Balancer', (s, vpc) => {
      const tg = (id: string) => new elbv2.ApplicationTargetGroup(s, id, { vpc, port: 80, targetType: elbv2.TargetType.IP });
      return { loadBalancerType: BlueGreenLoadBalancerType.NETWORK, targetGroups: { blue: tg('A'), green: tg('B') } };
    }, /targetGroups\.blue \(TestStack\/A\) is an Application Load Balancer's target group, but the load balancer is a Network Load Balancer/],
    ['a rule priority with the CodeDeploy engine', () => ({ listenerRulePriority: 5 }),
      /listenerRulePriority is 5, but only the ECS engine with an Application Load Balancer shifts traffic on a listener rule; drop it/],
    ['a rule priority out of range', () => ({ listenerRulePriority: 50001 }),
      /listenerRulePriority must be a whole number from 1 to 50000 \(Elastic Load Balancing's rule priorities\); received 50001/],
  ];
  test.each(cases)('%s', (_name, traffic, message) => {
    const stack = testStack();
    const { cluster, taskDefinition, vpc } = ecsFixture(stack);
    expect(() => new EcsDeployment(stack, 'Web', { cluster, taskDefinition, traffic: traffic(stack, vpc) })).toThrow(message);
  });

  test('ECS engine, your Network Load Balancer\'s listener without a test listener: an error (ECS needs the green target group on a listener)', () => {
    const stack = testStack();
    const { cluster, taskDefinition, vpc } = ecsFixture(stack);
    const nlb = new elbv2.NetworkLoadBalancer(stack, 'UserNlb', { vpc, internetFacing: false });
    const tg = (id: string) => new elbv2.NetworkTargetGroup(stack, id, { vpc, port: 8080, targetType: elbv2.TargetType.IP });
    const blue = tg('NBlue');
    const green = tg('NGreen');
    const production = nlb.addListener('Tcp', { port: 443, defaultTargetGroups: [blue] });
    expect(() => new EcsDeployment(stack, 'Web', {
      cluster,
      taskDefinition,
      engine: EcsDeploymentEngine.ECS,
      traffic: { networkLoadBalancer: nlb, listeners: { production }, targetGroups: { blue, green } },
    })).toThrow(/With the ECS engine and a Network Load Balancer, ECS needs the green target group on a listener too .*give listeners\.test, or let the construct create the listeners/);
  });

  test('a listener of this stack whose port is a token: give the port, since the reading finds the listener by it', () => {
    const stack = testStack();
    const { cluster, taskDefinition, vpc } = ecsFixture(stack);
    const user = userAlb(stack, vpc, { test: false });
    (user.production.node.defaultChild as elbv2.CfnListener).port = Token.asNumber({ Ref: 'PortParameter' });
    const traffic = (productionPort?: number) => ({
      applicationLoadBalancer: user.loadBalancer,
      listeners: { production: user.production, productionPort },
      targetGroups: { blue: user.blue, green: user.green },
    });
    expect(() => new EcsDeployment(stack, 'Web', { cluster, taskDefinition, traffic: traffic() }))
      .toThrow(/The port of TestStack\/UserLb\/UserProduction is not a number at synth time \(received a token\), .* Give listeners\.productionPort/);
    // The failed construct claimed nothing: the same listener with its port works.
    new EcsDeployment(stack, 'Web2', { cluster, taskDefinition, traffic: traffic(80) });
    Template.fromStack(stack).hasResourceProperties(LIVE_TARGET_GROUPS_RESOURCE_TYPE, { ProductionPort: 80 });
  });

  test('a listener or target group that another deployment already uses: an error naming it and the other deployment', () => {
    const stack = testStack();
    const { cluster, taskDefinition, vpc } = ecsFixture(stack);
    const user = userAlb(stack, vpc);
    const traffic = trafficOf(user);
    new EcsDeployment(stack, 'Web', { cluster, taskDefinition, traffic });
    expect(() => new EcsDeployment(stack, 'Other', { cluster, taskDefinition, traffic }))
      .toThrow(/listeners\.production \(TestStack\/UserLb\/UserProduction\) is already used by TestStack\/Web\/Traffic; a listener or target group serves one blue\/green deployment[\s\S]*targetGroups\.green \(TestStack\/UserGreen\) is already used by TestStack\/Web\/Traffic/);
  });

  test('ECS engine: a rule of yours at the construct\'s priority on the same listener is an error at synth (Elastic Load Balancing: PriorityInUse)', () => {
    const stack = testStack();
    const { cluster, taskDefinition, vpc } = ecsFixture(stack);
    const user = userAlb(stack, vpc);
    const admin = new elbv2.ApplicationTargetGroup(stack, 'Admin', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    user.production.addTargetGroups('AdminRule', { priority: 5, conditions: [elbv2.ListenerCondition.pathPatterns(['/admin/*'])], targetGroups: [admin] });
    new EcsDeployment(stack, 'Web', { cluster, taskDefinition, engine: EcsDeploymentEngine.ECS, traffic: trafficOf(user, { listenerRulePriority: 5 }) });
    expect(() => Template.fromStack(stack)).toThrow(
      /The listener rule TestStack\/UserLb\/UserProduction\/AdminRuleRule\/Resource has priority 5 on the listener the construct adds its ECS rule to \(TestStack\/Web\/Traffic\/ProductionRule\); .* Choose another traffic\.listenerRulePriority/,
    );
    // At another priority it synthesizes.
    const other = testStack('us-east-1', 'Other');
    const f = ecsFixture(other);
    const u = userAlb(other, f.vpc);
    const a = new elbv2.ApplicationTargetGroup(other, 'Admin', { vpc: f.vpc, port: 80, targetType: elbv2.TargetType.IP });
    u.production.addTargetGroups('AdminRule', { priority: 5, conditions: [elbv2.ListenerCondition.pathPatterns(['/admin/*'])], targetGroups: [a] });
    new EcsDeployment(other, 'Web', { cluster: f.cluster, taskDefinition: f.taskDefinition, engine: EcsDeploymentEngine.ECS, traffic: trafficOf(u, { listenerRulePriority: 10 }) });
    expect(() => Template.fromStack(other)).not.toThrow();
  });

  test('a listener port that is not the listener\'s', () => {
    const other = testStack('us-east-1', 'Other');
    const { cluster, taskDefinition, vpc } = ecsFixture(other);
    const user = userAlb(other, vpc);
    expect(() => new EcsDeployment(other, 'Web', {
      cluster,
      taskDefinition,
      traffic: {
        applicationLoadBalancer: user.loadBalancer,
        listeners: { production: user.production, productionPort: 81 },
        targetGroups: { blue: user.blue, green: user.green },
      },
    })).toThrow(/listeners\.productionPort is 81, but Other\/UserLb\/UserProduction listens on port 80; drop listeners\.productionPort/);
  });

  test('at synth: a listener of this stack that forwards elsewhere, a listener of another load balancer, a target group of the wrong target type', () => {
    const stack = testStack();
    const { cluster, taskDefinition, vpc } = ecsFixture(stack);
    const user = userAlb(stack, vpc, { targetType: elbv2.TargetType.INSTANCE });
    const elsewhere = new elbv2.ApplicationTargetGroup(stack, 'Elsewhere', { vpc, port: 80, targetType: elbv2.TargetType.IP });
    const otherLb = new elbv2.ApplicationLoadBalancer(stack, 'OtherLb', { vpc });
    const strayTest = otherLb.addListener('Stray', { port: 9001, protocol: elbv2.ApplicationProtocol.HTTP, open: false, defaultTargetGroups: [elsewhere] });
    acknowledgeFixture(otherLb, 'a second load balancer', ...LB_FINDINGS);
    new EcsDeployment(stack, 'Web', {
      cluster,
      taskDefinition,
      traffic: {
        applicationLoadBalancer: user.loadBalancer,
        listeners: { production: user.production, test: strayTest },
        targetGroups: { blue: user.blue, green: user.green },
      },
    });
    let message = '';
    try {
      Template.fromStack(stack);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/The listener TestStack\/OtherLb\/Stray belongs to another load balancer than TestStack\/UserLb/);
    expect(message).toMatch(/The listener TestStack\/OtherLb\/Stray must forward to targetGroups\.blue or targetGroups\.green with one plain forward action/);
    expect(message).toMatch(/targetGroups\.blue \(TestStack\/UserBlue\) has target type instance, but the service's tasks register as ip \(the awsvpc network mode\); ECS rejects the service\. Set targetType: elbv2\.TargetType\.IP on it/);
    expect(message).toMatch(/targetGroups\.green \(TestStack\/UserGreen\) has target type instance/);
  });
});

complianceSuite({
  'your listeners and target groups, CodeDeploy engine': (stack) => {
    withUserAlb(stack, {}, undefined);
  },
  'your listeners and target groups, ECS engine': (stack) => {
    withUserAlb(stack, { listenerRulePriority: 10 }, EcsDeploymentEngine.ECS);
  },
  'imported listeners and target groups': (stack) => {
    onImported({ stack }).deploy();
  },
});
