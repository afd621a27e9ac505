import { Annotations, CfnResource, Duration, Lazy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BlueGreenListeners, EcsDeploymentEngine } from './blue-green-listeners';
import { EcsAppSpec } from './ecs-app-spec';
import { EcsDeploymentProps } from './ecs-deployment-props';
import {
  appSpecNetwork,
  createService,
  DEFAULT_TERMINATION_WAIT_MINUTES,
  ECS_HOOK_EVENTS,
  ecsDefaultAlarms,
  ecsStatements,
  nativeBakeTime,
  planEcsDeployment,
  taskDefinitionTemplate,
  warnEcsChoices,
} from './ecs-deployment-rules';
import { NATIVE_EVENT_NAMES, NATIVE_STAGES, NATIVE_STATE_NAMES } from './ecs-native';
import { DeploymentStateChangeOptions } from '../common/deployment-options';
import { DeploymentSource } from '../common/deployment-source';
import { isHook } from '../hooks/is-hook';
import { ComputePlatform } from '../iam/codedeploy-service-role';
import { acknowledgeCompliance, OwnedResource } from '../private/compliance';
import { dependOn } from '../private/dependencies';
import { markEmergency } from '../private/emergency';
import { GrantingEcsDeploymentGroup } from '../private/granting-groups';
import { DeploymentPatternBase, PatternGroupBasics } from '../private/pattern/deployment-pattern';
import { grantAccumulated, grantStatements } from '../private/permissions';
import { DeploymentRevision, DeploymentTrigger } from '../trigger/deployment-trigger';

/**
 * An ECS service deployed blue/green, in one construct, by either engine: AWS CodeDeploy (the
 * default: the service with the `CODE_DEPLOY` deployment controller, the CodeDeploy application and
 * deployment group with a least-privilege service role, the AppSpec, and a trigger that runs a real
 * CodeDeploy deployment during `cdk deploy` whenever the task definition changes) or ECS's own
 * blue/green, linear and canary deployments (`engine: EcsDeploymentEngine.ECS`: the `ECS`
 * deployment controller, run by CloudFormation's service update). Either way: the load balancer
 * with production and test listeners and two target groups, alarms that roll back, and lifecycle
 * hooks with exactly the permissions they need.
 */
export class EcsDeployment extends DeploymentPatternBase {
  /** The ECS service. */
  public readonly service: ecs.BaseService;
  /** The engine that deploys new task definitions. */
  public readonly engine: EcsDeploymentEngine;
  /** The load balancer, production and test listeners, and target groups. */
  public readonly listeners: BlueGreenListeners;
  /** The load balancer. */
  public readonly loadBalancer: elbv2.ILoadBalancerV2;
  /** The production listener. */
  public readonly productionListener: elbv2.IListener;
  /** The test listener, unless turned off. */
  public readonly testListener?: elbv2.IListener;
  /** The target group that serves the service when it is created. */
  public readonly blueTargetGroup: elbv2.ITargetGroup;
  /** The other target group. */
  public readonly greenTargetGroup: elbv2.ITargetGroup;
  /**
   * The CodeDeploy application.
   *
   * @default - none with the ECS engine
   */
  public readonly application?: codedeploy.IEcsApplication;
  /**
   * The CodeDeploy deployment group.
   *
   * @default - none with the ECS engine
   */
  public readonly deploymentGroup?: codedeploy.EcsDeploymentGroup;
  /**
   * The AppSpec every deployment uses.
   *
   * @default - none with the ECS engine
   */
  public readonly appSpec?: EcsAppSpec;
  /** The trigger that deploys on `cdk deploy`; none with `PIPELINE` or the ECS engine. */
  public readonly trigger?: DeploymentTrigger;
  /** Who deploys new task definitions to this deployment group. */
  public readonly deploymentSource: DeploymentSource;

