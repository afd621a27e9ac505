import { Duration } from 'aws-cdk-lib';
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
 * SELinux context labels of a permission (the AppSpec's `context` with `type`, `name`, `range`;
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
   * The SELinux range (`range`): `s<n>[-s<n>][:c<n>[.c<n>],...]`. Always rendered: the agent fails
   * at Install on a context without one.
   *
   * @default "s0"
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
   * Numeric chmod mode, 1 to 4 octal digits, e.g. `'644'` or `'2775'` (symbolic modes are not supported).
   *
   * @default - unchanged
   */
  readonly mode?: string;

  /**
   * setfacl ACL entries as the agent accepts them: `[d[efault]:][u|g|m|o:]name:perms`, e.g.
   * `u:bob:rw`, `g:admins:r-x`, `m::rw`, and default entries such as `d:u:bob:rwx` for folders only
   * (with `objectTypes: [DIRECTORY]`). The file's own user, group and other entries are set with `mode`.
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

  /**
   * Run the script with sudo (Linux only; with `runas`, `sudo su <user>`).
   *
   * @default false
   */
  readonly sudo?: boolean;
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
