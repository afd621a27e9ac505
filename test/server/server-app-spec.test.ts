import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as YAML from 'yaml';
import { FileExistsBehavior, PermissionObjectType, ServerAppSpec, ServerOs } from '../../src';

const VALID = `version: 0.0
os: linux
files:
  - source: /
    destination: /var/www/html
file_exists_behavior: OVERWRITE
permissions:
  - object: /var/www/html
    pattern: "**"
    except: [secret.txt]
    owner: apache
    group: apache
    mode: "0644"
    acls:
      - u:bob:rw
      - m::rw
    context:
      name: unconfined_u
      type: httpd_sys_content_t
      range: s0
    type:
      - file
      - directory
hooks:
  ApplicationStop:
    - location: scripts/stop.sh
      timeout: 60
  BeforeInstall:
    - location: scripts/deps.sh
      timeout: 1800
      runas: root
    - location: scripts/more.sh
      timeout: 1800
  ValidateService:
    - location: scripts/check.sh
`;

/** The example app's appspec.yml must stay valid. */
const EXAMPLE = path.join(__dirname, '..', '..', 'examples', 'server-in-place', 'web', 'appspec.yml');

describe('ServerAppSpec.fromYaml (valid files)', () => {
  test('reads every section of a full Linux AppSpec', () => {
    const spec = ServerAppSpec.fromYaml(VALID);
    expect(spec.os).toBe(ServerOs.LINUX);
    expect(spec.files).toEqual([{ source: '/', destination: '/var/www/html' }]);
    expect(spec.hookEvents).toEqual(['ApplicationStop', 'BeforeInstall', 'ValidateService']);
    expect(spec.scripts.map((s) => [s.lifecycleEvent, s.script.location, s.script.timeout?.toSeconds(), s.script.runas])).toEqual([
      ['ApplicationStop', 'scripts/stop.sh', 60, undefined],
      ['BeforeInstall', 'scripts/deps.sh', 1800, 'root'],
      ['BeforeInstall', 'scripts/more.sh', 1800, undefined],
      ['ValidateService', 'scripts/check.sh', undefined, undefined],
    ]);
    const obj = spec.toObject();
    expect(obj.file_exists_behavior).toBe('OVERWRITE');
    expect(obj.permissions[0]).toEqual({
      object: '/var/www/html',
      pattern: '**',
      except: ['secret.txt'],
      owner: 'apache',
      group: 'apache',
      mode: '0644',
      acls: ['u:bob:rw', 'm::rw'],
      context: { name: 'unconfined_u', type: 'httpd_sys_content_t', range: 's0' },
      type: ['file', 'directory'],
    });
  });

  test('round-trips: toYaml() of a parsed file parses to the same AppSpec', () => {
    const spec = ServerAppSpec.fromYaml(VALID);
    const again = ServerAppSpec.fromYaml(spec.toYaml());
    expect(again.toObject()).toEqual(spec.toObject());
  });

  test('a minimal Windows AppSpec with a drive-letter destination', () => {
    const spec = ServerAppSpec.fromYaml('version: 0.0\nos: windows\nfiles:\n  - source: \\\n    destination: C:\\inetpub\\wwwroot\n');
    expect(spec.os).toBe(ServerOs.WINDOWS);
    expect(spec.files[0].destination).toBe('C:\\inetpub\\wwwroot');
  });

  test('an unquoted 3-digit mode, CRLF line endings, blank sections and an absolute-looking source are read as the agent reads them', () => {
    expect(ServerAppSpec.validateYaml('version: 0.0\r\nos: linux\r\nfiles:\r\n  - source: /site\r\n    destination: /srv\r\npermissions:\r\n  - object: /srv\r\n    mode: 755\r\nhooks:\r\n')).toEqual([]);
  });

  test('sudo on a script is read', () => {
    const spec = ServerAppSpec.fromYaml('version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: a.sh\n      sudo: true\n');
    expect(spec.scripts[0].script.sudo).toBe(true);
    expect(spec.toObject().hooks.AfterInstall).toEqual([{ location: 'a.sh', sudo: true }]);
  });

  test('context.user (the guide\'s key, which the agent ignores) is a warning, not an error', () => {
    const spec = ServerAppSpec.fromYaml('version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    context:\n      user: u\n      type: t\n      range: s0\n');
    expect(spec.warnings).toEqual([expect.stringMatching(/^line 6: permissions\[0\]\.context\.user: the agent ignores "user"/)]);
    expect(spec.toObject().permissions[0].context).toEqual({ type: 't', range: 's0' });
  });

  test("the example app's appspec.yml is valid", () => {
    expect(ServerAppSpec.validateYaml(fs.readFileSync(EXAMPLE, 'utf8'))).toEqual([]);
  });
});

