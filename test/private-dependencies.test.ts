import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { testStack } from './harness';
import { dependOn } from '../src/private/dependencies';

/** dependOn: an explicit DependsOn only where CloudFormation would not already order the resources. */
describe('dependOn', () => {
  /** A queue that names a role in its properties (as the trigger names its deployment group) and must wait for it. */
  const build = (literalName?: string) => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Target', { assumedBy: new iam.ServicePrincipal('sqs.amazonaws.com'), roleName: literalName });
    const queue = new sqs.Queue(stack, 'From');
    // The name as a plain string (as a user passes an existing group's name) or as the role's attribute.
    const name = literalName ?? role.roleName;
    (queue.node.defaultChild as sqs.CfnQueue).addPropertyOverride('Tags', [{ Key: 'role', Value: name }]);
    dependOn(queue, role, [name]);
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
    return Object.values(resources).find((r) => r.Type === 'AWS::SQS::Queue');
  };

  test('a reference (Ref) orders them: no DependsOn, which cfn-lint would flag as W3005', () => {
    const queue = build();
    expect(queue.Properties.Tags).toEqual([{ Key: 'role', Value: { Ref: expect.stringMatching(/^Target/) } }]);
    expect(queue.DependsOn).toBeUndefined();
  });

  test('a name given as a plain string is no reference: the DependsOn is kept', () => {
    const queue = build('deployer');
    expect(queue.Properties.Tags).toEqual([{ Key: 'role', Value: 'deployer' }]);
    expect(queue.DependsOn).toEqual([expect.stringMatching(/^Target/)]);
  });

  test('across stacks: a stack dependency', () => {
    const app = new App();
    const other = new Stack(app, 'Other');
    const stack = new Stack(app, 'Mine');
    const role = new iam.Role(other, 'Target', { assumedBy: new iam.ServicePrincipal('sqs.amazonaws.com') });
    dependOn(new sqs.Queue(stack, 'From'), role);
    app.synth();
    expect(stack.dependencies.map((s) => s.stackName)).toEqual(['Other']);
  });
});
