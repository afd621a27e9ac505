import { CfnParameter, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as YAML from 'yaml';
import { EcsAppSpec, EcsAppSpecHooks, EcsAppSpecProps } from '../../src';

/**
 * The ECS AppSpec as the CodeDeploy User Guide's reference describes it (no parser of CodeDeploy's
 * is public; ../shared/reference, "AppSpec file structure for Amazon ECS deployments" and
 * "AppSpec 'resources' section for Amazon ECS deployments", lines 23155-23700, and "Structure of
 * 'hooks' section", lines 24008-24060). Written from the guide, not from our builder: every
 * option combination of EcsAppSpec must render a document this checker accepts, as JSON and as
 * YAML read by YAML 1.1 and 1.2 parsers alike.
 *
 * Where the guide disagrees with itself: it says "Specify version with a string" (line 23174)
 * while every example writes version: 0.0 unquoted. We render "0.0" in JSON and 0.0 in YAML (as
 * the examples do); the checker accepts the string or the number 0.
 */
const EVENTS = ['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'];
const PROPERTIES = ['TaskDefinition', 'LoadBalancerInfo', 'PlatformVersion', 'NetworkConfiguration', 'CapacityProviderStrategy'];

function guideProblems(doc: any): string[] {
  const p: string[] = [];
  const keys = Object.keys(doc ?? {});
  for (const k of keys) {
    if (!['version', 'Resources', 'Hooks'].includes(k)) {
      p.push(`unknown section ${k}`);
    }
  }
  if (!(doc.version === '0.0' || doc.version === 0)) {
    p.push(`version ${JSON.stringify(doc.version)}`);
  }
  // "resources": the ECS service to deploy; one TargetService.
  if (!Array.isArray(doc.Resources) || doc.Resources.length !== 1 || Object.keys(doc.Resources[0]).join() !== 'TargetService') {
    return [...p, 'Resources must be a list with one TargetService'];
  }
  const target = doc.Resources[0].TargetService;
  if (target.Type !== 'AWS::ECS::Service') {
    p.push(`Type ${target.Type}`);
  }
  const props = target.Properties ?? {};
  for (const k of Object.keys(props)) {
    if (!PROPERTIES.includes(k)) {
      p.push(`unknown property ${k}`);
    }
  }
  // "Each property is specified with a string except for ContainerPort, which is a number."
  if (typeof props.TaskDefinition !== 'string' || !/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[^:/]+(:\d+)?$/.test(props.TaskDefinition)) {
    p.push(`TaskDefinition ${props.TaskDefinition}`);
  }
  const lb = props.LoadBalancerInfo ?? {};
  if (typeof lb.ContainerName !== 'string' || lb.ContainerName === '') {
    p.push(`ContainerName ${JSON.stringify(lb.ContainerName)}`);
  }
  if (typeof lb.ContainerPort !== 'number') {
    p.push(`ContainerPort ${JSON.stringify(lb.ContainerPort)} is not a number`);
  }
  if ('PlatformVersion' in props && typeof props.PlatformVersion !== 'string') {
    p.push(`PlatformVersion ${JSON.stringify(props.PlatformVersion)} is not a string`);
  }
  if ('NetworkConfiguration' in props) {
    // "All or none of the settings under NetworkConfiguration must be specified."
    const vpc = props.NetworkConfiguration.AwsvpcConfiguration ?? {};
    const all = ['Subnets', 'SecurityGroups', 'AssignPublicIp'].every((k) => k in vpc);
    if (!all) {
      p.push('NetworkConfiguration is not all of Subnets, SecurityGroups, AssignPublicIp');
    }
    for (const k of ['Subnets', 'SecurityGroups']) {
      if (!Array.isArray(vpc[k]) || vpc[k].length === 0 || vpc[k].some((x: unknown) => typeof x !== 'string')) {
        p.push(`${k} is not a list of strings`);
      }
    }
    if (!['ENABLED', 'DISABLED'].includes(vpc.AssignPublicIp)) {
      p.push(`AssignPublicIp ${vpc.AssignPublicIp}`);
    }
  }
  if ('CapacityProviderStrategy' in props) {
    const items: any[] = props.CapacityProviderStrategy;
    if (!Array.isArray(items) || items.length === 0) {
      p.push('CapacityProviderStrategy is not a list');
    } else {
      for (const item of items) {
        if (typeof item.CapacityProvider !== 'string' || !Number.isInteger(item.Base ?? 0) || !Number.isInteger(item.Weight ?? 0)) {
          p.push(`strategy item ${JSON.stringify(item)}`);
        }
      }
      // "Only one capacity provider in a capacity provider strategy can have a base" (the
      // guide's own example has Base: 1 and Base: 0, so 0 counts as none).
      if (items.filter((i) => (i.Base ?? 0) > 0).length > 1) {
        p.push('more than one base');
      }
    }
  }
  if ('Hooks' in doc) {
    // A list of single-key mappings, event -> function; "Each hook is executed once per deployment."
    const hooks: any[] = doc.Hooks;
    const seen = new Set<string>();
    for (const h of hooks) {
      const ks = Object.keys(h);
      if (ks.length !== 1 || !EVENTS.includes(ks[0]) || seen.has(ks[0]) || typeof h[ks[0]] !== 'string') {
        p.push(`hook ${JSON.stringify(h)}`);
      }
      seen.add(ks[0]);
    }
  }
  return p;
}

const ARNS = [
  'arn:aws:ecs:us-east-1:123456789012:task-definition/web:7',
  'arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web',
  'arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/yes:1',
];
const NAMES = ['web', 'yes', '1234', 'null', 'app_1-b'];
const PORTS = [1, 80, 8080, 65535];
const PLATFORMS = [undefined, ecs.FargatePlatformVersion.LATEST, ecs.FargatePlatformVersion.VERSION1_4];
const NETWORKS: Array<EcsAppSpecProps['networkConfiguration']> = [
  undefined,
  { subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-1'] },
  { subnets: ['subnet-1'], securityGroups: ['sg-1', 'sg-2'], assignPublicIp: true },
];
const STRATEGIES: Array<ecs.CapacityProviderStrategy[] | undefined> = [
  undefined,
  [{ capacityProvider: 'FARGATE', weight: 1 }],
  [{ capacityProvider: 'FARGATE_SPOT', base: 1, weight: 2 }, { capacityProvider: 'FARGATE', weight: 1 }],
];

describe('EcsAppSpec renders what the guide\'s ECS AppSpec reference describes', () => {
  const stack = new Stack();
  const fn = (name: string) => lambda.Function.fromFunctionArn(stack, name, `arn:aws:lambda:us-east-1:123456789012:function:${name}`);
  const hookSets: Array<EcsAppSpecHooks | undefined> = [
    undefined,
    { beforeInstall: fn('A') },
    { afterInstall: fn('B'), afterAllowTestTraffic: fn('C') },
    { beforeInstall: fn('D'), afterInstall: fn('E'), afterAllowTestTraffic: fn('F'), beforeAllowTraffic: fn('G'), afterAllowTraffic: fn('H') },
  ];

  test('every value of every option, in 499 of the 6,480 combinations, as JSON and as YAML (1.1 and 1.2 readers)', () => {
    // Every 13th combination (13 is prime to every dimension's size, so each value of each option
    // meets the others' values); the whole product takes half a minute.
    let n = 0;
    let checked = 0;
    const seen = Array.from({ length: 7 }, () => new Set<unknown>());
    for (const taskDefinitionArn of ARNS) {
      for (const containerName of NAMES) {
        for (const containerPort of PORTS) {
          for (const platformVersion of PLATFORMS) {
            for (const networkConfiguration of NETWORKS) {
              for (const capacityProviderStrategy of STRATEGIES) {
                for (const hooks of hookSets) {
                  if (n++ % 13 !== 0) {
                    continue;
                  }
                  checked++;
                  [taskDefinitionArn, containerName, containerPort, platformVersion, networkConfiguration, capacityProviderStrategy, hooks]
                    .forEach((v, i) => seen[i].add(v));
                  const spec = new EcsAppSpec({
                    taskDefinitionArn, containerName, containerPort, platformVersion, networkConfiguration, capacityProviderStrategy, hooks,
                  });
                  const json = JSON.parse(spec.toJson());
                  expect(guideProblems(json)).toEqual([]);
                  const yaml = spec.toYaml();
                  expect(yaml.startsWith('version: 0.0\n')).toBe(true);
                  for (const version of ['1.1', '1.2'] as const) {
                    const read = YAML.parse(yaml, { version });
                    expect(guideProblems(read)).toEqual([]);
                    expect({ ...read, version: '0.0' }).toEqual(json);
                  }
                }
              }
            }
          }
        }
      }
    }
    expect(n).toBe(3 * 5 * 4 * 3 * 3 * 3 * 4);
    expect(checked).toBe(499);
    const sizes = [ARNS, NAMES, PORTS, PLATFORMS, NETWORKS, STRATEGIES, hookSets].map((values) => values.length);
    expect(seen.map((values) => values.size)).toEqual(sizes);
  });

  test('tokens resolve in place: a port from a parameter stays a number in YAML', () => {
    const s = new Stack();
    const port = new CfnParameter(s, 'Port', { type: 'Number' }).valueAsNumber;
    const name = new CfnParameter(s, 'Container').valueAsString;
    const yaml = new EcsAppSpec({ taskDefinitionArn: ARNS[0], containerName: name, containerPort: port }).toYaml();
    const resolved = s.resolve(yaml);
    const parts: any[] = resolved['Fn::Join'][1];
    const portAt = parts.findIndex((x) => x?.Ref === 'Port');
    expect(parts[portAt - 1]).toMatch(/ContainerPort: $/);
    expect(parts[portAt + 1]).toMatch(/^\n/);
    // Substituting values of the parameters gives a document the guide accepts.
    const text = parts.map((x) => (typeof x === 'string' ? x : x.Ref === 'Port' ? '8080' : 'web')).join('');
    expect(guideProblems(YAML.parse(text))).toEqual([]);
  });

  test('the checker itself refuses what the guide rules out', () => {
    const good = JSON.parse(new EcsAppSpec({ taskDefinitionArn: ARNS[0], containerName: 'web', containerPort: 80 }).toJson());
    const mutate = (f: (d: any) => void) => {
      const d = JSON.parse(JSON.stringify(good));
      f(d);
      return guideProblems(d);
    };
    expect(guideProblems(good)).toEqual([]);
    expect(mutate((d) => { d.Resources[0].TargetService.Properties.LoadBalancerInfo.ContainerPort = '80'; })).toEqual(['ContainerPort "80" is not a number']);
    expect(mutate((d) => { d.Resources[0].TargetService.Properties.NetworkConfiguration = { AwsvpcConfiguration: { Subnets: ['s'] } }; }))
      .toContain('NetworkConfiguration is not all of Subnets, SecurityGroups, AssignPublicIp');
    expect(mutate((d) => { d.Hooks = [{ BeforeInstall: 'f' }, { BeforeInstall: 'g' }]; })).toEqual(['hook {"BeforeInstall":"g"}']);
    expect(mutate((d) => { d.version = 1; })).toEqual(['version 1']);
  });
});
