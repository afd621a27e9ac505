/**
 * The appspec.yml corpus: files as a user (or the guide) writes them, each run through the CodeDeploy
 * agent's own parser and install-instruction code (scripts/agent-appspec-verdicts.rb; the verdicts
 * are recorded in agent-verdicts.json) and through our validator (appspec-corpus.test.ts).
 *
 * - `deliberate`: the agent accepts the file but we refuse it on purpose; the reason, which our
 *   error message must also give (what the agent would do instead).
 * - `byReading`: a verdict the Ruby harness cannot observe, established by reading the agent's
 *   source or release notes (which version, and where).
 * - `warns`: we accept it and warn (a key the agent ignores although the guide documents it).
 */
export interface CorpusCase {
  readonly name: string;
  readonly content: string;
  readonly deliberate?: string;
  readonly byReading?: { readonly verdict: 'reject' | 'install-fail' | 'hook-fail'; readonly agent: string; readonly source: string };
  readonly warns?: RegExp;
  /** A part of our error message that must be there (when we reject). */
  readonly message?: RegExp;
}

const L = (body: string) => `version: 0.0\nos: linux\n${body}`;
const W = (body: string) => `version: 0.0\nos: windows\n${body}`;
const files = (source: string, destination = '/var/www/html') => `files:\n  - source: ${source}\n    destination: ${destination}\n`;
const perm = (lines: string) => L(`${files('app')}permissions:\n  - object: /var/www/html\n${lines.split('\n').map((l) => `    ${l}`).join('\n')}\n`);
const script = (lines: string, event = 'AfterInstall') => L(`hooks:\n  ${event}:\n    - location: scripts/a.sh\n${lines ? lines.split('\n').map((l) => `      ${l}`).join('\n') + '\n' : ''}`);
const acl = (entry: string, type = '') => perm(`acls:\n  - ${entry}${type ? `\n${type}` : ''}`);
const range = (r: string) => perm(`context:\n  name: system_u\n  type: httpd_sys_content_t\n  range: ${r}`);

const UNKNOWN = 'unknown keys: the agent ignores a key it does not know, so what it holds never takes effect';
const RELATIVE = 'relative destinations and objects: the agent resolves them against its own working directory, not where the user expects';
const OCTAL = 'unquoted leading-zero modes: Psych reads 0644 as the octal number 420, so the agent sets mode 420 (r---w----)';
const EVENT = 'unknown, reserved or wrongly cased lifecycle events: the agent ignores them, so nothing listed there runs';
const HOUR = 'script timeouts past an hour: CodeDeploy stops a lifecycle event after 3,600 seconds whatever the scripts say';
const DUPLICATE = 'duplicate keys: Psych keeps the last value silently';
const SECOND_DOC = 'a second YAML document: the agent reads only the first';
const RUNAS_WINDOWS = 'runas on Windows: the Windows agent ignores it, scripts run as the user of the agent';
const EMPTY_RUNAS = 'an empty runas: the agent runs "su  -c script", which runs the script as root';
const EMPTY_MODE = 'an empty mode: the agent pads it to 000 and removes every permission';


