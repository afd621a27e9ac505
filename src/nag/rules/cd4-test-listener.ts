import { ecsDeploymentGroupOf } from './deployment-group';
import { asArray, BAD, CodeDeployRule, NA, OK } from './rule';

export const CD4_TEST_LISTENER: CodeDeployRule = {
  id: 'CD4',
  info: 'The ECS blue/green deployment group has no test listener.',
  explanation: 'A test listener lets the AfterAllowTestTraffic hook exercise the replacement task set before any production traffic reaches it. Add a test traffic route.',
  check: (node) => {
    const ecs = ecsDeploymentGroupOf(node);
    if (ecs === undefined) {
      return NA;
    }
    const pairs = asArray<any>(ecs.loadBalancerInfo?.targetGroupPairInfoList);
    return pairs.length > 0 && pairs.every((pair) => asArray(pair.testTrafficRoute?.listenerArns).length > 0) ? OK : BAD;
  },
};
