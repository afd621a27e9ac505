import { Annotations, CfnResource, CustomResource, Duration, Fn, Lazy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LifecycleHookLoadBalancer } from '../hooks/lifecycle-hook-bind';
import { acknowledgeCompliance, OwnedResource } from '../private/compliance';
import { dropEnforcedDependencies } from '../private/dependencies';
import { acknowledge } from '../private/nag';
import { throwIfErrors } from '../private/validation';
import { ListenerReaderProvider } from '../trigger/trigger-provider';

/** The resource type the trigger function answers with the live target groups (src/trigger/live-target-groups.ts). */
const LIVE_TARGET_GROUPS_RESOURCE_TYPE = 'Custom::CodeDeployLiveTargetGroups';

/** Which engine deploys an ECS service's new task definitions and shifts its traffic. */
export enum EcsDeploymentEngine {
  /**
   * AWS CodeDeploy (the service's `CODE_DEPLOY` deployment controller): a deployment group and an
   * AppSpec, hooks that report with `PutLifecycleEventHookExecutionStatus`, a deployment run by the
   * pattern's trigger on `cdk deploy`, CodePipeline's CodeDeploy-to-ECS action.
   */
  CODE_DEPLOY = 'CODE_DEPLOY',
  /**
   * ECS itself (the `ECS` deployment controller): blue/green, linear or canary run by ECS when
   * CloudFormation updates the service (CloudFormation waits); hooks answer with their return
   * value; no CodeDeploy resource and no deployment trigger.
   */
  ECS = 'ECS',
}

/** The priority of the listener rule an ECS-native deployment shifts traffic on (one per listener), unless chosen. */
const DEFAULT_NATIVE_RULE_PRIORITY = 1;

/** The kind of load balancer CodeDeploy shifts ECS traffic on. */
export enum BlueGreenLoadBalancerType {
  /** Application Load Balancer: canary, linear and all-at-once traffic shifting. */
  APPLICATION = 'APPLICATION',
  /** Network Load Balancer: all-at-once traffic shifting only. */
  NETWORK = 'NETWORK',
}

/**
 * Listeners that already exist, for `BlueGreenTrafficOptions.listeners`: defined in this app
 * (aws-cdk-lib's `ApplicationListener` or `NetworkListener`) or imported by ARN.
 */
export interface BlueGreenExistingListeners {
  /**
   * The production listener. When the service is created, its default action forwards all traffic
   * to `targetGroups.blue` (CodeDeploy and ECS find the original task set's target group behind it).
   */
  readonly production: elbv2.IListener;

  /**
   * The test listener; its default action forwards to one of the two target groups.
   *
   * @default - no test listener
   */
  readonly test?: elbv2.IListener;

  /**
   * Port of the production listener, for hooks that send it requests (`HttpCheckTarget.productionListener()`).
   *
   * @default - the listener's port when it is defined in this app; unknown for an imported listener, and such a hook is an error
   */
  readonly productionPort?: number;

  /**
   * Port of the test listener, for hooks that send it requests (`HttpCheckTarget.testListener()`).
   *
   * @default - the listener's port when it is defined in this app; unknown for an imported listener, and such a hook is an error
   */
  readonly testPort?: number;

  /**
   * Whether the listeners use TLS (HTTPS or TLS), for hooks that send them requests.
   *
   * @default - from the production listener's protocol when it is defined in this app; false for an imported listener
   */
  readonly secure?: boolean;
}

/** Target groups that already exist, for `BlueGreenTrafficOptions.targetGroups`. */
export interface BlueGreenExistingTargetGroups {
  /**
   * The target group the service is registered in when it is created (behind the production listener).
   * Its target type must be what the tasks register as: `IP` for the `awsvpc` network mode.
   */
  readonly blue: elbv2.ITargetGroup;

  /** The target group of the first replacement task set; same target type as `blue`. */
  readonly green: elbv2.ITargetGroup;
}

/** How the traffic side of an ECS blue/green deployment is set up; shared by `BlueGreenListeners` and `EcsDeployment`. */
export interface BlueGreenTrafficOptions {
  /**
   * Listeners that already exist, instead of creating them. Needs the load balancer they belong to
   * (`applicationLoadBalancer` or `networkLoadBalancer`) and `targetGroups`. The construct neither
   * opens their ports nor changes their certificates; the listener options (`certificates`, the
   * ports, `testListener`, the traffic peers) are errors with them. A listener defined in the same
   * stack follows the live target group as the construct's own do (its default action must forward
   * to the pair); one in another stack, or imported, is left as it is.
   *
   * @default - the construct creates the production and test listeners
   */
  readonly listeners?: BlueGreenExistingListeners;

  /**
   * Target groups that already exist, instead of creating them (`healthCheck` and
   * `deregistrationDelay` are errors with them: set those on your target groups).
   *
   * @default - the construct creates the blue and green target groups
   */
  readonly targetGroups?: BlueGreenExistingTargetGroups;

  /**
   * With the ECS engine and an Application Load Balancer, the priority of the listener rule the
   * construct adds to each listener, which ECS shifts traffic on (1-50000). With listeners you
   * give, choose one none of their rules has; a rule with a smaller number takes precedence.
   *
   * @default 1
   */
  readonly listenerRulePriority?: number;

  /**
   * The kind of load balancer to create. Ignored when a load balancer is given.
   *
   * @default BlueGreenLoadBalancerType.APPLICATION
   */
  readonly loadBalancerType?: BlueGreenLoadBalancerType;

  /**
   * An Application Load Balancer to add the listeners to, instead of creating one.
   *
   * @default - a new load balancer
   */
  readonly applicationLoadBalancer?: elbv2.IApplicationLoadBalancer;

  /**
   * A Network Load Balancer to add the listeners to, instead of creating one.
   *
   * @default - a new load balancer
   */
  readonly networkLoadBalancer?: elbv2.INetworkLoadBalancer;

  /**
   * Whether a load balancer the construct creates is internet-facing.
   *
   * @default true
   */
  readonly internetFacing?: boolean;

  /**
   * Certificates of the production and test listeners; with them both listeners use HTTPS
   * (Application Load Balancer) or TLS (Network Load Balancer).
   *
   * @default - HTTP / TCP listeners
   */
  readonly certificates?: elbv2.IListenerCertificate[];

  /**
   * Port of the production listener.
   *
   * @default 443 with certificates, else 80
   */
  readonly productionPort?: number;

  /**
   * Define a test listener, which serves the replacement task set before production traffic
   * shifts (the `AfterAllowTestTraffic` hook tests through it).
   *
   * @default true
   */
  readonly testListener?: boolean;

  /**
   * Port of the test listener; must differ from the production port.
   *
   * @default 8443 with certificates, else 8080
   */
  readonly testPort?: number;

  /**
   * Who may reach the production listener.
   *
   * @default - anyone (IPv4) for an internet-facing load balancer, the VPC's CIDR block otherwise
   */
  readonly productionTrafficPeers?: ec2.IPeer[];

  /**
   * Who may reach the test listener.
   *
   * @default - the VPC's CIDR block
   */
  readonly testTrafficPeers?: ec2.IPeer[];

