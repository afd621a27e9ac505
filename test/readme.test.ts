import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import {
  AgentInstanceProfile,
  BlueGreenLoadBalancerType,
  CodeDeployServiceRole,
  ComputePlatform,
  EcsDeployment,
  EcsDeploymentEngine,
  HttpCheckTarget,
  LambdaDeployment,
  LifecycleHook,
  ServerDeployment,
  ServerRevision,
} from '../src';
import { complianceTable } from './compliance-table';
import { acknowledgements, testStack } from './harness';
import { ecsFixture, serverFixture, userFunction } from './util';

const WEB = path.join(__dirname, '..', 'examples', 'server-in-place', 'web');

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

/** Every cdk-nag acknowledgement the library makes, over every configuration that can produce one. */
function allLibraryAcknowledgements() {
  const stack = testStack();
  new LambdaDeployment(stack, 'Lambda', {
    lambdaFunction: userFunction(stack, 'Fn'),
    hooks: {
      beforeAllowTraffic: LifecycleHook.fromFunction(userFunction(stack, 'Hook')),
    },
    deploymentConfig: new codedeploy.LambdaDeploymentConfig(stack, 'C', {
      trafficRouting: codedeploy.TrafficRouting.timeBasedCanary({ interval: Duration.minutes(5), percentage: 10 }),
    }),
  });
  new LambdaDeployment(stack, 'LambdaManaged', { lambdaFunction: userFunction(stack, 'Fn2'), useAwsManagedPolicy: true });
  for (const platform of [ComputePlatform.SERVER, ComputePlatform.ECS, ComputePlatform.LAMBDA]) {
    new CodeDeployServiceRole(stack, `Managed${platform}Role`, { computePlatform: platform, useAwsManagedPolicy: true });
  }
  const server = new CodeDeployServiceRole(stack, 'Server', { computePlatform: ComputePlatform.SERVER });
  server.grantLaunchTemplateInstances(new iam.Role(stack, 'Instance', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') }));
  const ecsRole = new CodeDeployServiceRole(stack, 'Ecs', { computePlatform: ComputePlatform.ECS });
  const cluster = ecs.Cluster.fromClusterAttributes(stack, 'Cluster', {
    clusterName: 'c', vpc: ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'] }),
  });
  ecsRole.grantEcsService(ecs.FargateService.fromFargateServiceAttributes(stack, 'S', { cluster, serviceName: 's' }), []);
  ecsRole.grantModifyListeners([stack.formatArn({ service: 'elasticloadbalancing', resource: 'listener', resourceName: 'app/lb/1/2' })], 'app/lb/1');
  const fixture = ecsFixture(new Construct(stack, 'EcsFixture'));
  new EcsDeployment(stack, 'EcsPublic', { cluster: fixture.cluster, taskDefinition: fixture.taskDefinition });
  new EcsDeployment(stack, 'EcsInternal', { cluster: fixture.cluster, taskDefinition: fixture.taskDefinition, traffic: { internetFacing: false } });
  new EcsDeployment(stack, 'EcsNlb', { cluster: fixture.cluster, taskDefinition: fixture.taskDefinition, traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK } });
  // The ECS engine: the infrastructure role, the rules the reader reads, the alarm check of the service's alarms.
  new EcsDeployment(stack, 'EcsNative', {
    cluster: fixture.cluster,
    taskDefinition: fixture.taskDefinition,
    engine: EcsDeploymentEngine.ECS,
    hooks: { afterAllowTraffic: LifecycleHook.deploymentGroupAlarmCheck() },
  });
  const fleet = serverFixture(new Construct(stack, 'ServerFixture'));
  new ServerDeployment(stack, 'ServerDefaults', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [fleet.asg] });
  new ServerDeployment(stack, 'ServerTagged', {
    revision: ServerRevision.fromDirectory(WEB),
    ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }),
    useAwsManagedPolicy: true,
  });
  new AgentInstanceProfile(stack, 'Profile');
  // Built-in hooks: invokeCheck's version wildcard, httpCheck's VPC network-interface actions.
  new LambdaDeployment(stack, 'LambdaChecked', {
    lambdaFunction: userFunction(stack, 'Fn3'),
    hooks: {
      beforeAllowTraffic: LifecycleHook.invokeCheck(),
      afterAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('https://example.com') }),
    },
  });
  // Risky choices made explicitly: the matching CodeDeployChecks findings are acknowledged.
  new EcsDeployment(stack, 'EcsRisky', {
    cluster: fixture.cluster,
    taskDefinition: fixture.taskDefinition,
    traffic: {
      testListener: false,
    },
    blueGreen: {
      terminationWaitTime: Duration.minutes(0),
    },
  });
  new EcsDeployment(stack, 'EcsChecked', {
    cluster: fixture.cluster,
    taskDefinition: fixture.taskDefinition,
    hooks: {
      afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener() }),
    },
  });
  return libraryOnly(acknowledgements(stack));
}

/** Acknowledgements of one ServerDeployment with defaults (an Auto Scaling group from a launch template). */
function serverDefaultAcknowledgements() {
  const stack = testStack();
  const server = serverFixture(new Construct(stack, 'Fixture'));
  new ServerDeployment(stack, 'Server', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [server.asg] });
  return libraryOnly(acknowledgements(stack));
}

/** The fixtures' own resources carry test-only acknowledgements ("Test fixture: ..."); they are not the library's. */
function libraryOnly(acks: { id: string; reason: string; path: string }[]) {
  return acks.filter((a) => !a.reason.startsWith('Test fixture:'));
}

describe('README', () => {
  test('lists every cdk-nag acknowledgement the library makes, with its reason', () => {
    const acks = allLibraryAcknowledgements();
    expect(acks.length).toBeGreaterThan(0);
    const missing = [...new Set(acks.map((a) => a.reason))].filter((reason) => !README.includes(reason));
    expect(missing).toEqual([]);
  });

  test('every acknowledgement is scoped to one finding of one rule', () => {
    for (const a of allLibraryAcknowledgements()) {
      // IAM findings name their resource or policy; ELB2, EC23, S1 and SQS3 have one finding per resource.
      expect(a.id).toMatch(/^(AwsSolutions-(IAM[45]\[(Resource|Policy)::.+\]|ELB2|EC23|S1|SQS3)|CodeDeploy-CD\d+|(NIST\.800\.53\.R5|HIPAA\.Security|PCI\.DSS\.321|Serverless)-[A-Za-z0-9]+)$/);
    }
  });

  test('states how many acknowledgements a ServerDeployment with defaults needs', () => {
    // The sentence counts AwsSolutions acknowledgements; the other packs' counts are in the generated table.
    const count = serverDefaultAcknowledgements().filter((a) => a.id.startsWith('AwsSolutions-')).length;
    const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen'];
    expect(README).toContain(`from a launch template) needs ${words[count]}:`);
  });

  test('the compliance table is the one generated from the code (scripts/compliance-table.ts)', () => {
    expect(README).toContain(complianceTable());
  });

  test('shows the two set-up commands, and .ci/run runs exactly the test command', () => {
    expect(README).toContain('npm ci && npx projen examples');
    expect(README).toContain('npm ci && npx projen build');
    const ci = fs.readFileSync(path.join(__dirname, '..', '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^npm ci$/m);
    expect(ci).toMatch(/^npx projen build$/m);
  });
});
