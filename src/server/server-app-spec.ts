import { Duration, Token } from 'aws-cdk-lib';
import type * as YamlModule from 'yaml';

/** `yaml` is loaded on first use: most apps never parse or render an AppSpec (npm run bench). */
let yamlModule: typeof YamlModule | undefined;
function yaml(): typeof YamlModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  yamlModule ??= require('yaml') as typeof YamlModule;
  return yamlModule;
}
import { FileExistsBehavior } from '../trigger/deployment-trigger';

/** Operating system of the instances an EC2/on-premises revision is deployed to. */
export enum ServerOs {
  /** Amazon Linux, Ubuntu Server, RHEL. */
  LINUX = 'linux',
  /** Windows Server. */
  WINDOWS = 'windows',
}

/** Which objects under a permission's `object` the permission applies to. */
export enum PermissionObjectType {
  /** Files directly in the object (not the object itself). */
  FILE = 'file',
  /** Every directory anywhere under the object (not the object itself). */
  DIRECTORY = 'directory',
}

/** One entry of the AppSpec `files` section: what the `Install` event copies where. */
export interface ServerAppSpecFile {
  /** A file or directory of the revision, relative to `appspec.yml`; `/` is the whole revision. */
  readonly source: string;

  /** Where to copy it on the instance: a fully qualified path (`/var/www/html`, `C:\inetpub\wwwroot`). */
  readonly destination: string;
}

/**
 * SELinux context labels of a permission (the AppSpec's `context` with `type`, `user`, `range`;
 * the props are prefixed so no name is a reserved word in a jsii language).
 */
export interface ServerAppSpecSeLinuxContext {
  /** The SELinux type name (`type`), e.g. `httpd_sys_content_t`. */
  readonly seLinuxType: string;

  /**
   * The SELinux user (`user`), e.g. `unconfined_u`.
   *
   * @default - unchanged
   */
  readonly seLinuxUser?: string;

  /**
   * The SELinux range (`range`; only meaningful with MLS/MCS).
   *
   * @default - s0
   */
  readonly seLinuxRange?: string;
}

/**
 * One entry of the AppSpec `permissions` section (Linux only). Props whose AppSpec key is a
 * reserved word in a jsii language are renamed: `object` -> `objectPath`, `except` -> `exceptions`,
 * `type` -> `objectTypes`.
 */
export interface ServerAppSpecPermission {
  /** The file or directory on the instance the permissions apply to after `Install` (`object`). */
  readonly objectPath: string;

  /**
   * Pattern of the objects to apply the permissions to.
   *
   * @default "**" (all)
   */
  readonly pattern?: string;

  /**
   * Exceptions to the pattern (`except`).
   *
   * @default - none
   */
  readonly exceptions?: string[];

  /**
   * Owner to set.
   *
   * @default - unchanged
   */
  readonly owner?: string;

  /**
   * Group to set.
   *
   * @default - unchanged
   */
  readonly group?: string;

  /**
   * Numeric chmod mode, 3 or 4 octal digits, e.g. `'644'` or `'0755'` (symbolic modes are not supported).
   *
   * @default - unchanged
   */
  readonly mode?: string;

  /**
   * setfacl ACL entries for named users or groups, e.g. `u:bob:rw` (unnamed entries make the AppSpec fail; use mode).
   *
   * @default - unchanged
   */
  readonly acls?: string[];

  /**
   * SELinux context labels.
   *
   * @default - unchanged
   */
  readonly context?: ServerAppSpecSeLinuxContext;

  /**
   * Which objects the permissions apply to (`type`).
   *
   * @default - files and directories
   */
  readonly objectTypes?: PermissionObjectType[];
}

/** A script run at a lifecycle event. */
export interface ServerHookScript {
  /** Path of the script in the revision, relative to its root (e.g. `scripts/start.sh`). */
  readonly location: string;

  /**
   * How long the script may run. All scripts of one event together may take at most 3,600 seconds.
   *
   * @default - the agent's default (3,600 seconds)
   */
  readonly timeout?: Duration;

  /**
   * User to run the script as (Linux only; the user must not need a password).
   *
   * @default - the user the agent runs as
   */
  readonly runas?: string;
}