  /**
   * Health check of both target groups.
   *
   * @default - HTTP GET / expecting 200-399 (TCP for a Network Load Balancer), every 15 seconds, healthy after 2 and unhealthy after 3 checks
   */
  readonly healthCheck?: elbv2.HealthCheck;

  /**
   * How long a target group drains connections of a deregistered task. Each blue/green
   * deployment waits for it, so the default is shorter than Elastic Load Balancing's 300 seconds.
   *
   * @default Duration.seconds(30)
   */
  readonly deregistrationDelay?: Duration;

  /**
   * Bucket for the access logs of the Application Load Balancer the construct creates (aws-cdk-lib's
   * `logAccessLogs`, which adds the bucket policy for the Region's log delivery). Needs a stack with
   * a concrete Region (the principal that delivers the logs differs per Region) and a bucket
   * encrypted with S3 managed keys (Elastic Load Balancing cannot write to SSE-KMS buckets).
   *
   * @default - no access logs: cdk-nag reports `AwsSolutions-ELB2` (and `ELBLoggingEnabled` in the NIST, HIPAA and PCI packs) on the load balancer, for you to fix or acknowledge
   */
  readonly accessLogBucket?: s3.IBucket;

  /**
   * Key prefix of the access logs in `accessLogBucket`.
   *
   * @default - no prefix
   */
  readonly accessLogPrefix?: string;

  /**
   * Turn on deletion protection of the load balancer the construct creates. With it, deleting the
   * stack or replacing the load balancer fails until you turn it off again.
   *
   * @default false - cdk-nag's NIST, HIPAA and PCI packs report `ELBDeletionProtectionEnabled`
   */
  readonly deletionProtection?: boolean;
}

/** Construction properties for `BlueGreenListeners`. */
export interface BlueGreenListenersProps extends BlueGreenTrafficOptions {
  /** The VPC of the load balancer and the target groups. */
  readonly vpc: ec2.IVpc;

  /** Port the targets (containers) receive traffic on. */
  readonly targetPort: number;

  /**
   * Subnets of a load balancer the construct creates.
   *
   * @default - public subnets when internet-facing, private otherwise
   */
  readonly loadBalancerSubnets?: ec2.SubnetSelection;

  /**
   * Protocol between the Application Load Balancer and the targets.
   *
   * @default elbv2.ApplicationProtocol.HTTP
   */
  readonly targetProtocol?: elbv2.ApplicationProtocol;

  /**
   * How targets are registered: `IP` for the `awsvpc` network mode (Fargate), `INSTANCE` for
   * the bridge and host modes.
   *
   * @default elbv2.TargetType.IP
   */
  readonly targetType?: elbv2.TargetType;

  /**
   * The engine that shifts traffic. With `ECS`, an Application Load Balancer's traffic goes
   * through a listener rule on each listener (ECS re-weights rules, not default actions), and
   * the construct creates the role ECS manages the load balancer with (`infrastructureRole`).
   *
   * @default EcsDeploymentEngine.CODE_DEPLOY
   */
  readonly engine?: EcsDeploymentEngine;
}

/**
 * The traffic side of an ECS blue/green deployment: a load balancer (created or given), a
 * production listener and an optional test listener, and the blue and green target groups,
 * with the dependency order and security group rules CodeDeploy and ECS need.
 *
 * The production listener forwards to the blue target group, the test listener to the green
 * one (as the CodeDeploy guide sets them up); CodeDeploy re-points both during deployments.
 * Attach a service with `attachService()`; `EcsDeployment` does all of this for you.
 */
export class BlueGreenListeners extends Construct {
  /** The kind of load balancer. */
  public readonly loadBalancerType: BlueGreenLoadBalancerType;

  /** The load balancer. */
  public readonly loadBalancer: elbv2.ILoadBalancerV2;

  /** The production listener. */
  public readonly productionListener: elbv2.IListener;

  /** The test listener, unless turned off. */
  public readonly testListener?: elbv2.IListener;

  /** The target group serving the service when it is created. */
  public readonly blueTargetGroup: elbv2.ITargetGroup;

  /** The target group of the first replacement task set. */
  public readonly greenTargetGroup: elbv2.ITargetGroup;

  /** Security group rules of the load balancer. */
  public readonly connections: ec2.Connections;

  /** The port the targets receive traffic on. */
  public readonly port: number;

  /** `app/<name>/<id>` or `net/<name>/<id>`: the LoadBalancer dimension of its metrics. */
  public readonly loadBalancerFullName: string;

  /**
   * Port of the production listener.
   *
   * @default - unknown: an imported listener given without `listeners.productionPort`
   */
  public readonly productionPort?: number;

  /**
   * Port of the test listener.
   *
   * @default - no test listener, or an imported one given without `listeners.testPort`
   */
  public readonly testPort?: number;

  /** Whether the listeners use TLS (certificates were given, or the given listeners do). */
  public readonly secure: boolean;

  /** The engine that shifts traffic. */
  public readonly engine: EcsDeploymentEngine;

  /**
   * The production listener's rule ECS-native deployments shift traffic on (Application Load Balancer).
   *
   * @default - none: CodeDeploy, or a Network Load Balancer, shift the listener itself
   */
  public readonly productionListenerRule?: elbv2.ApplicationListenerRule;

  /**
   * The test listener's rule ECS-native deployments send test traffic through (Application Load Balancer).
   *
   * @default - none
   */
  public readonly testListenerRule?: elbv2.ApplicationListenerRule;

  /**
   * The role ECS manages the load balancer with in ECS-native deployments: it may re-weight exactly
   * these rules (or listeners) and register targets in exactly these target groups.
   *
   * @default - none: the CodeDeploy engine's service role does this
   */
  public readonly infrastructureRole?: iam.IRole;

  private readonly vpc: ec2.IVpc;
  /** Whether listeners or target groups were given (their ports are not the construct's to open). */
  private readonly givenTraffic: boolean;