export const CASES: CorpusCase[] = [
  // --- The guide's examples (indentation as intended; the PDF text shifts some lines) -------
  { name: 'guide: WordPress tutorial (Linux)', content: L('files:\n  - source: /\n    destination: /var/www/html/WordPress\nhooks:\n  BeforeInstall:\n    - location: scripts/install_dependencies.sh\n      timeout: 300\n      runas: root\n  AfterInstall:\n    - location: scripts/change_permissions.sh\n      timeout: 300\n      runas: root\n  ApplicationStart:\n    - location: scripts/start_server.sh\n    - location: scripts/create_test_db.sh\n      timeout: 300\n      runas: root\n  ApplicationStop:\n    - location: scripts/stop_server.sh\n      timeout: 300\n      runas: root\n') },
  { name: 'guide: Windows tutorial', content: W('files:\n  - source: \\index.html\n    destination: c:\\inetpub\\wwwroot\nhooks:\n  BeforeInstall:\n    - location: \\before-install.bat\n      timeout: 900\n') },
  { name: 'guide: Windows sample with .\\ paths', content: W('files:\n  - source: .\\install.txt\n    destination: c:\\temp\\CodeDeployExample\nhooks:\n  BeforeInstall:\n    - location: .\\scripts\\before-install.bat\n      timeout: 900\n  AfterInstall:\n    - location: .\\scripts\\after-install.bat\n      timeout: 900\n  ApplicationStart:\n    - location: .\\scripts\\application-start.bat\n      timeout: 900\n  ValidateService:\n    - location: .\\scripts\\validate-service.bat\n      timeout: 900\n') },
  { name: 'guide: AppSpec reference example', content: L('files:\n  - source: Config/config.txt\n    destination: /webapps/Config\n  - source: source\n    destination: /webapps/myApp\nhooks:\n  BeforeInstall:\n    - location: Scripts/UnzipResourceBundle.sh\n    - location: Scripts/UnzipDataBundle.sh\n  AfterInstall:\n    - location: Scripts/RunResourceTests.sh\n      timeout: 180\n  ApplicationStart:\n    - location: Scripts/RunFunctionalTests.sh\n      timeout: 3600\n  ValidateService:\n    - location: Scripts/MonitorService.sh\n      timeout: 3600\n      runas: codedeployuser\n') },
  {
    name: 'guide: permissions with acls and context',
    content: L('files:\n  - source: /\n    destination: /var/www/html/WordPress\npermissions:\n  - object: /var/www/html/WordPress\n    pattern: "**"\n    except: [/var/www/html/WordPress/ReadMe.txt]\n    owner: bob\n    group: writers\n    mode: 644\n    acls:\n      - u:mary:rw\n      - u:sam:rw\n      - m::rw\n    context:\n      user: unconfined_u\n      type: httpd_sys_content_t\n      range: s0\n    type:\n      - file\n'),
    warns: /context\.user: the agent ignores "user"/,
  },
  { name: 'guide: permissions by pattern', content: L('files:\n  - source: ./my-file-1.txt\n    destination: /tmp/my-app\n  - source: ./my-file-3.txt\n    destination: /tmp/my-app\n  - source: ./my-folder-1\n    destination: /tmp/my-app/my-folder-1\npermissions:\n  - object: /tmp/my-app\n    pattern: "*-3.txt"\n    owner: adm\n    group: wheel\n    mode: 464\n    type:\n      - file\n  - object: /tmp/my-app/my-folder-1\n    pattern: "**"\n    owner: ec2-user\n    mode: 555\n    type:\n      - directory\n') },
  { name: 'guide: the template with blank files entries', content: L('files:\n  - source:\n    destination:\n') },

  // --- version, os, the file as a whole ----------------------------------------------------
  { name: 'minimal Linux', content: L('') },
  { name: 'minimal Windows', content: W('') },
  { name: 'version 0 (an integer)', content: 'version: 0\nos: linux\n' },
  { name: 'version 0.00', content: 'version: 0.00\nos: linux\n' },
  { name: 'version "0.0" (a string)', content: 'version: "0.0"\nos: linux\n', message: /version is the string "0\.0"/ },
  { name: 'version !!str 0.0', content: 'version: !!str 0.0\nos: linux\n' },
  { name: 'version !!float 0', content: 'version: !!float 0\nos: linux\n' },
  { name: 'version 1.0', content: 'version: 1.0\nos: linux\n', message: /version must be 0\.0/ },
  { name: 'version 0e0 (a string to Psych)', content: 'version: 0e0\nos: linux\n' },
  { name: 'version 0:0 (sexagesimal zero)', content: 'version: 0:0\nos: linux\n' },
  { name: 'version 0. (a float)', content: 'version: 0.\nos: linux\n' },
  { name: 'version .0', content: 'version: .0\nos: linux\n' },
  { name: 'version blank', content: 'version:\nos: linux\n' },
  { name: 'version missing', content: 'os: linux\n', message: /version is required/ },
  { name: 'os missing', content: 'version: 0.0\n', message: /os is required/ },
  { name: 'os Linux (capitalised)', content: 'version: 0.0\nos: Linux\n', message: /os must be linux or windows/ },
  { name: 'os quoted', content: 'version: 0.0\nos: "linux"\n' },
  { name: 'os both', content: 'version: 0.0\nos: [linux, windows]\n' },
  { name: 'empty file', content: '', message: /the file is empty/ },
  { name: 'blank lines only', content: ' \n\n', message: /the file is empty/ },
  { name: 'comments only', content: '# appspec\n# nothing yet\n', message: /the file is empty/ },
  { name: 'a list at the top', content: '- version: 0.0\n- os: linux\n', message: /must be a YAML mapping/ },
  { name: 'a string at the top', content: 'version 0.0 os linux\n' },
  { name: 'flow style', content: '{version: 0.0, os: linux, files: [{source: /, destination: /srv/app}]}\n' },
  { name: 'document start marker', content: '---\nversion: 0.0\nos: linux\n' },
  { name: 'document end marker', content: 'version: 0.0\nos: linux\n...\n' },
  { name: 'YAML directive', content: '%YAML 1.1\n---\nversion: 0.0\nos: linux\n' },
  { name: 'quoted keys', content: '"version": 0.0\n\'os\': linux\n' },
  { name: 'comments after values', content: 'version: 0.0 # the only version\nos: linux # or windows\n' },
  { name: 'byte-order mark', content: '\uFEFFversion: 0.0\nos: linux\nfiles:\n  - source: /\n    destination: /srv/app\n', message: /byte-order mark/ },
  { name: 'byte-order mark, one-line file', content: '\uFEFF{version: 0.0, os: linux}\n', deliberate: 'a byte-order mark: the agent reads only the first line after it, so any edit that adds a line breaks the file' },
  { name: 'CRLF line endings', content: 'version: 0.0\r\nos: linux\r\nfiles:\r\n  - source: /\r\n    destination: /srv/app\r\n' },
  { name: 'CR line endings', content: 'version: 0.0\ros: linux\rfiles:\r  - source: /\r    destination: /srv/app\r' },
  { name: 'tab indentation', content: 'version: 0.0\nos: linux\nfiles:\n\t- source: /\n\t  destination: /srv/app\n', message: /YAML syntax error/ },
  { name: 'second document', content: 'version: 0.0\nos: linux\n---\nfiles:\n  - source: /\n    destination: /srv/app\n', deliberate: SECOND_DOC, message: /more than one YAML document/ },
  { name: 'duplicate os', content: 'version: 0.0\nos: windows\nos: linux\n', deliberate: DUPLICATE, message: /appears twice/ },
  { name: 'duplicate version, last invalid', content: 'version: 0.0\nos: linux\nversion: 1.0\n', message: /version must be 0\.0/ },
  { name: 'unknown top-level key Hooks', content: L('Hooks:\n  AfterInstall:\n    - location: scripts/a.sh\n'), deliberate: UNKNOWN, message: /the agent ignores "Hooks"/ },
  { name: 'unknown top-level key resources', content: L('resources:\n  - x: 1\n'), deliberate: UNKNOWN },
  { name: 'file_exists_behavior OVERWRITE', content: L('file_exists_behavior: OVERWRITE\n') },
  { name: 'file_exists_behavior RETAIN', content: L('file_exists_behavior: RETAIN\n') },
  { name: 'file_exists_behavior DISALLOW', content: L('file_exists_behavior: DISALLOW\n') },
  { name: 'file_exists_behavior lower case', content: L('file_exists_behavior: overwrite\n'), message: /file_exists_behavior must be DISALLOW, OVERWRITE or RETAIN/ },
  { name: 'file_exists_behavior blank', content: L('file_exists_behavior:\n') },

  // --- YAML features the agent's loader refuses or reads its own way ----------------------
  { name: 'anchor without alias', content: L(files('/', '&dest /srv/app')) },
  { name: 'alias', content: L(`${files('/', '&dest /srv/app')}  - source: extra\n    destination: *dest\n`), message: /alias \*dest/ },
  { name: 'merge key with alias', content: L('defaults: &d\n  destination: /srv/app\nfiles:\n  - <<: *d\n    source: /\n'), message: /alias/ },
  { name: 'merge key with an inline mapping', content: L('files:\n  - <<: {destination: /srv/app}\n    source: /\n') },
  { name: 'unquoted ** pattern', content: perm('pattern: **'), message: /alias \*\*/ },
  { name: 'date as a runas', content: script('runas: 2024-01-31'), message: /date 2024-01-31/ },
  { name: 'time as a runas', content: script('runas: 2024-01-31 10:00:00'), message: /time/ },
  { name: 'impossible date stays a string', content: script('runas: 2024-02-31') },
  { name: 'symbol as an owner', content: perm('owner: :root'), message: /symbol :root/ },
  { name: 'ruby object tag', content: L('files:\n  - !ruby/object:OpenStruct\n    source: /\n    destination: /srv/app\n'), message: /tag/ },
  { name: 'binary tag', content: script('runas: !!binary cm9vdA==') },
  { name: 'set tag', content: L('files: !!set\n  ? a\n') },

  // --- files ------------------------------------------------------------------------------
  { name: 'files: whole revision', content: L(files('/')) },
  { name: 'files: blank section', content: L('files:\n') },
  { name: 'files: empty list', content: L('files: []\n') },
  { name: 'files: a mapping instead of a list', content: L('files:\n  source: /\n  destination: /srv/app\n'), message: /files must be a list/ },
  { name: 'files: a string', content: L('files: /\n') },
  { name: 'files: entry without destination', content: L('files:\n  - source: /\n'), message: /destination/ },
  { name: 'files: entry without source', content: L('files:\n  - destination: /srv/app\n'), message: /source/ },
  { name: 'files: entry as a string', content: L('files:\n  - index.html\n') },
  { name: 'files: entry as a null', content: L('files:\n  -\n') },
  { name: 'files: numeric source', content: L(files('123')), message: /source is an integer/ },
  { name: 'files: boolean source', content: L(files('yes')), message: /source is true/ },
  { name: 'files: empty source', content: L(files('""')) },
  { name: 'files: absolute-looking source', content: L(files('/app')) },
  { name: 'files: ./ source', content: L(files('./app')) },
  { name: 'files: source leaving the revision', content: L(files('../secrets')), byReading: { verdict: 'reject', agent: '2.1.0', source: 'release notes v2.1.0: AppSpec file paths that resolve outside the application revision directory are now rejected' }, message: /leaves the revision/ },
  { name: 'files: source with .. inside the revision', content: L(files('app/../web')) },
  { name: 'files: relative destination', content: L(files('/', 'var/www/html')), deliberate: RELATIVE, message: /not a fully qualified path/ },
  { name: 'files: empty destination', content: L(files('/', '""')), deliberate: RELATIVE },
  { name: 'files: numeric destination', content: L(files('/', '8080')), message: /destination is an integer/ },
  { name: 'files: destination with a space', content: L(files('/', '"/srv/my app"')) },
  { name: 'files: destination with a trailing slash', content: L(files('/', '/srv/app/')) },
  { name: 'files: unicode destination', content: L(files('/', '/srv/café')) },
  { name: 'files: destination that is a date', content: L(files('/', '2024-01-01')), message: /date/ },
  { name: 'files: unknown key', content: L('files:\n  - source: /\n    destination: /srv/app\n    mode: 644\n'), deliberate: UNKNOWN },
  { name: 'files: flow sequence', content: L('files: [{source: a.txt, destination: /srv}, {source: b, destination: /opt/b}]\n') },
  { name: 'files: Windows destination', content: W(files('/', 'C:\\inetpub\\wwwroot')) },
  { name: 'files: Windows relative destination', content: W(files('/', 'inetpub\\wwwroot')), deliberate: RELATIVE },
  { name: 'files: Windows destination with forward slashes', content: W(files('app', 'C:/inetpub/wwwroot')) },

  // --- permissions: object, pattern, except, type -----------------------------------------
  { name: 'permissions: blank section', content: L('permissions:\n') },
  { name: 'permissions: empty list', content: L('permissions: []\n') },
  { name: 'permissions: on Windows', content: W('permissions:\n  - object: C:\\app\n    mode: 644\n'), message: /permissions apply to Linux only/ },
  { name: 'permissions: empty list on Windows', content: W('permissions: []\n') },
  { name: 'permissions: without object', content: L('permissions:\n  - mode: 644\n'), message: /object/ },
  { name: 'permissions: empty object', content: L('permissions:\n  - object: ""\n    mode: 644\n'), message: /object/ },
  { name: 'permissions: entry as a string', content: L('permissions:\n  - /var/www\n') },
  { name: 'permissions: relative object', content: L('permissions:\n  - object: var/www\n    mode: 644\n'), deliberate: RELATIVE },
  { name: 'permissions: pattern *.sh on a folder', content: perm('pattern: "*.sh"\ntype:\n  - file\nmode: 755') },
  { name: 'permissions: pattern on a copied file', content: L('files:\n  - source: index.html\n    destination: /var/www/html\npermissions:\n  - object: /var/www/html/index.html\n    pattern: "*.html"\n    mode: 644\n'), message: /pattern/ },
  { name: 'permissions: except list', content: perm('except: [README.md, "*.log"]\ntype: [file]\nmode: 644') },
  { name: 'permissions: except as a string', content: perm('except: README.md\nmode: 644'), message: /except must be a list/ },
  { name: 'permissions: except on a copied file', content: L('files:\n  - source: index.html\n    destination: /var/www/html\npermissions:\n  - object: /var/www/html/index.html\n    except: [x]\n    mode: 644\n') },
  { name: 'permissions: type file', content: perm('type: [file]\nmode: 644') },
  { name: 'permissions: type as a string', content: perm('type: file\nmode: 644'), message: /type must be a list/ },
  { name: 'permissions: type symlink', content: perm('type: [symlink]\nmode: 644'), message: /file.*directory/ },
  { name: 'permissions: type empty', content: perm('type: []\nmode: 644') },
  { name: 'permissions: same object twice', content: L(`${files('app')}permissions:\n  - object: /var/www/html\n    mode: 644\n  - object: /var/www/html\n    owner: root\n`) },
  { name: 'permissions: unknown key', content: perm('recursive: true\nmode: 644'), deliberate: UNKNOWN },

  // --- permissions: mode --------------------------------------------------------------------
  { name: 'mode 644', content: perm('mode: 644') },
  { name: 'mode "0644"', content: perm('mode: "0644"') },
  { name: 'mode 0644 unquoted', content: perm('mode: 0644'), deliberate: OCTAL, message: /leading zero/ },
  { name: 'mode 0755 unquoted', content: perm('mode: 0755'), message: /leading zero/ },
  { name: 'mode 4755', content: perm('mode: 4755') },
  { name: 'mode 7 (one digit)', content: perm('mode: 7') },
  { name: 'mode 75 (two digits)', content: perm('mode: 75') },
  { name: 'mode 12345', content: perm('mode: 12345'), message: /mode/ },
  { name: 'mode u+x', content: perm('mode: u+x'), message: /mode/ },
  { name: 'mode 6.44', content: perm('mode: 6.44'), message: /mode/ },
  { name: 'mode 08', content: perm('mode: 08'), message: /mode/ },
  { name: 'mode 888', content: perm('mode: 888'), message: /mode/ },
  { name: 'mode true', content: perm('mode: yes'), message: /mode/ },
  { name: 'mode empty string', content: perm('mode: ""'), deliberate: EMPTY_MODE },
  { name: 'mode blank', content: perm('mode:') },
  { name: 'mode 6_44', content: perm('mode: 6_44') },

  // --- permissions: owner, group ------------------------------------------------------------
  { name: 'owner and group', content: perm('owner: ec2-user\ngroup: apache') },
  { name: 'numeric owner', content: perm('owner: 1000'), message: /owner is an integer/ },
  { name: 'numeric group', content: perm('group: 48'), message: /group is an integer/ },
  { name: 'quoted numeric owner', content: perm('owner: "1000"') },
  { name: 'empty owner', content: perm('owner: ""'), byReading: { verdict: 'install-fail', agent: '1.8.1', source: 'install_instruction.rb ChangeOwnerCommand#execute: Etc.getpwnam("") raises ArgumentError' }, message: /owner is empty/ },
  { name: 'boolean group', content: perm('group: no'), message: /group is false/ },

  // --- permissions: acls --------------------------------------------------------------------
  { name: 'acl u:bob:rw', content: acl('u:bob:rw') },
  { name: 'acl user:bob:rwx', content: acl('user:bob:rwx') },
  { name: 'acl g:admins:r-x', content: acl('g:admins:r-x') },
  { name: 'acl m::rw (mask without a name)', content: acl('m::rw') },
  { name: 'acl mask::rwx', content: acl('mask::rwx') },
  { name: 'acl m:rw (two parts)', content: acl('m:rw') },
  { name: 'acl bob:rw (two parts, a user)', content: acl('bob:rw') },
  { name: 'acl u:bob:7 (octal digit)', content: acl('u:bob:7') },
  { name: 'acl u:bob:0', content: acl('u:bob:0') },
  { name: 'acl u:bob: (no permissions)', content: acl('"u:bob:"') },
  { name: 'acl u:bob:rw-x', content: acl('u:bob:rw-x') },
  { name: 'acl d:u:bob:rwx on folders', content: acl('d:u:bob:rwx', 'type: [directory]') },
  { name: 'acl default:group:admins:r-x on folders', content: acl('default:group:admins:r-x', 'type: [directory]') },
  { name: 'acl d:m::rw on folders', content: acl('d:m::rw', 'type: [directory]') },
  { name: 'acl d:u::rwx on folders', content: acl('d:u::rwx', 'type: [directory]') },
  { name: 'acl d:bob:rw (three parts, default user)', content: acl('d:bob:rw', 'type: [directory]') },
  { name: 'acl default entry on files', content: acl('d:u:bob:rwx'), message: /default ACL entry/ },
  { name: 'acl u::rwx (base entry)', content: acl('u::rwx'), message: /set it with mode instead/ },
  { name: 'acl g::r (base entry)', content: acl('g::r'), message: /set it with mode instead/ },
  { name: 'acl o::r', content: acl('o::r'), message: /acls/ },
  { name: 'acl m:bob:rw (named mask)', content: acl('m:bob:rw'), message: /acls/ },
  { name: 'acl o:bob:r (named other)', content: acl('o:bob:r'), message: /acls/ },
  { name: 'acl u:bob:rwX', content: acl('u:bob:rwX'), message: /invalid character X/ },
  { name: 'acl u:bob:8', content: acl('u:bob:8'), message: /invalid character 8/ },
  { name: 'acl d:d:u:bob:rw', content: acl('d:d:u:bob:rw', 'type: [directory]'), message: /acls/ },
  { name: 'acl x:bob:rw (unknown tag)', content: acl('x:bob:rw'), message: /acls/ },
  { name: 'acl five parts', content: acl('d:u:bob:rw:x'), message: /acls/ },
  { name: 'acl one part', content: acl('rw'), message: /acls/ },
  { name: 'acl as a string', content: perm('acls: u:bob:rw'), message: /acls must be a list/ },
  { name: 'acl entry as a number', content: acl('7'), message: /acls/ },

  // --- permissions: context ------------------------------------------------------------------
  { name: 'context with name, type, range', content: perm('context:\n  name: system_u\n  type: httpd_sys_content_t\n  range: s0') },
  { name: 'context with type and range only', content: perm('context:\n  type: httpd_sys_content_t\n  range: s0') },
  { name: 'context without range', content: perm('context:\n  type: httpd_sys_content_t'), message: /range/ },
  { name: 'context with user (ignored by the agent)', content: perm('context:\n  user: unconfined_u\n  type: httpd_sys_content_t\n  range: s0'), warns: /the agent ignores "user"/ },
  { name: 'context without type', content: perm('context:\n  name: system_u\n  range: s0'), message: /context needs a type/ },
  { name: 'context as a string', content: perm('context: httpd_sys_content_t'), message: /context must be a mapping/ },
  { name: 'context role (ignored by the agent)', content: perm('context:\n  type: httpd_sys_content_t\n  role: object_r\n  range: s0'), deliberate: UNKNOWN },
  { name: 'range s0-s15:c0.c1023', content: range('s0-s15:c0.c1023') },
  { name: 'range s0:c0,c5.c9', content: range('s0:c0,c5.c9') },
  { name: 'range s0-s0', content: range('s0-s0') },
  { name: 'range s16 (past the usual 16 levels)', content: range('s16') },
  { name: 'range s1-s0 (reversed)', content: range('s1-s0'), message: /range/ },
  { name: 'range s0:c1024', content: range('s0:c1024'), message: /range/ },
  { name: 'range s0:c5.c2 (reversed categories)', content: range('s0:c5.c2'), message: /range/ },
  { name: 'range s0:c1,c1 (duplicate categories)', content: range('s0:c1,c1'), message: /range/ },
  { name: 'range s0: (no categories)', content: range('"s0:"'), message: /range/ },
  { name: 'range sx', content: range('sx'), message: /range/ },
  { name: 'range 0 (a number)', content: range('0'), message: /range/ },
  { name: 'range S0 (capital)', content: range('S0'), message: /range/ },

  // --- hooks ---------------------------------------------------------------------------------
  { name: 'hooks: blank section', content: L('hooks:\n') },
  { name: 'hooks: empty mapping', content: L('hooks: {}\n') },
  { name: 'hooks: a list', content: L('hooks:\n  - AfterInstall: scripts/a.sh\n'), message: /hooks must be a mapping/ },
  { name: 'hooks: blank event', content: L('hooks:\n  ApplicationStart:\n') },
  { name: 'hooks: event with an empty list', content: L('hooks:\n  ApplicationStart: []\n') },
  { name: 'hooks: event with a mapping', content: L('hooks:\n  ApplicationStart:\n    location: scripts/a.sh\n'), message: /must be a list of scripts/ },
  { name: 'hooks: event with a string', content: L('hooks:\n  ApplicationStart: scripts/a.sh\n'), message: /must be a list of scripts/ },
  { name: 'hooks: script as a string', content: L('hooks:\n  ApplicationStart:\n    - scripts/a.sh\n'), message: /must be a mapping with location/ },
  { name: 'hooks: script without location', content: L('hooks:\n  ApplicationStart:\n    - timeout: 30\n'), message: /location/ },
  { name: 'hooks: empty location', content: L('hooks:\n  ApplicationStart:\n    - location: ""\n'), message: /location/ },
  { name: 'hooks: blank location', content: L('hooks:\n  ApplicationStart:\n    - location: "   "\n'), message: /location/ },
  { name: 'hooks: numeric location', content: L('hooks:\n  ApplicationStart:\n    - location: 123\n') },
  { name: 'hooks: absolute-looking location', content: L('hooks:\n  ApplicationStart:\n    - location: /scripts/start.sh\n') },
  { name: 'hooks: location leaving the revision', content: L('hooks:\n  ApplicationStart:\n    - location: ../start.sh\n'), byReading: { verdict: 'reject', agent: '2.1.0', source: 'release notes v2.1.0: AppSpec file paths that resolve outside the application revision directory are now rejected' }, message: /leaves the revision/ },
  { name: 'hooks: every Linux event', content: L(`hooks:\n${['ApplicationStop', 'BeforeInstall', 'AfterInstall', 'ApplicationStart', 'ValidateService', 'BeforeBlockTraffic', 'AfterBlockTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'].map((e) => `  ${e}:\n    - location: scripts/${e}.sh\n`).join('')}`) },
  { name: 'hooks: misspelled event', content: L('hooks:\n  Applicationstart:\n    - location: scripts/a.sh\n'), deliberate: EVENT, message: /event names are case-sensitive/ },
  { name: 'hooks: unknown event', content: L('hooks:\n  AfterDeploy:\n    - location: scripts/a.sh\n'), deliberate: EVENT },
  { name: 'hooks: reserved event Install', content: L('hooks:\n  Install:\n    - location: scripts/a.sh\n'), deliberate: EVENT, message: /run by the CodeDeploy agent itself/ },
  { name: 'hooks: unknown script key', content: script('timeOut: 30'), deliberate: UNKNOWN },
  { name: 'hooks: sudo', content: script('sudo: true') },
  { name: 'hooks: sudo with runas', content: script('sudo: true\nrunas: ec2-user') },
  { name: 'hooks: runas', content: script('runas: ec2-user') },
  { name: 'hooks: empty runas', content: script('runas: ""'), deliberate: EMPTY_RUNAS },
  { name: 'hooks: blank runas', content: script('runas:') },
  { name: 'hooks: runas on Windows', content: W('hooks:\n  AfterInstall:\n    - location: scripts\\a.ps1\n      runas: Administrator\n'), deliberate: RUNAS_WINDOWS },
  { name: 'hooks: shell script on Windows', content: W('hooks:\n  AfterInstall:\n    - location: scripts/a.sh\n'), byReading: { verdict: 'hook-fail', agent: '1.8.1', source: 'windows_util.rb prepare_script_command runs the file itself unless it ends in .ps1; Windows cannot execute a .sh file' }, message: /\.sh/ },
  { name: 'hooks: PowerShell on Windows', content: W('hooks:\n  AfterInstall:\n    - location: scripts\\a.ps1\n') },
  { name: 'hooks: batch file on Windows', content: W('hooks:\n  AfterInstall:\n    - location: scripts\\a.cmd\n') },

  // --- hooks: timeout ------------------------------------------------------------------------
  { name: 'timeout 300', content: script('timeout: 300') },
  { name: 'timeout "300"', content: script('timeout: "300"') },
  { name: 'timeout 5m (a string Ruby reads as 5)', content: script('timeout: 5m') },
  { name: 'timeout 1:00 (sexagesimal)', content: script('timeout: 1:00') },
  { name: 'timeout 1,800', content: script('timeout: 1,800') },
  { name: 'timeout 0', content: script('timeout: 0'), message: /timeout/ },
  { name: 'timeout -1', content: script('timeout: -1'), message: /timeout/ },
  { name: 'timeout true', content: script('timeout: true'), message: /timeout/ },
  { name: 'timeout false', content: script('timeout: false') },
  { name: 'timeout 1.5', content: script('timeout: 1.5') },
  { name: 'timeout 0.5', content: script('timeout: 0.5'), message: /timeout/ },
  { name: 'timeout abc', content: script('timeout: abc'), message: /timeout/ },
  { name: 'timeout as a list', content: script('timeout: [30]'), message: /timeout/ },
  { name: 'timeout blank', content: script('timeout:') },
  { name: 'timeout 3600', content: script('timeout: 3600') },
  { name: 'timeout 3601', content: script('timeout: 3601'), deliberate: HOUR },
  { name: 'timeouts adding up past an hour', content: L('hooks:\n  AfterInstall:\n    - location: scripts/a.sh\n      timeout: 2000\n    - location: scripts/b.sh\n      timeout: 2000\n'), deliberate: HOUR },
];


/** Plain scalars whose typing by Psych the recorded verdicts also hold (checked against psychScalar). */
export const SCALARS = [
  '0', '0.0', '00', '0644', '0755', '08', '644', '1,000', '1_000', '0x1F', '0b101', '-7', '+7', '1.5', '.5', '0.', '.', '-.', '1e3', '1.0e+3',
  '1:30', '1:00:00', '-1:30', '1:30.5', '.inf', '-.Inf', '.nan', 'yes', 'No', 'ON', 'off', 'y', 'n', 'true', 'False', '~', 'null', 'Null', 'NULL',
  'nil', 'linux', 'Linux', 'u+x', '2024-01-31', '2024-02-31', '2024-01-31 10:00:00', '2024-1-5', ':root', ':', 'a:b', '0o644', '0:0', '0e0',
  '6.44', '6_44', 's0', 'c1023', '-', '--', 'yes please', 'onion', '=', '<<', '12:60', 'TRUE', 'Yes!',
];
