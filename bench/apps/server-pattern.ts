import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { serverFixture } from './fixtures';
import { ServerDeployment, ServerLoadBalancer, ServerRevision } from '../../lib';

const WEB = path.join(__dirname, '..', '..', 'examples', 'server-in-place', 'web');

/** In-place deployment of a folder to an Auto Scaling group behind an ALB: agent, alarms, rollback, a real deployment on cdk deploy. */
export function build(stack: Stack, id: string): void {
  const { asg, targetGroup } = serverFixture(stack, id);
  // --- user code begin
  new ServerDeployment(stack, id, {
    revision: ServerRevision.fromDirectory(WEB),
    autoScalingGroups: [asg],
    loadBalancers: [ServerLoadBalancer.application(targetGroup)],
  });
  // --- user code end
}
