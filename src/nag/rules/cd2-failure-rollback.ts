import { deploymentGroupOf } from './deployment-group';
import { BAD, CodeDeployRule, NA, OK } from './rule';

export const CD2_FAILURE_ROLLBACK: CodeDeployRule = {
  id: 'CD2',
  info: 'The CodeDeploy deployment group does not roll back automatically when a deployment fails.',
  explanation: 'A failed Lambda deployment without rollback can leave the alias split between two versions, and a failed EC2 deployment leaves instances on different revisions. Enable automatic rollback for DEPLOYMENT_FAILURE.',
  check: (node) => {
    const group = deploymentGroupOf(node);
    return group === undefined ? NA : group.rollbackEvents.includes('DEPLOYMENT_FAILURE') ? OK : BAD;
  },
};
