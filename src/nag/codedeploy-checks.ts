import { CfnResource } from 'aws-cdk-lib';
// Deep imports: the package index loads every rule pack of cdk-nag (about 240 ms), this library needs two modules.
import { NagPack, NagPackProps } from 'cdk-nag/lib/nag-pack';
import { NagMessageLevel } from 'cdk-nag/lib/nag-rules';
import { IConstruct } from 'constructs';
import { CD1_ALARMS } from './rules/cd1-alarms';
import { CD10_NOTIFICATION_TLS } from './rules/cd10-notification-tls';
import { CD2_FAILURE_ROLLBACK } from './rules/cd2-failure-rollback';
import { CD3_ALARM_ROLLBACK } from './rules/cd3-alarm-rollback';
import { CD4_TEST_LISTENER } from './rules/cd4-test-listener';
import { CD5_TERMINATION_WAIT } from './rules/cd5-termination-wait';
import { CD6_LAMBDA_HOOKS } from './rules/cd6-lambda-hooks';
import { CD7_MANAGED_POLICY } from './rules/cd7-managed-policy';
import { CD8_TRUST_CONDITION } from './rules/cd8-trust-condition';
import { CD9_HOOK_STATUS } from './rules/cd9-hook-status';

/** The pack's rules in report order, one per file in `rules/` (as cdk-nag's own packs keep theirs). */
const RULES = [
  CD1_ALARMS,
  CD2_FAILURE_ROLLBACK,
  CD3_ALARM_ROLLBACK,
  CD4_TEST_LISTENER,
  CD5_TERMINATION_WAIT,
  CD6_LAMBDA_HOOKS,
  CD7_MANAGED_POLICY,
  CD8_TRUST_CONDITION,
  CD9_HOOK_STATUS,
  CD10_NOTIFICATION_TLS,
];

/**
 * cdk-nag rules for AWS CodeDeploy best practice, for any stack: ours, hand-written with
 * aws-cdk-lib L2s, or L1 classes. Like cdk-nag's own rules, they read the L1 class's typed
 * properties as they will be synthesized (`Stack.of(node).resolve`), so they hold whether an L2 or
 * your code set them; a resource declared as a bare `CfnResource`, or changed with
 * `addPropertyOverride`, is not seen.
 *
 * | rule | checks |
 * | --- | --- |
 * | CodeDeploy-CD1 | a deployment group has alarms |
 * | CodeDeploy-CD2 | a deployment group rolls back automatically on failure |
 * | CodeDeploy-CD3 | a deployment group with alarms rolls back when they fire |
 * | CodeDeploy-CD4 | an ECS blue/green deployment group has a test listener |
 * | CodeDeploy-CD5 | an ECS blue/green deployment group keeps the original tasks for a while |
 * | CodeDeploy-CD6 | a Lambda alias deployed by CodeDeploy has a pre- or post-traffic hook |
 * | CodeDeploy-CD7 | no role uses an AWS managed CodeDeploy policy |
 * | CodeDeploy-CD8 | a role CodeDeploy assumes has aws:SourceAccount or aws:SourceArn in its trust |
 * | CodeDeploy-CD9 | nobody may call PutLifecycleEventHookExecutionStatus on any deployment group |
 * | CodeDeploy-CD10 | deployment notifications go to topics that deny requests without TLS |
 *
 * Use it like any cdk-nag pack: `new CodeDeployChecks().validateScope(app)` reports the findings,
 * or `Validations.of(app).addPlugins(new CodeDeployChecks(app))` with aws-cdk-lib 2.258 and later.
 */
export class CodeDeployChecks extends NagPack {
  public readonly name: string = 'CodeDeploy';

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'CodeDeploy';
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of RULES) {
      this.applyRule({
        ruleSuffixOverride: rule.id,
        info: rule.info,
        explanation: rule.explanation,
        level: NagMessageLevel.ERROR,
        node,
        rule: rule.check,
      });
    }
  }
}