  constructor(scope: Construct, id: string, props: BlueGreenListenersProps) {
    super(scope, id);
    const given = props.listeners;
    const secure = given ? (given.secure ?? listenerProtocolIsSecure(given.production)) : (props.certificates?.length ?? 0) > 0;
    const productionPort = given ? (given.productionPort ?? listenerPort(given.production)) : (props.productionPort ?? (secure ? 443 : 80));
    const wantTest = given ? given.test !== undefined : (props.testListener ?? true);
    const testPort = given ? (given.testPort ?? (given.test ? listenerPort(given.test) : undefined)) : (props.testPort ?? (secure ? 8443 : 8080));
    throwIfErrors(this, [...validateListeners(props, productionPort, wantTest, testPort), ...validateGiven(props), ...claimGiven(this, props)]);
    this.productionPort = productionPort;
    this.testPort = wantTest ? testPort : undefined;
    this.secure = secure;
    this.vpc = props.vpc;

    this.loadBalancerType = props.networkLoadBalancer
      ? BlueGreenLoadBalancerType.NETWORK
      : props.applicationLoadBalancer
        ? BlueGreenLoadBalancerType.APPLICATION
        : (props.loadBalancerType ?? BlueGreenLoadBalancerType.APPLICATION);
    this.port = props.targetPort;
    const internetFacing = props.internetFacing ?? true;
    const vpcPeer = ec2.Peer.ipv4(props.vpc.vpcCidrBlock);

    const settings: TrafficSettings = {
      secure,
      productionPort: productionPort ?? 0,
      wantTest,
      testPort: testPort ?? 0,
      internetFacing,
      productionPeers: props.productionTrafficPeers ?? [internetFacing ? ec2.Peer.anyIpv4() : vpcPeer],
      testPeers: props.testTrafficPeers ?? [vpcPeer],
      targetType: props.targetType ?? elbv2.TargetType.IP,
      deregistrationDelay: props.deregistrationDelay ?? Duration.seconds(30),
    };
    const parts = this.loadBalancerType === BlueGreenLoadBalancerType.APPLICATION
      ? applicationTraffic(this, props, settings)
      : networkTraffic(this, props, settings);
    this.loadBalancer = parts.loadBalancer;
    this.connections = parts.loadBalancer.connections;
    this.loadBalancerFullName = parts.loadBalancerFullName;
    this.blueTargetGroup = parts.blueTargetGroup;
    this.greenTargetGroup = parts.greenTargetGroup;
    this.productionListener = parts.productionListener;
    this.testListener = parts.testListener;
    this.engine = props.engine ?? EcsDeploymentEngine.CODE_DEPLOY;
    this.givenTraffic = given !== undefined || props.targetGroups !== undefined;
    const native = this.engine === EcsDeploymentEngine.ECS;
    const rulePriority = props.listenerRulePriority ?? DEFAULT_NATIVE_RULE_PRIORITY;
    const shiftsRules = native && this.loadBalancerType === BlueGreenLoadBalancerType.APPLICATION;
    if (shiftsRules) {
      // ECS re-weights a listener rule of an Application Load Balancer (its API takes a rule ARN there).
      // Without a test rule, the production rule must name both target groups (blue 1, green 0):
      // ECS rolls the deployment back otherwise ("Both targetGroup and alternateTargetGroup must be
      // associated with the productionListenerRule or testListenerRule", ECS guide, migrating from CodeDeploy).
      const rule = (ruleId: string, listener: elbv2.IListener, target: elbv2.ITargetGroup, alternate?: elbv2.ITargetGroup) =>
        new elbv2.ApplicationListenerRule(this, ruleId, {
          listener: listener as elbv2.IApplicationListener,
          priority: rulePriority,
          conditions: [elbv2.ListenerCondition.pathPatterns(['*'])],
          ...(alternate
            ? {
              action: elbv2.ListenerAction.weightedForward([
                { targetGroup: target as elbv2.IApplicationTargetGroup, weight: 1 },
                { targetGroup: alternate as elbv2.IApplicationTargetGroup, weight: 0 },
              ]),
            }
            : { targetGroups: [target as elbv2.IApplicationTargetGroup] }),
        });
      this.productionListenerRule = rule('ProductionRule', parts.productionListener, parts.blueTargetGroup, parts.testListener ? undefined : parts.greenTargetGroup);
      this.testListenerRule = parts.testListener ? rule('TestRule', parts.testListener, parts.greenTargetGroup) : undefined;
    }
    if (native) {
      this.infrastructureRole = nativeInfrastructureRole(this);
    }
    // The listeners (and rules) forward to what serves traffic now, also after a deployment moved it.
    // A given listener is followed when its stack is this one and the engine shifts it (not a rule on it).
    const follows = (listener: elbv2.IListener | undefined, port: number | undefined): FollowedListener | undefined => {
      if (!listener) {
        return undefined;
      }
      const mine = given === undefined;
      const follow = mine || (!shiftsRules && definedIn(listener, Stack.of(this)));
      if (!mine && !follow && !shiftsRules && definedInApp(listener)) {
        Annotations.of(this).addWarningV2(
          'cdk-codedeploy-patterns:listenerInOtherStack',
          `The listener ${listener.node.path} is defined in another stack, so this construct cannot keep its default action on the target group that serves traffic: after a deployment moved traffic to the other target group, an update of that listener in its own stack sends production back to the idle one (aws/aws-cdk#36649). Define the listener in this stack, or import it by ARN and keep it out of CloudFormation.`,
        );
      }
      return { listener, follow, port, weighted: mine && listener === parts.productionListener && native && !parts.testListener && !shiftsRules };
    };
    const production = follows(parts.productionListener, productionPort)!;
    const test = follows(parts.testListener, testPort);
    // The reading finds a followed listener by its port (a reference to it would be a cycle).
    throwIfErrors(this, [[production, 'productionPort'], [test, 'testPort']].flatMap(([f, prop]) => {
      const followed = f as FollowedListener | undefined;
      return followed?.follow && followed.port === undefined
        ? [`The port of ${followed.listener.node.path} is not a number at synth time (received a token), and the construct finds the listener by its port to keep it on the live target group. Give listeners.${prop as string}.`]
        : [];
    }));
    if (given) {
      this.node.addValidation({ validate: () => givenTrafficProblems(this, props, [production, test]) });
    }
    if (production.follow || test?.follow || this.productionListenerRule) {
      followLiveTargetGroups(this, parts, this.engine, production, test, rulePriority, this.productionListenerRule, this.testListenerRule);
    }
    recordClaims(this, props);
  }

  /**
   * Registers a service in the blue target group and lets the load balancer reach its container
   * port. The service is created after the listeners, as ECS requires. Its deployment controller
   * must be the engine's: `CODE_DEPLOY` for the CodeDeploy engine, `ECS` for the ECS engine.
   */
  public attachService(service: ecs.BaseService, containerName: string, containerPort: number): void {
    throwIfErrors(this, controllerProblems(service, this.engine));
    const target = service.loadBalancerTarget({ containerName, containerPort, alternateTarget: this.alternateTarget() });
    if (this.loadBalancerType === BlueGreenLoadBalancerType.APPLICATION) {
      target.attachToApplicationTargetGroup(this.blueTargetGroup as elbv2.IApplicationTargetGroup);
      if (this.givenTraffic) {
        // A given target group may not know its listeners (imported), so it cannot open the port itself.
        service.connections.allowFrom(this.connections, ec2.Port.tcp(containerPort), 'Load balancer to the container');
      }
    } else {
      target.attachToNetworkTargetGroup(this.blueTargetGroup as elbv2.INetworkTargetGroup);
      service.connections.allowFrom(this.connections, ec2.Port.tcp(containerPort), 'Load balancer to the container');
    }
    // Both listeners (and with the ECS engine, the rules and the role with its policy) must exist
    // before ECS creates the service and validates them (no DependsOn where a reference enforces it).
    for (const c of [this.productionListener, this.testListener, this.productionListenerRule, this.testListenerRule, this.infrastructureRole]) {
      if (c) {
        service.node.addDependency(c);
      }
    }
    if (this.infrastructureRole) {
      // The ECS engine references most of them (and aws-cdk-lib adds what forwards to the target group).
      dropEnforcedDependencies(service.node.defaultChild as CfnResource);
    }
  }