/**
 * Scripts per lifecycle event of an EC2/on-premises in-place deployment. `DownloadBundle`,
 * `Install`, `BlockTraffic` and `AllowTraffic` are run by the agent and take no scripts.
 */
export interface ServerAppSpecHooks {
  /**
   * Scripts run at `ApplicationStop` (from the previously deployed revision; skipped on the first deployment).
   *
   * @default - none
   */
  readonly applicationStop?: ServerHookScript[];

  /**
   * Scripts run at `BeforeInstall`.
   *
   * @default - none
   */
  readonly beforeInstall?: ServerHookScript[];

  /**
   * Scripts run at `AfterInstall`.
   *
   * @default - none
   */
  readonly afterInstall?: ServerHookScript[];

  /**
   * Scripts run at `ApplicationStart`.
   *
   * @default - none
   */
  readonly applicationStart?: ServerHookScript[];

  /**
   * Scripts run at `ValidateService`, the last event of the install sequence.
   *
   * @default - none
   */
  readonly validateService?: ServerHookScript[];

  /**
   * Scripts run at `BeforeBlockTraffic` (only with a load balancer).
   *
   * @default - none
   */
  readonly beforeBlockTraffic?: ServerHookScript[];

  /**
   * Scripts run at `AfterBlockTraffic` (only with a load balancer).
   *
   * @default - none
   */
  readonly afterBlockTraffic?: ServerHookScript[];

  /**
   * Scripts run at `BeforeAllowTraffic` (only with a load balancer).
   *
   * @default - none
   */
  readonly beforeAllowTraffic?: ServerHookScript[];

  /**
   * Scripts run at `AfterAllowTraffic` (only with a load balancer).
   *
   * @default - none
   */
  readonly afterAllowTraffic?: ServerHookScript[];
}

/** Construction properties for `ServerAppSpec`. */
export interface ServerAppSpecProps {
  /** The operating system of the instances. */
  readonly os: ServerOs;

  /**
   * Files the `Install` event copies to the instance.
   *
   * @default - nothing is copied
   */
  readonly files?: ServerAppSpecFile[];

  /**
   * What `Install` does with files that already exist at a destination (takes precedence over the
   * deployment's setting).
   *
   * @default - the deployment's setting (DISALLOW unless changed)
   */
  readonly fileExistsBehavior?: FileExistsBehavior;

  /**
   * Permissions applied to the copied files (Linux only).
   *
   * @default - permissions unchanged
   */
  readonly permissions?: ServerAppSpecPermission[];

  /**
   * Scripts per lifecycle event.
   *
   * @default - no scripts
   */
  readonly hooks?: ServerAppSpecHooks;
}

/** A script with the lifecycle event it runs at. */
export interface ServerHookScriptReference {
  /** The lifecycle event name, e.g. `ApplicationStart`. */
  readonly lifecycleEvent: string;
  /** The script. */
  readonly script: ServerHookScript;
}

/** The longest all scripts of one lifecycle event may run together. */
export const MAX_EVENT_SCRIPT_SECONDS = 3600;

/** Scriptable events, in the AppSpec's spelling, with the prop that holds them. */
const HOOK_EVENTS: Array<[string, keyof ServerAppSpecHooks]> = [
  ['ApplicationStop', 'applicationStop'],
  ['BeforeInstall', 'beforeInstall'],
  ['AfterInstall', 'afterInstall'],
  ['ApplicationStart', 'applicationStart'],
  ['ValidateService', 'validateService'],
  ['BeforeBlockTraffic', 'beforeBlockTraffic'],
  ['AfterBlockTraffic', 'afterBlockTraffic'],
  ['BeforeAllowTraffic', 'beforeAllowTraffic'],
  ['AfterAllowTraffic', 'afterAllowTraffic'],
];
/** Events the agent runs itself; scripts cannot be attached to them. */
const RESERVED_EVENTS = ['DownloadBundle', 'Install', 'BlockTraffic', 'AllowTraffic'];
/** Events that only run when the deployment group has a load balancer. */
export const TRAFFIC_EVENTS = ['BeforeBlockTraffic', 'AfterBlockTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'];