/** Malformed files with the message and line each must produce (the corpus holds many more). */
const MALFORMED: Array<[string, string, RegExp]> = [
  ['version missing', 'os: linux\n', /version is required and must be 0\.0/],
  ['version as a string', 'version: "0.0"\nos: linux\n', /^line 1: version is the string "0\.0"; the agent compares it with the number 0\.0/m],
  ['version 1.0', 'version: 1.0\nos: linux\n', /^line 1: version must be 0\.0 .*received 1\.0/m],
  ['os missing', 'version: 0.0\n', /os is required: linux or windows/],
  ['os not supported', 'version: 0.0\nos: macos\n', /^line 2: os must be linux or windows; received "macos"/m],
  ['wrong case of a key', 'version: 0.0\nos: linux\nHooks: {}\n', /^line 3: the agent ignores "Hooks" \(keys are case-sensitive: use "hooks"\)/m],
  ['files not a list', 'version: 0.0\nos: linux\nfiles:\n  source: /\n', /^line 4: files must be a list .*received a mapping/m],
  ['file without destination', 'version: 0.0\nos: linux\nfiles:\n  - source: /\n', /^line 4: files\[0\] has no destination; the agent rejects it/m],
  ['relative destination', 'version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: var/www\n', /^line 5: files\[0\]\.destination "var\/www" is not a fully qualified path \(starting with \/\)/m],
  ['windows destination without drive', 'version: 0.0\nos: windows\nfiles:\n  - source: app\n    destination: \\inetpub\n', /not a fully qualified path \(with a drive letter/],
  ['numeric owner', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    owner: 1000\n', /^line 5: permissions\[0\]\.owner is an integer \(1000\), not a user name; the agent fails at Install/m],
  ['unquoted leading-zero mode', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    mode: 0644\n', /^line 5: permissions\[0\]\.mode 0644 has a leading zero and no quotes: Psych reads it as the octal number 420, so the agent would set mode 420\. Write mode: "0644" or mode: 644/m],
  ['symbolic mode', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    mode: u+x\n', /mode "u\+x" has the character u; give 1 to 4 octal digits/],
  ['named other ACL entry', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    acls:\n      - o:bob:r\n', /^line 6: permissions\[0\]\.acls: ACL entry "o:bob:r" is not one the agent accepts .*a other entry takes no name/m],
  ['context without range', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    context:\n      type: t\n', /context has no range; the agent fails at Install without one .*Add range: s0/],
  ['reversed SELinux range', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    context:\n      type: t\n      range: s3-s1\n', /^line 7: .*SELinux range "s3-s1" has its high sensitivity below its low one/m],
  ['reserved event', 'version: 0.0\nos: linux\nhooks:\n  Install:\n    - location: a.sh\n', /^line 4: hooks\.Install: Install is run by the CodeDeploy agent itself; the agent ignores scripts listed under it/m],
  ['event of another platform', 'version: 0.0\nos: linux\nhooks:\n  AfterAllowTestTraffic:\n    - location: a.sh\n', /hooks\.AfterAllowTestTraffic: the agent ignores events it does not know, so these scripts would never run; use one of ApplicationStop/],
  ['wrong case of an event', 'version: 0.0\nos: linux\nhooks:\n  applicationstart:\n    - location: a.sh\n', /event names are case-sensitive: use ApplicationStart/],
  ['script without location', 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - timeout: 30\n', /^line 5: hooks\.ApplicationStart\[0\] has no location; the agent rejects it/m],
  ['timeout over an hour', 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: a.sh\n      timeout: 3601\n', /^line 6: hooks\.ApplicationStart\[0\]\.timeout is 3601 seconds; CodeDeploy stops a lifecycle event after 3600 seconds/m],
  ['timeout not a number', 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: a.sh\n      timeout: soon\n', /the agent reads "soon" as 0 and rejects it/],
  ['timeouts of one event over an hour', 'version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: a.sh\n      timeout: 2000\n    - location: b.sh\n      timeout: 1601\n', /hooks\.AfterInstall: the timeouts of its scripts add up to 3601 seconds/],
  ['runas on Windows', 'version: 0.0\nos: windows\nhooks:\n  ApplicationStart:\n    - location: start.ps1\n      runas: Administrator\n', /runas: the Windows agent ignores runas/],
  ['unknown key in a script', 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: a.sh\n      user: root\n', /^line 6: hooks\.ApplicationStart\[0\]: the agent ignores "user" \(it reads only location, timeout, runas, sudo\)/m],
  ['duplicate key', 'version: 0.0\nos: linux\nos: windows\n', /^line 3: the key "os" appears twice in one mapping \(lines 2 and 3\); the agent silently keeps the last value/m],
  ['bad indentation', 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n  - location: a.sh\n   timeout: 3\n', /^line \d+: YAML syntax error/m],
  ['an unquoted ** pattern', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    pattern: **\n', /^line 5: the alias \*\* makes the agent's YAML loader fail/m],
  ['a byte-order mark', '\uFEFFversion: 0.0\nos: linux\n', /^line 1: the file starts with a UTF-8 byte-order mark; the agent then reads only its first line/m],
  ['not a mapping', '- version: 0.0\n', /the file must be a YAML mapping/],
];

describe('ServerAppSpec.fromYaml (malformed files)', () => {
  test.each(MALFORMED)('%s', (_name, content, message) => {
    expect(ServerAppSpec.validateYaml(content).join('\n')).toMatch(message);
    expect(() => ServerAppSpec.fromYaml(content, 'web/appspec.yml')).toThrow(/web\/appspec\.yml is not a valid AppSpec file/);
  });

  test('lists every problem of a file at once', () => {
    const errors = ServerAppSpec.validateYaml('version: 2\nos: Linux\nfiles: x\npermissions:\n  - mode: 9\n');
    expect(errors).toEqual([
      expect.stringMatching(/^line 1: version must be 0\.0/),
      expect.stringMatching(/^line 2: os must be linux or windows \(it is case-sensitive: linux\)/),
      expect.stringMatching(/^line 3: files must be a list/),
      expect.stringMatching(/^line 5: permissions\[0\] has no object/),
      expect.stringMatching(/^line 5: permissions\[0\]\.mode "9" has the character 9/),
    ]);
  });

  test('never throws anything but the library error, whatever the bytes', () => {
    // A seeded walk over fragments of YAML syntax and AppSpec keys.
    const parts = ['version: 0.0\n', 'os: linux\n', 'files:\n', '  - source: ', '**', '*a', '&a ', '!!int ', '!ruby/object ', '{', '}', '[', ']', ': ', '- ', '\t', '\r', '"', "'", '|\n', '>\n', '? ', '---\n', '...\n', '%YAML 1.1\n', 'hooks:\n  AfterInstall:\n', '    - location: ', 'timeout: ', '2024-01-31', ':sym', '0644', '\uFEFF', '#', '<<: ', 'permissions:\n', '  - object: /srv\n', '    acls: ', '    context: ', 'range: ', 's1-s0', '\n'];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 1500; i++) {
      const content = Array.from({ length: 1 + Math.floor(rand() * 14) }, () => parts[Math.floor(rand() * parts.length)]).join('');
      let errors: string[] = [];
      expect(() => { errors = ServerAppSpec.validateYaml(content); }).not.toThrow();
      try {
        ServerAppSpec.fromYaml(content);
        expect(errors).toEqual([]);
      } catch (e) {
        expect((e as Error).message).toMatch(/^appspec\.yml is not a valid AppSpec file:\n {2}- /);
        expect(errors.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('ServerAppSpec (typed)', () => {
  test('renders YAML the agent reads: version 0.0 first, quoted leading-zero mode and ** pattern, timeouts in seconds', () => {
    const spec = new ServerAppSpec({
      os: ServerOs.LINUX,
      files: [{ source: 'site', destination: '/var/www/html' }],
      fileExistsBehavior: FileExistsBehavior.RETAIN,
      permissions: [{ objectPath: '/var/www/html', pattern: '**', mode: '0755', owner: 'apache', objectTypes: [PermissionObjectType.DIRECTORY] }],
      hooks: {
        applicationStart: [{ location: 'scripts/start.sh', timeout: Duration.minutes(2), runas: 'root' }],
        validateService: [{ location: 'scripts/check.sh' }],
      },
    });
    const yaml = spec.toYaml();
    expect(yaml.startsWith('version: 0.0\nos: linux\n')).toBe(true);
    expect(yaml).toContain('mode: "0755"');
    expect(yaml).toContain('pattern: "**"');
    expect(yaml).toContain('timeout: 120');
    expect(yaml).toContain('file_exists_behavior: RETAIN');
    // As the YAML 1.1 reads it:
    expect(YAML.parse(yaml, { version: '1.1' })).toEqual({
      version: 0,
      os: 'linux',
      files: [{ source: 'site', destination: '/var/www/html' }],
      file_exists_behavior: 'RETAIN',
      permissions: [{ object: '/var/www/html', pattern: '**', mode: '0755', owner: 'apache', type: ['directory'] }],
      hooks: {
        ApplicationStart: [{ location: 'scripts/start.sh', timeout: 120, runas: 'root' }],
        ValidateService: [{ location: 'scripts/check.sh' }],
      },
    });
    expect(ServerAppSpec.validateYaml(yaml)).toEqual([]);
  });

  test('omits empty sections', () => {
    expect(new ServerAppSpec({ os: ServerOs.WINDOWS }).toYaml()).toBe('version: 0.0\nos: windows\n');
  });

  test('renders the SELinux user as name and always a range (the agent fails at Install without one)', () => {
    const spec = new ServerAppSpec({ os: ServerOs.LINUX, permissions: [{ objectPath: '/srv', context: { seLinuxType: 't', seLinuxUser: 'system_u' } }] });
    expect(spec.toYaml()).toContain('    context:\n      name: system_u\n      type: t\n      range: s0\n');
  });

  test('quotes every string the agent\'s YAML loader would retype', () => {
    const yaml = new ServerAppSpec({
      os: ServerOs.LINUX,
      files: [{ source: 'yes', destination: '/srv/a' }, { source: '2024-01-31', destination: '/srv/b' }, { source: '1:30', destination: '/srv/c' }, { source: ':root', destination: '/srv/d' }],
      permissions: [{ objectPath: '/srv', owner: '1000', mode: '644', objectTypes: [PermissionObjectType.DIRECTORY] }],
    }).toYaml();
    for (const quoted of ['"yes"', '"2024-01-31"', '"1:30"', '":root"', '"1000"', '"644"']) {
      expect(yaml).toContain(quoted);
    }
  });

  test('empty files, permissions and events are valid (the agent treats them as absent) and not rendered', () => {
    expect(new ServerAppSpec({ os: ServerOs.LINUX, files: [], permissions: [], hooks: { beforeInstall: [] } }).toYaml()).toBe('version: 0.0\nos: linux\n');
  });

  test.each<[string, () => ServerAppSpec, RegExp]>([
    ['permissions on Windows', () => new ServerAppSpec({ os: ServerOs.WINDOWS, permissions: [{ objectPath: 'C:\\a' }] }), /permissions apply to Linux only/],
    ['fractional timeout', () => new ServerAppSpec({ os: ServerOs.LINUX, hooks: { afterInstall: [{ location: 'a.sh', timeout: Duration.millis(1500) }] } }), /timeout must be a whole number of seconds from 1 to 3600; received 1\.5/],
    ['sum of timeouts', () => new ServerAppSpec({ os: ServerOs.LINUX, hooks: { afterInstall: [{ location: 'a.sh', timeout: Duration.hours(1) }, { location: 'b.sh', timeout: Duration.seconds(1) }] } }), /add up to 3601 seconds/],
    ['runas on Windows', () => new ServerAppSpec({ os: ServerOs.WINDOWS, hooks: { applicationStart: [{ location: 'a.ps1', runas: 'x' }] } }), /the Windows agent ignores runas/],
    ['sudo on Windows', () => new ServerAppSpec({ os: ServerOs.WINDOWS, hooks: { applicationStart: [{ location: 'a.ps1', sudo: true }] } }), /the Windows agent ignores sudo/],
    ['a shell script on Windows', () => new ServerAppSpec({ os: ServerOs.WINDOWS, hooks: { applicationStart: [{ location: 'start.sh' }] } }), /"start\.sh" is a shell script, and the Windows agent runs the file itself/],
    ['empty runas', () => new ServerAppSpec({ os: ServerOs.LINUX, hooks: { applicationStart: [{ location: 'a.sh', runas: '' }] } }), /runas is empty; the agent would run the script as root/],
    ['symbolic mode', () => new ServerAppSpec({ os: ServerOs.LINUX, permissions: [{ objectPath: '/a', mode: 'a+r' }] }), /mode "a\+r" has the character a/],
    ['empty mode', () => new ServerAppSpec({ os: ServerOs.LINUX, permissions: [{ objectPath: '/a', mode: '' }] }), /mode is empty; the agent pads it to 000/],
    ['unnamed user ACL', () => new ServerAppSpec({ os: ServerOs.LINUX, permissions: [{ objectPath: '/a', acls: ['u::rw'] }] }), /"u::rw" is the file's own user entry/],
    ['default ACL on files', () => new ServerAppSpec({ os: ServerOs.LINUX, permissions: [{ objectPath: '/a', acls: ['d:u:bob:rw'] }] }), /default ACL entry "d:u:bob:rw" applies to folders only.*objectTypes: \[PermissionObjectType\.DIRECTORY\]/],
    ['bad SELinux range', () => new ServerAppSpec({ os: ServerOs.LINUX, permissions: [{ objectPath: '/a', context: { seLinuxType: 't', seLinuxRange: 's0:c1024' } }] }), /SELinux range "s0:c1024" has a category outside c0-c1023/],
    ['relative object', () => new ServerAppSpec({ os: ServerOs.LINUX, permissions: [{ objectPath: 'srv' }] }), /object "srv" must be a fully qualified path/],
    ['same object twice', () => new ServerAppSpec({ os: ServerOs.LINUX, permissions: [{ objectPath: '/a', mode: '644' }, { objectPath: '/a/', owner: 'x' }] }), /permissions\[1\] sets permissions on \/a\/ again/],
    ['a source leaving the revision', () => new ServerAppSpec({ os: ServerOs.LINUX, files: [{ source: '../x', destination: '/a' }] }), /"\.\.\/x" leaves the revision; agent 2\.1 rejects/],
    ['empty owner', () => new ServerAppSpec({ os: ServerOs.LINUX, permissions: [{ objectPath: '/a', owner: '' }] }), /owner is empty; the agent fails at Install/],
  ])('%s is rejected', (_name, build, message) => {
    expect(build).toThrow(/Invalid ServerAppSpec/);
    expect(build).toThrow(message);
  });
});