  /** ECS-native: the green target group, the rules (or listeners) to re-weight, and the role to do it with. */
  private alternateTarget(): ecs.IAlternateTarget | undefined {
    if (!this.infrastructureRole) {
      return undefined;
    }
    const production = this.productionListenerRule
      ? ecs.ListenerRuleConfiguration.applicationListenerRule(this.productionListenerRule)
      : ecs.ListenerRuleConfiguration.networkListener(this.productionListener as elbv2.NetworkListener);
    const test = this.testListenerRule
      ? ecs.ListenerRuleConfiguration.applicationListenerRule(this.testListenerRule)
      : this.testListener ? ecs.ListenerRuleConfiguration.networkListener(this.testListener as elbv2.NetworkListener) : undefined;
    return new ecs.AlternateTarget('Alternate', {
      alternateTargetGroup: this.greenTargetGroup,
      productionListener: production,
      testListener: test,
      role: this.infrastructureRole,
    });
  }

  /** The load balancer as lifecycle hooks that send it traffic (`HttpCheckTarget.testListener()`) need it. */
  public hookLoadBalancer(): LifecycleHookLoadBalancer {
    const loadBalancer = this.loadBalancer;
    return {
      loadBalancerFullName: this.loadBalancerFullName,
      // Read only by a hook that sends the listeners requests: an imported load balancer may lack it.
      get loadBalancerDnsName() {
        return loadBalancer.loadBalancerDnsName;
      },
      connections: this.connections,
      vpc: this.vpc,
      productionPort: this.productionPort,
      testPort: this.testPort,
      hasTestListener: this.testListener !== undefined,
      secure: this.secure,
    };
  }

  /**
   * A metric of both target groups together (sum or max of the blue and the green one), so an
   * alarm watches whichever serves the replacement task set.
   */
  public metricBothTargetGroups(metricName: string, statistic: string, period: Duration): cloudwatch.IMetric {
    const namespace = this.loadBalancerType === BlueGreenLoadBalancerType.APPLICATION ? 'AWS/ApplicationELB' : 'AWS/NetworkELB';
    const metric = (tg: elbv2.ITargetGroup) =>
      new cloudwatch.Metric({
        namespace,
        metricName,
        statistic,
        period,
        dimensionsMap: {
          LoadBalancer: this.loadBalancerFullName,
          TargetGroup: targetGroupFullName(tg),
        },
      });
    const combine = statistic === 'Sum' ? 'FILL(blue, 0) + FILL(green, 0)' : 'MAX([FILL(blue, 0), FILL(green, 0)])';
    return new cloudwatch.MathExpression({
      expression: combine,
      usingMetrics: { blue: metric(this.blueTargetGroup), green: metric(this.greenTargetGroup) },
      period,
      label: `${metricName} (${statistic}) of the blue and green target groups`,
    });
  }
}

function validateListeners(
  props: BlueGreenListenersProps,
  productionPort: number | undefined,
  wantTest: boolean,
  testPort: number | undefined,
): string[] {
  const errors: string[] = [];
  const given = props.applicationLoadBalancer ?? props.networkLoadBalancer;
  for (const [name, value] of [['accessLogBucket', props.accessLogBucket], ['deletionProtection', props.deletionProtection]] as const) {
    if (value !== undefined && given) {
      errors.push(`${name} applies to the load balancer the construct creates, but ${given.node.path} was given; set it on your load balancer instead.`);
    }
  }
  if (props.accessLogBucket && !given && (props.networkLoadBalancer || props.loadBalancerType === BlueGreenLoadBalancerType.NETWORK)) {
    errors.push('accessLogBucket applies to an Application Load Balancer; a Network Load Balancer writes access logs only for TLS listeners. Drop accessLogBucket, or use an Application Load Balancer.');
  }
  if (props.accessLogBucket?.encryptionKey) {
    errors.push(`accessLogBucket ${props.accessLogBucket.node.path} is encrypted with a KMS key; Elastic Load Balancing writes access logs only to buckets encrypted with Amazon S3 managed keys (SSE-S3). Use a bucket with s3.BucketEncryption.S3_MANAGED.`);
  }
  if (props.accessLogPrefix !== undefined && !props.accessLogBucket) {
    errors.push(`accessLogPrefix is "${props.accessLogPrefix}" but there is no accessLogBucket; give the bucket or drop the prefix.`);
  }
  if (props.applicationLoadBalancer && props.networkLoadBalancer) {
    errors.push('Give either applicationLoadBalancer or networkLoadBalancer, not both: a deployment group shifts traffic on one load balancer.');
  }
  if (props.loadBalancerType === BlueGreenLoadBalancerType.APPLICATION && props.networkLoadBalancer) {
    errors.push('loadBalancerType is APPLICATION but a networkLoadBalancer was given; drop loadBalancerType or pass an applicationLoadBalancer.');
  }
  if (props.loadBalancerType === BlueGreenLoadBalancerType.NETWORK && props.applicationLoadBalancer) {
    errors.push('loadBalancerType is NETWORK but an applicationLoadBalancer was given; drop loadBalancerType or pass a networkLoadBalancer.');
  }
  for (const [name, port] of [['targetPort', props.targetPort], ['productionPort', productionPort], ['testPort', testPort]] as const) {
    if (port !== undefined && !Token.isUnresolved(port) && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      errors.push(`${name} must be a whole number from 1 to 65535; received ${port}.`);
    }
  }
  if (wantTest && productionPort !== undefined && !Token.isUnresolved(productionPort) && productionPort === testPort) {
    errors.push(
      `The test listener needs its own port; productionPort and testPort are both ${productionPort}. Choose another testPort (CodeDeploy allows one listener per traffic route).`,
    );
  }
  if (!wantTest && props.testPort !== undefined) {
    errors.push(`testPort is ${props.testPort} but testListener is false; drop testPort or turn the test listener on.`);
  }
  if (!wantTest && props.testTrafficPeers !== undefined) {
    errors.push('testTrafficPeers is set but testListener is false; drop one of the two.');
  }
  return errors;
}

/** Health check timing of both target groups: a replacement is healthy after about 30 seconds. */
const HEALTH_CHECK_TIMING = {
  interval: Duration.seconds(15),
  timeout: Duration.seconds(5),
  healthyThresholdCount: 2,
  unhealthyThresholdCount: 3,
};

/**
 * The one finding of a load balancer we create that is not the user's choice: AwsSolutions-EC23
 * on its security group when the ingress is the VPC's CIDR block, a CloudFormation reference
 * cdk-nag cannot evaluate (it reports a rule error). Everything that follows from a choice the
 * user made or left at its default (plain HTTP without certificates, internet-facing and open to
 * the world, no access logs, no web ACL, no deletion protection) is left for the user to see and
 * decide; the README shows how to acknowledge it on their own stack.
 */
function acknowledgeCreatedLoadBalancer(securityGroupScope: Construct, peers: ec2.IPeer[]): void {
  const open = peers.some((p) => p.uniqueId === ec2.Peer.anyIpv4().uniqueId || p.uniqueId === ec2.Peer.anyIpv6().uniqueId);
  if (!open) {
    acknowledge(
      securityGroupScope,
      'AwsSolutions-EC23',
      'Ingress is limited to the listener ports from the VPC\'s CIDR block (or the peers given), a CloudFormation reference cdk-nag cannot evaluate.',
    );
  }
}

