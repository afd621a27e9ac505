import { Annotations, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { BlueGreenListeners, BlueGreenLoadBalancerType, EcsDeploymentEngine } from './blue-green-listeners';
import { EcsAppSpecHooks } from './ecs-app-spec';
import { EcsDeploymentAlarmOptions, EcsDeploymentHooks, EcsDeploymentProps } from './ecs-deployment-props';
import { nativeProblems, nativeStrategy, NativeStrategy } from './ecs-native';
import { DeploymentSource } from '../common/deployment-source';
import { LifecycleEvent } from '../hooks/lifecycle-hook-bind';
import { CodeDeployServiceRole } from '../iam/codedeploy-service-role';
import { ecsDescribeStatements, ecsListenerStatements, ecsServiceStatements, PlatformStatement } from '../private/permissions';
import { DEFAULT_TRIGGER_TIMEOUT_MINUTES, MAX_TRIGGER_TIMEOUT_MINUTES } from '../private/trigger-limits';
import {
  cdkDeployOnlyOptionProblems,
  MAX_TRAFFIC_SHIFT_MINUTES,
  trafficShiftMinutes,
  validateAlarmTuning,
  validateConfigPlatform,
  validateCustomTrafficRouting,
} from '../private/validation';

/** Default minutes the original task set is kept after a successful deployment. */
export const DEFAULT_TERMINATION_WAIT_MINUTES = 5;

/** The task definition's roles, which CodeDeploy passes to the replacement task set. */
export function taskRoles(td: ecs.TaskDefinition): iam.IRole[] {
  return [td.taskRole, td.executionRole].filter((r): r is iam.IRole => r !== undefined);
}

const NLB_CONFIG = 'CodeDeployDefault.ECSAllAtOnce';

/** Every problem of the ECS-only props. */
export function validateEcsOptions(
  props: EcsDeploymentProps,
  isNlb: boolean,
  config: codedeploy.IEcsDeploymentConfig,
  container: ecs.ContainerDefinition | undefined,
  containerPort: number | undefined,
): string[] {
  const errors: string[] = [];
  const serviceName = props.service?.serviceName;
  if (serviceName !== undefined && !Token.isUnresolved(serviceName) && !/^[A-Za-z0-9_-]{1,255}$/.test(serviceName)) {
    errors.push(
      `service.serviceName must be 1 to 255 letters, digits, hyphens and underscores (ECS's rule for service names); received "${serviceName}" (${serviceName.length} characters).`,
    );
  }
  const configName = config.deploymentConfigName;
  // ECS's own engine shifts a Network Load Balancer's traffic linearly or by canary too.
  const codeDeploy = (props.engine ?? EcsDeploymentEngine.CODE_DEPLOY) === EcsDeploymentEngine.CODE_DEPLOY;
  if (codeDeploy && isNlb && !Token.isUnresolved(configName) && configName !== NLB_CONFIG) {
    errors.push(
      `A Network Load Balancer only supports all-at-once traffic shifting ("Only ALB supports gradual traffic routing"); deploymentConfig is ${configName}. Use EcsDeploymentConfig.ALL_AT_ONCE or an Application Load Balancer.`,
    );
  }
  if (codeDeploy && isNlb && props.deploymentConfig && Token.isUnresolved(configName)) {
    errors.push(
      `A Network Load Balancer only supports all-at-once traffic shifting; deploymentConfig ${(props.deploymentConfig as any).node?.path ?? ''} is a custom configuration. Use EcsDeploymentConfig.ALL_AT_ONCE.`,
    );
  }
  if (!container) {
    errors.push(
      props.containerName === undefined
        ? `The task definition ${props.taskDefinition.node.path} has no container; add one with a port mapping.`
        : `The task definition ${props.taskDefinition.node.path} has no container named "${props.containerName}"; containers: ${containerNames(props.taskDefinition).join(', ') || '(none)'}.`,
    );
  } else if (containerPort === undefined) {
    errors.push(`Container "${container.containerName}" has no port mapping; add one (portMappings) or give containerPort.`);
  } else if (!Token.isUnresolved(containerPort) && !container.portMappings.some((m) => m.containerPort === containerPort)) {
    errors.push(
      `Container "${container.containerName}" does not map port ${containerPort}; mapped ports: ${container.portMappings.map((m) => m.containerPort).join(', ') || '(none)'}. The load balancer can only reach a mapped port.`,
    );
  }
  if (props.hooks?.afterAllowTestTraffic && !hasTestListener(props)) {
    errors.push(
      `hooks.afterAllowTestTraffic needs a test listener, but ${noTestListener(props)}: CodeDeploy ignores the AfterAllowTestTraffic hook without one. Turn the test listener on, or use hooks.beforeAllowTraffic.`,
    );
  }
  const wait = props.blueGreen?.terminationWaitTime;
  if (wait && !Token.isUnresolved(wait.toMinutes({ integral: false }))) {
    const minutes = wait.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 0 || minutes > MAX_TRAFFIC_SHIFT_MINUTES) {
      errors.push(
        `blueGreen.terminationWaitTime must be a whole number of minutes from 0 to ${MAX_TRAFFIC_SHIFT_MINUTES}; received ${minutes} minutes.`,
      );
    }
  }
  const approval = props.blueGreen?.deploymentApprovalWaitTime;
  if (approval && !Token.isUnresolved(approval.toMinutes({ integral: false }))) {
    const minutes = approval.toMinutes({ integral: false });
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_TRAFFIC_SHIFT_MINUTES) {
      errors.push(
        `blueGreen.deploymentApprovalWaitTime must be a whole number of minutes from 1 to ${MAX_TRAFFIC_SHIFT_MINUTES}; received ${minutes} minutes.`,
      );
    }
  }
  const count = props.service?.desiredCount;
  if (count !== undefined && !Token.isUnresolved(count) && (!Number.isInteger(count) || count < 0)) {
    errors.push(`service.desiredCount must be a whole number of at least 0; received ${count}.`);
  }
  if (props.service?.platformVersion && !props.taskDefinition.isFargateCompatible) {
    errors.push('service.platformVersion applies to Fargate only, and the task definition is not Fargate-compatible; drop service.platformVersion.');
  }
  return errors;
}

