import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';

/** Options every built-in hook has. */
export interface BuiltInHookOptions {
  /**
   * How long the check may take before the hook reports `Failed`. The hook's Lambda timeout is
   * this plus 30 seconds, so the status is always reported; at most 14 minutes.
   *
   * @default - 5 minutes for httpCheck, 2 minutes plus the observation window for alarmCheck, 1 minute for invokeCheck and sdkCall
   */
  readonly deadline?: Duration;

  /**
   * Run the hook in the function the stack shares among every deployment group whose hook has the
   * same kind and settings (one function, role and log group per stack instead of one per group).
   * The shared role holds the union of those groups' grants: each group's deployments are checked
   * by a function that may also read (or invoke) what the other groups' checks read. Set `false`
   * for a function, role and log group of this hook's own.
   *
   * @default true
   */
  readonly sharedFunction?: boolean;
}

/** Where `LifecycleHook.httpCheck` sends its requests. */
export class HttpCheckTarget {
  /**
   * A URL (`http://` or `https://`), requested as given with the check's `path` appended.
   * Give `vpc` in the check's options when the URL is only reachable inside a VPC.
   */
  public static url(url: string): HttpCheckTarget {
    return new HttpCheckTarget(url, undefined);
  }

  /**
   * The test listener of the `EcsDeployment` the hook belongs to: from `AfterAllowTestTraffic`
   * on it serves the replacement task set. Every node of the load balancer is requested on its
   * private address from inside the VPC, so internal and internet-facing load balancers both work
   * and production traffic never reaches the new tasks.
   */
  public static testListener(): HttpCheckTarget {
    return new HttpCheckTarget(undefined, 'test');
  }

  /** The production listener of the `EcsDeployment` the hook belongs to, requested like `testListener()`. */
  public static productionListener(): HttpCheckTarget {
    return new HttpCheckTarget(undefined, 'production');
  }

  private constructor(
    /** @internal */ public readonly _url: string | undefined,
    /** @internal */ public readonly _listener: 'test' | 'production' | undefined,
  ) {}
}

/** Options of `LifecycleHook.httpCheck`. */
export interface HttpCheckOptions extends BuiltInHookOptions {
  /** Where to send the requests. */
  readonly target: HttpCheckTarget;

  /**
   * Path (and query) requested; must start with `/`.
   *
   * @default '/'
   */
  readonly path?: string;

  /**
   * HTTP method.
   *
   * @default 'GET'
   */
  readonly method?: string;

  /**
   * Request headers.
   *
   * @default - none besides Host and User-Agent
   */
  readonly headers?: { [name: string]: string };

  /**
   * Request body.
   *
   * @default - no body
   */
  readonly body?: string;

  /**
   * Host header and TLS server name, for listeners whose rules or certificate are for your domain
   * rather than the load balancer's DNS name.
   *
   * @default - the URL's host, or the load balancer's DNS name
   */
  readonly hostHeader?: string;

  /**
   * Status codes that pass.
   *
   * @default [200]
   */
  readonly expectedStatusCodes?: number[];

  /**
   * Text the response body must contain.
   *
   * @default - any body
   */
  readonly bodyContains?: string;

  /**
   * JavaScript regular expression the response body must match.
   *
   * @default - any body
   */
  readonly bodyMatches?: string;

  /**
   * Attempts before the check fails (an attempt passes when every target answers as expected).
   *
   * @default 10
   */
  readonly attempts?: number;

  /**
   * Wait after the first failed attempt; later waits grow by `backoffRate`, up to 30 seconds.
   *
   * @default Duration.seconds(5)
   */
  readonly interval?: Duration;

  /**
   * Factor by which the wait between attempts grows (1 to 10).
   *
   * @default 1.5
   */
  readonly backoffRate?: number;

  /**
   * Timeout of each request.
   *
   * @default Duration.seconds(5)
   */
  readonly requestTimeout?: Duration;

  /**
   * VPC to run the check in, for a URL only reachable there. Listener targets always run in the
   * load balancer's VPC.
   *
   * @default - not in a VPC (URL targets); the load balancer's VPC (listener targets)
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets of the check function. They need a route to the CodeDeploy API (NAT, or an interface
   * endpoint) for the hook to report its status.
   *
   * @default - private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
}

/** Options of `LifecycleHook.invokeCheck`. */
export interface InvokeCheckOptions extends BuiltInHookOptions {
  /**
   * JSON payload the version being deployed is invoked with.
   *
   * @default {}
   */
  readonly payload?: { [key: string]: any };

  /**
   * Text the response payload must contain.
   *
   * @default - any response without a function error passes
   */
  readonly responseContains?: string;

  /**
   * JavaScript regular expression the response payload must match.
   *
   * @default - any response without a function error passes
   */
  readonly responseMatches?: string;
}

/** Options of `LifecycleHook.alarmCheck`. */
export interface AlarmCheckOptions extends BuiltInHookOptions {
  /**
   * Keep checking for this long and fail as soon as an alarm goes into ALARM (at most 13 minutes).
   *
   * @default - one check
   */
  readonly observeFor?: Duration;

  /**
   * Time between checks during `observeFor` (at least 10 seconds).
   *
   * @default Duration.seconds(30)
   */
  readonly interval?: Duration;

  /**
   * Also fail while an alarm is in INSUFFICIENT_DATA.
   *
   * @default false
   */
  readonly failOnInsufficientData?: boolean;
}

/** Options of `LifecycleHook.sdkCall`. */
export interface SdkCallOptions extends BuiltInHookOptions {
  /**
   * The service, as the name of its AWS SDK for JavaScript v3 package without `@aws-sdk/client-`,
   * e.g. `appconfig`, `appflow`, `ssm`.
   */
  readonly service: string;

  /** The API action, e.g. `StopDeployment` (the SDK command without `Command`). */
  readonly action: string;

  /**
   * The call's parameters, as the SDK v3 command takes them (e.g. `{ CommandId: '...' }`).
   *
   * @default {}
   */
  readonly parameters?: { [key: string]: any };

  /**
   * Resources the call acts on; the hook is allowed `iamAction` on exactly these.
   * Give this or `policyStatements`.
   *
   * @default - none; then `policyStatements` is required
   */
  readonly resources?: string[];

  /**
   * IAM action granted on `resources`.
   *
   * @default - the IAM action of the SDK call, with the service's IAM prefix from the AWS SDK's
   * metadata as aws-cdk-lib's `AwsCustomResource` derives it (`sfn` -> `states:`, `cloudwatch-logs` -> `logs:`,
   * `elastic-load-balancing-v2` -> `elasticloadbalancing:`); the package name for a client it does not know
   */
  readonly iamAction?: string;

  /**
   * Statements added to the hook's role instead of (or besides) the one built from `resources`.
   *
   * @default - only the statement built from `resources`
   */
  readonly policyStatements?: iam.PolicyStatement[];

  /**
   * Error names (e.g. `ResourceNotFoundException`) that count as success.
   *
   * @default - every error fails the hook
   */
  readonly acceptedErrors?: string[];
}
