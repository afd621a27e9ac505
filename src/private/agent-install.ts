import { Aws, Token } from 'aws-cdk-lib';
import { AgentMajorVersion } from '../common/agent-version';

/**
 * How each major version of the CodeDeploy agent is installed, in one place (user guide, "Install
 * the CodeDeploy agent" and its update pages).
 */

/** The Systems Manager Distributor package of a major version. */
export function agentPackageName(majorVersion: AgentMajorVersion): string {
  return majorVersion === AgentMajorVersion.V2 ? 'AWSCodeDeployAgentV2' : 'AWSCodeDeployAgent';
}

/** An `agentVersion` that is not a package version, or of the other major version than the one chosen. */
export function agentVersionProblems(version: string | undefined, majorVersion: AgentMajorVersion): string[] {
  if (version === undefined || Token.isUnresolved(version)) {
    return [];
  }
  const m = /^(\d+)\.\d+/.exec(version);
  if (!m) {
    return [`agentVersion must be a version of the agent package such as "1.8.1-26" or "2.1.0"; received "${version}".`];
  }
  const expected = majorVersion === AgentMajorVersion.V2 ? '2' : '1';
  if (m[1] !== expected) {
    const fix = m[1] === '2' ? 'AgentMajorVersion.V2' : m[1] === '1' ? 'AgentMajorVersion.V1' : undefined;
    return [
      `agentVersion "${version}" is a ${m[1]}.x version, but the agent's major version is ${majorVersion} (package ${agentPackageName(majorVersion)}); ${fix ? `set the major version to ${fix} or ` : ''}give a ${expected}.x version.`,
    ];
  }
  return [];
}

/**
 * Linux user data that installs agent 2.x at launch the way the user guide does it by hand: wget
 * (2.x needs no Ruby), the Region's `latestv2/install` from its resource kit, run as root. The
 * resource kit is public over HTTPS (`aws-codedeploy-<region>.s3.<region>.<url suffix>`).
 */
export function agentV2LinuxCommands(): string[] {
  const url = `https://aws-codedeploy-${Aws.REGION}.s3.${Aws.REGION}.${Aws.URL_SUFFIX}/latestv2/install`;
  return [
    '# CodeDeploy agent 2.x (cdk-codedeploy-patterns, installAgent USER_DATA)',
    'if command -v dnf >/dev/null 2>&1; then CODEDEPLOY_PKG=dnf; elif command -v yum >/dev/null 2>&1; then CODEDEPLOY_PKG=yum; else CODEDEPLOY_PKG=apt-get; apt-get update -y; fi',
    'command -v wget >/dev/null 2>&1 || $CODEDEPLOY_PKG install -y wget',
    'CODEDEPLOY_TMP=$(mktemp -d)',
    `wget -q -O "$CODEDEPLOY_TMP/install" ${url}`,
    'chmod +x "$CODEDEPLOY_TMP/install"',
    '"$CODEDEPLOY_TMP/install" auto',
    'rm -rf "$CODEDEPLOY_TMP"',
  ];
}