/** Minutes kept for the replacement task set to start and the hooks to run, besides the configured windows. */
const MIN_START_MINUTES = 5;

/**
 * The trigger's timeout from the windows the user configured: the traffic shift of the deployment
 * configuration, the approval wait and (with waitForTermination) the termination wait, plus time
 * for the task set to start. A timeout shorter than that would stop and roll back every
 * deployment; windows that cannot fit in CloudFormation's hour are an error that names them.
 */
export function triggerTimeout(props: EcsDeploymentProps, config: codedeploy.IEcsDeploymentConfig): { timeout?: Duration; errors: string[] } {
  const literalMinutes = (d: Duration | undefined, fallback: number): number | undefined =>
    d === undefined ? fallback : Token.isUnresolved(d.toSeconds()) ? undefined : d.toSeconds() / 60;
  const shift = trafficShiftMinutes(config);
  const approval = literalMinutes(props.blueGreen?.deploymentApprovalWaitTime, 0);
  const blueGreen = props.blueGreen ?? {};
  const termination = blueGreen.waitForTermination ? literalMinutes(blueGreen.terminationWaitTime, DEFAULT_TERMINATION_WAIT_MINUTES) : 0;
  const given = literalMinutes(props.deploymentTimeout, NaN);
  if (shift === undefined || approval === undefined || termination === undefined || (props.deploymentTimeout && given === undefined)) {
    return { timeout: props.deploymentTimeout, errors: [] };
  }
  const windows = shift + approval + termination;
  const name = Token.isUnresolved(config.deploymentConfigName) ? 'deploymentConfig' : config.deploymentConfigName;
  const parts = [
    `traffic shifting ${shift} (${name})`,
    ...(approval > 0 ? [`blueGreen.deploymentApprovalWaitTime ${approval}`] : []),
    ...(termination > 0 ? [`blueGreen.terminationWaitTime ${termination} (waited for with blueGreen.waitForTermination)`] : []),
  ].join(' + ');
  const needed = windows + MIN_START_MINUTES;
  if (props.deploymentTimeout) {
    return {
      timeout: props.deploymentTimeout,
      errors:
        given! < needed
          ? [
            `deploymentTimeout is ${given} minutes, but the windows you configured take ${windows} minutes (${parts}), plus at least ${MIN_START_MINUTES} minutes for the replacement task set to start and the hooks to run: every deployment would be stopped and rolled back. ` +
              `Set deploymentTimeout to at least ${needed} minutes (at most ${MAX_TRIGGER_TIMEOUT_MINUTES}), or shorten a window.`,
          ]
          : [],
    };
  }
  if (needed > MAX_TRIGGER_TIMEOUT_MINUTES) {
    const biggest = [
      ['the deployment configuration\'s traffic shifting', shift],
      ['blueGreen.deploymentApprovalWaitTime', approval],
      ['blueGreen.terminationWaitTime (or set blueGreen.waitForTermination to false, so cdk deploy returns when traffic has shifted)', termination],
    ].sort((a, b) => (b[1] as number) - (a[1] as number))[0][0];
    return {
      errors: [
        `The windows you configured take ${windows} minutes (${parts}); with ${MIN_START_MINUTES} minutes for the replacement task set to start and the hooks to run, that is over the ${MAX_TRIGGER_TIMEOUT_MINUTES} minutes a deployment can take inside CloudFormation's one-hour wait for a custom resource, so every deployment would be stopped and rolled back. ` +
          `Shorten ${biggest}.`,
      ],
    };
  }
  return { timeout: Duration.minutes(Math.min(MAX_TRIGGER_TIMEOUT_MINUTES, Math.max(DEFAULT_TRIGGER_TIMEOUT_MINUTES, windows + 15))), errors: [] };
}

