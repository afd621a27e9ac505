import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BundledFunction } from '../private/bundled-function';
import { acknowledgeCompliance, OwnedResource } from '../private/compliance';
import { acknowledge, wildcardResourceFinding } from '../private/nag';
import { perStack } from '../private/shared';

// Not exported from the package: the function every DeploymentTrigger (and ServerPipelineSource)
// of a stack shares, and the listener reader of BlueGreenListeners.

/** The one function (with its role and log group) every trigger of a stack shares. */
export class TriggerProvider extends Construct {
  public static of(scope: Construct): TriggerProvider {
    return perStack(scope, 'CodeDeployPatternsDeploymentTrigger', TriggerProvider, (stack, id) => new TriggerProvider(stack, id));
  }

  public readonly function: BundledFunction;
  public readonly role: iam.Role;
  public readonly selfInvokePolicy: iam.Policy;
  private watchesInstances = false;
  private watchesAssociations = false;
  private targetReader?: iam.Policy;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cdk-codedeploy-patterns deployment trigger: creates, watches and stops deployments of its groups',
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    logGroup.grantWrite(this.role);
    this.function = new BundledFunction(this, 'Function', 'trigger/deployment-trigger.lambda', {
      description: 'cdk-codedeploy-patterns: runs CodeDeploy deployments for CloudFormation',
      role: this.role,
      logGroup,
      timeout: Duration.minutes(15),
      memorySize: 256,
      // CloudFormation and the handler itself invoke asynchronously; a retry would start a second deployment.
      retryAttempts: 0,
    });
    // Separate from the role's default policy: the function cannot depend on a policy naming itself.
    this.selfInvokePolicy = new iam.Policy(this, 'SelfInvoke', {
      roles: [this.role],
      statements: [
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.function.functionArn] }),
      ],
    });
    acknowledgeCompliance(this.function, OwnedResource.FUNCTION);
    acknowledgeCompliance(logGroup, OwnedResource.LOG_GROUP);
    acknowledgeCompliance(this.role, OwnedResource.ROLE);
    acknowledgeCompliance(this.selfInvokePolicy, OwnedResource.ROLE);
  }

  /** Reading which instances of Auto Scaling groups are InService. */
  public grantWatchAutoScalingGroups(): void {
    if (!this.watchesInstances) {
      this.watchesInstances = true;
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['autoscaling:DescribeAutoScalingGroups'], resources: ['*'] }),
      );
      acknowledge(
        this.role,
        'AwsSolutions-IAM5[Resource::*]',
        'autoscaling:DescribeAutoScalingGroups has no resource-level permissions in IAM; the trigger reads which instances of its groups are InService before deploying.',
      );
    }
  }

  /**
   * Reading an ECS deployment's target (when its traffic shift started), in a policy of its own: the
   * action has no resource type in IAM, so its wildcard is acknowledged apart from the role's.
   */
  public grantReadDeploymentTargets(): iam.Policy {
    if (!this.targetReader) {
      this.targetReader = new iam.Policy(this, 'ReadDeploymentTargets', {
        roles: [this.role],
        statements: [new iam.PolicyStatement({ actions: ['codedeploy:GetDeploymentTarget'], resources: ['*'] })],
      });
      acknowledgeCompliance(this.targetReader, OwnedResource.ROLE);
      acknowledge(
        this.targetReader,
        'AwsSolutions-IAM5[Resource::*]',
        'codedeploy:GetDeploymentTarget has no resource-level permissions in IAM; the trigger reads when an ECS deployment started shifting traffic, so it can wait on its event queue until the shift can have ended instead of polling. Read-only.',
      );
    }
    return this.targetReader;
  }

  /** Reading whether the agent installation succeeded on instances. */
  public grantWatchAgentInstallations(): void {
    if (!this.watchesAssociations) {
      this.watchesAssociations = true;
      const instances = Stack.of(this).formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' });
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ['ssm:DescribeInstanceAssociationsStatus'], resources: [instances] }),
      );
      acknowledge(
        this.role,
        wildcardResourceFinding(this, instances),
        'Instance IDs of Auto Scaling groups are only known at deployment time; the trigger reads whether the CodeDeploy agent installation succeeded on them (and on tagged instances). Limited to instances of this account and Region, read-only.',
      );
    }
  }
}

/**
 * The function that reads where blue/green listeners forward (live target groups): the trigger's
 * code, with a role of its own that may only describe listeners and target health. Not the
 * trigger's function: that one depends on its role's policy, which names the deployment groups,
 * which depend on the services, which depend on the listeners, which depend on this reading.
 */
export class ListenerReaderProvider extends Construct {
  public static of(scope: Construct): ListenerReaderProvider {
    return perStack(scope, 'CodeDeployPatternsListenerReader', ListenerReaderProvider, (stack, id) => new ListenerReaderProvider(stack, id));
  }

  public readonly function: BundledFunction;
  /** The role's policy, which the readings must wait for. */
  public readonly policy: iam.Policy;
  private rulesAllowed = false;

  private constructor(scope: Construct, id: string) {
    super(scope, id);
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'cdk-codedeploy-patterns: reads which target group blue/green listeners forward to',
    });
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    logGroup.grantWrite(role);
    this.policy = new iam.Policy(this, 'ReadListeners', {
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeTargetHealth'],
          resources: ['*'],
        }),
      ],
    });
    this.function = new BundledFunction(this, 'Function', 'trigger/deployment-trigger.lambda', {
      description: 'cdk-codedeploy-patterns: reads which target group blue/green listeners forward to',
      role,
      logGroup,
      timeout: Duration.minutes(1),
      memorySize: 256,
      // As the trigger: one answer per request (a failed invocation ends in CloudFormation's 2-minute service timeout).
      retryAttempts: 0,
    });
    acknowledgeCompliance(this.function, OwnedResource.FUNCTION);
    acknowledgeCompliance(logGroup, OwnedResource.LOG_GROUP);
    acknowledgeCompliance(role, OwnedResource.ROLE);
    acknowledgeCompliance(this.policy, OwnedResource.ROLE);
    acknowledge(
      this.policy,
      'AwsSolutions-IAM5[Resource::*]',
      'elasticloadbalancing:DescribeListeners, DescribeTargetHealth (and DescribeRules, for ECS-native rules) have no resource-level permissions in IAM; the function reads which target group the blue/green listeners forward to, so a listener update never points production at the idle one. Read-only.',
    );
  }

  /** Lets the function read listener rules too (ECS-native deployments shift traffic on a rule). */
  public allowReadingRules(): void {
    if (!this.rulesAllowed) {
      this.rulesAllowed = true;
      // No resource-level permissions in IAM (Service Authorization Reference), like the other two.
      this.policy.addStatements(new iam.PolicyStatement({ actions: ['elasticloadbalancing:DescribeRules'], resources: ['*'] }));
    }
  }
}
