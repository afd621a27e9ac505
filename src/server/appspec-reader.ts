import { Duration } from 'aws-cdk-lib';
import type {
  ServerAppSpecFile,
  ServerAppSpecPermission,
  ServerAppSpecProps,
  ServerHookScript,
  ServerAppSpecHooks,
} from './server-app-spec-props';
import {
  AGENT_EVENTS, MAX_EVENT_SECONDS, SCRIPT_EVENT_PROPS, SCRIPT_EVENTS,
  aclIsDefault, aclProblem, isWindowsAbsolute, leavesRevision, modeProblem, rangeProblem,
} from '../private/appspec-rules';
import { RNode, loadLikePsych, rget, rubyClass, rubyStringToI, rubyToS, truthy } from '../private/psych-yaml';

/** What reading an appspec.yml found. */
export interface AppSpecReading {
  /** The file as props, when it has no errors. */
  readonly props?: ServerAppSpecProps;
  /** Every reason the agent would reject it or fail at Install, and what we refuse on purpose. */
  readonly errors: string[];
  /** What the agent reads without complaint but ignores although the guide documents it. */
  readonly warnings: string[];
}

export interface AppSpecReadOptions {
  /**
   * Whether a files source is a file (not a folder). The agent treats a permission on a copied
   * file differently from one on a folder. Without it, a source with a file extension counts as
   * a file.
   */
  readonly isFileSource?: (source: string) => boolean;
}

const TOP_LEVEL_KEYS = ['version', 'os', 'files', 'file_exists_behavior', 'permissions', 'hooks'];
const FILE_KEYS = ['source', 'destination'];
const PERMISSION_KEYS = ['object', 'pattern', 'except', 'owner', 'group', 'mode', 'acls', 'context', 'type'];
const CONTEXT_KEYS = ['name', 'type', 'range'];
const SCRIPT_KEYS = ['location', 'timeout', 'runas', 'sudo'];
const FILE_EXISTS = ['DISALLOW', 'OVERWRITE', 'RETAIN'];

const HOOK_PROPS = new Map(SCRIPT_EVENT_PROPS as ReadonlyArray<readonly [string, keyof ServerAppSpecHooks]>);

const describe = (node: RNode) => (node.kind === 'str' ? JSON.stringify(node.value) : node.kind === 'seq' || node.kind === 'map' ? rubyClass(node) : rubyToS(node));

