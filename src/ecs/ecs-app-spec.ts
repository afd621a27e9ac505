import { Token } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { LifecycleEvent } from '../hooks/lifecycle-hook-bind';
import { appSpecJson, appSpecYaml } from '../private/appspec-render';

/**
 * The `awsvpc` network configuration of the replacement task set. All or none: subnets and
 * security groups are both required, and `AssignPublicIp` is always rendered.
 */
export interface EcsAppSpecNetworkConfiguration {
  /** Subnet IDs (1-16). */
  readonly subnets: string[];

  /** Security group IDs (1-5). */
  readonly securityGroups: string[];

  /**
   * Give the tasks public IP addresses.
   *
   * @default false
   */
  readonly assignPublicIp?: boolean;
}

/** The Lambda functions CodeDeploy runs at the ECS lifecycle events. */
export interface EcsAppSpecHooks {
  /**
   * Function run at `BeforeInstall`.
   *
   * @default - no hook
   */
  readonly beforeInstall?: lambda.IFunction;

  /**
   * Function run at `AfterInstall`.
   *
   * @default - no hook
   */
  readonly afterInstall?: lambda.IFunction;

  /**
   * Function run at `AfterAllowTestTraffic`.
   *
   * @default - no hook
   */
  readonly afterAllowTestTraffic?: lambda.IFunction;

  /**
   * Function run at `BeforeAllowTraffic`.
   *
   * @default - no hook
   */
  readonly beforeAllowTraffic?: lambda.IFunction;

  /**
   * Function run at `AfterAllowTraffic`.
   *
   * @default - no hook
   */
  readonly afterAllowTraffic?: lambda.IFunction;
}

/** Construction properties for `EcsAppSpec`. */
export interface EcsAppSpecProps {
  /**
   * ARN of the task definition to deploy (`arn:<partition>:ecs:<region>:<account>:task-definition/<family>[:<revision>]`),
   * or `EcsAppSpec.TASK_DEFINITION_PLACEHOLDER` in an AppSpec a pipeline fills in.
   */
  readonly taskDefinitionArn: string;

  /** Name of the container that receives load balancer traffic; must be in the task definition. */
  readonly containerName: string;

  /** Port of that container that receives traffic (1-65535). */
  readonly containerPort: number;

  /**
   * Fargate platform version of the replacement task set.
   *
   * @default - the service's (LATEST unless set)
   */
  readonly platformVersion?: ecs.FargatePlatformVersion;

  /**
   * Network configuration of the replacement task set.
   *
   * @default - the service's current network configuration
   */
  readonly networkConfiguration?: EcsAppSpecNetworkConfiguration;

  /**
   * Capacity provider strategy of the replacement task set: at most one provider with a base,
   * at least one with a weight above 0.
   *
   * @default - the service's
   */
  readonly capacityProviderStrategy?: ecs.CapacityProviderStrategy[];

  /**
   * Hook functions, one per lifecycle event.
   *
   * @default - no hooks
   */
  readonly hooks?: EcsAppSpecHooks;
}

const HOOK_ORDER: Array<[keyof EcsAppSpecHooks, LifecycleEvent]> = [
  ['beforeInstall', LifecycleEvent.BEFORE_INSTALL],
  ['afterInstall', LifecycleEvent.AFTER_INSTALL],
  ['afterAllowTestTraffic', LifecycleEvent.AFTER_ALLOW_TEST_TRAFFIC],
  ['beforeAllowTraffic', LifecycleEvent.BEFORE_ALLOW_TRAFFIC],
  ['afterAllowTraffic', LifecycleEvent.AFTER_ALLOW_TRAFFIC],
];

/**
 * A typed AppSpec for an Amazon ECS deployment, validated against the rules of the CodeDeploy
 * user guide and rendered as JSON or YAML. Usable on its own (e.g. for a pipeline) or through
 * `EcsDeployment`, which builds one from its service.
 */
export class EcsAppSpec {
  /**
   * The placeholder CodePipeline's CodeDeploy-to-ECS action replaces with the task definition it
   * registers: give it as `taskDefinitionArn` for an AppSpec the pipeline deploys.
   */
  public static readonly TASK_DEFINITION_PLACEHOLDER = '<TASK_DEFINITION>';

  /** The validation errors of these properties (empty when valid). Unresolved tokens are not checked. */
  public static validate(props: EcsAppSpecProps): string[] {
    return validateEcsAppSpec(props);
  }

  constructor(public readonly props: EcsAppSpecProps) {
    const errors = validateEcsAppSpec(props);
    if (errors.length > 0) {
      throw new Error(`Invalid ECS AppSpec:\n  - ${errors.join('\n  - ')}`);
    }
  }

