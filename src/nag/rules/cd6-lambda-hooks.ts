import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BAD, CodeDeployRule, NA, OK, resolved } from './rule';

export const CD6_LAMBDA_HOOKS: CodeDeployRule = {
  id: 'CD6',
  info: 'The Lambda alias deployed by CodeDeploy has no BeforeAllowTraffic or AfterAllowTraffic hook.',
  explanation: 'Without hooks, traffic shifts to a version nobody has invoked; a pre-traffic hook catches a broken version before users do.',
  check: (node) => {
    if (!(node instanceof lambda.CfnAlias)) {
      return NA;
    }
    const update = resolved<any>(node, node.cfnOptions.updatePolicy)?.codeDeployLambdaAliasUpdate;
    if (!update) {
      return NA;
    }
    return update.beforeAllowTrafficHook || update.afterAllowTrafficHook ? OK : BAD;
  },
};