  private readonly taskDefinition: ecs.TaskDefinition;
  private readonly containerName: string;
  /** The ECS engine's alarms and the role its hooks are invoked with. */
  private readonly native?: { alarms: cloudwatch.IAlarm[]; defaultAlarms: cloudwatch.IAlarm[]; readers: iam.IRole[] };

  constructor(scope: Construct, id: string, props: EcsDeploymentProps) {
    super(scope, id);
    const plan = planEcsDeployment(props);
    this._validate(props, plan.defaultAlarmCount, plan.errors);
    this.engine = props.engine ?? EcsDeploymentEngine.CODE_DEPLOY;
    // The emergency switch shifts all traffic at once (src/private/emergency.ts).
    const deploymentConfig = this._emergency ? codedeploy.EcsDeploymentConfig.ALL_AT_ONCE : plan.deploymentConfig;
    const containerName = plan.container!.containerName;
    this.containerName = containerName;
    this.taskDefinition = props.taskDefinition;
    this.deploymentSource = props.deploymentSource ?? DeploymentSource.CDK_DEPLOY;
    const port = plan.containerPort!;

    this.listeners = new BlueGreenListeners(this, 'Traffic', {
      ...props.traffic,
      vpc: props.cluster.vpc,
      targetPort: port,
      targetType: props.taskDefinition.networkMode === ecs.NetworkMode.AWS_VPC ? elbv2.TargetType.IP : elbv2.TargetType.INSTANCE,
      engine: this.engine,
    });
    const listeners = this.listeners;
    this.loadBalancer = listeners.loadBalancer;
    this.productionListener = listeners.productionListener;
    this.testListener = listeners.testListener;
    this.blueTargetGroup = listeners.blueTargetGroup;
    this.greenTargetGroup = listeners.greenTargetGroup;

    if (this.engine === EcsDeploymentEngine.ECS) {
      const strategy = this._emergency ? { strategy: ecs.DeploymentStrategy.BLUE_GREEN } : plan.native!;
      this.service = createService(this, props, strategy, nativeBakeTime(props));
      listeners.attachService(this.service, containerName, port);
      this.native = this.assembleNative(props, plan.isNlb);
      return;
    }

    this.service = createService(this, props);
    listeners.attachService(this.service, containerName, port);

    const service = this.service;
    const parts = this._assemble({
      platform: ComputePlatform.ECS,
      options: props,
      application: props.application,
      newApplication: (s, name) => new codedeploy.EcsApplication(s, name),
      defaultAlarms: () => ecsDefaultAlarms(this, listeners, props.defaultAlarms ?? {}, plan.isNlb),
      deploymentGroup: (basics) => this.createDeploymentGroup(basics, deploymentConfig, props),
      // A Network Load Balancer allows only all-at-once, so that is no choice to warn about.
      riskyConfigName: () => (plan.isNlb || this._emergency ? undefined : deploymentConfig.deploymentConfigName),
      grants: (role, managed) => (managed ? [] : grantStatements(role, ecsStatements(this, role, service, listeners, props.taskDefinition))),
    });
    this.application = parts.application;
    this.deploymentGroup = parts.deploymentGroup;

    const hookOptions = { loadBalancer: listeners.hookLoadBalancer() };
    const hookFunctions: Record<string, lambda.IFunction> = {};
    for (const [key, event] of ECS_HOOK_EVENTS) {
      const fn = this._bindHook(props.hooks?.[key], event, hookOptions);
      if (fn) {
        hookFunctions[key] = fn;
      }
    }
    const appSpec = new EcsAppSpec({
      // A pipeline's CodeDeploy-to-ECS action puts the task definition it registers in place of the placeholder.
      taskDefinitionArn: this.deploymentSource === DeploymentSource.PIPELINE
        ? EcsAppSpec.TASK_DEFINITION_PLACEHOLDER
        : props.taskDefinition.taskDefinitionArn,
      containerName,
      containerPort: port,
      platformVersion: props.service?.platformVersion,
      networkConfiguration: appSpecNetwork(props, service),
      capacityProviderStrategy: props.service?.capacityProviderStrategies,
      hooks: hookFunctions,
    });
    this.appSpec = appSpec;
    this._warnIfNoAlarms(
      'This deployment has no alarms, so CodeDeploy cannot stop or roll back a bad task definition on its own. Keep the default alarms or pass alarms.',
    );
    warnEcsChoices(this, props);
    if (this.deploymentSource === DeploymentSource.PIPELINE) {
      return; // The pipeline deploys; CloudFormation only creates the service with the first task definition.
    }
    const trigger = this._deployOnUpdate({
      deploymentConfig,
      revision: DeploymentRevision.fromAppSpecContent(appSpec.toJson(this)),
      ecsService: service,
      // Derived from the windows the user configured (traffic shift, approval, termination wait).
      timeout: plan.timeout,
      waitForTermination: props.blueGreen?.waitForTermination,
    });
    this.trigger = trigger;
    if (hookFunctions.afterAllowTraffic && trigger._waitForAnnouncingHook(hookFunctions.afterAllowTraffic, this.deploymentGroup.deploymentGroupArn)) {
      // A cost of the user's choice, said where they can act on it (not a warning: it deploys and works).
      Annotations.of(this).addInfo(
        `The afterAllowTraffic hook (${hookFunctions.afterAllowTraffic.node.path}) does not announce its end, so while it runs the deployment trigger `
        + 'polls CodeDeploy every 1 to 5 s (in the bench, a 2-minute hook cost 23 calls more). If its handler is made with hookHandler, or puts the '
        + 'event FunctionHookOptions.announcesStatus describes, bind it with LifecycleHook.fromFunction(fn, { announcesStatus: true }).',
      );
    }
    // The deployment needs the hooks' permissions in place too.
    for (const fn of Object.values(hookFunctions)) {
      if (fn.role) {
        trigger.node.addDependency(fn.role);
      }
    }
  }

