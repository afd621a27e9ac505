import { Stack } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as sns from 'aws-cdk-lib/aws-sns';
import { asArray, BAD, CodeDeployRule, NA, OK, referencedId, resolved } from './rule';

export const CD10_NOTIFICATION_TLS: CodeDeployRule = {
  id: 'CD10',
  info: 'The CodeDeploy deployment group notifies an SNS topic that does not deny requests without TLS.',
  explanation: 'Deployment notifications name applications, groups and instances. Add a topic policy denying sns:Publish when aws:SecureTransport is false (enforceSSL on the Topic).',
  check: (node) => {
    if (!(node instanceof codedeploy.CfnDeploymentGroup)) {
      return NA;
    }
    const topics = asArray<any>(resolved(node, node.triggerConfigurations)).map((t) => t.triggerTargetArn);
    if (topics.length === 0) {
      return NA;
    }
    const policies = Stack.of(node).node.findAll()
      .filter((c): c is sns.CfnTopicPolicy => c instanceof sns.CfnTopicPolicy)
      .map((c) => ({ topics: asArray<any>(resolved(c, c.topics)), document: resolved<any>(c, c.policyDocument) }));
    for (const topic of topics) {
      const id = referencedId(topic);
      if (id === undefined) {
        // A topic of another stack or account: its policy cannot be seen here.
        return NA;
      }
      const enforced = policies.some(
        (p) =>
          p.topics.some((t) => referencedId(t) === id) &&
          asArray<any>(p.document?.Statement).some((s) => s.Effect === 'Deny' && String(s.Condition?.Bool?.['aws:SecureTransport']) === 'false'),
      );
      if (!enforced) {
        return BAD;
      }
    }
    return OK;
  },
};
