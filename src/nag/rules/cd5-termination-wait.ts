import { ecsDeploymentGroupOf } from './deployment-group';
import { BAD, CodeDeployRule, NA, OK } from './rule';

export const CD5_TERMINATION_WAIT: CodeDeployRule = {
  id: 'CD5',
  info: 'The ECS blue/green deployment group terminates the original task set as soon as traffic has shifted.',
  explanation: 'With a termination wait of zero there is no time to roll back to the original tasks once a problem shows in production. Keep them for some minutes (TerminationWaitTimeInMinutes).',
  check: (node) => {
    const ecs = ecsDeploymentGroupOf(node);
    if (ecs === undefined) {
      return NA;
    }
    const terminate = ecs.blueGreen?.terminateBlueInstancesOnDeploymentSuccess;
    if (terminate?.action === 'KEEP_ALIVE') {
      return OK;
    }
    // CloudFormation's default (no configuration) is an immediate termination.
    const minutes = terminate?.terminationWaitTimeInMinutes;
    return typeof minutes === 'number' && minutes > 0 ? OK : BAD;
  },
};
