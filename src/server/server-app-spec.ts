import { Token } from 'aws-cdk-lib';
import { readAppSpec } from './appspec-reader';
import {
  PermissionObjectType, ServerAppSpecFile, ServerAppSpecHooks, ServerAppSpecPermission, ServerAppSpecProps, ServerHookScriptReference, ServerOs,
} from './server-app-spec-props';
import {
  MAX_EVENT_SECONDS, SCRIPT_EVENT_PROPS, aclIsDefault, aclProblem, isWindowsAbsolute, leavesRevision, modeProblem, rangeProblem,
} from '../private/appspec-rules';
import { psychSafeYaml } from '../private/psych-yaml';
import { FileExistsBehavior } from '../trigger/deployment-trigger';

/** The longest all scripts of one lifecycle event may run together. */
const MAX_EVENT_SCRIPT_SECONDS = MAX_EVENT_SECONDS;

/** Scriptable events, in the AppSpec's spelling, with the prop that holds them. */
const HOOK_EVENTS = SCRIPT_EVENT_PROPS as ReadonlyArray<readonly [string, keyof ServerAppSpecHooks]>;

/**
 * The AppSpec file (`appspec.yml`) of an EC2/on-premises revision: what to copy, which
 * permissions to set and which scripts to run at each lifecycle event.
 *
 * Build one from typed props (rendered with `toYaml()`), or read a user's file with
 * `ServerAppSpec.fromYaml()`. Both are checked the way the CodeDeploy agent reads the file (its
 * YAML loader, parser and Install step): what the agent would reject or fail on is an error, and
 * so, on purpose, is what it would silently ignore or misread (the README lists those).
 */
export class ServerAppSpec {
  /**
   * Reads and validates the content of an `appspec.yml`. Throws one error listing every problem,
   * each with its line.
   *
   * @param content the YAML text
   * @param fileName name used in error messages
   */
  public static fromYaml(content: string, fileName: string = 'appspec.yml'): ServerAppSpec {
    const reading = readAppSpec(content);
    if (reading.errors.length > 0 || !reading.props) {
      throw new Error(`${fileName} is not a valid AppSpec file:\n${reading.errors.map((e) => `  - ${e}`).join('\n')}`);
    }
    const spec = new ServerAppSpec(reading.props);
    spec.warnings.push(...reading.warnings);
    return spec;
  }

  /**
   * Every problem of the content of an `appspec.yml`, each with its line (empty when it is valid).
   *
   * @param content the YAML text
   */
  public static validateYaml(content: string): string[] {
    return readAppSpec(content).errors;
  }

  /** Every problem of these props (empty when they are valid). */
  public static validate(props: ServerAppSpecProps): string[] {
    return validateProps(props);
  }

  /** The operating system of the instances. */
  public readonly os: ServerOs;

  /**
   * What the file holds that the agent ignores although the guide documents it (for an AppSpec
   * read with `fromYaml`); empty for one built from props.
   */
  public readonly warnings: string[];

  private readonly props: ServerAppSpecProps;

