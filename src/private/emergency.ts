import { Annotations, Tags, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The emergency switch: a context value that deploys a fix at once, without the canary, the hooks
 * or the alarms that would otherwise hold it back. It has to say why and until when, at most
 * `MAX_EMERGENCY_HOURS` ahead; once that time has passed, every synth fails until the value is
 * removed, so a switch committed to cdk.json cannot stay on unnoticed.
 *
 *   cdk deploy -c 'cdk-codedeploy-patterns:emergency=reason=INC-4711 checkout down;expires=2026-12-02T03:00:00Z'
 *
 * An optional `only=<construct path>` limits it to the patterns at or below that path.
 */
export const EMERGENCY_CONTEXT = 'cdk-codedeploy-patterns:emergency';
/** How far ahead `expires` may be. */
export const MAX_EMERGENCY_HOURS = 12;
const MIN_REASON = 8;

export interface Emergency {
  readonly reason: string;
  readonly expires: Date;
  /** Construct path prefix the switch is limited to. */
  readonly only?: string;
}

/**
 * The emergency that applies to a pattern, if any; problems with the switch's value, as errors.
 * `now` is the synth time.
 */
export function emergencyFor(scope: IConstruct, now: number = Date.now()): { emergency?: Emergency; errors: string[] } {
  const raw = scope.node.tryGetContext(EMERGENCY_CONTEXT);
  if (raw === undefined || raw === null || raw === '') {
    return { errors: [] };
  }
  const parsed = parseEmergency(raw, now);
  if (parsed.errors.length > 0 || !parsed.emergency) {
    return { errors: parsed.errors };
  }
  const only = parsed.emergency.only;
  if (only !== undefined && !isAtOrBelow(scope.node.path, only)) {
    return { errors: [] };
  }
  return { emergency: parsed.emergency, errors: [] };
}

function isAtOrBelow(path: string, prefix: string): boolean {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  return path === p || path.startsWith(`${p}/`);
}

/** Parses `reason=...;expires=<ISO 8601 UTC>[;only=<path>]` and checks it against `now`. */
export function parseEmergency(raw: unknown, now: number): { emergency?: Emergency; errors: string[] } {
  const usage = `Give ${EMERGENCY_CONTEXT} as 'reason=<why, at least ${MIN_REASON} characters>;expires=<UTC time within ${MAX_EMERGENCY_HOURS} hours, e.g. 2026-12-02T03:00:00Z>' (optionally ';only=<construct path>'), or remove it`;
  if (typeof raw !== 'string' || Token.isUnresolved(raw)) {
    return { errors: [`${EMERGENCY_CONTEXT} must be a string; received ${JSON.stringify(raw)}. ${usage}.`] };
  }
  const fields = new Map<string, string>();
  const errors: string[] = [];
  for (const part of raw.split(';').map((p) => p.trim()).filter((p) => p !== '')) {
    const i = part.indexOf('=');
    const key = i < 0 ? part : part.slice(0, i).trim();
    if (i < 0 || !['reason', 'expires', 'only'].includes(key)) {
      errors.push(`${EMERGENCY_CONTEXT}: "${part}" is not reason=..., expires=... or only=....`);
      continue;
    }
    fields.set(key, part.slice(i + 1).trim());
  }
  const reason = fields.get('reason') ?? '';
  if (reason.length < MIN_REASON) {
    errors.push(`${EMERGENCY_CONTEXT} needs a reason of at least ${MIN_REASON} characters (an incident or ticket, what is being fixed); received "${reason}".`);
  }
  const expiresText = fields.get('expires');
  const expires = expiresText === undefined ? NaN : Date.parse(expiresText);
  if (expiresText === undefined || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z$/.test(expiresText) || Number.isNaN(expires)) {
    errors.push(`${EMERGENCY_CONTEXT} needs expires=<UTC time> such as 2026-12-02T03:00:00Z; received ${expiresText === undefined ? 'none' : `"${expiresText}"`}.`);
  } else if (expires <= now) {
    errors.push(
      `${EMERGENCY_CONTEXT} expired at ${new Date(expires).toISOString()} (now ${new Date(now).toISOString()}): remove it from the context (cdk.json, cdk.context.json or -c) to deploy normally again, or renew it with a new reason and time.`,
    );
  } else if (expires - now > MAX_EMERGENCY_HOURS * 3600_000) {
    errors.push(
      `${EMERGENCY_CONTEXT} expires at ${new Date(expires).toISOString()}, more than ${MAX_EMERGENCY_HOURS} hours from now (${new Date(now).toISOString()}); an emergency switch is for one incident: set an earlier time.`,
    );
  }
  const only = fields.get('only');
  if (only !== undefined && only.replace(/^\/+|\/+$/g, '') === '') {
    errors.push(`${EMERGENCY_CONTEXT}: only= names no construct path; give the path of a stack or pattern (e.g. MyStack/Checkout), or drop only=.`);
  }
  if (errors.length > 0) {
    return { errors: [...errors, `${usage}.`] };
  }
  return { emergency: { reason, expires: new Date(expires), only }, errors: [] };
}

/** The emergency as a tag value: the characters AWS tags allow, at most 256. */
export function emergencyTagValue(e: Emergency): string {
  return `${e.expires.toISOString()} ${e.reason}`.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);
}

/** The description a deployment made under the switch carries (CodeDeploy allows 100 characters). */
export function emergencyDescription(e: Emergency): string {
  return `EMERGENCY until ${e.expires.toISOString()}: ${e.reason}`.slice(0, 100);
}

/**
 * Says so at every synth (a warning that cannot be acknowledged: it names what the pattern skips)
 * and tags the deployment group, when it is a taggable resource.
 */
export function markEmergency(pattern: IConstruct, e: Emergency, skips: string, deploymentGroup?: IConstruct): void {
  Annotations.of(pattern).addWarning(
    `EMERGENCY DEPLOYMENT (${EMERGENCY_CONTEXT}) until ${e.expires.toISOString()}: "${e.reason}". This pattern ${skips}; remove the context value to deploy normally again.`,
  );
  if (deploymentGroup) {
    Tags.of(deploymentGroup).add(EMERGENCY_CONTEXT, emergencyTagValue(e));
  }
}
