import { CfnResource } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { asArray, BAD, CodeDeployRule, NA, OK, resolved } from './rule';

/** Whether an IAM action pattern (with * and ?) covers the given action. */
function actionCovers(pattern: string, action: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  return regex.test(action);
}

/** The policy documents of an identity policy, or of the inline policies of a role, user or group, resolved. */
function policyDocuments(node: CfnResource): any[] {
  if (node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy) {
    return [resolved(node, node.policyDocument)];
  }
  if (node instanceof iam.CfnRole || node instanceof iam.CfnUser || node instanceof iam.CfnGroup) {
    return asArray<any>(resolved(node, node.policies)).map((policy) => policy.policyDocument);
  }
  return [];
}

export const CD9_HOOK_STATUS: CodeDeployRule = {
  id: 'CD9',
  info: 'The IAM policy allows codedeploy:PutLifecycleEventHookExecutionStatus on all resources.',
  explanation: 'A principal that can report hook results for every deployment group can pass any deployment\'s validation. Allow the action on the hook\'s own deployment group ARN.',
  check: (node) => {
    const documents = policyDocuments(node);
    if (documents.length === 0) {
      return NA;
    }
    const wide = documents
      .flatMap((d) => asArray<any>(d?.Statement))
      .some(
        (s) =>
          s.Effect === 'Allow' &&
          asArray<string>(s.Action).some((a) => typeof a === 'string' && actionCovers(a, 'codedeploy:PutLifecycleEventHookExecutionStatus')) &&
          asArray(s.Resource).some((r) => r === '*'),
      );
    return wide ? BAD : OK;
  },
};
