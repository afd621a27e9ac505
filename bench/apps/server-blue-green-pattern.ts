import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { blueGreenServerFixture } from './fixtures';
import { ServerBlueGreenDeployment, ServerLoadBalancer, ServerRevision } from '../../lib';

const WEB = path.join(__dirname, '..', '..', 'examples', 'server-in-place', 'web');

/**
 * EC2 blue/green of a folder behind an ALB: a fleet per revision, the deployment group as a custom
 * resource, alarms, rollback, a real deployment on cdk deploy. Nothing hand-wired compares (CloudFormation
 * cannot declare an EC2 blue/green group), so the bench sets it beside our in-place pattern.
 */
export function build(stack: Stack, id: string): void {
  const { vpc, launchTemplate, targetGroup } = blueGreenServerFixture(stack, id);
  // --- user code begin
  new ServerBlueGreenDeployment(stack, id, {
    revision: ServerRevision.fromDirectory(WEB),
    vpc,
    launchTemplate,
    loadBalancers: [ServerLoadBalancer.application(targetGroup)],
  });
  // --- user code end
}
