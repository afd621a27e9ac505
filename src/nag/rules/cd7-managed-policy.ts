import * as iam from 'aws-cdk-lib/aws-iam';
import { arnText, asArray, BAD, CodeDeployRule, NA, OK, resolved } from './rule';

const MANAGED_CODEDEPLOY_POLICY = /:iam::aws:policy\/(service-role\/)?AWSCodeDeployRole(ForECS|ForECSLimited|ForLambda|ForLambdaLimited)?$/;

export const CD7_MANAGED_POLICY: CodeDeployRule = {
  id: 'CD7',
  info: 'The IAM role uses an AWS managed CodeDeploy policy.',
  explanation: 'AWSCodeDeployRole and its ECS and Lambda variants allow their actions on every resource of those kinds in the account, not only the deployment group\'s. Grant the actions on the deployment group\'s own resources instead.',
  check: (node) => {
    if (!(node instanceof iam.CfnRole)) {
      return NA;
    }
    const arns = asArray<unknown>(resolved(node, node.managedPolicyArns));
    return arns.some((arn) => MANAGED_CODEDEPLOY_POLICY.test(arnText(arn))) ? BAD : OK;
  },
};