/** `app/<name>/<id>` from `arn:...:loadbalancer/app/<name>/<id>`. */
function loadBalancerFullNameFromArn(arn: string): string {
  const parts = Fn.split('/', arn);
  return Fn.join('/', [Fn.select(1, parts), Fn.select(2, parts), Fn.select(3, parts)]);
}

function targetGroupFullName(tg: elbv2.ITargetGroup): string {
  if (tg instanceof elbv2.ApplicationTargetGroup || tg instanceof elbv2.NetworkTargetGroup) {
    return tg.targetGroupFullName;
  }
  const parts = Fn.split(':', tg.targetGroupArn);
  return Fn.select(5, parts);
}

/**
 * After a deployment the production listener forwards to the other target group than the template
 * names (CodeDeploy moves it, and leaves it there). A later CloudFormation update of the listener
 * (a certificate, the port, the SSL policy) would send its template's default action again and move
 * production back to a target group without the live tasks (aws/aws-cdk#36649). So the listeners'
 * default actions forward to what a custom resource read from the load balancer: the target group
 * each listener forwards to now. The resource's properties carry every other property of both
 * listeners, so CloudFormation updates it (and reads again) before any update of a listener, and
 * never otherwise: a template that changes nothing of the listeners updates neither.
 */
function followLiveTargetGroups(
  scope: Construct,
  parts: TrafficParts,
  engine: EcsDeploymentEngine,
  production: FollowedListener,
  test: FollowedListener | undefined,
  rulePriority: number,
  productionRule?: elbv2.ApplicationListenerRule,
  testRule?: elbv2.ApplicationListenerRule,
): CustomResource {
  const provider = ListenerReaderProvider.of(scope);
  const stack = Stack.of(scope);
  // Without what the resource takes from the reading (its actions) and, for a rule, its listener
  // (a reference to the listener, which takes from the reading too: a cycle; the port finds it).
  const otherProperties = (resource: Construct, ...dropped: string[]) =>
    Lazy.any({
      produce: () => {
        const cfn = resource.node.defaultChild as CfnResource;
        const rendered = stack.resolve((cfn as any)._toCloudFormation()) as { Resources: Record<string, { Properties?: Record<string, unknown> }> };
        const rest = { ...(Object.values(rendered.Resources)[0].Properties ?? {}) };
        dropped.forEach((key) => delete rest[key]);
        return rest;
      },
    });
  // A followed listener references the reading, so the reading finds it by port; any other by ARN.
  const listenerProperties = (role: 'Production' | 'Test', l: FollowedListener) => l.follow
    ? { [`${role}Port`]: l.port, [`${role}Listener`]: otherProperties(l.listener, 'DefaultActions') }
    : { [`${role}ListenerArn`]: l.listener.listenerArn };
  if (productionRule) {
    provider.allowReadingRules();
  }
  const resource = new CustomResource(scope, 'LiveTargetGroups', {
    serviceToken: provider.function.functionArn,
    resourceType: LIVE_TARGET_GROUPS_RESOURCE_TYPE,
    serviceTimeout: Duration.minutes(2),
    properties: {
      LoadBalancerArn: (parts.loadBalancer as elbv2.IApplicationLoadBalancer | elbv2.INetworkLoadBalancer).loadBalancerArn,
      BlueTargetGroupArn: parts.blueTargetGroup.targetGroupArn,
      GreenTargetGroupArn: parts.greenTargetGroup.targetGroupArn,
      ...listenerProperties('Production', production),
      ...(test ? listenerProperties('Test', test) : {}),
      ...(productionRule ? { RulePriority: rulePriority, ProductionRule: otherProperties(productionRule, 'Actions', 'ListenerArn') } : {}),
      ...(testRule ? { TestRule: otherProperties(testRule, 'Actions', 'ListenerArn') } : {}),
      // The service depends on this reading: an update that switches the engine fails here first.
      Engine: engine,
    },
  });
  resource.node.addDependency(provider.policy);
  const forward = (c: Construct, path: string, attribute: string) =>
    (c.node.defaultChild as CfnResource).addPropertyOverride(path, resource.getAttString(attribute));
  if (production.follow && production.weighted) {
    forward(production.listener, 'DefaultActions.0.ForwardConfig.TargetGroups.0.TargetGroupArn', 'ProductionTargetGroupArn');
    forward(production.listener, 'DefaultActions.0.ForwardConfig.TargetGroups.1.TargetGroupArn', 'TestTargetGroupArn');
  } else if (production.follow) {
    forward(production.listener, 'DefaultActions.0.TargetGroupArn', 'ProductionTargetGroupArn');
  }
  if (test?.follow) {
    forward(test.listener, 'DefaultActions.0.TargetGroupArn', 'TestTargetGroupArn');
  }
  // ECS-native: the rules carry the traffic, so they above all follow what serves it.
  if (productionRule && testRule) {
    forward(productionRule, 'Actions.0.TargetGroupArn', 'ProductionTargetGroupArn');
  } else if (productionRule) {
    // The weighted forward to both: the live one at weight 1, the other at 0.
    forward(productionRule, 'Actions.0.ForwardConfig.TargetGroups.0.TargetGroupArn', 'ProductionTargetGroupArn');
    forward(productionRule, 'Actions.0.ForwardConfig.TargetGroups.1.TargetGroupArn', 'TestTargetGroupArn');
  }
  if (testRule) {
    forward(testRule, 'Actions.0.TargetGroupArn', 'TestTargetGroupArn');
  }
  return resource;
}

/** A production or test listener, and whether its template follows the reading. */
interface FollowedListener {
  readonly listener: elbv2.IListener;
  /** The construct's own listener, or a given one of this stack that the engine shifts. */
  readonly follow: boolean;
  readonly port?: number;
  /** A weighted forward to both target groups (the live one 1, the other 0) instead of a plain one. */
  readonly weighted?: boolean;
}

/** The L1 of a listener defined in this app (aws-cdk-lib's listeners), else undefined (imported). */
function cfnListenerOf(listener: elbv2.IListener): elbv2.CfnListener | undefined {
  const cfn = listener.node.defaultChild;
  return cfn instanceof elbv2.CfnListener ? cfn : undefined;
}

function definedInApp(listener: elbv2.IListener): boolean {
  return cfnListenerOf(listener) !== undefined;
}

function definedIn(listener: elbv2.IListener, stack: Stack): boolean {
  const cfn = cfnListenerOf(listener);
  return cfn !== undefined && Stack.of(cfn) === stack;
}

/** The port of a listener defined in this app, when it is a number at synth time. */
function listenerPort(listener: elbv2.IListener): number | undefined {
  const port = cfnListenerOf(listener)?.port;
  return port === undefined || Token.isUnresolved(port) ? undefined : port;
}

function listenerProtocolIsSecure(listener: elbv2.IListener): boolean {
  const protocol = cfnListenerOf(listener)?.protocol;
  return protocol === 'HTTPS' || protocol === 'TLS';
}

