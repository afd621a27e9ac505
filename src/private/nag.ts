import { Stack, Validations } from 'aws-cdk-lib';
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
  // One finding is acknowledged once per construct (two statements may share a wildcard resource).
  const already = scope.node.metadata.some((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && m.data && id in (m.data as object));
  if (!already) {
    scope.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, { [id]: reason });
  }
}

/**
 * The cdk-nag finding ID of a wildcard resource, e.g. `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:...:task-set/c/s/*]`:
 * the resolved value flattened the way cdk-nag flattens CloudFormation references.
 */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource))}]`;
}

function flatten(node: any): string {
  if (node === undefined) {
    return '';
  }
  if (typeof node === 'string') {
    return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  }
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'];
    return (items as any[]).map(flatten).join(delimiter);
  }
  if (node['Fn::Sub']) {
    return flatten(node['Fn::Sub']);
  }
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (node['Fn::ImportValue']) {
    return flatten(node['Fn::ImportValue']);
  }
  if (node.Ref) {
    return `<${flatten(node.Ref)}>`;
  }
  return JSON.stringify(node);
}
