import { deploymentGroupOf } from './deployment-group';
import { BAD, CodeDeployRule, NA, OK } from './rule';

export const CD1_ALARMS: CodeDeployRule = {
  id: 'CD1',
  info: 'The CodeDeploy deployment group has no CloudWatch alarms.',
  explanation: 'Without alarms CodeDeploy cannot stop a deployment whose new version misbehaves; it only notices failed lifecycle events. Add alarms on errors, latency or unhealthy hosts.',
  check: (node) => {
    const group = deploymentGroupOf(node);
    return group === undefined ? NA : group.hasAlarms ? OK : BAD;
  },
};
