import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';

/**
 * CloudFormation properties newer than the lowest aws-cdk-lib this library supports, whose L1s
 * therefore lack them. Each is written here, once, under the name the CloudFormation Template
 * Reference gives it; when the lowest supported aws-cdk-lib has it, the L1 property replaces the
 * override. cfn-lint's bundled schemas can lag behind too: scripts/cfn-lint.ts (`SCHEMA_LAG`) lists
 * the findings that causes, and the README's "Where references disagree" says why.
 */

/**
 * `AWS::CodeDeploy::DeploymentGroup` `Ec2DeploymentOptions.AutoScalingGroupProcessesToSuspend`
 * (CloudFormation Template Reference; aws-cdk-lib's L1 has it as `ec2DeploymentOptions` from 2.276.0):
 * the Auto Scaling processes CodeDeploy suspends during in-place deployments.
 */
export function setProcessesToSuspend(group: codedeploy.CfnDeploymentGroup, processes: string[]): void {
  if (processes.length > 0) {
    group.addPropertyOverride('Ec2DeploymentOptions', { AutoScalingGroupProcessesToSuspend: [...processes] });
  }
}
