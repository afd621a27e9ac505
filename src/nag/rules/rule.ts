import { CfnResource, Stack } from 'aws-cdk-lib';
// Deep imports: the package index loads every rule pack of cdk-nag (about 240 ms), this library needs two modules.
import { NagRuleCompliance } from 'cdk-nag/lib/nag-rules';

/** One rule of the CodeDeploy pack: its id suffix, what it reports, why, and the check. */
export interface CodeDeployRule {
  /** `CD1` ... (reported as `CodeDeploy-CD1`). */
  readonly id: string;
  readonly info: string;
  readonly explanation: string;
  readonly check: (node: CfnResource) => NagRuleCompliance;
}

export const NA = NagRuleCompliance.NOT_APPLICABLE;
export const OK = NagRuleCompliance.COMPLIANT;
export const BAD = NagRuleCompliance.NON_COMPLIANT;

/**
 * A typed L1 property as it will be synthesized: tokens, lazies and nested resolvables resolved
 * (`Stack.of(node).resolve`), keys as the L1 class names them (camelCase; policy documents render
 * their own IAM JSON).
 */
export function resolved<T = any>(node: CfnResource, value: unknown): T {
  return Stack.of(node).resolve(value) as T;
}

export function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
}

/** A policy ARN or service principal as text (`arn:<token>:iam::aws:policy/...` for Fn::Join with the partition). */
export function arnText(value: any): string {
  if (typeof value === 'string') {
    return value;
  }
  const join = value?.['Fn::Join'];
  if (join) {
    return asArray<any>(join[1]).map((part) => (typeof part === 'string' ? part : '<token>')).join(join[0]);
  }
  return JSON.stringify(value);
}

/** Logical ID of a `Ref` or `Fn::GetAtt` target, else undefined. */
export function referencedId(value: any): string | undefined {
  return value?.Ref ?? value?.['Fn::GetAtt']?.[0];
}