/** Which construct uses each given listener and target group (one blue/green deployment each). */
const CLAIMED = new WeakMap<object, string>();

/**
 * Given listeners and target groups another construct already uses: a second construct on the same
 * listener or target group would shift the other's traffic (and both would rewrite a listener's action).
 */
function claimGiven(scope: Construct, props: BlueGreenListenersProps): string[] {
  const given: Array<[string, object | undefined]> = [
    ['listeners.production', props.listeners?.production],
    ['listeners.test', props.listeners?.test],
    ['targetGroups.blue', props.targetGroups?.blue],
    ['targetGroups.green', props.targetGroups?.green],
  ];
  const errors: string[] = [];
  for (const [name, c] of given) {
    const owner = c ? CLAIMED.get(c) : undefined;
    if (c && owner !== undefined && owner !== scope.node.path) {
      errors.push(`${name} (${(c as Construct).node.path}) is already used by ${owner}; a listener or target group serves one blue/green deployment. Give each its own.`);
    }
  }
  return errors;
}

/** Records the given listeners and target groups as this construct's, once it is built. */
function recordClaims(scope: Construct, props: BlueGreenListenersProps): void {
  for (const c of [props.listeners?.production, props.listeners?.test, props.targetGroups?.blue, props.targetGroups?.green]) {
    if (c) {
      CLAIMED.set(c, scope.node.path);
    }
  }
}

/**
 * A service whose deployment controller is not the engine's: CodeDeploy deploys only `CODE_DEPLOY`
 * services, ECS's blue/green only `ECS` ones. Said at synth time, with why a deployed service cannot
 * simply be switched.
 */
function controllerProblems(service: ecs.BaseService, engine: EcsDeploymentEngine): string[] {
  const cfn = service.node.defaultChild as ecs.CfnService;
  const resolved = Stack.of(service).resolve(cfn.deploymentController) as { type?: string } | undefined;
  const controller = resolved?.type ?? 'ECS';
  if (Token.isUnresolved(controller) || controller === engine) {
    return [];
  }
  const fix = engine === EcsDeploymentEngine.CODE_DEPLOY
    ? 'For a new service set deploymentController: { type: ecs.DeploymentControllerType.CODE_DEPLOY }, or use the ECS engine.'
    : 'For a new service leave deploymentController unset (ECS), or use the CodeDeploy engine.';
  return [
    `${service.node.path} has the ${controller} deployment controller${resolved?.type ? '' : ' (the default)'}, but the ${engine} engine deploys only services with the ${engine} controller. ${fix} ` +
      'A deployed service is not switched by a stack update (CloudFormation rejects moving it onto CODE_DEPLOY, aws/aws-cdk#36012): create a new service and move traffic to it.',
  ];
}

/** Whether the load balancer (given or created) is a Network Load Balancer. */
function isNetwork(props: BlueGreenListenersProps): boolean {
  return props.networkLoadBalancer !== undefined || (!props.applicationLoadBalancer && props.loadBalancerType === BlueGreenLoadBalancerType.NETWORK);
}

/** What cannot go with given listeners or target groups, known at construction. */
function validateGiven(props: BlueGreenListenersProps): string[] {
  const errors: string[] = [];
  const given = props.listeners;
  const groups = props.targetGroups;
  if (given) {
    const lb = props.applicationLoadBalancer ?? props.networkLoadBalancer;
    if (!lb) {
      errors.push('traffic.listeners needs the load balancer they belong to: give applicationLoadBalancer (or networkLoadBalancer) too.');
    }
    if (!groups) {
      errors.push('traffic.listeners needs the target groups they forward to: give targetGroups too ({ blue, green }, blue behind the production listener).');
    }
    const creationOnly: Array<[string, unknown]> = [
      ['certificates', props.certificates], ['productionPort', props.productionPort], ['testPort', props.testPort],
      ['testListener', props.testListener], ['productionTrafficPeers', props.productionTrafficPeers], ['testTrafficPeers', props.testTrafficPeers],
    ];
    for (const [name, value] of creationOnly) {
      if (value !== undefined) {
        errors.push(`${name} applies to listeners the construct creates, but traffic.listeners were given; set it on your listeners (ports: listeners.productionPort / listeners.testPort; a test listener: listeners.test).`);
      }
    }
    if (given.test && given.test === given.production) {
      errors.push(`listeners.test and listeners.production are the same listener (${given.production.node.path}); the test listener needs its own port (CodeDeploy allows one listener per traffic route).`);
    }
    if ((props.engine ?? EcsDeploymentEngine.CODE_DEPLOY) === EcsDeploymentEngine.ECS && isNetwork(props) && !given.test) {
      errors.push(
        'With the ECS engine and a Network Load Balancer, ECS needs the green target group on a listener too ("Both targetGroup and alternateTargetGroup must be associated with the productionListenerRule or testListenerRule"): give listeners.test, or let the construct create the listeners (its production listener then names both target groups).',
      );
    }
    if (given.testPort !== undefined && !given.test) {
      errors.push(`listeners.testPort is ${given.testPort} but there is no listeners.test; give the test listener or drop testPort.`);
    }
    for (const [name, port, listener] of [['productionPort', given.productionPort, given.production], ['testPort', given.testPort, given.test]] as const) {
      const actual = listener ? listenerPort(listener) : undefined;
      if (port !== undefined && !Token.isUnresolved(port) && actual !== undefined && actual !== port) {
        errors.push(`listeners.${name} is ${port}, but ${listener!.node.path} listens on port ${actual}; drop listeners.${name} (it is read from the listener).`);
      }
    }
  }
  if (groups) {
    for (const [name, value] of [['healthCheck', props.healthCheck], ['deregistrationDelay', props.deregistrationDelay], ['targetProtocol', props.targetProtocol]] as const) {
      if (value !== undefined) {
        errors.push(`${name} applies to target groups the construct creates, but traffic.targetGroups were given; set it on your target groups.`);
      }
    }
    if (groups.blue === groups.green) {
      errors.push(`targetGroups.blue and targetGroups.green are the same target group (${groups.blue.node.path}); a blue/green deployment needs two.`);
    }
    const network = isNetwork(props);
    for (const [name, tg] of [['blue', groups.blue], ['green', groups.green]] as const) {
      const wrong = network ? tg instanceof elbv2.ApplicationTargetGroup : tg instanceof elbv2.NetworkTargetGroup;
      if (wrong) {
        errors.push(
          `targetGroups.${name} (${tg.node.path}) is ${network ? 'an Application' : 'a Network'} Load Balancer's target group, but the load balancer is ${network ? 'a Network' : 'an Application'} Load Balancer; give target groups of its kind.`,
        );
      }
    }
  }
  if (props.listenerRulePriority !== undefined && !Token.isUnresolved(props.listenerRulePriority)) {
    const p = props.listenerRulePriority;
    if (!Number.isInteger(p) || p < 1 || p > 50000) {
      errors.push(`listenerRulePriority must be a whole number from 1 to 50000 (Elastic Load Balancing's rule priorities); received ${p}.`);
    }
    const network = isNetwork(props);
    if ((props.engine ?? EcsDeploymentEngine.CODE_DEPLOY) !== EcsDeploymentEngine.ECS || network) {
      errors.push(`listenerRulePriority is ${p}, but only the ECS engine with an Application Load Balancer shifts traffic on a listener rule; drop it.`);
    }
  }
  return errors;
}