function containerNames(td: ecs.TaskDefinition): string[] {
  return td.node.children.filter((c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition).map((c) => c.containerName);
}

/** The container that receives traffic: the named one, or the task definition's default. */
export function findContainer(props: EcsDeploymentProps): ecs.ContainerDefinition | undefined {
  if (props.containerName === undefined) {
    return props.taskDefinition.defaultContainer;
  }
  return props.taskDefinition.node.children.find(
    (c): c is ecs.ContainerDefinition => c instanceof ecs.ContainerDefinition && c.containerName === props.containerName,
  );
}

/** The service, with the `CODE_DEPLOY` deployment controller: Fargate when the task definition allows it. */
export function createService(scope: Construct, props: EcsDeploymentProps, native?: NativeStrategy, bakeTime?: Duration): ecs.BaseService {
  const common = {
    cluster: props.cluster,
    desiredCount: props.service?.desiredCount ?? 2,
    serviceName: props.service?.serviceName,
    deploymentController: { type: native ? ecs.DeploymentControllerType.ECS : ecs.DeploymentControllerType.CODE_DEPLOY },
    // The ECS engine: the strategy, its steps and the bake time (the original tasks stay that long).
    ...(native ? {
      // Tasks that never get healthy roll the deployment back, and ECS then sends SERVICE_DEPLOYMENT_FAILED
      // (the ECS guide sends it only with the circuit breaker on), which the notifications match.
      circuitBreaker: { enable: true, rollback: true },
      deploymentStrategy: native.strategy,
      linearConfiguration: native.linear,
      canaryConfiguration: native.canary,
      bakeTime,
    } : {}),
    capacityProviderStrategies: props.service?.capacityProviderStrategies,
    healthCheckGracePeriod: props.service?.healthCheckGracePeriod ?? Duration.seconds(60),
    // With CODE_DEPLOY these only bound tasks while container instances drain.
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
  };
  const td = props.taskDefinition;
  const useFargate = td.isFargateCompatible && props.service?.launchType !== ecs.LaunchType.EC2;
  if (useFargate) {
    return new ecs.FargateService(scope, 'Service', {
      ...common,
      taskDefinition: td,
      platformVersion: props.service?.platformVersion,
      vpcSubnets: props.service?.vpcSubnets,
      securityGroups: props.service?.securityGroups,
      assignPublicIp: props.service?.assignPublicIp ?? false,
    });
  }
  return new ecs.Ec2Service(scope, 'Service', {
    ...common,
    taskDefinition: td,
    vpcSubnets: td.networkMode === ecs.NetworkMode.AWS_VPC ? props.service?.vpcSubnets : undefined,
    securityGroups: td.networkMode === ecs.NetworkMode.AWS_VPC ? props.service?.securityGroups : undefined,
    assignPublicIp: td.networkMode === ecs.NetworkMode.AWS_VPC ? props.service?.assignPublicIp : undefined,
  });
}

/** The replacement task set's network configuration (`awsvpc` only), stated in the AppSpec as the service has it. */
export function appSpecNetwork(props: EcsDeploymentProps, service: ecs.BaseService) {
  if (props.taskDefinition.networkMode !== ecs.NetworkMode.AWS_VPC) {
    return undefined;
  }
  const assignPublicIp = props.service?.assignPublicIp ?? false;
  return {
    subnets: props.cluster.vpc.selectSubnets(props.service?.vpcSubnets ?? (assignPublicIp ? { subnetType: ec2.SubnetType.PUBLIC } : {})).subnetIds,
    securityGroups: service.connections.securityGroups.map((sg) => sg.securityGroupId),
    assignPublicIp,
  };
}

/** The default alarms on both target groups: HTTP 5xx (Application Load Balancer only) and unhealthy targets. */
export function ecsDefaultAlarms(
  scope: Construct,
  listeners: BlueGreenListeners,
  options: EcsDeploymentAlarmOptions,
  isNlb: boolean,
): cloudwatch.IAlarm[] {
  const period = options.period ?? Duration.minutes(1);
  const common = {
    evaluationPeriods: options.evaluationPeriods ?? 2,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  };
  const alarms: cloudwatch.IAlarm[] = [];
  if ((options.http5xx ?? true) && !isNlb) {
    alarms.push(
      new cloudwatch.Alarm(scope, 'Http5xxAlarm', {
        ...common,
        alarmDescription: `HTTP 5xx of ${scope.node.path}: stops and rolls back the CodeDeploy deployment`,
        metric: listeners.metricBothTargetGroups('HTTPCode_Target_5XX_Count', 'Sum', period),
        threshold: options.http5xxThreshold ?? 5,
      }),
    );
  }
  if (options.unhealthyHosts ?? true) {
    alarms.push(
      new cloudwatch.Alarm(scope, 'UnhealthyHostsAlarm', {
        ...common,
        alarmDescription: `Unhealthy targets of ${scope.node.path}: stops and rolls back the CodeDeploy deployment`,
        metric: listeners.metricBothTargetGroups('UnHealthyHostCount', 'Maximum', period),
        threshold: options.unhealthyHostsThreshold ?? 1,
      }),
    );
  }
  return alarms;
}

/** The defaults `EcsDeployment` derives from its props before it creates anything. */
export interface EcsPlan {
  readonly isNlb: boolean;
  readonly defaultAlarmCount: number;
  readonly deploymentConfig: codedeploy.IEcsDeploymentConfig;
  readonly container?: ecs.ContainerDefinition;
  readonly containerPort?: number;
  readonly timeout?: Duration;
  /** Every problem of the ECS-only props. */
  readonly errors: string[];
  /** With the ECS engine: its strategy (undefined for a configuration it cannot take, an error). */
  readonly native?: NativeStrategy;
}

/** The defaults and problems of the ECS-only props. */
export function planEcsDeployment(props: EcsDeploymentProps): EcsPlan {
  const isNlb = props.traffic?.networkLoadBalancer !== undefined ||
    (!props.traffic?.applicationLoadBalancer && props.traffic?.loadBalancerType === BlueGreenLoadBalancerType.NETWORK);
  const alarmOptions = props.defaultAlarms ?? {};
  const defaultAlarmCount = ((alarmOptions.http5xx ?? true) && !isNlb ? 1 : 0) + (alarmOptions.unhealthyHosts ?? true ? 1 : 0);
  const deploymentConfig = props.deploymentConfig ??
    (isNlb ? codedeploy.EcsDeploymentConfig.ALL_AT_ONCE : codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES);
  const container = findContainer(props);
  const containerPort = props.containerPort ?? container?.containerPort;
  const timeoutPlan = triggerTimeout(props, deploymentConfig);
  const native = props.engine === EcsDeploymentEngine.ECS;
  const errors = [
    ...validateCustomTrafficRouting(props.deploymentConfig),
    ...validateConfigPlatform(props.deploymentConfig, 'ECS'),
    ...validateEcsOptions(props, isNlb, deploymentConfig, container, containerPort),
    ...(native ? nativeProblems(props) : timeoutPlan.errors),
    ...(props.deploymentSource === DeploymentSource.PIPELINE
      ? cdkDeployOnlyOptionProblems([['deploymentTimeout', props.deploymentTimeout], ['blueGreen.waitForTermination', props.blueGreen?.waitForTermination]])
      : []),
    ...(isNlb && alarmOptions.http5xx === true
      ? ['defaultAlarms.http5xx needs an Application Load Balancer (a Network Load Balancer has no HTTP metrics); drop it.']
      : []),
    ...validateAlarmTuning(
      { http5xxThreshold: alarmOptions.http5xxThreshold, unhealthyHostsThreshold: alarmOptions.unhealthyHostsThreshold },
      alarmOptions.evaluationPeriods,
      alarmOptions.period,
    ),
  ];
  return {
    isNlb,
    defaultAlarmCount,
    deploymentConfig,
    container,
    containerPort,
    timeout: timeoutPlan.timeout,
    errors,
    native: native ? nativeStrategy(deploymentConfig) : undefined,
  };
}

/** The ECS engine's bake time: `blueGreen.terminationWaitTime` (the original tasks are kept as long). */
export function nativeBakeTime(props: EcsDeploymentProps): Duration {
  // Within CloudFormation's 0-1440 minutes: nativeProblems rejects more before the service is made.
  return props.blueGreen?.terminationWaitTime ?? Duration.minutes(DEFAULT_TERMINATION_WAIT_MINUTES);
}

/** The hook props of `EcsDeployment` with their lifecycle events, in the order of a deployment. */
export const ECS_HOOK_EVENTS: ReadonlyArray<readonly [keyof EcsAppSpecHooks & keyof EcsDeploymentHooks, LifecycleEvent]> = [
  ['beforeInstall', LifecycleEvent.BEFORE_INSTALL],
  ['afterInstall', LifecycleEvent.AFTER_INSTALL],
  ['afterAllowTestTraffic', LifecycleEvent.AFTER_ALLOW_TEST_TRAFFIC],
  ['beforeAllowTraffic', LifecycleEvent.BEFORE_ALLOW_TRAFFIC],
  ['afterAllowTraffic', LifecycleEvent.AFTER_ALLOW_TRAFFIC],
];

/**
 * The ECS platform's statements for a service role without the AWS managed policy (which holds
 * them on "*"): the service and its task roles, the listeners, and (for a role that is not a
 * CodeDeployServiceRole, which has them from its creation) the describe calls.
 */
export function ecsStatements(
  scope: Construct,
  role: iam.IRole,
  service: ecs.BaseService,
  listeners: BlueGreenListeners,
  taskDefinition: ecs.TaskDefinition,
): PlatformStatement[] {
  const listenerArns = [listeners.productionListener, listeners.testListener]
    .filter((l): l is elbv2.IListener => l !== undefined)
    .map((l) => l.listenerArn);
  return [
    ...(role instanceof CodeDeployServiceRole ? [] : ecsDescribeStatements()),
    ...ecsServiceStatements(scope, service, taskRoles(taskDefinition)),
    ...ecsListenerStatements(scope, listenerArns, listeners.loadBalancerFullName),
  ];
}

/** Whether the deployment has a test listener: a given one, or the one the construct creates unless turned off. */
function hasTestListener(props: EcsDeploymentProps): boolean {
  return props.traffic?.listeners ? props.traffic.listeners.test !== undefined : props.traffic?.testListener !== false;
}

function noTestListener(props: EcsDeploymentProps): string {
  return props.traffic?.listeners ? 'traffic.listeners has no test listener' : 'traffic.testListener is false';
}

/**
 * Valid but risky choices: an acknowledgeable warning. The matching CodeDeployChecks finding
 * (CD4, CD5) surfaces too; it follows from the user's choice, so it is theirs to acknowledge.
 */
export function warnEcsChoices(scope: Construct, props: EcsDeploymentProps): void {
  if (!hasTestListener(props)) {
    Annotations.of(scope).addWarningV2(
      'cdk-codedeploy-patterns:noTestListener',
      `${noTestListener(props)}, so no hook can test the replacement task set before production traffic reaches it. Keep the test listener unless nothing could use it.`,
    );
  }
  const wait = props.blueGreen?.terminationWaitTime;
  if (wait !== undefined && !Token.isUnresolved(wait.toMinutes({ integral: false })) && wait.toMinutes({ integral: false }) === 0) {
    Annotations.of(scope).addWarningV2(
      'cdk-codedeploy-patterns:noTerminationWait',
      'blueGreen.terminationWaitTime is zero, so the original task set is terminated as soon as traffic has shifted and a rollback has nothing to return to. Keep it for a few minutes.',
    );
  }
}

/**
 * The `RegisterTaskDefinition` input of a task definition, as CodePipeline's `taskdef.json`, with
 * the image of one container replaced: the L1's properties (camelCase, which is how the API names
 * them, except the two members CloudFormation names differently: `proxyConfiguration.properties`
 * and `efsVolumeConfiguration.fileSystemId`), CloudFormation references left to resolve at deployment.
 */
export function taskDefinitionTemplate(td: ecs.TaskDefinition, containerName: string, image: string): string {
  const stack = Stack.of(td);
  const cfn = td.node.defaultChild as ecs.CfnTaskDefinition;
  const value = (v: unknown) => {
    const resolved = stack.resolve(v);
    return resolved === undefined || (Array.isArray(resolved) && resolved.length === 0) ? undefined : resolved;
  };
  const containers = (value(cfn.containerDefinitions) as any[]).map((c) => (c.name === containerName ? { ...c, image } : c));
  const doc: Record<string, unknown> = {
    family: cfn.family,
    containerDefinitions: containers,
    taskRoleArn: value(cfn.taskRoleArn),
    executionRoleArn: value(cfn.executionRoleArn),
    networkMode: value(cfn.networkMode),
    volumes: value(cfn.volumes),
    placementConstraints: value(cfn.placementConstraints),
    requiresCompatibilities: value(cfn.requiresCompatibilities),
    cpu: value(cfn.cpu),
    memory: value(cfn.memory),
    pidMode: value(cfn.pidMode),
    ipcMode: value(cfn.ipcMode),
    proxyConfiguration: value(cfn.proxyConfiguration),
    ephemeralStorage: value(cfn.ephemeralStorage),
    runtimePlatform: value(cfn.runtimePlatform),
  };
  const proxy = doc.proxyConfiguration as Record<string, unknown> | undefined;
  if (proxy && 'proxyConfigurationProperties' in proxy) {
    const { proxyConfigurationProperties, ...rest } = proxy;
    doc.proxyConfiguration = { ...rest, properties: proxyConfigurationProperties };
  }
  if (Array.isArray(doc.volumes)) {
    doc.volumes = (doc.volumes as any[]).map((v) => {
      const efs = v.efsVolumeConfiguration;
      if (!efs || !('filesystemId' in efs)) {
        return v;
      }
      const { filesystemId, ...rest } = efs;
      return { ...v, efsVolumeConfiguration: { fileSystemId: filesystemId, ...rest } };
    });
  }
  return stack.toJsonString(Object.fromEntries(Object.entries(doc).filter(([, v]) => v !== undefined)));
}