  /** The service role CodeDeploy assumes (the CodeDeploy engine only). */
  public get role(): iam.IRole {
    if (this.native) {
      throw new Error(`${this.node.path} uses the ECS engine, which has no CodeDeploy service role; ECS manages the load balancer with listeners.infrastructureRole.`);
    }
    return super.role;
  }

  /** Every alarm that stops the deployment: the default alarms followed by the user's. */
  public get alarms(): cloudwatch.IAlarm[] {
    return this.native ? [...this.native.alarms] : super.alarms;
  }

  /** The default alarms the pattern defined (empty when turned off or not applicable). */
  public get defaultAlarms(): cloudwatch.IAlarm[] {
    return this.native ? [...this.native.defaultAlarms] : super.defaultAlarms;
  }

  /**
   * Adds an alarm that stops and rolls back deployments: to the deployment group (CodeDeploy), or
   * to the service's deployment alarms (ECS).
   */
  public addAlarm(alarm: cloudwatch.IAlarm): void {
    if (!this.native) {
      super.addAlarm(alarm);
      return;
    }
    this.native.alarms.push(alarm);
    // Hooks that read the service's alarms may describe this one too.
    this.native.readers.forEach((role) => grantAccumulated(role, ['cloudwatch:DescribeAlarms'], [alarm.alarmArn]));
  }

  /**
   * An EventBridge rule matching state changes of this service's deployments: CodeDeploy's
   * deployment state-change notifications, or with the ECS engine ECS's deployment events (START,
   * SUCCESS and FAILURE; ECS sends no others).
   */
  public onDeploymentStateChange(id: string, options: DeploymentStateChangeOptions = {}): events.Rule {
    if (!this.native) {
      return super.onDeploymentStateChange(id, options);
    }
    const states = [...new Set(options.states ?? [])];
    const unmapped = states.filter((st) => NATIVE_STATE_NAMES[st] === undefined);
    if (unmapped.length > 0) {
      throw new Error(`${this.node.path} uses the ECS engine, whose deployment events have no ${unmapped.join(', ')} state; use START, SUCCESS or FAILURE.`);
    }
    const rule = nativeDeploymentRule(this, id, this.service, states.map((st) => NATIVE_STATE_NAMES[st]), options.ruleName, options.description);
    if (options.target) {
      rule.addTarget(options.target);
    }
    return rule;
  }

