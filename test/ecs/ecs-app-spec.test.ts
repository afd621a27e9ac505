import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BlueGreenListeners, EcsDeploymentEngine, EcsAppSpec, EcsAppSpecProps } from '../../src';
import { complianceSuite, testStack } from '../harness';
import { acknowledgeTrafficChoices, ecsFixture } from '../util';

const ARN = 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7';

function spec(props: Partial<EcsAppSpecProps> = {}): EcsAppSpec {
  return new EcsAppSpec({ taskDefinitionArn: ARN, containerName: 'web', containerPort: 8080, ...props });
}

describe('EcsAppSpec', () => {
  test('renders the minimal AppSpec as JSON: version string, PascalCase, port as a number', () => {
    expect(JSON.parse(spec().toJson())).toEqual({
      version: '0.0',
      Resources: [
        {
          TargetService: {
            Type: 'AWS::ECS::Service',
            Properties: { TaskDefinition: ARN, LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8080 } },
          },
        },
      ],
    });
  });

  test('renders everything, hooks in lifecycle order, as JSON and YAML', () => {
    const stack = new Stack();
    const fn = (name: string) => lambda.Function.fromFunctionArn(stack, name, `arn:aws:lambda:us-east-1:123456789012:function:${name}`);
    const s = spec({
      platformVersion: ecs.FargatePlatformVersion.VERSION1_4,
      networkConfiguration: { subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-1'], assignPublicIp: true },
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', base: 1, weight: 2 }, { capacityProvider: 'FARGATE', weight: 1 }],
      hooks: { afterAllowTraffic: fn('After'), beforeInstall: fn('Before') },
    });
    const doc = s.toObject();
    expect(doc.Resources[0].TargetService.Properties).toMatchObject({
      PlatformVersion: '1.4.0',
      NetworkConfiguration: { AwsvpcConfiguration: { Subnets: ['subnet-1', 'subnet-2'], SecurityGroups: ['sg-1'], AssignPublicIp: 'ENABLED' } },
      CapacityProviderStrategy: [{ Base: 1, CapacityProvider: 'FARGATE_SPOT', Weight: 2 }, { Base: 0, CapacityProvider: 'FARGATE', Weight: 1 }],
    });
    expect(Object.keys(doc.Hooks[0])).toEqual(['BeforeInstall']);
    expect(Object.keys(doc.Hooks[1])).toEqual(['AfterAllowTraffic']);
    expect(s.toYaml()).toMatchSnapshot();
    expect(s.toYaml()).toContain('version: 0.0\nResources:\n  - TargetService:\n      Type: AWS::ECS::Service\n');
    expect(s.toYaml()).toContain('        LoadBalancerInfo:\n          ContainerName: web\n          ContainerPort: 8080\n');
    expect(s.toYaml()).toContain('        PlatformVersion: "1.4.0"\n');
  });

  test('network configuration defaults to no public IP', () => {
    const doc = spec({ networkConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'] } }).toObject();
    expect(doc.Resources[0].TargetService.Properties.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
  });

  test('tokens: toJson() without a scope refuses, with a scope they resolve in the template', () => {
    const stack = testStack();
    const { taskDefinition } = ecsFixture(stack);
    const s = new EcsAppSpec({ taskDefinitionArn: taskDefinition.taskDefinitionArn, containerName: 'web', containerPort: 8080 });
    expect(() => s.toJson()).toThrow(/unresolved tokens; pass a construct scope/);
    const resolved = stack.resolve(s.toJson(stack));
    expect(JSON.stringify(resolved)).toMatch(/\{"Ref":"TaskDef[0-9A-F]{8}"\}/);
  });

  const invalid: Array<[string, Partial<EcsAppSpecProps>, RegExp]> = [
    ['not an ARN', { taskDefinitionArn: 'web:7' }, /taskDefinitionArn must be a task definition ARN .* received "web:7"/],
    ['an ARN of another resource', { taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:service/c/s' }, /taskDefinitionArn must be a task definition ARN/],
    ['bad container name', { containerName: 'web app' }, /containerName must be 1-255 letters, digits, "-" or "_".*received "web app"/],
    ['port 0', { containerPort: 0 }, /containerPort must be a whole number from 1 to 65535; received 0/],
    ['fractional port', { containerPort: 80.5 }, /received 80.5/],
    ['no subnets', { networkConfiguration: { subnets: [], securityGroups: ['sg-1'] } }, /networkConfiguration.subnets must list 1-16 subnets .*received 0/],
    ['no security groups', { networkConfiguration: { subnets: ['s'], securityGroups: [] } }, /networkConfiguration.securityGroups must list 1-5 security groups .*received 0/],
    ['six security groups', { networkConfiguration: { subnets: ['s'], securityGroups: ['1', '2', '3', '4', '5', '6'] } }, /received 6/],
    ['two bases', { capacityProviderStrategy: [{ capacityProvider: 'A', base: 1, weight: 1 }, { capacityProvider: 'B', base: 2, weight: 1 }] }, /only one capacity provider may have a base; received bases on A, B/],
    ['all weights 0', { capacityProviderStrategy: [{ capacityProvider: 'A', base: 1 }, { capacityProvider: 'B', weight: 0 }] }, /at least one capacity provider needs a weight greater than 0/],
    ['weight over 1000', { capacityProviderStrategy: [{ capacityProvider: 'A', weight: 1001 }] }, /capacityProviderStrategy\[0\].weight must be a whole number from 0 to 1000; received 1001/],
    ['negative base', { capacityProviderStrategy: [{ capacityProvider: 'A', base: -1, weight: 1 }] }, /capacityProviderStrategy\[0\].base must be a whole number from 0 to 100000; received -1/],
    ['duplicate provider', { capacityProviderStrategy: [{ capacityProvider: 'A', weight: 1 }, { capacityProvider: 'A', weight: 2 }] }, /lists A more than once/],
  ];
  test.each(invalid)('rejects %s', (_name, props, message) => {
    expect(() => spec(props)).toThrow(message);
    expect(EcsAppSpec.validate({ taskDefinitionArn: ARN, containerName: 'web', containerPort: 8080, ...props }).join('\n')).toMatch(message);
  });

  test('accepts a task definition ARN without a revision and in other partitions', () => {
    expect(() => spec({ taskDefinitionArn: 'arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web' })).not.toThrow();
  });
});

describe('BlueGreenListeners with your own service', () => {
  function build(stack: Stack) {
    const { cluster, taskDefinition } = ecsFixture(stack);
    const listeners = new BlueGreenListeners(stack, 'Traffic', { vpc: cluster.vpc, targetPort: 8080, internetFacing: false });
    const service = new ecs.FargateService(stack, 'Service', {
      cluster,
      taskDefinition,
      deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY },
      minHealthyPercent: 100,
    });
    listeners.attachService(service, 'web', 8080);
    return { listeners, service };
  }

  test('a service with the other engine\'s deployment controller is a synth-time error that says how to fix it and why a deployed one cannot be switched', () => {
    const stack = testStack();
    const { cluster, taskDefinition } = ecsFixture(stack);
    const listeners = new BlueGreenListeners(stack, 'Traffic', { vpc: cluster.vpc, targetPort: 8080, internetFacing: false });
    const rolling = new ecs.FargateService(stack, 'Rolling', { cluster, taskDefinition, minHealthyPercent: 100 });
    expect(() => listeners.attachService(rolling, 'web', 8080)).toThrow(
      /TestStack\/Rolling has the ECS deployment controller \(the default\), but the CODE_DEPLOY engine deploys only services with the CODE_DEPLOY controller\. For a new service set deploymentController: \{ type: ecs\.DeploymentControllerType\.CODE_DEPLOY \}, or use the ECS engine\. A deployed service is not switched by a stack update .*aws\/aws-cdk#36012/,
    );
    const native = new BlueGreenListeners(stack, 'Native', { vpc: cluster.vpc, targetPort: 8080, internetFacing: false, engine: EcsDeploymentEngine.ECS });
    const codeDeploy = new ecs.FargateService(stack, 'CodeDeployed', {
      cluster, taskDefinition, minHealthyPercent: 100, deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY },
    });
    expect(() => native.attachService(codeDeploy, 'web', 8080)).toThrow(
      /TestStack\/CodeDeployed has the CODE_DEPLOY deployment controller, but the ECS engine deploys only services with the ECS controller\. For a new service leave deploymentController unset \(ECS\), or use the CodeDeploy engine/,
    );
  });

  test('creates the load balancer, both listeners and target groups, and attaches the service to blue', () => {
    const stack = testStack();
    const { listeners } = build(stack);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    t.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [{ ContainerName: 'web', ContainerPort: 8080, TargetGroupArn: { Ref: Match.stringLikeRegexp('TrafficBlueTargetGroup') } }] });
    expect(listeners.port).toBe(8080);
    expect(listeners.testListener).toBeDefined();
  });

  test('metricBothTargetGroups combines blue and green', () => {
    const stack = testStack();
    const { listeners } = build(stack);
    const m = listeners.metricBothTargetGroups('RequestCount', 'Sum', Duration.minutes(1));
    expect(m.toMetricConfig().mathExpression?.expression).toBe('FILL(blue, 0) + FILL(green, 0)');
  });

  test.each([
    ['APPLICATION type with an NLB', (s: Stack, vpc: any) => new BlueGreenListeners(s, 'T', { vpc, targetPort: 80, loadBalancerType: 'APPLICATION' as any, networkLoadBalancer: new elbv2.NetworkLoadBalancer(s, 'N', { vpc }) }), /loadBalancerType is APPLICATION but a networkLoadBalancer was given/],
    ['NETWORK type with an ALB', (s: Stack, vpc: any) => new BlueGreenListeners(s, 'T', { vpc, targetPort: 80, loadBalancerType: 'NETWORK' as any, applicationLoadBalancer: new elbv2.ApplicationLoadBalancer(s, 'A', { vpc }) }), /loadBalancerType is NETWORK but an applicationLoadBalancer was given/],
    ['testTrafficPeers without a test listener', (s: Stack, vpc: any) => new BlueGreenListeners(s, 'T', { vpc, targetPort: 80, testListener: false, testTrafficPeers: [] }), /testTrafficPeers is set but testListener is false/],
    ['target port 0', (s: Stack, vpc: any) => new BlueGreenListeners(s, 'T', { vpc, targetPort: 0 }), /targetPort must be a whole number from 1 to 65535; received 0/],
  ])('rejects %s', (_name, make, message) => {
    const stack = testStack();
    const { vpc } = ecsFixture(stack);
    expect(() => make(stack, vpc)).toThrow(message);
  });

  complianceSuite({
    'own service': (stack) => { build(stack); acknowledgeTrafficChoices(stack); },
  });
});
