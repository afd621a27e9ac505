import { Duration } from 'aws-cdk-lib';
import {
  FileExistsBehavior, PermissionObjectType, ServerAppSpecFile, ServerAppSpecHooks, ServerAppSpecPermission, ServerAppSpecProps, ServerOs,
} from '../../../src';

/**
 * Combinations of the typed ServerAppSpec builder's options, including strings YAML or Psych
 * would read as something else if they were not quoted (yes, 2024-01-31, 1:30, :root, 0644).
 * Every combination is checked by our reader; every `agentSample` one was also rendered and run
 * through the agent's own code (recorded in agent-verdicts.json under "builder").
 */
export interface BuilderSample {
  readonly name: string;
  readonly props: ServerAppSpecProps;
  readonly agentSample: boolean;
}

const LINUX_FILES: Array<[string, ServerAppSpecFile[] | undefined]> = [
  ['no files', undefined],
  ['whole revision', [{ source: '/', destination: '/var/www/html' }]],
  ['two sources', [{ source: 'site', destination: '/srv/app' }, { source: 'config/app.conf', destination: '/etc/app' }]],
  ['tricky names', [
    { source: 'yes', destination: '/srv/2024-01-31' },
    { source: '1:30', destination: '/srv/my app #1' },
    { source: ':root', destination: '/srv/0644' },
  ]],
];
const WINDOWS_FILES: Array<[string, ServerAppSpecFile[] | undefined]> = [
  ['no files', undefined],
  ['whole revision', [{ source: '\\', destination: 'C:\\inetpub\\wwwroot' }]],
  ['forward slashes', [{ source: 'site/index.html', destination: 'C:/inetpub/wwwroot' }]],
];
const FILE_EXISTS: Array<FileExistsBehavior | undefined> = [
  undefined, FileExistsBehavior.OVERWRITE, FileExistsBehavior.RETAIN, FileExistsBehavior.DISALLOW,
];

const OBJ = '/var/www/html';
const PERMISSIONS: Array<[string, ServerAppSpecPermission[] | undefined]> = [
  ['no permissions', undefined],
  ['mode 644', [{ objectPath: OBJ, mode: '644' }]],
  ['mode 0755 with owner and group', [{ objectPath: OBJ, mode: '0755', owner: 'apache', group: 'apache' }]],
  ['pattern ** with exceptions on files', [{ objectPath: OBJ, pattern: '**', exceptions: ['secret.txt', '*.log'], objectTypes: [PermissionObjectType.FILE], mode: '0640' }]],
  ['named ACLs and a mask on files', [{ objectPath: OBJ, acls: ['u:bob:rw', 'g:admins:r-x', 'm::rw'], objectTypes: [PermissionObjectType.FILE] }]],
  ['default ACLs on folders', [{ objectPath: OBJ, acls: ['d:u:bob:rwx', 'd:m::rx'], objectTypes: [PermissionObjectType.DIRECTORY] }]],
  ['context with its default range', [{ objectPath: OBJ, context: { seLinuxType: 'httpd_sys_content_t' } }]],
  ['context with user and MCS range', [{ objectPath: OBJ, context: { seLinuxType: 'httpd_sys_content_t', seLinuxUser: 'system_u', seLinuxRange: 's0-s15:c0.c1023' } }]],
  ['names YAML would retype', [{ objectPath: '/srv/yes', owner: '1000', group: 'no', mode: '7' }]],
  ['pattern on folders and files separately', [
    { objectPath: OBJ, pattern: '*.sh', objectTypes: [PermissionObjectType.FILE], mode: '755' },
    { objectPath: OBJ, objectTypes: [PermissionObjectType.DIRECTORY], mode: '2775', group: 'www' },
  ]],
];
const LINUX_HOOKS: Array<[string, ServerAppSpecHooks | undefined]> = [
  ['no hooks', undefined],
  ['one script', { applicationStart: [{ location: 'scripts/start.sh' }] }],
  ['timeouts and runas', { beforeInstall: [{ location: 'scripts/deps.sh', timeout: Duration.minutes(5), runas: 'root' }], validateService: [{ location: 'scripts/check.sh', timeout: Duration.hours(1) }] }],
  ['sudo', { afterInstall: [{ location: 'scripts/a.sh', sudo: true }, { location: 'scripts/b.sh', sudo: true, runas: 'ec2-user' }] }],
  ['traffic events and odd names', {
    applicationStop: [{ location: 'scripts/yes' }],
    beforeAllowTraffic: [{ location: 'scripts/2024-01-31.sh', timeout: Duration.seconds(90) }],
    afterAllowTraffic: [{ location: '/scripts/after.sh', runas: 'on' }],
    beforeBlockTraffic: [{ location: 'scripts/drain.sh' }],
    afterBlockTraffic: [{ location: 'scripts/drained.sh' }],
  }],
];
const WINDOWS_HOOKS: Array<[string, ServerAppSpecHooks | undefined]> = [
  ['no hooks', undefined],
  ['PowerShell with a timeout', { beforeInstall: [{ location: 'scripts\\before.ps1', timeout: Duration.minutes(15) }] }],
  ['batch files', { applicationStart: [{ location: 'start.bat' }], validateService: [{ location: '.\\scripts\\check.cmd', timeout: Duration.seconds(60) }] }],
];

export function builderSamples(): BuilderSample[] {
  const out: BuilderSample[] = [];
  let n = 0;
  for (const [fName, files] of LINUX_FILES) {
    for (const feb of FILE_EXISTS) {
      for (const [pName, permissions] of PERMISSIONS) {
        for (const [hName, hooks] of LINUX_HOOKS) {
          out.push({
            name: `linux / ${fName} / ${feb ?? 'deployment default'} / ${pName} / ${hName}`,
            props: { os: ServerOs.LINUX, files, fileExistsBehavior: feb, permissions, hooks },
            agentSample: n++ % 7 === 0,
          });
        }
      }
    }
  }
  for (const [fName, files] of WINDOWS_FILES) {
    for (const feb of [undefined, FileExistsBehavior.OVERWRITE]) {
      for (const [hName, hooks] of WINDOWS_HOOKS) {
        out.push({
          name: `windows / ${fName} / ${feb ?? 'deployment default'} / ${hName}`,
          props: { os: ServerOs.WINDOWS, files, fileExistsBehavior: feb, hooks },
          agentSample: true,
        });
      }
    }
  }
  return out;
}
