/** Who starts the deployments of a pattern's deployment group. */
export enum DeploymentSource {
  /**
   * `cdk deploy`: every deploy that changes the revision runs a CodeDeploy deployment and waits for
   * it (the pattern's trigger).
   */
  CDK_DEPLOY = 'CDK_DEPLOY',
  /**
   * A pipeline (CodePipeline's CodeDeploy action, or anything calling `CreateDeployment`): CDK
   * defines the deployment group and everything around it, never deploys a revision, and nothing
   * it deploys later reverts what the pipeline deployed.
   */
  PIPELINE = 'PIPELINE',
}