/**
 * What the given listeners and target groups must be, read from those defined in this app once
 * aws-cdk-lib has rendered them (their default actions and target types are lazy): a followed
 * listener's default action forwards to one of the pair (its target group is replaced by the
 * reading), every listener of this app belongs to the load balancer, and each target group of this
 * app has the target type the service's tasks register as.
 */
function givenTrafficProblems(
  listeners: BlueGreenListeners,
  props: BlueGreenListenersProps,
  followed: Array<FollowedListener | undefined>,
): string[] {
  const stack = Stack.of(listeners);
  const resolve = (v: unknown) => stack.resolve(v);
  const errors: string[] = [];
  const pair = [listeners.blueTargetGroup, listeners.greenTargetGroup].map((tg) => JSON.stringify(resolve(tg.targetGroupArn)));
  for (const f of followed) {
    const cfn = f ? cfnListenerOf(f.listener) : undefined;
    if (!f || !cfn) {
      continue;
    }
    const lbArn = (listeners.loadBalancer as elbv2.IApplicationLoadBalancer | elbv2.INetworkLoadBalancer).loadBalancerArn;
    if (Stack.of(cfn) === stack && JSON.stringify(resolve(cfn.loadBalancerArn)) !== JSON.stringify(resolve(lbArn))) {
      errors.push(`The listener ${f.listener.node.path} belongs to another load balancer than ${listeners.loadBalancer.node.path}; give the load balancer the listeners belong to.`);
    }
    if (!f.follow) {
      continue;
    }
    const actions = resolve(cfn.defaultActions) as Array<Record<string, unknown>> | undefined;
    const single = actions?.length === 1 && actions[0].type === 'forward' && actions[0].forwardConfig === undefined && actions[0].targetGroupArn !== undefined;
    if (!single || !pair.includes(JSON.stringify(actions![0].targetGroupArn))) {
      errors.push(
        `The listener ${f.listener.node.path} must forward to targetGroups.blue or targetGroups.green with one plain forward action (defaultTargetGroups: [blue]); its default action is ${JSON.stringify(actions)?.slice(0, 200)}. ` +
          'The construct keeps that action on the target group that serves traffic, so it must be its only action.',
      );
    }
  }
  // ECS-native rules on given listeners: Elastic Load Balancing refuses a second rule with the same
  // priority on one listener (PriorityInUse), so a rule of this stack already there is an error now.
  const ours = [listeners.productionListenerRule, listeners.testListenerRule].filter((r): r is elbv2.ApplicationListenerRule => r !== undefined);
  for (const rule of ours) {
    const cfn = rule.node.defaultChild as elbv2.CfnListenerRule;
    const key = JSON.stringify([resolve(cfn.listenerArn), resolve(cfn.priority)]);
    const taken = stack.node.findAll()
      .filter((c): c is elbv2.CfnListenerRule => c instanceof elbv2.CfnListenerRule && c !== cfn)
      .find((other) => JSON.stringify([resolve(other.listenerArn), resolve(other.priority)]) === key);
    if (taken) {
      errors.push(
        `The listener rule ${taken.node.path} has priority ${resolve(cfn.priority)} on the listener the construct adds its ECS rule to (${rule.node.path}); Elastic Load Balancing allows one rule per priority on a listener. Choose another traffic.listenerRulePriority.`,
      );
    }
  }
  const expected = props.targetType ?? elbv2.TargetType.IP;
  for (const [name, tg] of [['blue', listeners.blueTargetGroup], ['green', listeners.greenTargetGroup]] as const) {
    const cfn = tg.node.defaultChild;
    if (!(cfn instanceof elbv2.CfnTargetGroup)) {
      continue;
    }
    const type = resolve(cfn.targetType) as string | undefined;
    if ((type ?? 'instance') !== expected) {
      errors.push(
        `targetGroups.${name} (${tg.node.path}) has target type ${type ?? 'instance (the default)'}, but the service's tasks register as ${expected}${expected === 'ip' ? ' (the awsvpc network mode)' : ''}; ECS rejects the service. Set targetType: elbv2.TargetType.${expected.toUpperCase()} on it.`,
      );
    }
  }
  return errors;
}

/**
 * The role ECS-native deployments manage the load balancer with, in place of the AWS managed
 * `AmazonECSInfrastructureRolePolicyForLoadBalancers` (which holds the same actions on every load
 * balancer of the account): re-weight exactly this construct's rules (Application Load Balancer)
 * or listeners (Network Load Balancer), register and deregister targets in exactly its two target
 * groups, and the describe calls, which IAM authorizes only on `*`.
 */
function nativeInfrastructureRole(listeners: BlueGreenListeners): iam.Role {
  const role = new iam.Role(listeners, 'EcsInfrastructureRole', {
    assumedBy: new iam.ServicePrincipal('ecs.amazonaws.com'),
    description: 'cdk-codedeploy-patterns: ECS shifts blue/green traffic on these listeners',
  });
  const describe = ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeRules', 'elasticloadbalancing:DescribeTargetGroups', 'elasticloadbalancing:DescribeTargetHealth'];
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: describe, resources: ['*'] }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
    resources: [listeners.blueTargetGroup.targetGroupArn, listeners.greenTargetGroup.targetGroupArn],
  }));
  const rules = [listeners.productionListenerRule, listeners.testListenerRule].filter((r): r is elbv2.ApplicationListenerRule => r !== undefined);
  if (rules.length > 0) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:ModifyRule'], resources: rules.map((r) => r.listenerRuleArn) }));
  } else {
    const own = [listeners.productionListener, listeners.testListener].filter((l): l is elbv2.IListener => l !== undefined);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['elasticloadbalancing:ModifyListener'], resources: own.map((l) => l.listenerArn) }));
  }
  acknowledgeCompliance(role, OwnedResource.ROLE);
  acknowledge(
    role,
    'AwsSolutions-IAM5[Resource::*]',
    'elasticloadbalancing:DescribeListeners, DescribeRules, DescribeTargetGroups and DescribeTargetHealth have no resource-level permissions in IAM; ECS reads the listeners and target groups it shifts. Read-only; every write is scoped to this construct\'s rules, listeners and target groups.',
  );
  return role;
}

/** The listener settings both kinds of load balancer share, defaults applied. */
interface TrafficSettings {
  readonly secure: boolean;
  readonly productionPort: number;
  readonly wantTest: boolean;
  readonly testPort: number;
  readonly internetFacing: boolean;
  readonly productionPeers: ec2.IPeer[];
  readonly testPeers: ec2.IPeer[];
  readonly targetType: elbv2.TargetType;
  readonly deregistrationDelay: Duration;
}

/** What either kind of load balancer gives the construct. */
interface TrafficParts {
  readonly loadBalancer: elbv2.ILoadBalancerV2 & ec2.IConnectable;
  readonly loadBalancerFullName: string;
  readonly blueTargetGroup: elbv2.ITargetGroup;
  readonly greenTargetGroup: elbv2.ITargetGroup;
  readonly productionListener: elbv2.IListener;
  readonly testListener?: elbv2.IListener;
}

