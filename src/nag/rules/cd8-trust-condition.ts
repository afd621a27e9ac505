import * as iam from 'aws-cdk-lib/aws-iam';
import { arnText, asArray, BAD, CodeDeployRule, NA, OK, resolved } from './rule';

export const CD8_TRUST_CONDITION: CodeDeployRule = {
  id: 'CD8',
  info: 'The IAM role trusts the CodeDeploy service without an aws:SourceAccount or aws:SourceArn condition.',
  explanation: 'Without them any account\'s deployment group could make CodeDeploy act with this role (confused deputy). Add aws:SourceAccount and aws:SourceArn conditions to the trust policy.',
  check: (node) => {
    if (!(node instanceof iam.CfnRole)) {
      return NA;
    }
    const document = resolved<any>(node, node.assumeRolePolicyDocument);
    const statements = asArray<any>(document?.Statement).filter(
      (s) => s.Effect === 'Allow' && asArray(s.Principal?.Service).map(arnText).some((p) => /^codedeploy(\.[a-z0-9-]+)?\.amazonaws\.com$/.test(p)),
    );
    if (statements.length === 0) {
      return NA;
    }
    const hasSource = (s: any) =>
      Object.values(s.Condition ?? {}).some((block: any) => Object.keys(block ?? {}).some((key) => /^aws:Source(Account|Arn)$/i.test(key)));
    return statements.every(hasSource) ? OK : BAD;
  },
};
