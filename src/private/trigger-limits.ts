/** The longest a trigger may wait: CloudFormation gives a custom resource at most one hour, and we keep 5 minutes for the stop and the answer. */
export const MAX_TRIGGER_TIMEOUT_MINUTES = 55;
/** How long a trigger waits by default. */
export const DEFAULT_TRIGGER_TIMEOUT_MINUTES = 50;
