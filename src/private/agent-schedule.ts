/** When State Manager re-runs the agent installation by default: Sundays 02:00 UTC. */
export const DEFAULT_AGENT_UPDATE_SCHEDULE = 'cron(0 2 ? * SUN *)';

/**
 * What State Manager would reject in an association schedule (Systems Manager User Guide,
 * "Reference: Cron and rate expressions for Systems Manager"): cron( with 5 or 6 fields, or 7 with
 * the optional seconds first ), rate(N minute(s)|hour(s)|day(s)) of at least 30 minutes, or a
 * one-time at(yyyy-mm-ddThh:mm:ss).
 */
export function associationScheduleProblem(schedule: string): string | undefined {
  const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(schedule);
  if (rate) {
    const n = Number(rate[1]);
    const unit = rate[2];
    if (n === 0) {
      return 'is a rate of 0; give a positive number';
    }
    if (unit.startsWith('minute') && n < 30) {
      return 'runs more often than every 30 minutes, the shortest interval State Manager allows for associations';
    }
    return undefined;
  }
  if (/^rate\(/.test(schedule)) {
    return 'is not a rate expression State Manager accepts: rate(<number> minutes|hours|days), e.g. rate(7 days)';
  }
  const cron = /^cron\((.*)\)$/.exec(schedule);
  if (cron) {
    const fields = cron[1].trim().split(/\s+/);
    if (fields.length < 5 || fields.length > 7) {
      return `has ${fields.length} cron fields; State Manager takes 5 or 6 (minutes hours day-of-month month day-of-week [year], with optional seconds first), e.g. cron(0 2 ? * SUN *)`;
    }
    const bad = fields.find((f) => !/^[0-9A-Za-z*?,/#-]+$/.test(f));
    return bad === undefined ? undefined : `has the cron field "${bad}", with characters cron does not use`;
  }
  if (/^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/.test(schedule)) {
    return undefined;
  }
  return 'must be a State Manager cron(...), rate(...) or at(...) expression, e.g. cron(0 2 ? * SUN *) or rate(7 days)';
}