  /** The AppSpec document as an object (tokens left in place). */
  public toObject(): any {
    const p = this.props;
    const properties: Record<string, unknown> = {
      TaskDefinition: p.taskDefinitionArn,
      LoadBalancerInfo: { ContainerName: p.containerName, ContainerPort: p.containerPort },
    };
    if (p.platformVersion) {
      properties.PlatformVersion = p.platformVersion;
    }
    if (p.networkConfiguration) {
      properties.NetworkConfiguration = {
        AwsvpcConfiguration: {
          Subnets: p.networkConfiguration.subnets,
          SecurityGroups: p.networkConfiguration.securityGroups,
          AssignPublicIp: p.networkConfiguration.assignPublicIp ? 'ENABLED' : 'DISABLED',
        },
      };
    }
    if (p.capacityProviderStrategy && p.capacityProviderStrategy.length > 0) {
      properties.CapacityProviderStrategy = p.capacityProviderStrategy.map((s) => ({
        Base: s.base ?? 0,
        CapacityProvider: s.capacityProvider,
        Weight: s.weight ?? 0,
      }));
    }
    // The guide asks for the version as a string; PascalCase keys as in its ECS examples.
    const doc: Record<string, unknown> = {
      version: '0.0',
      Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: properties } }],
    };
    const hooks = HOOK_ORDER.filter(([key]) => p.hooks?.[key]).map(([key, event]) => ({
      [event]: p.hooks![key]!.functionArn,
    }));
    if (hooks.length > 0) {
      doc.Hooks = hooks;
    }
    return doc;
  }

  /**
   * The AppSpec as JSON. With a scope, tokens (task definition ARN, subnets ...) resolve at
   * deployment time; without one the content must be fully known.
   */
  public toJson(scope?: IConstruct): string {
    return appSpecJson(this.toObject(), scope);
  }

  /**
   * The AppSpec as YAML, `version: 0.0` first, every string quoted where a YAML parser could read
   * it as something else. Tokens stay embedded (numbers unquoted) and resolve at deployment time
   * when the string is used in a template.
   */
  public toYaml(): string {
    return appSpecYaml(this.toObject());
  }
}

function validateEcsAppSpec(p: EcsAppSpecProps): string[] {
  const errors: string[] = [];
  const arn = p.taskDefinitionArn;
  if (arn !== EcsAppSpec.TASK_DEFINITION_PLACEHOLDER && !Token.isUnresolved(arn) && !/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[A-Za-z0-9_-]{1,255}(:\d+)?$/.test(arn)) {
    errors.push(
      `taskDefinitionArn must be a task definition ARN (arn:<partition>:ecs:<region>:<account>:task-definition/<family>[:<revision>]) or, for a pipeline, ${EcsAppSpec.TASK_DEFINITION_PLACEHOLDER}; received "${arn}". Use taskDefinition.taskDefinitionArn.`,
    );
  }
  if (!Token.isUnresolved(p.containerName) && !/^[A-Za-z0-9_-]{1,255}$/.test(p.containerName)) {
    errors.push(
      `containerName must be 1-255 letters, digits, "-" or "_" (the name of a container in the task definition); received "${p.containerName}".`,
    );
  }
  if (!Token.isUnresolved(p.containerPort) && (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65535)) {
    errors.push(`containerPort must be a whole number from 1 to 65535; received ${p.containerPort}.`);
  }
  const net = p.networkConfiguration;
  if (net) {
    if (!Token.isUnresolved(net.subnets) && (net.subnets.length < 1 || net.subnets.length > 16)) {
      errors.push(
        `networkConfiguration.subnets must list 1-16 subnets (the network configuration is all or none); received ${net.subnets.length}.`,
      );
    }
    if (!Token.isUnresolved(net.securityGroups) && (net.securityGroups.length < 1 || net.securityGroups.length > 5)) {
      errors.push(
        `networkConfiguration.securityGroups must list 1-5 security groups (the network configuration is all or none); received ${net.securityGroups.length}.`,
      );
    }
  }
  const strategy = p.capacityProviderStrategy;
  if (strategy && strategy.length > 0) {
    const withBase = strategy.filter((s) => s.base !== undefined && !Token.isUnresolved(s.base) && s.base > 0);
    if (withBase.length > 1) {
      errors.push(
        `capacityProviderStrategy: only one capacity provider may have a base; received bases on ${withBase.map((s) => s.capacityProvider).join(', ')}.`,
      );
    }
    const weights = strategy.map((s) => s.weight ?? 0);
    if (weights.every((w) => !Token.isUnresolved(w) && w === 0)) {
      errors.push('capacityProviderStrategy: at least one capacity provider needs a weight greater than 0, or ECS cannot place tasks; all weights are 0.');
    }
    strategy.forEach((s, i) => {
      if (s.base !== undefined && !Token.isUnresolved(s.base) && (!Number.isInteger(s.base) || s.base < 0 || s.base > 100000)) {
        errors.push(`capacityProviderStrategy[${i}].base must be a whole number from 0 to 100000; received ${s.base}.`);
      }
      if (s.weight !== undefined && !Token.isUnresolved(s.weight) && (!Number.isInteger(s.weight) || s.weight < 0 || s.weight > 1000)) {
        errors.push(`capacityProviderStrategy[${i}].weight must be a whole number from 0 to 1000; received ${s.weight}.`);
      }
    });
    const names = strategy.map((s) => s.capacityProvider).filter((n) => !Token.isUnresolved(n));
    const dupes = names.filter((n, i) => names.indexOf(n) !== i);
    if (dupes.length > 0) {
      errors.push(`capacityProviderStrategy lists ${[...new Set(dupes)].join(', ')} more than once; list each capacity provider once.`);
    }
  }
  return errors;
}