/** Reads an appspec.yml as the CodeDeploy agent would, collecting every problem with its line. */
export function readAppSpec(content: string, options: AppSpecReadOptions = {}): AppSpecReading {
  const errors: string[] = [];
  const warnings: string[] = [];
  const at = (line: number, message: string) => (line > 0 ? `line ${line}: ${message}` : message);
  const err = (node: RNode | number | undefined, message: string) =>
    errors.push(at(typeof node === 'number' ? node : node?.line ?? 0, message));

  const loaded = loadLikePsych(content);
  for (const p of [...loaded.errors, ...loaded.strict]) {
    errors.push(at(p.line, p.message));
  }
  const root = loaded.root;
  if (!root) {
    return { errors, warnings };
  }
  if ((root.kind === 'bool' && !root.value) || root.kind === 'nil') {
    errors.push('the file is empty; the agent fails the deployment. Give at least version: 0.0 and os: linux or windows.');
    return { errors, warnings };
  }
  if (root.kind !== 'map') {
    errors.push('the file must be a YAML mapping with version, os and optional files, file_exists_behavior, permissions and hooks; the agent fails on anything else.');
    return { errors, warnings };
  }

  const unknownKeys = (map: RNode, known: string[], where: string) => {
    if (map.kind !== 'map') {
      return;
    }
    for (const [k] of map.entries) {
      const key = rubyToS(k);
      if (k.kind === 'str' && known.includes(key)) {
        continue;
      }
      const hint = known.find((kk) => kk.toLowerCase() === key.toLowerCase());
      err(k, `${where}the agent ignores "${key}"${hint ? ` (keys are case-sensitive: use "${hint}")` : ` (it reads only ${known.join(', ')})`}, so nothing in it would take effect. Remove or rename it.`);
    }
  };
  unknownKeys(root, TOP_LEVEL_KEYS, '');

  // version: the agent compares it with the number 0.0.
  const version = rget(root, 'version');
  if (version === undefined || version.kind === 'nil') {
    err(version ?? root, 'version is required and must be 0.0; the agent rejects the file without it.');
  } else if (!((version.kind === 'int' || version.kind === 'float') && version.value === 0)) {
    err(version, version.kind === 'str' && Number(version.value) === 0
      ? `version is the string ${JSON.stringify(version.value)}; the agent compares it with the number 0.0 and rejects the file. Write version: 0.0 without quotes.`
      : `version must be 0.0 (the only version the agent accepts); received ${describe(version)}.`);
  }

  const osNode = rget(root, 'os');
  let os: 'linux' | 'windows' | undefined;
  if (osNode === undefined || osNode.kind === 'nil') {
    err(osNode ?? root, 'os is required: linux or windows.');
  } else if (osNode.kind === 'str' && (osNode.value === 'linux' || osNode.value === 'windows')) {
    os = osNode.value;
  } else {
    const hint = osNode.kind === 'str' && ['linux', 'windows'].includes(osNode.value.toLowerCase()) ? ` (it is case-sensitive: ${osNode.value.toLowerCase()})` : '';
    err(osNode, `os must be linux or windows${hint}; received ${describe(osNode)}.`);
  }
  const windows = os === 'windows';

  const feb = rget(root, 'file_exists_behavior');
  let fileExistsBehavior: string | undefined;
  if (feb !== undefined && feb.kind !== 'nil') {
    if (feb.kind === 'str' && FILE_EXISTS.includes(feb.value)) {
      fileExistsBehavior = feb.value;
    } else {
      err(feb, `file_exists_behavior must be DISALLOW, OVERWRITE or RETAIN (upper case); received ${describe(feb)}.`);
    }
  }

  /** A list section: absent or blank is none; anything but a list makes the agent fail. */
  const list = (node: RNode | undefined, what: string, example: string): RNode[] | undefined => {
    if (node === undefined || node.kind === 'nil') {
      return undefined;
    }
    if (node.kind !== 'seq') {
      err(node, `${what} must be a list (${example}); received ${rubyClass(node)}, on which the agent fails.`);
      return undefined;
    }
    return node.items;
  };
  /** A value the agent passes to a path or user function: it must be a string. */
  const stringValue = (node: RNode, what: string, consequence: string): string | undefined => {
    if (node.kind === 'str') {
      return node.value;
    }
    err(node, `${what} is ${rubyClass(node)} (${describe(node)}), not a string; ${consequence}. Quote it.`);
    return undefined;
  };

  // files
  const files: ServerAppSpecFile[] = [];
  (list(rget(root, 'files'), 'files', 'entries starting with "- source:"') ?? []).forEach((entry, i) => {
    const where = `files[${i}]`;
    if (entry.kind !== 'map') {
      err(entry, `${where} must be a mapping with source and destination; received ${rubyClass(entry)}, which the agent rejects.`);
      return;
    }
    unknownKeys(entry, FILE_KEYS, `${where}: `);
    const src = rget(entry, 'source');
    const dst = rget(entry, 'destination');
    if (src === undefined || src.kind === 'nil') {
      err(entry, `${where} has no source; the agent rejects it. Give a file or folder of the revision, or / for all of it.`);
    }
    if (dst === undefined || dst.kind === 'nil') {
      err(entry, `${where} has no destination; the agent rejects it. Give a fully qualified path on the instance.`);
    }
    if (!src || src.kind === 'nil' || !dst || dst.kind === 'nil') {
      return;
    }
    const source = stringValue(src, `${where}.source`, 'the agent fails at Install when it joins it to the revision folder');
    const destination = stringValue(dst, `${where}.destination`, 'the agent fails at Install when it builds the target path');
    if (source !== undefined && leavesRevision(source)) {
      err(src, `${where}.source "${source}" leaves the revision; agent 2.1 rejects paths that resolve outside the revision folder. Name a file or folder inside it.`);
    }
    if (destination !== undefined && (windows ? !isWindowsAbsolute(destination) : !destination.startsWith('/'))) {
      err(dst, `${where}.destination "${destination}" is not a fully qualified path (${windows ? 'with a drive letter, e.g. C:\\inetpub\\wwwroot' : 'starting with /'}); the agent would resolve it against its own working directory.`);
    }
    if (source !== undefined && destination !== undefined) {
      files.push({ source, destination });
    }
  });

  // permissions
  const permissions: ServerAppSpecPermission[] = [];
  const permissionItems = list(rget(root, 'permissions'), 'permissions', 'entries starting with "- object:"') ?? [];
  if (windows && permissionItems.length > 0) {
    err(rget(root, 'permissions'), 'permissions apply to Linux only; the Windows agent rejects a file with permissions. Remove the section.');
  }
  const isFile = options.isFileSource ?? looksLikeFile;
  const copiedFiles = new Set(files.filter((f) => f.source !== '' && f.source !== '/' && isFile(f.source))
    .map((f) => normalizeObject(`${f.destination}/${f.source.split(/[\\/]/).pop()}`)));
  const objectTypes = new Map<string, { types: string[]; line: number }>();
  (windows ? [] : permissionItems).forEach((entry, i) => {
    const where = `permissions[${i}]`;
    if (entry.kind !== 'map') {
      err(entry, `${where} must be a mapping with object and the settings; received ${rubyClass(entry)}, which the agent rejects.`);
      return;
    }
    unknownKeys(entry, PERMISSION_KEYS, `${where}: `);
    const objectNode = rget(entry, 'object');
    const objectPath = objectNode && objectNode.kind !== 'nil' ? rubyToS(objectNode).trim() : '';
    if (!objectPath) {
      err(objectNode ?? entry, `${where} has no object; the agent rejects it. Give the file or folder on the instance the permissions apply to.`);
    } else if (!objectPath.startsWith('/')) {
      err(objectNode!, `${where}.object "${objectPath}" is not a fully qualified path (starting with /); the agent would resolve it against its own working directory.`);
    }

    const patternNode = rget(entry, 'pattern');
    let pattern: string | undefined;
    if (patternNode && patternNode.kind !== 'nil') {
      pattern = stringValue(patternNode, `${where}.pattern`, 'the agent fails at Install when it matches names with it');
    }
    const exceptions = strings(list(rget(entry, 'except'), `${where}.except`, 'e.g. [README.md, "*.log"]'), `${where}.except`, 'the agent fails at Install when it matches names with it');
    const typeItems = list(rget(entry, 'type'), `${where}.type`, 'e.g. [file] or [directory]');
    const types: string[] = [];
    (typeItems ?? []).forEach((t) => {
      if (t.kind === 'str' && (t.value === 'file' || t.value === 'directory')) {
        types.push(t.value);
      } else {
        err(t, `${where}.type entries must be file or directory; received ${describe(t)}, which the agent rejects.`);
      }
    });
    const effectiveTypes = typeItems === undefined ? ['file', 'directory'] : types;

    const owner = ownerLike(rget(entry, 'owner'), `${where}.owner`, 'user');
    const group = ownerLike(rget(entry, 'group'), `${where}.group`, 'group');

    const modeNode = rget(entry, 'mode');
    let mode: string | undefined;
    if (modeNode && modeNode.kind !== 'nil') {
      if (modeNode.kind === 'int' && modeNode.plain !== undefined && /^[-+]?0[0-9_]/.test(modeNode.plain)) {
        const digits = modeNode.plain.replace(/^[-+]?0+/, '') || '0';
        err(modeNode, `${where}.mode ${modeNode.plain} has a leading zero and no quotes: Psych reads it as the octal number ${modeNode.value}, so the agent would ${modeProblem(String(modeNode.value)) ? 'reject it' : `set mode ${modeNode.value}`}. Write mode: "${modeNode.plain}" or mode: ${digits}.`);
      } else if (modeNode.kind === 'seq' || modeNode.kind === 'map') {
        err(modeNode, `${where}.mode must be 1 to 4 octal digits such as 644; received ${rubyClass(modeNode)}, which the agent rejects.`);
      } else {
        const text = rubyToS(modeNode);
        const problem = modeProblem(text);
        if (problem) {
          err(modeNode, `${where}.${problem}${problem.startsWith('mode is empty') ? '' : '; the agent rejects it'}.`);
        } else {
          mode = text;
        }
      }
    }

    const aclItems = list(rget(entry, 'acls'), `${where}.acls`, 'entries such as - u:bob:rw');
    const acls: string[] = [];
    (aclItems ?? []).forEach((a) => {
      if (a.kind !== 'str') {
        err(a, `${where}.acls entry ${describe(a)} is ${rubyClass(a)}, not a string; the agent fails on it. Quote it.`);
        return;
      }
      const problem = aclProblem(a.value);
      if (problem) {
        err(a, `${where}.acls: ${problem}. The agent rejects it.`);
      } else {
        acls.push(a.value);
        if (aclIsDefault(a.value) && effectiveTypes.includes('file')) {
          err(a, `${where}.acls: the default ACL entry "${a.value}" applies to folders only, and this permission also applies to files (type ${typeItems === undefined ? 'defaults to file and directory' : 'includes file'}); the agent fails at Install as soon as a file matches. Add type: [directory].`);
        }
      }
    });

    const contextNode = rget(entry, 'context');
    let context: ServerAppSpecPermission['context'];
    if (contextNode && contextNode.kind !== 'nil') {
      if (contextNode.kind !== 'map') {
        err(contextNode, `${where}.context must be a mapping with name, type and range; received ${rubyClass(contextNode)}, which the agent rejects.`);
      } else {
        for (const [k] of contextNode.entries) {
          const key = rubyToS(k);
          if (key === 'user') {
            warnings.push(at(k.line, `${where}.context.user: the agent ignores "user" (the guide documents it) and reads the SELinux user from "name"; as written, the SELinux user is left as it is. Rename it to name if you mean to set it.`));
          } else if (!(k.kind === 'str' && CONTEXT_KEYS.includes(key))) {
            err(k, `${where}.context: the agent ignores "${key}" (it reads only name, type and range), so it would not take effect. Remove it.`);
          }
        }
        const typeNode = rget(contextNode, 'type');
        const nameNode = rget(contextNode, 'name');
        const rangeNode = rget(contextNode, 'range');
        let range: string | undefined;
        if (typeNode === undefined || typeNode.kind === 'nil') {
          err(contextNode, `${where}.context needs a type (the SELinux type, e.g. httpd_sys_content_t); the agent rejects it without one.`);
        }
        if (rangeNode === undefined || rangeNode.kind === 'nil') {
          err(contextNode, `${where}.context has no range; the agent fails at Install without one (it always passes a range to semanage). Add range: s0.`);
        } else if (rangeNode.kind !== 'str') {
          err(rangeNode, `${where}.context.range is ${rubyClass(rangeNode)} (${describe(rangeNode)}), not a string; the agent fails on it. Give a range such as s0.`);
        } else {
          const problem = rangeProblem(rangeNode.value);
          if (problem) {
            err(rangeNode, `${where}.context: ${problem}; the agent rejects it.`);
          }
          range = rangeNode.value;
        }
        if (typeNode && typeNode.kind !== 'nil') {
          context = {
            seLinuxType: rubyToS(typeNode),
            seLinuxUser: nameNode && nameNode.kind !== 'nil' ? rubyToS(nameNode) : undefined,
            seLinuxRange: range,
          };
        }
      }
    }

    // Install: a copied file takes only pattern "**" and no except; an object is set once.
    if (objectPath) {
      const normalized = normalizeObject(objectPath);
      if (copiedFiles.has(normalized) && effectiveTypes.includes('file')) {
        if (pattern !== undefined && pattern !== '**') {
          err(patternNode!, `${where}.pattern "${pattern}" is set on ${objectPath}, a file the revision copies; the agent fails at Install (a pattern selects files in a folder). Remove pattern or point object at the folder.`);
        }
        if (exceptions && exceptions.length > 0) {
          err(rget(entry, 'except')!, `${where}.except is set on ${objectPath}, a file the revision copies; the agent fails at Install. Remove except or point object at the folder.`);
        }
      }
      const before = objectTypes.get(normalized);
      if (before && before.types.some((t) => effectiveTypes.includes(t))) {
        err(objectNode!, `${where} sets permissions on ${objectPath} again (also at line ${before.line}) for the same kind of objects; the agent fails at Install when one object is set twice. Merge the two entries.`);
      }
      objectTypes.set(normalized, { types: [...(before?.types ?? []), ...effectiveTypes], line: objectNode?.line ?? 0 });
    }

    permissions.push({
      objectPath,
      pattern,
      exceptions,
      owner,
      group,
      mode,
      acls: aclItems === undefined ? undefined : acls,
      context,
      objectTypes: typeItems === undefined ? undefined : (types as any[]),
    });
  });

  function ownerLike(node: RNode | undefined, what: string, kind: string): string | undefined {
    if (node === undefined || node.kind === 'nil') {
      return undefined;
    }
    if (node.kind !== 'str') {
      err(node, `${what} is ${rubyClass(node)} (${describe(node)}), not a ${kind} name; the agent fails at Install (it looks the ${kind} up by name). Quote it, or give the name.`);
      return undefined;
    }
    if (node.value === '') {
      err(node, `${what} is empty; the agent fails at Install (no ${kind} has an empty name). Give a name or omit it.`);
      return undefined;
    }
    return node.value;
  }

  function strings(items: RNode[] | undefined, what: string, consequence: string): string[] | undefined {
    if (items === undefined) {
      return undefined;
    }
    const out: string[] = [];
    items.forEach((item, i) => {
      const v = stringValue(item, `${what}[${i}]`, consequence);
      if (v !== undefined) {
        out.push(v);
      }
    });
    return out;
  }

  // hooks
  const hooksNode = rget(root, 'hooks');
  const hooks: Record<string, ServerHookScript[]> = {};
  if (hooksNode !== undefined && hooksNode.kind !== 'nil') {
    if (hooksNode.kind !== 'map') {
      err(hooksNode, `hooks must be a mapping from lifecycle event names to lists of scripts; received ${rubyClass(hooksNode)}, on which the agent fails.`);
    } else {
      for (const [eventNode, scriptsNode] of hooksNode.entries) {
        const event = rubyToS(eventNode);
        const prop = eventNode.kind === 'str' ? HOOK_PROPS.get(event) : undefined;
        if (!prop) {
          if (AGENT_EVENTS.includes(event)) {
            err(eventNode, `hooks.${event}: ${event} is run by the CodeDeploy agent itself; the agent ignores scripts listed under it, so they would never run. Use one of ${SCRIPT_EVENTS.join(', ')}.`);
          } else {
            const hint = SCRIPT_EVENTS.find((e) => e.toLowerCase() === event.toLowerCase());
            err(eventNode, `hooks.${event}: the agent ignores events it does not know, so these scripts would never run${hint ? ` (event names are case-sensitive: use ${hint})` : `; use one of ${SCRIPT_EVENTS.join(', ')}`}.`);
          }
          continue;
        }
        if (scriptsNode.kind === 'nil') {
          continue; // the agent skips an event with nothing under it
        }
        if (scriptsNode.kind !== 'seq') {
          err(scriptsNode, `hooks.${event} must be a list of scripts, each starting with "- location:"; received ${rubyClass(scriptsNode)}, on which the agent fails.`);
          continue;
        }
        const scripts: ServerHookScript[] = [];
        let total = 0;
        scriptsNode.items.forEach((s, i) => {
          const where = `hooks.${event}[${i}]`;
          if (s.kind !== 'map') {
            err(s, `${where} must be a mapping with location and optional timeout, runas and sudo; received ${rubyClass(s)}, on which the agent fails.`);
            return;
          }
          unknownKeys(s, SCRIPT_KEYS, `${where}: `);
          const locNode = rget(s, 'location');
          const location = locNode && locNode.kind !== 'nil' ? rubyToS(locNode).trim() : '';
          if (!location) {
            err(locNode ?? s, `${where} has no location; the agent rejects it. Give the path of the script in the revision, e.g. scripts/start.sh.`);
          } else if (leavesRevision(location)) {
            err(locNode!, `${where}.location "${location}" leaves the revision; agent 2.1 rejects paths that resolve outside the revision folder.`);
          } else if (windows && /\.(sh|bash)$/i.test(location)) {
            err(locNode!, `${where}.location "${location}" is a shell script, and the Windows agent runs the file itself (PowerShell only for .ps1); it fails at ${event}. Use a .ps1, .bat or .cmd script.`);
          }
          const timeout = scriptTimeout(rget(s, 'timeout'), where);
          total += timeout ?? 0;
          const runasNode = rget(s, 'runas');
          let runas: string | undefined;
          if (runasNode && runasNode.kind !== 'nil') {
            runas = rubyToS(runasNode).trim();
            if (windows) {
              err(runasNode, `${where}.runas: the Windows agent ignores runas (scripts run as the agent's user). Remove it.`);
            } else if (runas === '') {
              err(runasNode, `${where}.runas is empty; the agent would run "su  -c ${location}", which runs the script as root. Give a user name or omit runas.`);
            }
          }
          const sudoNode = rget(s, 'sudo');
          scripts.push({
            location,
            timeout: timeout === undefined ? undefined : Duration.seconds(timeout),
            runas,
            sudo: sudoNode ? truthy(sudoNode) : undefined,
          });
        });
        if (total > MAX_EVENT_SECONDS) {
          err(scriptsNode, `hooks.${event}: the timeouts of its scripts add up to ${total} seconds; CodeDeploy stops a lifecycle event after ${MAX_EVENT_SECONDS} seconds whatever the scripts say. Shorten the timeouts or move scripts to another event.`);
        }
        hooks[prop] = scripts;
      }
    }
  }

  function scriptTimeout(node: RNode | undefined, where: string): number | undefined {
    if (node === undefined || node.kind === 'nil' || (node.kind === 'bool' && !node.value)) {
      return undefined; // the agent's default, 3,600 seconds
    }
    let seconds: number | undefined;
    switch (node.kind) {
      case 'int': seconds = node.value; break;
      case 'float': seconds = Number.isFinite(node.value) ? Math.trunc(node.value) : undefined; break;
      case 'str': seconds = rubyStringToI(node.value); break;
      default: seconds = undefined;
    }
    if (seconds === undefined) {
      err(node, `${where}.timeout must be a number of seconds from 1 to ${MAX_EVENT_SECONDS}; received ${describe(node)}, on which the agent fails.`);
      return undefined;
    }
    if (seconds <= 0) {
      err(node, `${where}.timeout must be a number of seconds from 1 to ${MAX_EVENT_SECONDS}; the agent reads ${describe(node)} as ${seconds} and rejects it.`);
      return undefined;
    }
    if (seconds > MAX_EVENT_SECONDS) {
      err(node, `${where}.timeout is ${seconds} seconds; CodeDeploy stops a lifecycle event after ${MAX_EVENT_SECONDS} seconds whatever the script's timeout says. Give at most ${MAX_EVENT_SECONDS}.`);
      return undefined;
    }
    return seconds;
  }

  if (errors.length > 0) {
    return { errors: [...new Set(errors)], warnings };
  }
  return {
    errors,
    warnings,
    props: {
      os: os as any,
      files: files.length > 0 ? files : undefined,
      fileExistsBehavior: fileExistsBehavior as any,
      permissions: permissions.length > 0 ? permissions : undefined,
      hooks: Object.keys(hooks).length > 0 ? hooks : undefined,
    },
  };
}

/** Without the revision folder: a source with a file extension is a file, anything else a folder. */
export function looksLikeFile(source: string): boolean {
  return !source.endsWith('/') && /\.[^./\\]+$/.test(source);
}

/** Ruby's File.expand_path for an absolute path: no duplicate or trailing slashes, . and .. resolved. */
function normalizeObject(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '..') {
      out.pop();
    } else if (seg !== '' && seg !== '.') {
      out.push(seg);
    }
  }
  return `/${out.join('/')}`;
}