  constructor(props: ServerAppSpecProps) {
    const errors = validateProps(props);
    if (errors.length > 0) {
      throw new Error(`Invalid ServerAppSpec:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    }
    this.props = props;
    this.os = props.os;
    this.warnings = [];
  }

  /** Every script with its lifecycle event, in event order. */
  public get scripts(): ServerHookScriptReference[] {
    const result: ServerHookScriptReference[] = [];
    for (const [event, key] of HOOK_EVENTS) {
      for (const script of this.props.hooks?.[key] ?? []) {
        result.push({ lifecycleEvent: event, script });
      }
    }
    return result;
  }

  /** The lifecycle events that have scripts. */
  public get hookEvents(): string[] {
    return [...new Set(this.scripts.map((s) => s.lifecycleEvent))];
  }

  /** The `files` section. */
  public get files(): ServerAppSpecFile[] {
    return [...(this.props.files ?? [])];
  }

  /** The AppSpec as a plain object, in the file's spelling. */
  public toObject(): any {
    const p = this.props;
    const obj: Record<string, unknown> = { version: 0.0, os: p.os };
    if (p.files && p.files.length > 0) {
      obj.files = p.files.map((f) => ({ source: f.source, destination: f.destination }));
    }
    if (p.fileExistsBehavior) {
      obj.file_exists_behavior = p.fileExistsBehavior;
    }
    if (p.permissions && p.permissions.length > 0) {
      obj.permissions = p.permissions.map((perm) =>
        compact({
          object: perm.objectPath,
          pattern: perm.pattern,
          except: perm.exceptions,
          owner: perm.owner,
          group: perm.group,
          mode: perm.mode,
          acls: perm.acls,
          context: perm.context
            ? compact({ name: perm.context.seLinuxUser, type: perm.context.seLinuxType, range: perm.context.seLinuxRange ?? 's0' })
            : undefined,
          type: perm.objectTypes,
        }),
      );
    }
    const hooks: Record<string, unknown> = {};
    for (const [event, key] of HOOK_EVENTS) {
      const scripts = p.hooks?.[key];
      if (scripts && scripts.length > 0) {
        hooks[event] = scripts.map((s) =>
          compact({ location: s.location, timeout: s.timeout?.toSeconds(), runas: s.runas, sudo: s.sudo ? true : undefined }),
        );
      }
    }
    if (Object.keys(hooks).length > 0) {
      obj.hooks = hooks;
    }
    return obj;
  }

  /**
   * The AppSpec as YAML, as the agent reads it: `version: 0.0` first, and every string that its
   * YAML loader would read as something else (a number, a boolean, a date, an alias) quoted.
   */
  public toYaml(): string {
    const { version, ...rest } = this.toObject();
    void version;
    return `version: 0.0\n${psychSafeYaml(rest)}`;
  }
}

function compact<T extends Record<string, unknown>>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) {
      out[k] = v;
    }
  }
  return out as T;
}

function validateProps(props: ServerAppSpecProps): string[] {
  const errors: string[] = [];
  const windows = props.os === ServerOs.WINDOWS;
  if (!Object.values(ServerOs).includes(props.os)) {
    errors.push(`os must be "linux" or "windows"; received "${props.os}".`);
  }
  (props.files ?? []).forEach((f, i) => {
    if (f.source === undefined || f.source === null) {
      errors.push(`files[${i}].source is required: a file or folder of the revision, or "/" for all of it.`);
    } else if (!Token.isUnresolved(f.source) && leavesRevision(f.source)) {
      errors.push(`files[${i}].source "${f.source}" leaves the revision; agent 2.1 rejects paths that resolve outside the revision folder.`);
    }
    if (!f.destination) {
      errors.push(`files[${i}].destination is empty; give a fully qualified path on the instance.`);
    } else if (!Token.isUnresolved(f.destination) && (windows ? !isWindowsAbsolute(f.destination) : !f.destination.startsWith('/'))) {
      errors.push(
        `files[${i}].destination "${f.destination}" must be a fully qualified path on the instance (${windows ? 'with a drive letter, e.g. C:\\inetpub\\wwwroot' : 'starting with /'}); the agent would resolve it against its own working directory.`,
      );
    }
  });
  if (props.fileExistsBehavior !== undefined && !Object.values(FileExistsBehavior).includes(props.fileExistsBehavior)) {
    errors.push(`file_exists_behavior must be DISALLOW, OVERWRITE or RETAIN; received "${props.fileExistsBehavior}".`);
  }
  if (windows && (props.permissions ?? []).length > 0) {
    errors.push('permissions apply to Linux only; the Windows agent rejects a file with permissions. Remove them for os: windows.');
  }
  const objects = new Map<string, string[]>();
  (windows ? [] : props.permissions ?? []).forEach((p, i) => {
    errors.push(...validatePermission(p, i));
    const types: string[] = p.objectTypes ?? [PermissionObjectType.FILE, PermissionObjectType.DIRECTORY];
    const key = p.objectPath?.replace(/\/+$/, '');
    if (key && objects.get(key)?.some((t) => types.includes(t))) {
      errors.push(`permissions[${i}] sets permissions on ${p.objectPath} again for the same kind of objects; the agent fails at Install when one object is set twice. Merge the entries.`);
    }
    if (key) {
      objects.set(key, [...(objects.get(key) ?? []), ...types]);
    }
  });
  const hooks = props.hooks ?? {};
  for (const [event, key] of HOOK_EVENTS) {
    const scripts = hooks[key] ?? [];
    let total = 0;
    let totalKnown = true;
    scripts.forEach((s, i) => {
      const where = `hooks.${event}[${i}]`;
      const location = (s.location ?? '').trim();
      if (!location) {
        errors.push(`${where}.location is required: the path of the script in the revision.`);
      } else if (!Token.isUnresolved(location) && leavesRevision(location)) {
        errors.push(`${where}.location "${s.location}" leaves the revision; agent 2.1 rejects paths that resolve outside the revision folder.`);
      } else if (windows && /\.(sh|bash)$/i.test(location)) {
        errors.push(`${where}.location "${s.location}" is a shell script, and the Windows agent runs the file itself (PowerShell only for .ps1); it would fail at ${event}. Use a .ps1, .bat or .cmd script.`);
      }
      if (s.timeout !== undefined) {
        const seconds = s.timeout.toSeconds({ integral: false });
        if (Token.isUnresolved(seconds)) {
          totalKnown = false;
        } else if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_EVENT_SCRIPT_SECONDS) {
          errors.push(`${where}.timeout must be a whole number of seconds from 1 to ${MAX_EVENT_SCRIPT_SECONDS}; received ${seconds}.`);
          totalKnown = false;
        } else {
          total += seconds;
        }
      }
      if (s.runas !== undefined && windows) {
        errors.push(`${where}.runas: the Windows agent ignores runas (scripts run as the agent's user); remove it.`);
      } else if (s.runas !== undefined && !s.runas.trim()) {
        errors.push(`${where}.runas is empty; the agent would run the script as root ("su  -c"). Give a user name or omit it.`);
      }
      if (s.sudo && windows) {
        errors.push(`${where}.sudo: the Windows agent ignores sudo; remove it.`);
      }
    });
    if (totalKnown && total > MAX_EVENT_SCRIPT_SECONDS) {
      errors.push(
        `hooks.${event}: the timeouts of its scripts add up to ${total} seconds; CodeDeploy allows at most ${MAX_EVENT_SCRIPT_SECONDS} seconds for all scripts of one lifecycle event. Shorten the timeouts or move scripts to another event.`,
      );
    }
  }
  return errors;
}

