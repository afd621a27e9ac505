import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Acknowledges one cdk-nag finding (`RuleId[Finding]`) on one construct and its children, with a reason.
 *
 * Written as the `aws:cdk:acknowledged-rules` metadata that `Validations.of(scope).acknowledge()`
 * records and cdk-nag 3 reads. We write it directly because `acknowledge()` rejects finding IDs
 * that contain `::` more than once (`AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:...]`).
 * Every acknowledgement the library makes is listed in the README (a test keeps the two in sync).
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
}
