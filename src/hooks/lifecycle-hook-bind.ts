import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Lifecycle events of Lambda and ECS deployments that run a hook function.
 *
 * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html
 */
export enum LifecycleEvent {
  /** ECS: before the replacement task set is created. */
  BEFORE_INSTALL = 'BeforeInstall',
  /** ECS: after the replacement task set is created. */
  AFTER_INSTALL = 'AfterInstall',
  /** ECS: after the test listener serves the replacement task set. */
  AFTER_ALLOW_TEST_TRAFFIC = 'AfterAllowTestTraffic',
  /** Lambda and ECS: before production traffic shifts to the new version. */
  BEFORE_ALLOW_TRAFFIC = 'BeforeAllowTraffic',
  /** Lambda and ECS: after all production traffic has shifted. */
  AFTER_ALLOW_TRAFFIC = 'AfterAllowTraffic',
}

/** What a hook is bound to. */
export interface LifecycleHookBindOptions {
  /**
   * ARN of the CodeDeploy deployment group the hook reports its status to.
   *
   * @default - none: the hook runs in an ECS-native deployment (give `ecsServiceArn`), where it answers with its return value
   */
  readonly deploymentGroupArn?: string;

  /**
   * ARN of the ECS service whose ECS-native deployments (the ECS deployment controller) run the
   * hook. Such a hook answers ECS with its return value (`hookStatus`) and needs no CodeDeploy
   * permission; `LifecycleHook.deploymentGroupAlarmCheck()` reads the service's deployment alarms
   * from the hook's details (`hookDetails.alarmNames`, which `EcsDeployment` sets).
   *
   * @default - a CodeDeploy deployment (give `deploymentGroupArn`)
   */
  readonly ecsServiceArn?: string;

  /** The role that invokes the hook: CodeDeploy's service role, or the role ECS invokes ECS-native hooks with. */
  readonly serviceRole: iam.IRole;

  /** The lifecycle event the hook runs in. */
  readonly lifecycleEvent: LifecycleEvent;

  /**
   * ARN of the CodeDeploy application (for hooks that read the deployment's revision).
   *
   * @default - hooks that read the revision cannot be bound
   */
  readonly applicationArn?: string;

  /**
   * The function a Lambda deployment deploys (for `LifecycleHook.invokeCheck`).
   *
   * @default - not a Lambda deployment
   */
  readonly lambdaFunction?: lambda.IFunction;

  /**
   * The deployment group's (or ECS service's) alarms (for `LifecycleHook.deploymentGroupAlarmCheck`, which may read them).
   *
   * @default - none
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * The load balancer of an ECS blue/green deployment (for `HttpCheckTarget.testListener()`).
   *
   * @default - no load balancer
   */
  readonly loadBalancer?: LifecycleHookLoadBalancer;
}

/** The load balancer of an ECS blue/green deployment, as hooks that send it traffic need it. */
export interface LifecycleHookLoadBalancer {
  /** `app/<name>/<id>` or `net/<name>/<id>`. */
  readonly loadBalancerFullName: string;

  /** DNS name of the load balancer. */
  readonly loadBalancerDnsName: string;

  /** The load balancer's security groups, to let a hook in. */
  readonly connections: ec2.Connections;

  /** The load balancer's VPC. */
  readonly vpc: ec2.IVpc;

  /**
   * Port of the production listener.
   *
   * @default - unknown (an imported listener given without its port)
   */
  readonly productionPort?: number;

  /**
   * Port of the test listener.
   *
   * @default - no test listener, or an imported one given without its port
   */
  readonly testPort?: number;

  /**
   * Whether there is a test listener (its port may be unknown).
   *
   * @default - there is one exactly when testPort is set
   */
  readonly hasTestListener?: boolean;

  /** Whether the listeners use TLS (HTTPS or TLS listeners). */
  readonly secure: boolean;
}

/** The result of binding a hook. */
export interface LifecycleHookConfig {
  /** The function CodeDeploy invokes for the lifecycle event. */
  readonly hookFunction: lambda.IFunction;
}
