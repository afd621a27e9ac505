import { deploymentGroupOf } from './deployment-group';
import { BAD, CodeDeployRule, NA, OK } from './rule';

export const CD3_ALARM_ROLLBACK: CodeDeployRule = {
  id: 'CD3',
  info: 'The CodeDeploy deployment group has alarms but does not roll back when they fire.',
  explanation: 'An alarm only stops the deployment; without DEPLOYMENT_STOP_ON_ALARM in the rollback events the stopped deployment stays half done. Add DEPLOYMENT_STOP_ON_ALARM.',
  check: (node) => {
    const group = deploymentGroupOf(node);
    if (group === undefined || !group.hasAlarms) {
      return NA;
    }
    return group.rollbackEvents.includes('DEPLOYMENT_STOP_ON_ALARM') ? OK : BAD;
  },
};
