import { Duration } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { BlueGreenListeners } from './blue-green-listeners';
import { EcsAppSpec } from './ecs-app-spec';
import { EcsDeploymentProps } from './ecs-deployment-props';
import {
  appSpecNetwork,
  createService,
  DEFAULT_TERMINATION_WAIT_MINUTES,
  ECS_HOOK_EVENTS,
  ecsDefaultAlarms,
  ecsStatements,
  planEcsDeployment,
  taskDefinitionTemplate,
  warnEcsChoices,
} from './ecs-deployment-rules';
import { DeploymentSource } from '../common/deployment-source';
import { ComputePlatform } from '../iam/codedeploy-service-role';
import { dependOn } from '../private/dependencies';
import { GrantingEcsDeploymentGroup } from '../private/granting-groups';
import { DeploymentPatternBase, PatternGroupBasics } from '../private/pattern/deployment-pattern';
import { grantStatements } from '../private/permissions';
import { DeploymentRevision, DeploymentTrigger } from '../trigger/deployment-trigger';

/**
 * An ECS service deployed blue/green by AWS CodeDeploy, in one construct: the service (with the
 * `CODE_DEPLOY` deployment controller), the load balancer with production and test listeners
 * and two target groups, the CodeDeploy application and deployment group with a least-privilege
 * service role, alarms and rollback, lifecycle hooks, the AppSpec, and a trigger that runs a real
 * CodeDeploy deployment during `cdk deploy` whenever the task definition changes.
 */
export class EcsDeployment extends DeploymentPatternBase {
  /** The ECS service. */
  public readonly service: ecs.BaseService;
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
  /** The CodeDeploy application. */
  public readonly application: codedeploy.IEcsApplication;
  /** The CodeDeploy deployment group. */
  public readonly deploymentGroup: codedeploy.EcsDeploymentGroup;
  /** The AppSpec every deployment uses. */
  public readonly appSpec: EcsAppSpec;
  /** The trigger that deploys on `cdk deploy`; none with `PIPELINE`. */
  public readonly trigger?: DeploymentTrigger;
  /** Who deploys new task definitions to this deployment group. */
  public readonly deploymentSource: DeploymentSource;

  private readonly taskDefinition: ecs.TaskDefinition;
  private readonly containerName: string;

  constructor(scope: Construct, id: string, props: EcsDeploymentProps) {
    super(scope, id);
    const plan = planEcsDeployment(props);
    this._validate(props, plan.defaultAlarmCount, plan.errors);
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
    });
    const listeners = this.listeners;
    this.loadBalancer = listeners.loadBalancer;
    this.productionListener = listeners.productionListener;
    this.testListener = listeners.testListener;
    this.blueTargetGroup = listeners.blueTargetGroup;
    this.greenTargetGroup = listeners.greenTargetGroup;
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
    this.appSpec = new EcsAppSpec({
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
    this._warnIfNoAlarms(
      'This deployment has no alarms, so CodeDeploy cannot stop or roll back a bad task definition on its own. Keep the default alarms or pass alarms.',
    );
    warnEcsChoices(this, props);
    if (this.deploymentSource === DeploymentSource.PIPELINE) {
      return; // The pipeline deploys; CloudFormation only creates the service with the first task definition.
    }
    const trigger = this._deployOnUpdate({
      deploymentConfig,
      revision: DeploymentRevision.fromAppSpecContent(this.appSpec.toJson(this)),
      ecsService: service,
      // Derived from the windows the user configured (traffic shift, approval, termination wait).
      timeout: plan.timeout,
      waitForTermination: props.blueGreen?.waitForTermination,
    });
    this.trigger = trigger;
    // The deployment needs the hooks' permissions in place too.
    for (const fn of Object.values(hookFunctions)) {
      if (fn.role) {
        trigger.node.addDependency(fn.role);
      }
    }
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