function validatePermission(p: ServerAppSpecPermission, i: number): string[] {
  const errors: string[] = [];
  const where = `permissions[${i}]`;
  const unresolved = (v: string | undefined) => v !== undefined && Token.isUnresolved(v);
  if (!p.objectPath || !p.objectPath.trim()) {
    errors.push(`${where}.object is required: the file or folder on the instance.`);
  } else if (!unresolved(p.objectPath) && !p.objectPath.trim().startsWith('/')) {
    errors.push(`${where}.object "${p.objectPath}" must be a fully qualified path (starting with /); the agent would resolve it against its own working directory.`);
  }
  if (p.mode !== undefined && !unresolved(p.mode)) {
    const problem = modeProblem(p.mode);
    if (problem) {
      errors.push(`${where}.${problem}.`);
    }
  }
  for (const [kind, name] of [['owner', p.owner], ['group', p.group]] as const) {
    if (name !== undefined && name === '') {
      errors.push(`${where}.${kind} is empty; the agent fails at Install (no ${kind === 'owner' ? 'user' : 'group'} has an empty name). Give a name or omit it.`);
    }
  }
  const types: string[] = p.objectTypes ?? [PermissionObjectType.FILE, PermissionObjectType.DIRECTORY];
  for (const acl of p.acls ?? []) {
    if (unresolved(acl)) {
      continue;
    }
    const problem = aclProblem(acl);
    if (problem) {
      errors.push(`${where}.acls: ${problem}.`);
    } else if (aclIsDefault(acl) && types.includes(PermissionObjectType.FILE)) {
      errors.push(`${where}.acls: the default ACL entry "${acl}" applies to folders only, and this permission also applies to files; the agent fails at Install as soon as a file matches. Set objectTypes: [PermissionObjectType.DIRECTORY].`);
    }
  }
  if (p.context !== undefined) {
    if (!p.context.seLinuxType) {
      errors.push(`${where}.context needs a type (the SELinux type name).`);
    }
    const range = p.context.seLinuxRange;
    if (range !== undefined && !unresolved(range)) {
      const problem = rangeProblem(range);
      if (problem) {
        errors.push(`${where}.context: ${problem}.`);
      }
    }
  }
  for (const t of p.objectTypes ?? []) {
    if (!Object.values(PermissionObjectType).includes(t)) {
      errors.push(`${where}.type entries must be "file" or "directory"; received "${t}".`);
    }
  }
  return errors;
}
