/**
 * The major version of the CodeDeploy agent. The two have their own Systems Manager packages and
 * installers, and CodeDeploy does not upgrade 1.x to 2.x by itself: an instance stays on the major
 * version it was installed with until you install the other.
 */
export enum AgentMajorVersion {
  /**
   * 1.x, the Ruby agent: Systems Manager package `AWSCodeDeployAgent`, installer `latest/install`
   * of the Region's resource kit. Available in every Region.
   */
  V1 = 'V1',
  /**
   * 2.x, the native agent without Ruby (July 2026): Systems Manager package `AWSCodeDeployAgentV2`,
   * installer `latestv2/install`. Opt-in, and rolled out Region by Region: where it is not available
   * yet, the installation fails and the first deployment reports which instance failed.
   */
  V2 = 'V2',
}