const TOP_LEVEL_KEYS = ['version', 'os', 'files', 'file_exists_behavior', 'permissions', 'hooks'];
const FILE_KEYS = ['source', 'destination'];
const PERMISSION_KEYS = ['object', 'pattern', 'except', 'owner', 'group', 'mode', 'acls', 'context', 'type'];
const CONTEXT_KEYS = ['user', 'type', 'range'];
const SCRIPT_KEYS = ['location', 'timeout', 'runas'];

/**
 * The AppSpec file (`appspec.yml`) of an EC2/on-premises revision: what to copy, which
 * permissions to set and which scripts to run at each lifecycle event.
 *
 * Build one from typed props (rendered with `toYaml()`), or read a user's file with
 * `ServerAppSpec.fromYaml()`. Both are validated against the AppSpec reference: version `0.0`,
 * `os`, fully qualified destinations, no `permissions` or `runas` on Windows, numeric modes
 * (leading zero quoted), named ACL entries only, known and scriptable lifecycle events, and at
 * most 3,600 seconds of script timeouts per event.
 */
export class ServerAppSpec {
  /**
   * Reads and validates the content of an `appspec.yml`. Throws one error listing every problem.
   *
   * @param content the YAML text
   * @param fileName name used in error messages
   */
  public static fromYaml(content: string, fileName: string = 'appspec.yml'): ServerAppSpec {
    const { props, errors } = parseAppSpec(content);
    if (errors.length > 0 || !props) {
      throw new Error(`${fileName} is not a valid AppSpec file:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    }
    return new ServerAppSpec(props);
  }

  /**
   * Every problem of the content of an `appspec.yml` (empty when it is valid).
   *
   * @param content the YAML text
   */
  public static validateYaml(content: string): string[] {
    return parseAppSpec(content).errors;
  }

  /** Every problem of these props (empty when they are valid). */
  public static validate(props: ServerAppSpecProps): string[] {
    return validateProps(props);
  }

  /** The operating system of the instances. */
  public readonly os: ServerOs;

  private readonly props: ServerAppSpecProps;

  constructor(props: ServerAppSpecProps) {
    const errors = validateProps(props);
    if (errors.length > 0) {
      throw new Error(`Invalid ServerAppSpec:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    }
    this.props = props;
    this.os = props.os;
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
            ? compact({ user: perm.context.seLinuxUser, type: perm.context.seLinuxType, range: perm.context.seLinuxRange })
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
          compact({ location: s.location, timeout: s.timeout?.toSeconds(), runas: s.runas }),
        );
      }
    }
    if (Object.keys(hooks).length > 0) {
      obj.hooks = hooks;
    }
    return obj;
  }

  /**
   * The AppSpec as YAML, as the agent reads it (YAML 1.1): `version: 0.0` first, strings quoted
   * only where YAML needs it (a mode with a leading zero, a `**` pattern).
   */
  public toYaml(): string {
    const { version, ...rest } = this.toObject();
    void version;
    const body = yaml().stringify(rest, { version: '1.1', lineWidth: 0 });
    return `version: 0.0\n${body}`;
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

const isWindowsPath = (p: string) => /^[A-Za-z]:[\\/]/.test(p);

function validateProps(props: ServerAppSpecProps): string[] {
  const errors: string[] = [];
  const windows = props.os === ServerOs.WINDOWS;
  if (!Object.values(ServerOs).includes(props.os)) {
    errors.push(`os must be "linux" or "windows"; received "${props.os}".`);
  }
  if (props.files !== undefined && props.files.length === 0) {
    errors.push('files is empty; omit the files section instead of leaving it blank (a blank section fails the deployment).');
  }
  (props.files ?? []).forEach((f, i) => {
    if (!f.source) {
      errors.push(`files[${i}].source is empty; give a file or directory of the revision, or "/" for all of it.`);
    } else if (!windows && f.source !== '/' && f.source.startsWith('/')) {
      errors.push(`files[${i}].source "${f.source}" must be relative to appspec.yml (or "/" for the whole revision).`);
    }
    if (!f.destination) {
      errors.push(`files[${i}].destination is empty; give a fully qualified path on the instance.`);
    } else if (windows ? !isWindowsPath(f.destination) : !f.destination.startsWith('/')) {
      errors.push(
        `files[${i}].destination "${f.destination}" must be a fully qualified path on the instance (${windows ? 'with a drive letter, e.g. C:\\inetpub\\wwwroot' : 'starting with /'}).`,
      );
    }
  });
  if (props.fileExistsBehavior !== undefined && !Object.values(FileExistsBehavior).includes(props.fileExistsBehavior)) {
    errors.push(`file_exists_behavior must be DISALLOW, OVERWRITE or RETAIN; received "${props.fileExistsBehavior}".`);
  }
  if (props.permissions !== undefined) {
    if (windows) {
      errors.push('permissions apply to Linux only; remove the permissions section for os: windows.');
    } else if (props.permissions.length === 0) {
      errors.push('permissions is empty; omit the section instead of leaving it blank.');
    }
  }
  (windows ? [] : props.permissions ?? []).forEach((p, i) => errors.push(...validatePermission(p, i)));
  const hooks = props.hooks ?? {};
  for (const [event, key] of HOOK_EVENTS) {
    const scripts = hooks[key];
    if (scripts === undefined) {
      continue;
    }
    if (scripts.length === 0) {
      errors.push(`hooks.${event} has no scripts; omit the event instead of leaving it blank.`);
      continue;
    }
    let total = 0;
    let totalKnown = true;
    scripts.forEach((s, i) => {
      const where = `hooks.${event}[${i}]`;
      if (!s.location) {
        errors.push(`${where}.location is required: the path of the script in the revision.`);
      } else if (s.location.startsWith('/') || isWindowsPath(s.location)) {
        errors.push(`${where}.location "${s.location}" must be relative to the root of the revision, e.g. scripts/start.sh.`);
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
        errors.push(`${where}.runas is not supported on Windows; remove it (scripts run as the agent's user).`);
      } else if (s.runas !== undefined && !s.runas) {
        errors.push(`${where}.runas is empty; give a user name or omit it.`);
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

const ACL_TAGS = ['u', 'user', 'g', 'group', 'm', 'mask', 'o', 'other'];

function validatePermission(p: ServerAppSpecPermission, i: number): string[] {
  const errors: string[] = [];
  const where = `permissions[${i}]`;
  if (!p.objectPath) {
    errors.push(`${where}.object is required: the file or directory on the instance.`);
  }
  if (p.mode !== undefined && !/^[0-7]{3,4}$/.test(p.mode)) {
    errors.push(`${where}.mode must be 3 or 4 octal digits like 644 or "0755" (symbolic modes such as u+x are not supported); received "${p.mode}".`);
  }
  for (const acl of p.acls ?? []) {
    const parts = acl.split(':');
    const entry = parts[0] === 'd' || parts[0] === 'default' ? parts.slice(1) : parts;
    if (entry.length !== 3 || !ACL_TAGS.includes(entry[0]) || !/^[rwxX-]+$/.test(entry[2])) {
      errors.push(`${where}.acls entry "${acl}" is not a setfacl entry like u:bob:rw or g:admins:r.`);
    } else if (!entry[1]) {
      errors.push(
        `${where}.acls entry "${acl}" names no user or group; unnamed ACL entries make the AppSpec fail. Set these permissions with mode instead.`,
      );
    }
  }
  if (p.context !== undefined && !p.context.seLinuxType) {
    errors.push(`${where}.context needs a type (the SELinux type name).`);
  }
  for (const t of p.objectTypes ?? []) {
    if (!Object.values(PermissionObjectType).includes(t)) {
      errors.push(`${where}.type entries must be "file" or "directory"; received "${t}".`);
    }
  }
  return errors;
}

/** Parses appspec.yml as the agent does (YAML 1.1) into props, collecting every problem. */
function parseAppSpec(content: string): { props?: ServerAppSpecProps; errors: string[] } {
  const errors: string[] = [];
  if (content.includes('\r')) {
    errors.push('the file contains carriage returns (\\r, Windows line endings); save it with Unix (LF) line endings.');
  }
  const doc = yaml().parseDocument(content, { version: '1.1', prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { errors: [...errors, ...doc.errors.map((e) => `YAML syntax error: ${e.message.split('\n')[0]}`)] };
  }
  const root = doc.contents;
  if (!yaml().isMap(root)) {
    return { errors: [...errors, 'the file must be a YAML mapping with version, os and optional files, permissions and hooks.'] };
  }
  const raw = doc.toJS() as Record<string, any>;
  const unknown = (obj: Record<string, any>, known: string[], where: string) => {
    for (const k of Object.keys(obj)) {
      if (!known.includes(k)) {
        const hint = known.find((kk) => kk.toLowerCase() === k.toLowerCase());
        errors.push(`${where}unknown key "${k}"${hint ? ` (keys are case-sensitive: use "${hint}")` : `; allowed: ${known.join(', ')}`}.`);
      }
    }
  };
  unknown(raw, TOP_LEVEL_KEYS, '');

  const version = raw.version;
  if (version === undefined) {
    errors.push('version is required and must be 0.0.');
  } else if (!(version === 0 || version === '0.0')) {
    errors.push(`version must be 0.0 (the only version CodeDeploy supports); received ${JSON.stringify(version)}.`);
  }
  if (raw.os === undefined || raw.os === null) {
    errors.push('os is required: linux or windows.');
  } else if (raw.os !== 'linux' && raw.os !== 'windows') {
    errors.push(`os must be linux or windows (one of them); received ${JSON.stringify(raw.os)}.`);
  }
  const os = raw.os === 'windows' ? ServerOs.WINDOWS : ServerOs.LINUX;

  const section = (key: string): any[] | undefined => {
    if (!(key in raw)) {
      return undefined;
    }
    const v = raw[key];
    if (v === null || v === undefined) {
      errors.push(`${key} is blank; remove the ${key} section entirely if it has no entries (a blank section fails the deployment).`);
      return undefined;
    }
    if (!Array.isArray(v)) {
      errors.push(`${key} must be a list of entries, each starting with "- ".`);
      return undefined;
    }
    return v;
  };

  const files: ServerAppSpecFile[] | undefined = section('files')?.map((f: any, i: number) => {
    if (!f || typeof f !== 'object') {
      errors.push(`files[${i}] must be a mapping with source and destination.`);
      return { source: '', destination: '' };
    }
    unknown(f, FILE_KEYS, `files[${i}]: `);
    return { source: stringOrEmpty(f.source), destination: stringOrEmpty(f.destination) };
  });

  let fileExistsBehavior: FileExistsBehavior | undefined;
  if ('file_exists_behavior' in raw) {
    fileExistsBehavior = raw.file_exists_behavior as FileExistsBehavior;
  }

  const permissionNodes = yaml().isMap(root) ? (root.get('permissions', true) as unknown) : undefined;
  const permissions: ServerAppSpecPermission[] | undefined = section('permissions')?.map((p: any, i: number) => {
    if (!p || typeof p !== 'object') {
      errors.push(`permissions[${i}] must be a mapping with at least object.`);
      return { objectPath: '' };
    }
    unknown(p, PERMISSION_KEYS, `permissions[${i}]: `);
    let mode: string | undefined;
    if (p.mode !== undefined && p.mode !== null) {
      const node = yaml().isSeq(permissionNodes) ? (permissionNodes.items[i] as any)?.get?.('mode', true) : undefined;
      const source: string | undefined = yaml().isScalar(node) ? (node as any).source : undefined;
      const plain = yaml().isScalar(node) && (node.type === 'PLAIN' || node.type === undefined);
      if (plain && typeof source === 'string' && /^0\d/.test(source)) {
        errors.push(
          `permissions[${i}].mode ${source} has a leading zero and no quotes; the agent would read it as an octal number. Write mode: "${source}" or mode: ${source.slice(1)}.`,
        );
        mode = source;
      } else {
        mode = typeof source === 'string' && plain ? source : String(p.mode);
      }
    }
    if (p.context !== undefined && (p.context === null || typeof p.context !== 'object')) {
      errors.push(`permissions[${i}].context must be a mapping with user, type and range.`);
    } else if (p.context) {
      unknown(p.context, CONTEXT_KEYS, `permissions[${i}].context: `);
    }
    return {
      objectPath: stringOrEmpty(p.object),
      pattern: optionalString(p.pattern),
      exceptions: listOfStrings(p.except, `permissions[${i}].except`, errors),
      owner: optionalString(p.owner),
      group: optionalString(p.group),
      mode,
      acls: listOfStrings(p.acls, `permissions[${i}].acls`, errors),
      context: p.context && typeof p.context === 'object'
        ? { seLinuxType: stringOrEmpty(p.context.type), seLinuxUser: optionalString(p.context.user), seLinuxRange: optionalString(p.context.range) }
        : undefined,
      objectTypes: listOfStrings(p.type, `permissions[${i}].type`, errors) as PermissionObjectType[] | undefined,
    };
  });

  let hooks: ServerAppSpecHooks | undefined;
  if ('hooks' in raw) {
    const h = raw.hooks;
    if (h === null || h === undefined) {
      errors.push('hooks is blank; remove the hooks section entirely if it has no scripts.');
    } else if (typeof h !== 'object' || Array.isArray(h)) {
      errors.push('hooks must be a mapping from lifecycle event names to lists of scripts.');
    } else {
      const out: Record<string, ServerHookScript[]> = {};
      for (const [event, scripts] of Object.entries<any>(h)) {
        const known = HOOK_EVENTS.find(([name]) => name === event);
        if (RESERVED_EVENTS.includes(event)) {
          errors.push(`hooks.${event}: ${event} is run by the CodeDeploy agent itself and cannot run scripts; use one of ${HOOK_EVENTS.map(([n]) => n).join(', ')}.`);
          continue;
        }
        if (!known) {
          const hint = HOOK_EVENTS.find(([name]) => name.toLowerCase() === event.toLowerCase());
          errors.push(
            `hooks.${event} is not an EC2/on-premises lifecycle event${hint ? ` (event names are case-sensitive: use ${hint[0]})` : `; use one of ${HOOK_EVENTS.map(([n]) => n).join(', ')}`}.`,
          );
          continue;
        }
        if (scripts === null || scripts === undefined) {
          errors.push(`hooks.${event} is blank; remove the event if it has no scripts.`);
          continue;
        }
        if (!Array.isArray(scripts)) {
          errors.push(`hooks.${event} must be a list of scripts, each starting with "- location:".`);
          continue;
        }
        out[known[1]] = scripts.map((s: any, i: number) => {
          if (!s || typeof s !== 'object') {
            errors.push(`hooks.${event}[${i}] must be a mapping with location and optional timeout and runas.`);
            return { location: '' };
          }
          unknown(s, SCRIPT_KEYS, `hooks.${event}[${i}]: `);
          let timeout: Duration | undefined;
          if (s.timeout !== undefined && s.timeout !== null) {
            const n = Number(s.timeout);
            if (!Number.isInteger(n) || n < 1 || n > MAX_EVENT_SCRIPT_SECONDS) {
              errors.push(`hooks.${event}[${i}].timeout must be a whole number of seconds from 1 to ${MAX_EVENT_SCRIPT_SECONDS}; received ${JSON.stringify(s.timeout)}.`);
            } else {
              timeout = Duration.seconds(n);
            }
          }
          return { location: stringOrEmpty(s.location), timeout, runas: s.runas === undefined || s.runas === null ? undefined : String(s.runas) };
        });
      }
      hooks = out;
    }
  }

  if (errors.length > 0 && (raw.os !== 'linux' && raw.os !== 'windows')) {
    return { errors };
  }
  const props: ServerAppSpecProps = { os, files, fileExistsBehavior, permissions, hooks };
  errors.push(...validateProps(props));
  return { props: errors.length === 0 ? props : undefined, errors: [...new Set(errors)] };
}

function stringOrEmpty(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

function optionalString(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

function listOfStrings(v: unknown, where: string, errors: string[]): string[] | undefined {
  if (v === undefined || v === null) {
    return undefined;
  }
  if (!Array.isArray(v)) {
    errors.push(`${where} must be a list (e.g. [a.txt, b.txt] or lines starting with "- ").`);
    return undefined;
  }
  return v.map((x) => String(x));
}
