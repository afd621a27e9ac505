import * as fs from 'fs';
import * as path from 'path';
import { asList, policyDocuments, resolveValue } from './reference';

/**
 * A small IAM evaluator for identity policies of one role in one synthesized template: IAM's
 * wildcard rules (`*`, `?`; actions case-insensitive, resources case-sensitive), explicit Deny
 * over Allow, `NotAction`/`NotResource`, and the condition operators our policies use. Written
 * from the IAM User Guide's policy evaluation logic; no third-party simulator.
 */

export interface RuntimeCall {
  /** `service:Action` as IAM authorizes it. */
  readonly action: string;
  /** The ARN of the resource the request acts on (`*` for actions without resource types). */
  readonly resource: string;
  /** Request context keys and values (e.g. `iam:PassedToService`). */
  readonly context?: Record<string, string>;
  /** Why the principal makes this call (the caller's code or the guide). */
  readonly why: string;
}

const MANAGED: Record<string, string[]> = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'aws-managed-policies.json'), 'utf8'));

function glob(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(`^${pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&'))).join('')}$`, ignoreCase ? 'i' : '');
  return re.test(value);
}

function conditionHolds(operator: string, key: string, expected: unknown, context: Record<string, string>): boolean {
  const ifExists = operator.endsWith('IfExists');
  const op = operator.replace(/IfExists$/, '');
  const actual = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
  if (actual === undefined) {
    return ifExists;
  }
  const values = asList(expected as string | string[]).map(String);
  switch (op) {
    case 'StringEquals':
    case 'ArnEquals':
      return values.includes(actual);
    case 'StringEqualsIgnoreCase':
      return values.some((v) => v.toLowerCase() === actual.toLowerCase());
    case 'StringLike':
    case 'ArnLike':
      return values.some((v) => glob(v, actual, false));
    case 'StringNotEquals':
      return !values.includes(actual);
    case 'Bool':
      return values.includes(actual);
    default:
      throw new Error(`condition operator ${operator} is not modelled by test/iam/evaluate.ts`);
  }
}

function statementMatches(st: any, call: RuntimeCall): boolean {
  const actionOk = st.Action !== undefined
    ? asList<string>(st.Action).some((a) => glob(a, call.action, true))
    : !asList<string>(st.NotAction).some((a) => glob(a, call.action, true));
  if (!actionOk) {
    return false;
  }
  const resourceOk = st.Resource !== undefined
    ? asList<string>(st.Resource).some((r) => glob(r, call.resource, false))
    : !asList<string>(st.NotResource).some((r) => glob(r, call.resource, false));
  if (!resourceOk) {
    return false;
  }
  for (const [operator, block] of Object.entries(st.Condition ?? {})) {
    for (const [key, expected] of Object.entries(block as object)) {
      if (!conditionHolds(operator, key, expected, call.context ?? {})) {
        return false;
      }
    }
  }
  return true;
}

/** Every resolved identity-policy statement that applies to a role, including AWS managed policies (on "*", from the fixture). */
export function statementsOfRole(template: any, roleLogicalId: string): any[] {
  const out: any[] = [];
  for (const source of policyDocuments(template)) {
    if (source.kind === 'identity' && source.roles.includes(roleLogicalId)) {
      out.push(...asList((resolveValue(template, source.document) as any).Statement));
    }
  }
  for (const arn of asList<any>(template.Resources[roleLogicalId].Properties.ManagedPolicyArns)) {
    const resolved = String(resolveValue(template, arn));
    const name = resolved.replace(/^.*:policy\/(service-role\/)?/, '');
    if (MANAGED[name]) {
      out.push({ Effect: 'Allow', Action: MANAGED[name], Resource: '*' });
    }
  }
  return out;
}

/** Whether the role's policies allow the call (an explicit Deny wins). */
export function isAllowed(template: any, roleLogicalId: string, call: RuntimeCall): boolean {
  const statements = statementsOfRole(template, roleLogicalId);
  if (statements.some((st) => st.Effect === 'Deny' && statementMatches(st, call))) {
    return false;
  }
  return statements.some((st) => st.Effect === 'Allow' && statementMatches(st, call));
}