/** An Application Load Balancer (the user's or a new one) with HTTP(S) listeners and two target groups. */
function applicationTraffic(scope: Construct, props: BlueGreenListenersProps, t: TrafficSettings): TrafficParts {
  const created = props.applicationLoadBalancer
    ? undefined
    : new elbv2.ApplicationLoadBalancer(scope, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: t.internetFacing,
      vpcSubnets: props.loadBalancerSubnets,
      dropInvalidHeaderFields: true,
      deletionProtection: props.deletionProtection,
    });
  if (created && props.accessLogBucket) {
    try {
      created.logAccessLogs(props.accessLogBucket, props.accessLogPrefix);
    } catch (e) {
      // aws-cdk-lib's message names neither the prop nor the fix.
      throwIfErrors(scope, [
        `accessLogBucket: the load balancer's access logs need a stack with a concrete Region (aws-cdk-lib: "${(e as Error).message}"); the principal that delivers them differs per Region. Give the stack an env with a region, or drop accessLogBucket.`,
      ]);
    }
  }
  const lb = props.applicationLoadBalancer ?? created!;
  const targetGroup = (name: string) =>
    new elbv2.ApplicationTargetGroup(scope, name, {
      vpc: props.vpc,
      port: props.targetPort,
      protocol: props.targetProtocol ?? elbv2.ApplicationProtocol.HTTP,
      targetType: t.targetType,
      deregistrationDelay: t.deregistrationDelay,
      healthCheck: props.healthCheck ?? { path: '/', healthyHttpCodes: '200-399', ...HEALTH_CHECK_TIMING },
    });
  const blue = (props.targetGroups?.blue ?? targetGroup('BlueTargetGroup')) as elbv2.IApplicationTargetGroup;
  const green = (props.targetGroups?.green ?? targetGroup('GreenTargetGroup')) as elbv2.IApplicationTargetGroup;
  const protocol = t.secure ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP;
  const listener = (id: string, port: number, target: elbv2.IApplicationTargetGroup, peers: ec2.IPeer[], description: string) => {
    const l = lb.addListener(id, { port, protocol, certificates: props.certificates, defaultTargetGroups: [target], open: false });
    peers.forEach((peer) => l.connections.allowDefaultPortFrom(peer, description));
    return l;
  };
  const given = props.listeners;
  const production = given?.production ?? listener('ProductionListener', t.productionPort, blue, t.productionPeers, 'Production traffic');
  const test = given ? given.test : t.wantTest ? listener('TestListener', t.testPort, green, t.testPeers, 'Test traffic of blue/green deployments') : undefined;
  if (created) {
    acknowledgeCreatedLoadBalancer(created, [...t.productionPeers, ...(t.wantTest ? t.testPeers : [])]);
    created.connections.securityGroups.forEach((sg) => acknowledgeCompliance(sg, OwnedResource.LOAD_BALANCER_SECURITY_GROUP));
  }
  return {
    loadBalancer: lb,
    loadBalancerFullName: created?.loadBalancerFullName ?? loadBalancerFullNameFromArn(lb.loadBalancerArn),
    blueTargetGroup: blue,
    greenTargetGroup: green,
    productionListener: production,
    testListener: test,
  };
}

/** A Network Load Balancer (the user's or a new one, with a security group) with TCP/TLS listeners and two target groups. */
function networkTraffic(scope: Construct, props: BlueGreenListenersProps, t: TrafficSettings): TrafficParts {
  const nlbSecurityGroup = props.networkLoadBalancer
    ? undefined
    : new ec2.SecurityGroup(scope, 'SecurityGroup', { vpc: props.vpc, description: 'Network Load Balancer of a blue/green ECS service' });
  const created = props.networkLoadBalancer
    ? undefined
    : new elbv2.NetworkLoadBalancer(scope, 'LoadBalancer', {
      vpc: props.vpc,
      internetFacing: t.internetFacing,
      vpcSubnets: props.loadBalancerSubnets,
      securityGroups: [nlbSecurityGroup!],
      deletionProtection: props.deletionProtection,
    });
  const lb = props.networkLoadBalancer ?? created!;
  const targetGroup = (name: string) =>
    new elbv2.NetworkTargetGroup(scope, name, {
      vpc: props.vpc,
      port: props.targetPort,
      protocol: elbv2.Protocol.TCP,
      targetType: t.targetType,
      deregistrationDelay: t.deregistrationDelay,
      healthCheck: props.healthCheck ?? { protocol: elbv2.Protocol.TCP, ...HEALTH_CHECK_TIMING },
    });
  const blue = (props.targetGroups?.blue ?? targetGroup('BlueTargetGroup')) as elbv2.INetworkTargetGroup;
  const green = (props.targetGroups?.green ?? targetGroup('GreenTargetGroup')) as elbv2.INetworkTargetGroup;
  const protocol = t.secure ? elbv2.Protocol.TLS : elbv2.Protocol.TCP;
  const listener = (id: string, port: number, target: elbv2.INetworkTargetGroup, peers: ec2.IPeer[], description: string) => {
    const l = lb.addListener(id, { port, protocol, certificates: props.certificates, defaultTargetGroups: [target] });
    peers.forEach((peer) => lb.connections.allowFrom(peer, ec2.Port.tcp(port), description));
    return l;
  };
  const given = props.listeners;
  // ECS-native without a test listener: the production listener names both target groups (as the
  // rule does on an Application Load Balancer; Network Load Balancers take weighted target groups).
  const weighted = (props.engine === EcsDeploymentEngine.ECS && !t.wantTest)
    ? () => {
      const l = lb.addListener('ProductionListener', {
        port: t.productionPort,
        protocol,
        certificates: props.certificates,
        defaultAction: elbv2.NetworkListenerAction.weightedForward([{ targetGroup: blue, weight: 1 }, { targetGroup: green, weight: 0 }]),
      });
      t.productionPeers.forEach((peer) => lb.connections.allowFrom(peer, ec2.Port.tcp(t.productionPort), 'Production traffic'));
      return l;
    }
    : undefined;
  const production = given?.production ?? weighted?.() ?? listener('ProductionListener', t.productionPort, blue, t.productionPeers, 'Production traffic');
  const test = given ? given.test : t.wantTest ? listener('TestListener', t.testPort, green, t.testPeers, 'Test traffic of blue/green deployments') : undefined;
  if (created) {
    acknowledgeCreatedLoadBalancer(nlbSecurityGroup!, [...t.productionPeers, ...(t.wantTest ? t.testPeers : [])]);
    acknowledgeCompliance(nlbSecurityGroup!, OwnedResource.LOAD_BALANCER_SECURITY_GROUP);
  }
  return {
    loadBalancer: lb,
    loadBalancerFullName: created?.loadBalancerFullName ?? loadBalancerFullNameFromArn(lb.loadBalancerArn),
    blueTargetGroup: blue,
    greenTargetGroup: green,
    productionListener: production,
    testListener: test,
  };
}
