/**
 * The rules an EC2/on-premises appspec.yml must meet, as the CodeDeploy agent applies them
 * (github.com/aws/aws-codedeploy-agent, 1.8.x: application_specification/*.rb for parsing,
 * installer.rb and install_instruction.rb for Install; agent 2.x keeps AppSpec handling and from
 * 2.1 also rejects paths that leave the revision). The rules are written from reading that code;
 * test/server/appspec-corpus checks them file by file against the agent's code run on Ruby.
 *
 * Where we refuse what the agent accepts, the message says what the agent would do instead; the
 * list and the reasons are in the README ("AppSpec files: the agent decides").
 */

/** Lifecycle events that take scripts, in the order the agent runs them, with their `ServerAppSpecHooks` prop. */
export const SCRIPT_EVENT_PROPS: ReadonlyArray<readonly [event: string, prop: string]> = [
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

/** Lifecycle events that take scripts, in the order the agent runs them. */
export const SCRIPT_EVENTS: readonly string[] = SCRIPT_EVENT_PROPS.map(([event]) => event);

/** Events that only run when the deployment group has a load balancer. */
export const TRAFFIC_EVENTS: readonly string[] = ['BeforeBlockTraffic', 'AfterBlockTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'];

/** Events the agent runs itself; scripts listed under them never run. */
export const AGENT_EVENTS = ['DownloadBundle', 'Install', 'BlockTraffic', 'AllowTraffic'];

/** CodeDeploy stops a lifecycle event after an hour, whatever its scripts' timeouts say. */
export const MAX_EVENT_SECONDS = 3600;

/**
 * Problem with one ACL entry, or undefined when the agent accepts it (ace_info.rb): the entry is
 * read right to left as permissions, name, tag and a default marker; 2 to 4 parts.
 */
export function aclProblem(entry: string): string | undefined {
  const parts = entry.split(':').reverse();
  const invalid = `ACL entry "${entry}" is not one the agent accepts ([d[efault]:][u[ser]|g[roup]|m[ask]|o[ther]:]name:permissions, e.g. u:bob:rw, g:admins:r-x, m::rw, d:u:bob:rwx)`;
  if (parts.length < 2 || parts.length > 4) {
    return invalid;
  }
  let isDefault = false;
  let tag: string | undefined;
  let name = '';
  if (parts.length === 4) {
    if (parts[3] !== 'd' && parts[3] !== 'default') {
      return invalid;
    }
    isDefault = true;
  }
  const tags: Record<string, string> = { m: 'mask', mask: 'mask', o: 'other', other: 'other', g: 'group', group: 'group', u: 'user', user: 'user' };
  if (parts.length >= 3) {
    if (parts[2] === 'd' || parts[2] === 'default') {
      if (isDefault) {
        return invalid;
      }
      isDefault = true;
    } else if (tags[parts[2]]) {
      tag = tags[parts[2]];
    } else {
      return invalid;
    }
  }
  const p1 = parts[1];
  if (p1 === 'm' || p1 === 'mask' || p1 === 'o' || p1 === 'other') {
    if (tag === undefined) {
      tag = tags[p1];
    } else {
      name = tags[p1];
    }
  } else {
    tag ??= 'user';
    name = p1;
  }
  if ((tag === 'mask' || tag === 'other') && name !== '') {
    return `${invalid}: a ${tag} entry takes no name`;
  }
  if (!isDefault && tag !== 'mask' && name === '') {
    return `ACL entry "${entry}" is the file's own ${tag} entry, which the agent refuses in acls; set it with mode instead`;
  }
  const perms = parts[0];
  if (perms.length === 1 && /[0-7]/.test(perms)) {
    return undefined;
  }
  const bad = [...perms].find((c) => !'rwx-'.includes(c));
  return bad === undefined ? undefined : `ACL entry "${entry}" has the invalid character ${bad} in its permissions (use r, w, x and -, or one octal digit)`;
}

/** Whether an ACL entry the agent accepts is a default entry (directories only). */
export function aclIsDefault(entry: string): boolean {
  const parts = entry.split(':').reverse();
  return parts.length === 4 || (parts.length === 3 && (parts[2] === 'd' || parts[2] === 'default'));
}

/**
 * Problem with an SELinux range, or undefined when the agent accepts it (range_info.rb):
 * s<n>[-s<n>][:c<n>[.c<n>](,c<n>[.c<n>])*], high sensitivity not below low, categories 0-1023,
 * ranges not reversed, no category twice.
 */
export function rangeProblem(range: string): string | undefined {
  const bad = (why: string) => `SELinux range "${range}" ${why} (the agent accepts s<n>[-s<n>][:c<n>[.c<n>],...], e.g. s0, s0-s15:c0.c1023)`;
  const split2 = (input: string, sep: string): string[] | undefined => {
    const i = input.indexOf(sep);
    const parts = i < 0 ? [input] : [input.slice(0, i), input.slice(i + 1)];
    return parts.some((p) => p === '') ? undefined : parts;
  };
  const parts = split2(range, ':');
  if (!parts) {
    return bad('has an empty part');
  }
  const levels = split2(parts[0], '-');
  if (!levels) {
    return bad('has an empty sensitivity');
  }
  const number = (s: string, letter: string) => (s.length >= 2 && s.startsWith(letter) && /^\d+$/.test(s.slice(1)) ? parseInt(s.slice(1), 10) : undefined);
  const low = number(levels[0], 's');
  const high = levels.length === 2 ? number(levels[1], 's') : low;
  if (low === undefined || high === undefined) {
    return bad('has a sensitivity that is not s followed by digits');
  }
  if (high < low) {
    return bad('has its high sensitivity below its low one');
  }
  if (parts.length === 2) {
    const seen: number[] = [];
    const items = parts[1].split(',');
    while (items.length > 0 && items[items.length - 1] === '') {
      items.pop(); // Ruby's String#split drops trailing empty fields
    }
    for (const item of items) {
      const ends = item.includes('.') ? split2(item, '.') : [item];
      if (!ends) {
        return bad(`has an incomplete category range ${item}`);
      }
      const nums = ends.map((c) => number(c, 'c'));
      if (nums.some((n) => n === undefined || n > 1023)) {
        return bad(`has a category outside c0-c1023 or not c followed by digits (${item})`);
      }
      const [a, b = a] = nums as number[];
      if (b < a) {
        return bad(`has the reversed category range ${item}`);
      }
      for (let c = a; c <= b; c++) {
        seen.push(c);
      }
    }
    if (new Set(seen).size !== seen.length) {
      return bad('lists a category twice');
    }
  }
  return undefined;
}

/**
 * Problem with a mode as the agent reads it (mode_info.rb: the value's to_s, left-padded with
 * zeros to 3 characters, at most 4 octal digits), or undefined.
 */
export function modeProblem(mode: string): string | undefined {
  if (mode === '') {
    return 'mode is empty; the agent pads it to 000 and removes every permission. Give the mode you mean, e.g. "644", or omit mode';
  }
  if (mode.length > 4) {
    return `mode "${mode}" is longer than 4 characters; give 1 to 4 octal digits such as 644 or "2775" (symbolic modes such as u+x are not supported)`;
  }
  const bad = [...mode].find((c) => c < '0' || c > '7');
  return bad === undefined ? undefined : `mode "${mode}" has the character ${bad}; give 1 to 4 octal digits such as 644 or "2775" (symbolic modes such as u+x are not supported)`;
}

/**
 * Whether a revision path (a files source or a script location) leaves the revision once
 * resolved inside it; the agent joins it to the revision folder, so a leading / stays inside.
 */
export function leavesRevision(p: string): boolean {
  let depth = 0;
  for (const seg of p.split(/[\\/]+/)) {
    if (seg === '..') {
      depth--;
      if (depth < 0) {
        return true;
      }
    } else if (seg !== '' && seg !== '.') {
      depth++;
    }
  }
  return false;
}

export const isWindowsAbsolute = (p: string) => /^[A-Za-z]:[\\/]/.test(p);
