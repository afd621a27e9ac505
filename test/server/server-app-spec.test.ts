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
      - d:g:admins:rwx
    context:
      user: unconfined_u
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
      acls: ['u:bob:rw', 'd:g:admins:rwx'],
      context: { user: 'unconfined_u', type: 'httpd_sys_content_t', range: 's0' },
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

  test('version may be written as a string; an unquoted 3-digit mode is fine', () => {
    expect(ServerAppSpec.validateYaml('version: "0.0"\nos: linux\npermissions:\n  - object: /srv\n    mode: 755\n')).toEqual([]);
  });

  test("the example app's appspec.yml is valid", () => {
    expect(ServerAppSpec.validateYaml(fs.readFileSync(EXAMPLE, 'utf8'))).toEqual([]);
  });
});

/** Every malformed case the AppSpec reference describes, with the error it must produce. */
const MALFORMED: Array<[string, string, RegExp]> = [
  ['version missing', 'os: linux\n', /version is required and must be 0\.0/],
  ['version 1.0', 'version: 1.0\nos: linux\n', /version must be 0\.0 .*received 1/],
  ['os missing', 'version: 0.0\n', /os is required: linux or windows/],
  ['os not supported', 'version: 0.0\nos: macos\n', /os must be linux or windows .*received "macos"/],
  ['both operating systems', 'version: 0.0\nos: [linux, windows]\n', /os must be linux or windows \(one of them\)/],
  ['unknown top-level key', 'version: 0.0\nos: linux\nresources: []\n', /unknown key "resources"; allowed: version, os, files/],
  ['wrong case of a key', 'version: 0.0\nos: linux\nHooks: {}\n', /unknown key "Hooks" \(keys are case-sensitive: use "hooks"\)/],
  ['blank files section', 'version: 0.0\nos: linux\nfiles:\n', /files is blank; remove the files section entirely/],
  ['files not a list', 'version: 0.0\nos: linux\nfiles:\n  source: /\n', /files must be a list of entries/],
  ['file without destination', 'version: 0.0\nos: linux\nfiles:\n  - source: /\n', /files\[0\]\.destination is empty/],
  ['relative destination', 'version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: var/www\n', /files\[0\]\.destination "var\/www" must be a fully qualified path .*starting with \//],
  ['windows destination without drive', 'version: 0.0\nos: windows\nfiles:\n  - source: app\n    destination: \\inetpub\n', /must be a fully qualified path .*with a drive letter/],
  ['absolute source', 'version: 0.0\nos: linux\nfiles:\n  - source: /etc/passwd\n    destination: /tmp\n', /files\[0\]\.source "\/etc\/passwd" must be relative to appspec\.yml/],
  ['unknown key in a file entry', 'version: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv\n    mode: 644\n', /files\[0\]: unknown key "mode"/],
  ['bad file_exists_behavior', 'version: 0.0\nos: linux\nfile_exists_behavior: REPLACE\n', /file_exists_behavior must be DISALLOW, OVERWRITE or RETAIN; received "REPLACE"/],
  ['permissions on Windows', 'version: 0.0\nos: windows\npermissions:\n  - object: C:\\app\n', /permissions apply to Linux only/],
  ['blank permissions', 'version: 0.0\nos: linux\npermissions:\n', /permissions is blank/],
  ['permission without object', 'version: 0.0\nos: linux\npermissions:\n  - owner: root\n', /permissions\[0\]\.object is required/],
  ['unquoted leading-zero mode', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    mode: 0644\n', /mode 0644 has a leading zero and no quotes.*mode: "0644" or mode: 644/],
  ['symbolic mode', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    mode: u+x\n', /mode must be 3 or 4 octal digits .*received "u\+x"/],
  ['non-octal mode', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    mode: 789\n', /mode must be 3 or 4 octal digits .*received "789"/],
  ['unnamed user ACL', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    acls:\n      - u::rw\n', /acls entry "u::rw" names no user or group; unnamed ACL entries make the AppSpec fail/],
  ['other ACL entry', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    acls:\n      - o::r\n', /acls entry "o::r" names no user or group/],
  ['malformed ACL', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    acls:\n      - bob=rw\n', /acls entry "bob=rw" is not a setfacl entry/],
  ['acls not a list', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    acls: u:bob:rw\n', /permissions\[0\]\.acls must be a list/],
  ['context without type', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    context:\n      user: unconfined_u\n', /permissions\[0\]\.context needs a type/],
  ['bad object type', 'version: 0.0\nos: linux\npermissions:\n  - object: /srv\n    type:\n      - symlink\n', /type entries must be "file" or "directory"; received "symlink"/],
  ['blank hooks', 'version: 0.0\nos: linux\nhooks:\n', /hooks is blank; remove the hooks section/],
  ['reserved event', 'version: 0.0\nos: linux\nhooks:\n  Install:\n    - location: a.sh\n', /hooks\.Install: Install is run by the CodeDeploy agent itself and cannot run scripts/],
  ['DownloadBundle is reserved', 'version: 0.0\nos: linux\nhooks:\n  DownloadBundle:\n    - location: a.sh\n', /DownloadBundle is run by the CodeDeploy agent itself/],
  ['AllowTraffic is reserved', 'version: 0.0\nos: linux\nhooks:\n  AllowTraffic:\n    - location: a.sh\n', /AllowTraffic is run by the CodeDeploy agent itself/],
  ['event of another platform', 'version: 0.0\nos: linux\nhooks:\n  AfterAllowTestTraffic:\n    - location: a.sh\n', /hooks\.AfterAllowTestTraffic is not an EC2\/on-premises lifecycle event; use one of ApplicationStop/],
  ['wrong case of an event', 'version: 0.0\nos: linux\nhooks:\n  applicationstart:\n    - location: a.sh\n', /event names are case-sensitive: use ApplicationStart/],
  ['blank event', 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n', /hooks\.ApplicationStart is blank; remove the event/],
  ['script without location', 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - timeout: 30\n', /hooks\.ApplicationStart\[0\]\.location is required/],
  ['absolute script location', 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: /opt/start.sh\n', /location "\/opt\/start\.sh" must be relative to the root of the revision/],
  ['timeout over an hour', 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: a.sh\n      timeout: 3601\n', /timeout must be a whole number of seconds from 1 to 3600; received 3601/],
  ['timeout not a number', 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: a.sh\n      timeout: soon\n', /timeout must be a whole number of seconds .*received "soon"/],
  ['timeouts of one event over an hour', 'version: 0.0\nos: linux\nhooks:\n  AfterInstall:\n    - location: a.sh\n      timeout: 2000\n    - location: b.sh\n      timeout: 1601\n', /hooks\.AfterInstall: the timeouts of its scripts add up to 3601 seconds; CodeDeploy allows at most 3600/],
  ['runas on Windows', 'version: 0.0\nos: windows\nhooks:\n  ApplicationStart:\n    - location: start.ps1\n      runas: Administrator\n', /runas is not supported on Windows/],
  ['unknown key in a script', 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: a.sh\n      user: root\n', /hooks\.ApplicationStart\[0\]: unknown key "user"; allowed: location, timeout, runas/],
  ['Windows line endings', 'version: 0.0\r\nos: linux\r\n', /carriage returns .*save it with Unix \(LF\) line endings/],
  ['duplicate key', 'version: 0.0\nos: linux\nos: windows\n', /YAML syntax error: Map keys must be unique/],
  ['bad indentation', 'version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n  - location: a.sh\n   timeout: 3\n', /YAML syntax error/],
  ['not a mapping', '- version: 0.0\n', /the file must be a YAML mapping/],
];

describe('ServerAppSpec.fromYaml (malformed files)', () => {
  test.each(MALFORMED)('%s', (_name, content, message) => {
    expect(ServerAppSpec.validateYaml(content).join('\n')).toMatch(message);
    expect(() => ServerAppSpec.fromYaml(content, 'web/appspec.yml')).toThrow(/web\/appspec\.yml is not a valid AppSpec file/);
  });

  test('lists every problem of a file at once', () => {
    const errors = ServerAppSpec.validateYaml('version: 2\nos: linux\nfiles:\npermissions:\n');
    expect(errors).toHaveLength(3);
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
    // As the agent (YAML 1.1) reads it:
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

  test.each<[string, () => ServerAppSpec, RegExp]>([
    ['empty files', () => new ServerAppSpec({ os: ServerOs.LINUX, files: [] }), /files is empty; omit the files section/],
    ['permissions on Windows', () => new ServerAppSpec({ os: ServerOs.WINDOWS, permissions: [{ objectPath: 'C:\\a' }] }), /permissions apply to Linux only/],
    ['empty event', () => new ServerAppSpec({ os: ServerOs.LINUX, hooks: { beforeInstall: [] } }), /hooks\.BeforeInstall has no scripts/],
    ['fractional timeout', () => new ServerAppSpec({ os: ServerOs.LINUX, hooks: { afterInstall: [{ location: 'a.sh', timeout: Duration.millis(1500) }] } }), /timeout must be a whole number of seconds from 1 to 3600; received 1\.5/],
    ['sum of timeouts', () => new ServerAppSpec({ os: ServerOs.LINUX, hooks: { afterInstall: [{ location: 'a.sh', timeout: Duration.hours(1) }, { location: 'b.sh', timeout: Duration.seconds(1) }] } }), /add up to 3601 seconds/],
    ['runas on Windows', () => new ServerAppSpec({ os: ServerOs.WINDOWS, hooks: { applicationStart: [{ location: 'a.ps1', runas: 'x' }] } }), /runas is not supported on Windows/],
    ['empty runas', () => new ServerAppSpec({ os: ServerOs.LINUX, hooks: { applicationStart: [{ location: 'a.sh', runas: '' }] } }), /runas is empty/],
    ['symbolic mode', () => new ServerAppSpec({ os: ServerOs.LINUX, permissions: [{ objectPath: '/a', mode: 'a+r' }] }), /received "a\+r"/],
  ])('%s is rejected', (_name, build, message) => {
    expect(build).toThrow(/Invalid ServerAppSpec/);
    expect(build).toThrow(message);
  });
});