  /**
   * The ECS engine: the service's deployment alarms (rollback on alarm), the hooks as ECS lifecycle
   * hooks invoked with a role that may invoke exactly them, the warnings.
   */
  private assembleNative(props: EcsDeploymentProps, isNlb: boolean) {
    const defaultAlarms = ecsDefaultAlarms(this, this.listeners, props.defaultAlarms ?? {}, isNlb);
    defaultAlarms.forEach((a) => acknowledgeCompliance(a, OwnedResource.DEFAULT_ALARM));
    const native = { alarms: [...defaultAlarms, ...(props.alarms ?? [])], defaultAlarms, readers: [] as iam.IRole[] };
    const cfn = this.service.node.defaultChild as CfnResource;
    const emergency = this._emergency;
    cfn.addPropertyOverride('DeploymentConfiguration.Alarms', Lazy.any({
      produce: () => (native.alarms.length === 0 ? undefined : {
        AlarmNames: native.alarms.map((a) => a.alarmName),
        // An emergency deploys even while an alarm fires (the alarms stay listed, ECS ignores them).
        Enable: !(emergency || props.ignoreAlarmConfiguration === true),
        Rollback: true,
      }),
    }));

    const hooks: Array<{ key: string; fn: lambda.IFunction; readsAlarms: boolean }> = [];
    let hookRole: iam.Role | undefined;
    for (const [key, event] of ECS_HOOK_EVENTS) {
      const hook = props.hooks?.[key];
      if (!isHook(hook) || emergency) {
        continue; // In an emergency no hook runs: none can hold the fix back.
      }
      hookRole ??= new iam.Role(this, 'HookInvokeRole', {
        assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
        description: 'cdk-codedeploy-patterns: ECS invokes the lifecycle hooks of this service\'s deployments',
      });
      const fn = hook.bind(this, {
        ecsServiceArn: this.service.serviceArn,
        serviceRole: hookRole,
        lifecycleEvent: event,
        alarms: native.alarms,
        loadBalancer: this.listeners.hookLoadBalancer(),
      }).hookFunction;
      if (hook._readsGroupAlarms && fn.role) {
        native.readers.push(fn.role);
        native.alarms.forEach((a) => grantAccumulated(fn.role!, ['cloudwatch:DescribeAlarms'], [a.alarmArn]));
      }
      hooks.push({ key, fn, readsAlarms: hook._readsGroupAlarms });
    }
    if (hookRole) {
      acknowledgeCompliance(hookRole, OwnedResource.ROLE);
      const role = hookRole;
      cfn.addPropertyOverride('DeploymentConfiguration.LifecycleHooks', hooks.map(({ key, fn, readsAlarms }) => ({
        HookTargetArn: fn.functionArn,
        RoleArn: role.roleArn,
        LifecycleStages: [NATIVE_STAGES[key]],
        // A hook that checks the service's alarms gets them here (ECS passes hookDetails on every
        // invocation): no call on the service, whose ARN the hook's policy could not name without a cycle.
        ...(readsAlarms ? {
          HookDetails: Lazy.any({
            produce: () => ({
              alarmNames: native.alarms.map((a) => a.alarmName),
              alarmsEnabled: !(emergency || props.ignoreAlarmConfiguration === true),
            }),
          }),
        } : {}),
      })));
      // ECS checks that it may invoke the hooks when it creates the service (the role's policy; the role is referenced).
      this.service.node.addDependency(role);
    }
    if (emergency) {
      markEmergency(this, emergency, 'deploys all at once (BLUE_GREEN), runs no lifecycle hooks and ignores its alarms', this.service);
    }
    // Notifications: ECS's deployment events of this service, to each topic (EventBridge publishes).
    (props.notifications ?? []).forEach((n, i) => {
      const rule = nativeDeploymentRule(this, `Notification${i}`, this.service, [...new Set(n.events.map((e) => NATIVE_EVENT_NAMES[e]))], undefined,
        `Deployments of ${this.node.path} to ${n.name ?? `notification ${i}`}`);
      rule.addTarget(new targets.SnsTopic(n.topic));
      // An encrypted topic: EventBridge needs its key too (a key in another stack must allow it there).
      n.topic.masterKey?.grant(new iam.ServicePrincipal('events.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    });
    this.node.addValidation({
      validate: () => {
        if (native.alarms.length === 0) {
          Annotations.of(this).addWarningV2(
            'cdk-codedeploy-patterns:noAlarms',
            'This deployment has no alarms, so ECS cannot roll back a bad task definition unless a hook fails. Keep the default alarms or pass alarms.',
          );
        }
        return [];
      },
    });
    warnEcsChoices(this, props);
    return native;
  }

  /**
   * The task definition as the `taskdef.json` of CodePipeline's CodeDeploy-to-ECS action: the
   * `RegisterTaskDefinition` input of this pattern's task definition, with the image of the
   * container that receives traffic replaced by `<imagePlaceholder>` (the action puts the image of
   * its image artifact there). The string holds CloudFormation references (roles, log groups) that
   * resolve when the stack deploys: write it where they resolve, e.g. an S3 object of the
   * pipeline's source (`s3deploy.Source.data('taskdef.json', ...)`).
   *
   * @param imagePlaceholder the action's `taskDefinitionPlaceholder`; default `IMAGE1_NAME`
   */
  public taskDefinitionTemplate(imagePlaceholder?: string): string {
    const placeholder = imagePlaceholder ?? 'IMAGE1_NAME';
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(placeholder)) {
      throw new Error(`${this.node.path}: imagePlaceholder must be 1-64 letters, digits, "_" or "-" (written as <${placeholder}> in taskdef.json); received "${placeholder}".`);
    }
    return taskDefinitionTemplate(this.taskDefinition, this.containerName, `<${placeholder}>`);
  }

  private createDeploymentGroup(
    basics: PatternGroupBasics<codedeploy.IEcsApplication>,
    deploymentConfig: codedeploy.IEcsDeploymentConfig,
    props: EcsDeploymentProps,
  ) {
    const listeners = this.listeners;
    const service = this.service;
    const group = new GrantingEcsDeploymentGroup(this, 'DeploymentGroup', {
      ...basics,
      service,
      deploymentConfig,
      blueGreenDeploymentConfig: {
        blueTargetGroup: listeners.blueTargetGroup,
        greenTargetGroup: listeners.greenTargetGroup,
        listener: listeners.productionListener,
        testListener: listeners.testListener,
        terminationWaitTime: props.blueGreen?.terminationWaitTime ?? Duration.minutes(DEFAULT_TERMINATION_WAIT_MINUTES),
        deploymentApprovalWaitTime: props.blueGreen?.deploymentApprovalWaitTime,
      },
    });
      // CodeDeploy checks the listeners and the service when the group is created.
    dependOn(group, service, [service.serviceName]);
    return group;
  }
}

/** A rule on ECS's deployment events of one service ("ECS Deployment State Change"), of these event names (all when none). */
function nativeDeploymentRule(
  scope: Construct,
  id: string,
  service: ecs.BaseService,
  eventNames: string[],
  ruleName?: string,
  description?: string,
): events.Rule {
  return new events.Rule(scope, id, {
    ruleName,
    description: description ?? 'State changes of ECS deployments of one service',
    eventPattern: {
      source: ['aws.ecs'],
      detailType: ['ECS Deployment State Change'],
      resources: [service.serviceArn],
      ...(eventNames.length > 0 ? { detail: { eventName: eventNames } } : {}),
    },
  });
}
