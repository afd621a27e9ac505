import { Template } from 'aws-cdk-lib/assertions';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { AgentMajorVersion, CodeDeployAgent } from '../../src';
import { DEFAULT_AGENT_UPDATE_SCHEDULE } from '../../src/private/agent-schedule';
import { testStack } from '../harness';

describe('CodeDeployAgent', () => {
  test('one association per target: Auto Scaling groups by their name tag, tags by key (key-only tags by tag-key)', () => {
    const stack = testStack();
    const a = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, 'A', 'asg-a');
    const b = autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, 'B', 'asg-b');
    const agent = new CodeDeployAgent(stack, 'Agent', {
      autoScalingGroups: [a, b],
      ec2InstanceTags: new codedeploy.InstanceTagSet({ env: ['prod', 'staging'], web: [] }, { ignored: ['second group'] }),
      onPremiseInstanceTags: new codedeploy.InstanceTagSet({ site: ['berlin'] }),
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SSM::Association', 4);
    const common = {
      Name: 'AWS-ConfigureAWSPackage',
      Parameters: { action: ['Install'], name: ['AWSCodeDeployAgent'] },
      ScheduleExpression: DEFAULT_AGENT_UPDATE_SCHEDULE,
      ApplyOnlyAtCronInterval: false,
      ComplianceSeverity: 'HIGH',
    };
    t.hasResourceProperties('AWS::SSM::Association', { ...common, Targets: [{ Key: 'tag:aws:autoscaling:groupName', Values: ['asg-a', 'asg-b'] }] });
    t.hasResourceProperties('AWS::SSM::Association', { ...common, Targets: [{ Key: 'tag:env', Values: ['prod', 'staging'] }] });
    t.hasResourceProperties('AWS::SSM::Association', { ...common, Targets: [{ Key: 'tag-key', Values: ['web'] }] });
    t.hasResourceProperties('AWS::SSM::Association', { ...common, Targets: [{ Key: 'tag:site', Values: ['berlin'] }] });
    expect(JSON.stringify(t.toJSON())).not.toContain('second group');
    expect(agent.autoScalingGroupAssociation).toBe(agent.associations[0]);
  });

  test('agent version, schedule and association names', () => {
    const stack = testStack();
    new CodeDeployAgent(stack, 'Agent', {
      ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }),
      agentVersion: '1.7.1-110',
      updateSchedule: 'rate(14 days)',
      associationNamePrefix: 'web-agent',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::SSM::Association', {
      AssociationName: 'web-agent-Ec2Tag1',
      Parameters: { action: ['Install'], name: ['AWSCodeDeployAgent'], version: ['1.7.1-110'] },
      ScheduleExpression: 'rate(14 days)',
    });
  });

  test('major version: V1 by default (package AWSCodeDeployAgent), V2 installs AWSCodeDeployAgentV2 with a 2.x version', () => {
    const stack = testStack();
    const tags = new codedeploy.InstanceTagSet({ app: ['web'] });
    const v1 = new CodeDeployAgent(stack, 'V1', { ec2InstanceTags: tags });
    const v2 = new CodeDeployAgent(stack, 'V2', { ec2InstanceTags: tags, majorVersion: AgentMajorVersion.V2, agentVersion: '2.1.0' });
    expect([v1.majorVersion, v1.packageName]).toEqual([AgentMajorVersion.V1, 'AWSCodeDeployAgent']);
    expect([v2.majorVersion, v2.packageName]).toEqual([AgentMajorVersion.V2, 'AWSCodeDeployAgentV2']);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SSM::Association', { Name: 'AWS-ConfigureAWSPackage', Parameters: { action: ['Install'], name: ['AWSCodeDeployAgent'] } });
    t.hasResourceProperties('AWS::SSM::Association', { Name: 'AWS-ConfigureAWSPackage', Parameters: { action: ['Install'], name: ['AWSCodeDeployAgentV2'], version: ['2.1.0'] } });
  });

  test.each<[string, () => ConstructorParameters<typeof CodeDeployAgent>[2], RegExp]>([
    ['a 2.x agentVersion with V1', () => ({ ec2InstanceTags: new codedeploy.InstanceTagSet({ a: ['b'] }), agentVersion: '2.0.1' }),
      /agentVersion "2.0.1" is a 2.x version, but the agent's major version is V1 \(package AWSCodeDeployAgent\); set the major version to AgentMajorVersion.V2 or give a 1.x version/],
    ['a 1.x agentVersion with V2', () => ({ ec2InstanceTags: new codedeploy.InstanceTagSet({ a: ['b'] }), majorVersion: AgentMajorVersion.V2, agentVersion: '1.8.1-26' }),
      /agentVersion "1.8.1-26" is a 1.x version, but the agent's major version is V2 \(package AWSCodeDeployAgentV2\)/],
    ['an agentVersion that is no version', () => ({ ec2InstanceTags: new codedeploy.InstanceTagSet({ a: ['b'] }), agentVersion: 'latest' }),
      /agentVersion must be a version of the agent package such as "1.8.1-26" or "2.1.0"; received "latest"/],
    ['no target', () => ({}), /CodeDeployAgent needs a target: autoScalingGroups, ec2InstanceTags or onPremiseInstanceTags/],
    ['a value-only tag', () => ({ ec2InstanceTags: new codedeploy.InstanceTagSet({ '': ['web'] }) }), /ec2InstanceTags: State Manager cannot target instances by a tag value alone \(values \["web"\]\)/],
    ['a bad schedule', () => ({ ec2InstanceTags: new codedeploy.InstanceTagSet({ a: ['b'] }), updateSchedule: 'every sunday' }), /updateSchedule must be a State Manager cron\(\.\.\.\), rate\(\.\.\.\) or at\(\.\.\.\) expression.*; received "every sunday"/],
  ])('%s is rejected', (_name, props, message) => {
    expect(() => new CodeDeployAgent(testStack(), 'Agent', props())).toThrow(message);
  });
});
