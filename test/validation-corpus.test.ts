import * as fs from 'fs';
import * as path from 'path';
import { ArnFormat, CfnParameter, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import {
  AgentInstallation,
  AgentInstanceProfile,
  AutoScalingProcess,
  BlueGreenLoadBalancerType,
  CodeDeployAgent,
  CodeDeployServiceRole,
  ComputePlatform,
  DeploymentEvent,
  DeploymentRevision,
  DeploymentSource,
  DeploymentTrigger,
  EcsAppSpec,
  EcsDeployment,
  EcsDeploymentEngine,
  EcsDeploymentProps,
  HttpCheckTarget,
  LambdaDeployment,
  LambdaDeploymentProps,
  LifecycleHook,
  ServerAppSpec,
  ServerDeployment,
  ServerDeploymentProps,
  ServerLoadBalancer,
  ServerOs,
  ServerBlueGreenDeployment,
  ServerBlueGreenDeploymentProps,
  ServerPipelineSource,
  ServerRevision,
  RevisionBundleType,
} from '../src';
import { cfnLint, testStack } from './harness';
import { checkTemplate } from './iam/reference';
import { blueGreenFixture, ecsFixture, secureTopic, serverFixture, userFunction } from './util';

/**
 * The synth-time safety net as one table: bad inputs across the three platforms, the AppSpec
 * builders and parsers, hooks and notifications, each with the message it must produce (errors
 * name the construct path, the value and the fix); risky-but-valid choices with their warning;
 * unresolved tokens that must not be judged; and cfn-lint over every template that synthesizes.
 */

const WEB = path.join(__dirname, '..', 'examples', 'server-in-place', 'web');

const lambdaDep = (s: Stack, p: Partial<LambdaDeploymentProps> = {}) => new LambdaDeployment(s, 'Dep', { lambdaFunction: userFunction(s, 'Fn'), ...p });
const ecsDep = (s: Stack, p: Partial<EcsDeploymentProps> = {}) => {
  const { cluster, taskDefinition } = ecsFixture(s);
  return new EcsDeployment(s, 'Dep', { cluster, taskDefinition, ...p });
};
const serverDep = (s: Stack, p: Partial<ServerDeploymentProps> = {}) => {
  const fixture = serverFixture(s);
  return new ServerDeployment(s, 'Dep', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [fixture.asg], ...p });
};
const importedAlarms = (s: Stack, n: number) =>
  Array.from({ length: n }, (_, i) => cloudwatch.Alarm.fromAlarmArn(s, `A${i}`, s.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: `a${i}`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })));
const url = HttpCheckTarget.url('https://example.com');
const blueGreenDep = (s: Stack, p: Partial<ServerBlueGreenDeploymentProps> = {}, fixture?: ReturnType<typeof blueGreenFixture>) => {
  const f = fixture ?? blueGreenFixture(s);
  return new ServerBlueGreenDeployment(s, 'Dep', {
    revision: ServerRevision.fromDirectory(WEB),
    vpc: f.vpc,
    launchTemplate: f.launchTemplate,
    loadBalancers: [ServerLoadBalancer.application(f.targetGroup)],
    ...p,
  });
};
const trigger = (s: Stack, revision?: DeploymentRevision, names: { applicationName?: string; deploymentGroupName?: string } = {}) =>
  new DeploymentTrigger(s, 'Trigger', {
    applicationName: names.applicationName ?? 'app',
    deploymentGroupName: names.deploymentGroupName ?? 'group',
    deploymentConfig: codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE,
    revision: revision ?? DeploymentRevision.fromAppSpecContent('{"version": "0.0", "Resources": [{"fn": {"Type": "AWS::Lambda::Function"}}]}'),
  });

type Case = [name: string, build: (s: Stack) => unknown, message: RegExp];

/** Errors thrown at synth time, by platform / building block. */
const ERRORS: Record<string, Case[]> = {
  'shared (all patterns)': [
    ['group name too long', (s) => lambdaDep(s, { deploymentGroupName: 'g'.repeat(101) }), /deploymentGroupName must be 1 to 100 characters long \(CodeDeploy quota\); received 101 characters/],
    ['group name characters', (s) => lambdaDep(s, { deploymentGroupName: 'my group!' }), /deploymentGroupName may only contain letters, digits and \. _ \+ = , @ -; received "my group!"/],
    ['11 alarms with 2 defaults', (s) => lambdaDep(s, { alarms: importedAlarms(s, 9) }), /at most 10 alarms; this one would have 11 \(9 given in alarms \+ 2 default alarms\)/],
    ['11 notifications', (s) => lambdaDep(s, { notifications: Array.from({ length: 11 }, (_, i) => ({ topic: secureTopic(s, `T${i}`), events: [DeploymentEvent.DEPLOYMENT_FAILURE] })) }),
      /at most 10 notifications \(CodeDeploy triggers\); received 11/],
    ['notification without events', (s) => lambdaDep(s, { notifications: [{ topic: secureTopic(s, 'T'), events: [] }] }), /notifications\[0\] \(".*"\) has no events; list at least one DeploymentEvent/],
    ['duplicate notification names', (s) => {
      const topic = secureTopic(s, 'T');
      lambdaDep(s, { notifications: [{ topic, events: [DeploymentEvent.DEPLOYMENT_FAILURE], name: 'n' }, { topic, events: [DeploymentEvent.DEPLOYMENT_SUCCESS], name: 'n' }] });
    }, /notifications\[1\] reuses the name "n"; trigger names must be unique/],
    ['alarm rollback without alarms', (s) => lambdaDep(s, { defaultAlarms: { errors: false, throttles: false }, autoRollback: { deploymentInAlarm: true } }),
      /autoRollback.deploymentInAlarm is true but the deployment group has no alarms/],
    ['a construct of the user under the id of a shared part', (s) => { new Construct(s, 'CodeDeployPatternsLambdaApplication'); lambdaDep(s); },
      /the construct id "CodeDeployPatternsLambdaApplication" is where cdk-codedeploy-patterns keeps its shared LambdaApplication for this stack, but TestStack\/CodeDeployPatternsLambdaApplication is a Construct\. Give your construct another id\./],
    ['empty group name', (s) => lambdaDep(s, { deploymentGroupName: '' }), /deploymentGroupName is empty; give a name of 1 to 100 characters, or omit it/],
    ['an ECS configuration on a Lambda deployment', (s) => lambdaDep(s, { deploymentConfig: codedeploy.EcsDeploymentConfig.ALL_AT_ONCE as any }),
      /deploymentConfig CodeDeployDefault\.ECSAllAtOnce is a predefined configuration of the ECS compute platform; CodeDeploy rejects it for a Lambda deployment group\. Use one of the Lambda configurations/],
    ['a Lambda configuration on an ECS deployment', (s) => ecsDep(s, { deploymentConfig: codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE as any }),
      /CodeDeployDefault\.LambdaAllAtOnce is a predefined configuration of the Lambda compute platform; CodeDeploy rejects it for a ECS deployment group/],
    ['a Server configuration on an ECS deployment', (s) => ecsDep(s, { deploymentConfig: codedeploy.ServerDeploymentConfig.ONE_AT_A_TIME as any }),
      /CodeDeployDefault\.OneAtATime is a predefined configuration of the Server compute platform/],
    ['an ECS configuration on a Server deployment', (s) => serverDep(s, { deploymentConfig: codedeploy.EcsDeploymentConfig.ALL_AT_ONCE as any }),
      /CodeDeployDefault\.ECSAllAtOnce is a predefined configuration of the ECS compute platform; CodeDeploy rejects it for a Server deployment group/],
    ['a service role trusting applications by wildcard', (s) => new CodeDeployServiceRole(s, 'Role', { computePlatform: ComputePlatform.LAMBDA, applicationName: 'web-*' }),
      /applicationName must be the name of a CodeDeploy application, 1 to 100 letters, digits and \. _ \+ = , @ -; received "web-\*" \(5 characters\)\. It scopes the trust policy's aws:SourceArn, where \* and \? would admit other applications/],
    ['a service role for an application name with a slash', (s) => new CodeDeployServiceRole(s, 'Role', { computePlatform: ComputePlatform.SERVER, applicationName: 'team/web' }),
      /applicationName must be the name of a CodeDeploy application.*received "team\/web"/],
    ['managed policy with own role', (s) => lambdaDep(s, { useAwsManagedPolicy: true, role: new iam.Role(s, 'R', { assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com') }) }),
      /useAwsManagedPolicy only applies to the role the pattern creates/],
  ],
  'Lambda': [
    ['old versions as snapshots', (s) => lambdaDep(s, { oldVersions: RemovalPolicy.SNAPSHOT }), /oldVersions must be RemovalPolicy.RETAIN or RemovalPolicy.DESTROY \(a Lambda version has no snapshot\)/],
    ['alias on $LATEST', (s) => {
      const fn = userFunction(s, 'Fn');
      new LambdaDeployment(s, 'Dep', { lambdaFunction: fn, version: fn.latestVersion });
    }, /version is \$LATEST \(fn\.latestVersion\): an alias on \$LATEST is never shifted by CodeDeploy/],
    ['a hook function imported from another account', (s) => lambdaDep(s, {
      hooks: {
        beforeAllowTraffic: LifecycleHook.fromFunction(lambda.Function.fromFunctionArn(s, 'Imported', 'arn:aws:lambda:us-east-1:222222222222:function:hook')),
      },
    }), /hooks.beforeAllowTraffic: CodeDeploy's role could not be given permission to invoke TestStack\/Imported \(arn:aws:lambda:us-east-1:222222222222:function:hook\), an imported function \(aws-cdk-lib: "Cannot modify permission to lambda function\. Function is either imported or \$LATEST version\."\)\. If it is in this account, import it with lambda\.Function\.fromFunctionAttributes/],
    ['the function as its own hook', (s) => {
      const fn = userFunction(s, 'Fn');
      new LambdaDeployment(s, 'Dep', { lambdaFunction: fn, hooks: { beforeAllowTraffic: LifecycleHook.fromFunction(fn) } });
    }, /hooks.beforeAllowTraffic is the deployed function itself \(TestStack\/Fn\)/],
    ['alias name of digits', (s) => lambdaDep(s, { aliasName: '42' }), /aliasName must be 1-128 letters, digits, "-" or "_" and not only digits \(a number names a version\); received "42"/],
    ['alias name with a dot', (s) => lambdaDep(s, { aliasName: 'v1.2' }), /aliasName must be 1-128 letters.*received "v1.2"/],
    ['canary step 100 %', (s) => lambdaDep(s, {
      deploymentConfig: new codedeploy.LambdaDeploymentConfig(s, 'C', { trafficRouting: codedeploy.TrafficRouting.timeBasedCanary({ interval: Duration.minutes(5), percentage: 100 }) }),
    }), /Canary traffic routing percentage must be a whole number from 1 to 99; received 100/],
    ['canary past 2,880 minutes', (s) => lambdaDep(s, {
      deploymentConfig: new codedeploy.LambdaDeploymentConfig(s, 'C', { trafficRouting: codedeploy.TrafficRouting.timeBasedCanary({ interval: Duration.minutes(2881), percentage: 10 }) }),
    }), /Canary traffic routing interval must be at most 2880 minutes .*received 2881 minutes/],
    ['linear past 2,880 minutes', (s) => lambdaDep(s, {
      deploymentConfig: new codedeploy.LambdaDeploymentConfig(s, 'C', { trafficRouting: codedeploy.TrafficRouting.timeBasedLinear({ interval: Duration.minutes(800), percentage: 25 }) }),
    }), /takes 4 shifts x 800 = 3200 minutes, over CodeDeploy's limit of 2880 minutes.*interval of at most 720 minutes/],
    ['alarm threshold zero', (s) => lambdaDep(s, { defaultAlarms: { errorsThreshold: 0 } }), /defaultAlarms.errorsThreshold must be greater than 0; received 0/],
    ['evaluation periods zero', (s) => lambdaDep(s, { defaultAlarms: { evaluationPeriods: 0 } }), /defaultAlarms.evaluationPeriods must be a whole number of at least 1; received 0/],
    ['alarm period of seconds', (s) => lambdaDep(s, { defaultAlarms: { period: Duration.seconds(90) } }), /defaultAlarms.period must be a whole number of minutes/],
  ],
  'ECS': [
    ['two load balancers', (s) => {
      const { vpc, cluster, taskDefinition } = ecsFixture(s);
      new EcsDeployment(s, 'Dep', {
        cluster,
        taskDefinition,
        traffic: {
          applicationLoadBalancer: new elbv2.ApplicationLoadBalancer(s, 'Alb', { vpc }),
          networkLoadBalancer: new elbv2.NetworkLoadBalancer(s, 'Nlb', { vpc }),
        },
      });
    }, /Give either applicationLoadBalancer or networkLoadBalancer, not both/],
    ['NLB with a canary', (s) => ecsDep(s, { traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK }, deploymentConfig: codedeploy.EcsDeploymentConfig.CANARY_10PERCENT_5MINUTES }),
      /A Network Load Balancer only supports all-at-once traffic shifting .*deploymentConfig is CodeDeployDefault.ECSCanary10Percent5Minutes/],
    ['same production and test port', (s) => ecsDep(s, { traffic: { productionPort: 8080, testPort: 8080 } }), /The test listener needs its own port; productionPort and testPort are both 8080/],
    ['port out of range', (s) => ecsDep(s, { traffic: { productionPort: 70000 } }), /productionPort must be a whole number from 1 to 65535; received 70000/],
    ['testPort without test listener', (s) => ecsDep(s, { traffic: { testListener: false, testPort: 9000 } }), /testPort is 9000 but testListener is false/],
    ['test peers without test listener', (s) => ecsDep(s, { traffic: { testListener: false, testTrafficPeers: [ec2.Peer.ipv4('10.0.0.0/8')] } }), /testTrafficPeers is set but testListener is false/],
    ['AfterAllowTestTraffic without test listener', (s) => ecsDep(s, { traffic: { testListener: false }, hooks: { afterAllowTestTraffic: LifecycleHook.httpCheck({ target: url }) } }),
      /hooks\.afterAllowTestTraffic needs a test listener, but traffic\.testListener is false/],
    ['termination wait of seconds', (s) => ecsDep(s, { blueGreen: { terminationWaitTime: Duration.seconds(90) } }), /terminationWaitTime must be a whole number of minutes from 0 to 2880; received 1.5 minutes/],
    ['termination wait past 2,880 minutes', (s) => ecsDep(s, { blueGreen: { terminationWaitTime: Duration.minutes(2881) } }), /terminationWaitTime must be a whole number of minutes from 0 to 2880; received 2881 minutes/],
    ['approval wait of zero', (s) => ecsDep(s, { blueGreen: { deploymentApprovalWaitTime: Duration.minutes(0) } }), /deploymentApprovalWaitTime must be a whole number of minutes from 1 to 2880; received 0 minutes/],
    ['negative desired count', (s) => ecsDep(s, { service: { desiredCount: -1 } }), /desiredCount must be a whole number of at least 0; received -1/],
    ['5xx alarm on an NLB', (s) => ecsDep(s, { traffic: { loadBalancerType: BlueGreenLoadBalancerType.NETWORK }, defaultAlarms: { http5xx: true } }), /defaultAlarms.http5xx needs an Application Load Balancer/],
    ['service name with a dot', (s) => ecsDep(s, { service: { serviceName: 'web.api' } }), /serviceName must be 1 to 255 letters, digits, hyphens and underscores \(ECS's rule for service names\); received "web\.api" \(7 characters\)/],
    ['unknown container', (s) => ecsDep(s, { containerName: 'nope' }), /The task definition .* has no container named "nope"; containers: web/],
    // The ECS engine: what only CodeDeploy has, and CloudFormation's ranges for ECS.
    ['ECS engine with a custom CodeDeploy configuration', (s) => ecsDep(s, {
      engine: EcsDeploymentEngine.ECS,
      deploymentConfig: new codedeploy.EcsDeploymentConfig(s, 'Custom', { trafficRouting: codedeploy.TrafficRouting.timeBasedCanary({ interval: Duration.minutes(3), percentage: 20 }) }),
    }), /is a custom CodeDeploy configuration; the ECS engine takes CodeDeploy's predefined ECS configurations/],
    ['ECS engine with an approval wait', (s) => ecsDep(s, { engine: EcsDeploymentEngine.ECS, blueGreen: { deploymentApprovalWaitTime: Duration.minutes(30) } }),
      /blueGreen\.deploymentApprovalWaitTime exists only with engine CODE_DEPLOY \(ECS's approval is a PAUSE hook/],
    ['ECS engine in pipeline mode', (s) => ecsDep(s, { engine: EcsDeploymentEngine.ECS, deploymentSource: DeploymentSource.PIPELINE }),
      /deploymentSource PIPELINE exists only with engine CODE_DEPLOY/],
    ['ECS engine with a notification event ECS does not send', (s) => ecsDep(s, {
      engine: EcsDeploymentEngine.ECS, notifications: [{ topic: secureTopic(s, 'Topic'), events: [DeploymentEvent.DEPLOYMENT_FAILURE, DeploymentEvent.DEPLOYMENT_READY] }],
    }), /notifications\[0\] has DeploymentReady, which ECS does not send: with the ECS engine, notifications come from ECS's deployment events/],
    ['ECS engine bake time past 1,440 minutes', (s) => ecsDep(s, { engine: EcsDeploymentEngine.ECS, blueGreen: { terminationWaitTime: Duration.minutes(1500) } }),
      /terminationWaitTime is ECS's bake time with the ECS engine, at most 1440 minutes \(CloudFormation's BakeTimeInMinutes\); received 1500 minutes/],
  ],
  'ECS AppSpec': [
    ['container port 0', () => expectErrors(EcsAppSpec.validate({ taskDefinitionArn: 'arn', containerName: 'web', containerPort: 0 })), /containerPort must be a whole number from 1 to 65535; received 0/],
    ['no capacity provider weight', () => expectErrors(EcsAppSpec.validate({ taskDefinitionArn: 'arn', containerName: 'web', containerPort: 80, capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 0 }] })),
      /at least one capacity provider needs a weight greater than 0/],
    ['capacity provider base', () => expectErrors(EcsAppSpec.validate({ taskDefinitionArn: 'arn', containerName: 'web', containerPort: 80, capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1, base: 100001 }] })),
      /capacityProviderStrategy\[0\].base must be a whole number from 0 to 100000; received 100001/],
    ['capacity provider listed twice', () => expectErrors(EcsAppSpec.validate({
      taskDefinitionArn: 'arn', containerName: 'web', containerPort: 80, capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }, { capacityProvider: 'FARGATE', weight: 2 }],
    })), /capacityProviderStrategy lists FARGATE more than once/],
  ],
  'Server': [
    ['no instances', (s) => new ServerDeployment(s, 'Dep', { revision: ServerRevision.fromDirectory(WEB) }), /The deployment group has no instances: give autoScalingGroups, ec2InstanceTags or onPremis/],
    ['11 Auto Scaling groups', (s) => {
      const fixture = serverFixture(s);
      new ServerDeployment(s, 'Dep', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: Array.from({ length: 11 }, () => fixture.asg) });
    }, /at most 10 Auto Scaling groups; received 11/],
    ['empty on-premises tag group', (s) => serverDep(s, {
      autoScalingGroups: undefined,
      onPremiseInstanceTags: new codedeploy.InstanceTagSet({}),
    }), /onPremiseInstanceTags tag group 1 is empty/],
    ['11 tags in a group', (s) => serverDep(s, { autoScalingGroups: undefined, ec2InstanceTags: new codedeploy.InstanceTagSet(Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, ['v']]))) }),
      /tag group 1 has 11 tags; CodeDeploy allows at most 10/],
    ['tag key of 129 characters', (s) => serverDep(s, { autoScalingGroups: undefined, ec2InstanceTags: new codedeploy.InstanceTagSet({ ['k'.repeat(129)]: ['v'] }) }), /is 129 characters; at most 128/],
    ['tag value of 257 characters', (s) => serverDep(s, { autoScalingGroups: undefined, ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['v'.repeat(257)] }) }), /the value of tag "app" is 257 characters; at most 256/],
    ['empty tag group', (s) => serverDep(s, { autoScalingGroups: undefined, ec2InstanceTags: new codedeploy.InstanceTagSet({}) }), /tag group 1 is empty; remove it or add a tag/],
    ['same load balancer twice', (s) => {
      const fixture = serverFixture(s);
      const lb = ServerLoadBalancer.application(fixture.targetGroup);
      new ServerDeployment(s, 'Dep', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [fixture.asg], loadBalancers: [lb, lb] });
    }, /loadBalancers lists .* twice/],
    ['termination hook without Auto Scaling groups', (s) => serverDep(s, { autoScalingGroups: undefined, ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), terminationHook: true }),
      /terminationHook installs a hook in the Auto Scaling groups, but autoScalingGroups is empty/],
    ['unhealthy-hosts alarm without load balancers', (s) => serverDep(s, { defaultAlarms: { unhealthyHosts: true } }), /defaultAlarms.unhealthyHosts needs loadBalancers/],
    ['status-check alarm without Auto Scaling groups', (s) => serverDep(s, { autoScalingGroups: undefined, ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), defaultAlarms: { instanceStatusChecks: true } }),
      /defaultAlarms.instanceStatusChecks needs autoScalingGroups/],
    ['zonal config with on-premises instances', (s) => serverDep(s, {
      onPremiseInstanceTags: new codedeploy.InstanceTagSet({ site: ['dc1'] }),
      deploymentConfig: new codedeploy.ServerDeploymentConfig(s, 'Z', {
        minimumHealthyHosts: codedeploy.MinimumHealthyHosts.count(1),
        zonalConfig: { monitorDuration: Duration.minutes(5) },
      }),
    }), /has a zonal configuration, which CodeDeploy supports for EC2 instances only; this group also deploys to on-premises instances/],
    ['prebuilt bundle without key', (s) => serverDep(s, { revision: ServerRevision.fromBucket(s3.Bucket.fromBucketName(s, 'B', 'my-releases'), '') }), /ServerRevision.fromBucket: key must name an object; received ""/],
    ['a .tar.gz key with the default zip bundle type', (s) => serverDep(s, { revision: ServerRevision.fromBucket(s3.Bucket.fromBucketName(s, 'B', 'my-releases'), 'web/app-1.2.tar.gz') }),
      /ServerRevision.fromBucket: the key "web\/app-1\.2\.tar\.gz" names a tgz file but bundleType is zip; CodeDeploy would unpack it as zip and fail\. Set bundleType: RevisionBundleType\.TGZ/],
    ['an IP target group on an EC2 deployment', (s) => {
      const vpc = new ec2.Vpc(s, 'LbVpc', { maxAzs: 2, natGateways: 0 });
      const tg = new elbv2.ApplicationTargetGroup(s, 'IpTg', { vpc, port: 80, targetType: elbv2.TargetType.IP });
      new elbv2.ApplicationLoadBalancer(s, 'Alb', { vpc }).addListener('L', { port: 80, defaultTargetGroups: [tg] });
      serverDep(s, { loadBalancers: [ServerLoadBalancer.application(tg)] });
    }, /loadBalancers\[0\]: TestStack\/IpTg has target type ip; CodeDeploy registers EC2 instances by instance ID/],
    ['a target group on no load balancer (the default alarm has no metric)', (s) => {
      const vpc = new ec2.Vpc(s, 'LbVpc', { maxAzs: 2, natGateways: 0 });
      serverDep(s, { loadBalancers: [ServerLoadBalancer.application(new elbv2.ApplicationTargetGroup(s, 'LooseTg', { vpc, port: 80, targetType: elbv2.TargetType.INSTANCE }))] });
    }, /loadBalancers\[0\]: TestStack\/LooseTg is not attached to a load balancer \(aws-cdk-lib: ".*"\), so it has no UnHealthyHostCount metric for the default alarm\. Add it to a listener, or set defaultAlarms\.unhealthyHosts to false/],
    ['prebuilt bundle of Lambda type', (s) => serverDep(s, { revision: ServerRevision.fromBucket(s3.Bucket.fromBucketName(s, 'B', 'my-releases'), 'a.yaml', { bundleType: RevisionBundleType.YAML }) }),
      /bundleType YAML is for Lambda and ECS AppSpecs/],
    ['agent schedule without Systems Manager', (s) => serverDep(s, { installAgent: AgentInstallation.NONE, agentUpdateSchedule: 'rate(7 days)' }), /agentUpdateSchedule applies to installAgent SYSTEMS_MANAGER/],
  ],
  'Server AppSpec builder': [
    ['relative destination', () => expectErrors(ServerAppSpec.validate({ os: ServerOs.LINUX, files: [{ source: 'site', destination: 'var/www' }] })), /files\[0\].destination "var\/www" must be a fully qualified path on the instance \(starting with \/\)/],
    ['source leaving the revision', () => expectErrors(ServerAppSpec.validate({ os: ServerOs.LINUX, files: [{ source: '../etc/passwd', destination: '/var/www' }] })), /files\[0\].source "\.\.\/etc\/passwd" leaves the revision; agent 2\.1 rejects/],
    ['permissions on Windows', () => expectErrors(ServerAppSpec.validate({ os: ServerOs.WINDOWS, permissions: [{ objectPath: 'C:\\site' }] })), /permissions apply to Linux only/],
    ['symbolic mode', () => expectErrors(ServerAppSpec.validate({ os: ServerOs.LINUX, permissions: [{ objectPath: '/var/www', mode: 'u+x' }] })), /mode "u\+x" has the character u; give 1 to 4 octal digits/],
    ['bad ACL entry', () => expectErrors(ServerAppSpec.validate({ os: ServerOs.LINUX, permissions: [{ objectPath: '/var/www', acls: ['u:bob:rwX'] }] })), /ACL entry "u:bob:rwX" has the invalid character X/],
    ['script timeout past an hour', () => expectErrors(ServerAppSpec.validate({ os: ServerOs.LINUX, hooks: { applicationStart: [{ location: 'scripts/start.sh', timeout: Duration.seconds(3601) }] } })),
      /timeout must be a whole number of seconds from 1 to 3600/],
    ['runas on Windows', () => expectErrors(ServerAppSpec.validate({ os: ServerOs.WINDOWS, hooks: { applicationStart: [{ location: 'scripts/start.ps1', runas: 'admin' }] } })), /the Windows agent ignores runas/],
    ['shell script on Windows', () => expectErrors(ServerAppSpec.validate({ os: ServerOs.WINDOWS, hooks: { applicationStart: [{ location: 'scripts/start.sh' }] } })), /is a shell script, and the Windows agent runs the file itself/],
    ['script location leaving the revision', () => expectErrors(ServerAppSpec.validate({ os: ServerOs.LINUX, hooks: { applicationStart: [{ location: '../start.sh' }] } })), /leaves the revision/],
    ['SELinux range out of bounds', () => expectErrors(ServerAppSpec.validate({ os: ServerOs.LINUX, permissions: [{ objectPath: '/var/www', context: { seLinuxType: 't', seLinuxRange: 's0:c2000' } }] })), /SELinux range "s0:c2000" has a category outside c0-c1023/],
  ],
  'Server AppSpec parser': [
    ['version 1.0', () => expectErrors(ServerAppSpec.validateYaml('version: 1.0\nos: linux\n')), /line 1: version must be 0\.0 \(the only version the agent accepts\); received 1\.0/],
    ['no os', () => expectErrors(ServerAppSpec.validateYaml('version: 0.0\n')), /os is required: linux or windows/],
    ['os Linux', () => expectErrors(ServerAppSpec.validateYaml('version: 0.0\nos: Linux\n')), /os must be linux or windows/],
    ['version as a string', () => expectErrors(ServerAppSpec.validateYaml('version: "0.0"\nos: linux\n')), /version is the string "0\.0"; the agent compares it with the number 0\.0/],
    ['reserved event', () => expectErrors(ServerAppSpec.validateYaml('version: 0.0\nos: linux\nhooks:\n  DownloadBundle:\n    - location: a.sh\n')), /hooks.DownloadBundle: DownloadBundle is run by the CodeDeploy agent itself/],
    ['misspelled key', () => expectErrors(ServerAppSpec.validateYaml('version: 0.0\nos: linux\nhook:\n  ApplicationStart:\n    - location: a.sh\n')), /line 3: the agent ignores "hook"/],
    ['alias', () => expectErrors(ServerAppSpec.validateYaml('version: 0.0\nos: linux\nfiles:\n  - source: &s /\n    destination: *s\n')), /line 5: the alias \*s makes the agent's YAML loader fail on Ruby 3\.1 and later/],
    ['timeout past an hour', () => expectErrors(ServerAppSpec.validateYaml('version: 0.0\nos: linux\nhooks:\n  ApplicationStart:\n    - location: a.sh\n      timeout: 4000\n')),
      /hooks.ApplicationStart\[0\].timeout is 4000 seconds; CodeDeploy stops a lifecycle event after 3600 seconds/],
  ],
  'agent and instance profile': [
    ['agent without target', (s) => new CodeDeployAgent(s, 'Agent', {}), /CodeDeployAgent needs a target/],
    ['agent 2.x version with the 1.x package', (s) => new CodeDeployAgent(s, 'Agent', { ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), agentVersion: '2.1.0' }),
      /agentVersion "2.1.0" is a 2.x version, but the agent's major version is V1 \(package AWSCodeDeployAgent\)/],
    ['Auto Scaling process CodeDeploy cannot suspend', (s) => serverDep(s, { suspendAutoScalingProcesses: ['HealthCheck' as AutoScalingProcess] }),
      /CodeDeploy can suspend Terminate, AZRebalance, InstanceRefresh, ScheduledActions \(case-sensitive\); received "HealthCheck"/],
    ['processes to suspend without Auto Scaling groups', (s) => serverDep(s, { autoScalingGroups: [], onPremiseInstanceTags: new codedeploy.InstanceTagSet({ site: ['a'] }), suspendAutoScalingProcesses: [AutoScalingProcess.AZ_REBALANCE] }),
      /InvalidAutoScalingGroupProcessToSuspendException/],
    ['a revision in pipeline mode', (s) => serverDep(s, { deploymentSource: DeploymentSource.PIPELINE }), /deploymentSource is PIPELINE, so the pipeline supplies the revisions/],
    ['no revision for cdk deploy', (s) => serverDep(s, { revision: undefined }), /revision is required: the revision every cdk deploy deploys/],
    ['blue/green without a load balancer', (s) => blueGreenDep(s, { loadBalancers: [] }), /loadBalancers is empty; a blue\/green deployment moves traffic on a load balancer/],
    ['blue/green on IP targets', (s) => {
      const f = blueGreenFixture(s);
      const ip = new elbv2.ApplicationTargetGroup(s, 'Ip', { vpc: f.vpc, port: 80, targetType: elbv2.TargetType.IP });
      return blueGreenDep(s, { loadBalancers: [ServerLoadBalancer.application(ip)] }, f);
    }, /target group TestStack\/Ip has target type ip; EC2 blue\/green needs target type instance/],
    ['blue/green without instances', (s) => blueGreenDep(s, { minCapacity: 0 }), /minCapacity must be a whole number of at least 1/],
    ['blue/green from a pipeline', (s) => blueGreenDep(s, { deploymentSource: DeploymentSource.PIPELINE }), /cannot name the new fleet a blue\/green deployment targets/],
    ['blue/green maximum below minimum', (s) => blueGreenDep(s, { minCapacity: 3, maxCapacity: 2 }), /maxCapacity \(2\) is below minCapacity \(3\)/],
    ['a pipeline source bucket without versioning', (s) => new ServerPipelineSource(s, 'Upload', { revision: ServerRevision.fromDirectory(WEB), bucket: new s3.Bucket(s, 'Source') }),
      /bucket TestStack\/Source is not versioned.*CodePipeline's S3 source action requires a versioned bucket/],
    ['a pipeline source key with a leading slash', (s) => new ServerPipelineSource(s, 'Upload', { revision: ServerRevision.fromDirectory(WEB), bucket: new s3.Bucket(s, 'Source', { versioned: true }), key: '/web.zip' }),
      /key must name an object, without a leading or trailing "\/"; received "\/web.zip"/],
    ['a pipeline source from a bundle in S3', (s) => new ServerPipelineSource(s, 'Upload', { revision: ServerRevision.fromBucket(s3.Bucket.fromBucketName(s, 'B', 'my-releases'), 'app.zip'), bucket: new s3.Bucket(s, 'Source', { versioned: true }) }),
      /revision is a bundle already in S3 \(ServerRevision.fromBucket\), which needs no upload/],
    ['agent schedule', (s) => new CodeDeployAgent(s, 'Agent', { ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), updateSchedule: 'every sunday' }),
      /updateSchedule must be a State Manager cron\(...\), rate\(...\) or at\(...\) expression, e\.g\. cron\(0 2 \? \* SUN \*\) or rate\(7 days\); received "every sunday"/],
    ['agent schedule every 5 minutes', (s) => new CodeDeployAgent(s, 'Agent', { ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), updateSchedule: 'rate(5 minutes)' }),
      /updateSchedule runs more often than every 30 minutes, the shortest interval State Manager allows for associations; received "rate\(5 minutes\)"/],
    ['agent schedule in weeks', (s) => new CodeDeployAgent(s, 'Agent', { ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), updateSchedule: 'rate(1 week)' }),
      /updateSchedule is not a rate expression State Manager accepts: rate\(<number> minutes\|hours\|days\)/],
    ['agent schedule with 4 cron fields', (s) => new CodeDeployAgent(s, 'Agent', { ec2InstanceTags: new codedeploy.InstanceTagSet({ app: ['web'] }), updateSchedule: 'cron(0 2 * *)' }),
      /updateSchedule has 4 cron fields; State Manager takes 5 or 6/],
    ['instance profile name of 129 characters', (s) => new AgentInstanceProfile(s, 'Profile', { instanceProfileName: 'p'.repeat(129) }),
      /instanceProfileName must be 1 to 128 letters, digits and _ \+ = , \. @ - \(IAM's rule for instance profile names\); received "p+" \(129 characters\)/],
    ['instance profile name with a slash', (s) => new AgentInstanceProfile(s, 'Profile', { instanceProfileName: 'web/profile' }), /instanceProfileName must be 1 to 128 letters.*received "web\/profile"/],
    ['profile managed policy without Systems Manager', (s) => new AgentInstanceProfile(s, 'Profile', { systemsManager: false, useAwsManagedPolicy: true }),
      /useAwsManagedPolicy attaches the Systems Manager policy, but systemsManager is false/],
  ],
  'deployment trigger': [
    ['empty AppSpec content', (s) => trigger(s, DeploymentRevision.fromAppSpecContent('  ')), /revision: the AppSpec content is empty; give the AppSpec as JSON or YAML/],
    ['AppSpec content that is not YAML', (s) => trigger(s, DeploymentRevision.fromAppSpecContent('{"version": 0.0, "Resources": [')), /revision: the AppSpec content is neither JSON nor YAML/],
    ['AppSpec content without Resources', (s) => trigger(s, DeploymentRevision.fromAppSpecContent('version: 0.0\nHooks: []\n')), /revision: the AppSpec has no Resources list/],
    ['AppSpec content of version 1', (s) => trigger(s, DeploymentRevision.fromAppSpecContent('{"version": 1, "Resources": [{}]}')), /revision: the AppSpec's version must be 0\.0; received 1/],
    ['an S3 revision whose key contradicts its bundle type', (s) => trigger(s, DeploymentRevision.fromS3(s3.Bucket.fromBucketName(s, 'B', 'my-releases'), 'app.zip', { bundleType: RevisionBundleType.TAR })),
      /revision: the key "app\.zip" names a zip file but bundleType is tar/],
    ['an empty application name', (s) => trigger(s, undefined, { applicationName: '' }), /applicationName is empty; give the name of an existing CodeDeploy application/],
    ['a deployment group name with a space', (s) => trigger(s, undefined, { deploymentGroupName: 'my group' }), /deploymentGroupName may only contain letters, digits and \. _ \+ = , @ -; received "my group"/],
  ],
  'hooks': [
    ['http check relative URL', (s) => lambdaDep(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('example.com') }) } }), /HttpCheckTarget.url\(\) needs an absolute http:\/\/ or https:\/\/ URL/],
    ['http check test listener on Lambda', (s) => lambdaDep(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener() }) } }), /needs the load balancer of an EcsDeployment/],
    ['http check test listener at AfterInstall', (s) => ecsDep(s, { hooks: { afterInstall: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener() }) } }), /only serves the replacement task set from AfterAllowTestTraffic on/],
    ['http check deadline of 15 minutes', (s) => lambdaDep(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: url, deadline: Duration.minutes(15) }) } }), /deadline must be from 1 second to 14 minutes/],
    ['invoke check on ECS', (s) => ecsDep(s, { hooks: { beforeAllowTraffic: LifecycleHook.invokeCheck() } }), /invokes the Lambda version being deployed, but the BeforeAllowTraffic hook is bound to a deployment that deploys no Lambda function/],
    ['alarm check without alarms', (s) => lambdaDep(s, { hooks: { beforeAllowTraffic: LifecycleHook.alarmCheck([]) } }), /alarmCheck takes 1 to 100 alarms/],
    ['sdk call of a command the SDK client does not have', (s) => lambdaDep(s, { hooks: { afterAllowTraffic: LifecycleHook.sdkCall({ service: 'ssm', action: 'CancelCommands', resources: ['*'] }) } }),
      /action "CancelCommands" is not a command of @aws-sdk\/client-ssm \(\d+ commands in the installed client\); did you mean CancelCommand/],
    ['sdk call of a client the SDK does not have', (s) => lambdaDep(s, { hooks: { afterAllowTraffic: LifecycleHook.sdkCall({ service: 'stepfunctions', action: 'StopExecution', resources: ['*'] }) } }),
      /service "stepfunctions" is not an AWS SDK v3 client \(@aws-sdk\/client-stepfunctions is not among the \d{3} clients/],
    ['sdk call without permissions', (s) => lambdaDep(s, { hooks: { afterAllowTraffic: LifecycleHook.sdkCall({ service: 'ssm', action: 'CancelCommand' }) } }), /needs resources \(the ARNs the call may act on\) or policyStatements/],
  ],
};

/** Valid but risky choices: synthesized, with a warning naming what is lost. */
const WARNINGS: Case[] = [
  ['a built-in hook in isolated subnets', (s) => {
    const vpc = new ec2.Vpc(s, 'IsolatedVpc', { availabilityZones: [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())], subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    vpc.addFlowLog('FlowLog');
    lambdaDep(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://10.0.0.10/health'), vpc, vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }) } });
  }, /BeforeAllowTraffic hook runs in isolated subnets .* cannot call CodeDeploy's PutLifecycleEventHookExecutionStatus.*\[ack: cdk-codedeploy-patterns:hookInIsolatedSubnets\]/],
  ['no alarms', (s) => lambdaDep(s, { defaultAlarms: { errors: false, throttles: false } }), /no alarms, so CodeDeploy cannot stop or roll back a bad version on its own/],
  ['scheduled actions suspended', (s) => serverDep(s, { suspendAutoScalingProcesses: [AutoScalingProcess.SCHEDULED_ACTIONS] }),
    /skipped, not run when the deployment ends .*\[ack: cdk-codedeploy-patterns:scheduledActionsSkipped\]/],
  ['no rollback on failure', (s) => lambdaDep(s, { autoRollback: { failedDeployment: false } }), /autoRollback.failedDeployment is false.*\[ack: cdk-codedeploy-patterns:noFailureRollback\]/],
  ['no rollback on alarm', (s) => ecsDep(s, { autoRollback: { deploymentInAlarm: false } }), /autoRollback.deploymentInAlarm is false although the deployment has alarms.*\[ack: cdk-codedeploy-patterns:noAlarmRollback\]/],
  ['alarms ignored by deployments', (s) => lambdaDep(s, { ignoreAlarmConfiguration: true }), /ignoreAlarmConfiguration is true: deployments do not watch the alarms.*\[ack: cdk-codedeploy-patterns:ignoreAlarmConfiguration\]/],
  ['alarm read failures ignored', (s) => serverDep(s, { ignorePollAlarmsFailure: true }), /ignorePollAlarmsFailure is true.*\[ack: cdk-codedeploy-patterns:ignorePollAlarmsFailure\]/],
  ['Lambda all at once', (s) => lambdaDep(s, { deploymentConfig: codedeploy.LambdaDeploymentConfig.ALL_AT_ONCE }), /deploymentConfig is CodeDeployDefault.LambdaAllAtOnce.*\[ack: cdk-codedeploy-patterns:allAtOnce\]/],
  ['ECS all at once behind an ALB', (s) => ecsDep(s, { deploymentConfig: codedeploy.EcsDeploymentConfig.ALL_AT_ONCE }), /deploymentConfig is CodeDeployDefault.ECSAllAtOnce.*\[ack: cdk-codedeploy-patterns:allAtOnce\]/],
  ['Server all at once', (s) => serverDep(s, { deploymentConfig: codedeploy.ServerDeploymentConfig.ALL_AT_ONCE }), /deploymentConfig is CodeDeployDefault.AllAtOnce.*\[ack: cdk-codedeploy-patterns:allAtOnce\]/],
  ['no test listener', (s) => ecsDep(s, { traffic: { testListener: false } }), /testListener is false, so no hook can test the replacement task set.*\[ack: cdk-codedeploy-patterns:noTestListener\]/],
  ['minimum healthy hosts at the fleet size', (s) => serverDep(s, {
    deploymentConfig: new codedeploy.ServerDeploymentConfig(s, 'Mhh', { minimumHealthyHosts: codedeploy.MinimumHealthyHosts.count(2) }),
  }), /keeps 2 hosts healthy, but the Auto Scaling groups' minimum size adds up to 2.*\[ack: cdk-codedeploy-patterns:minimumHealthyHostsTooHigh\]/],
  ['no termination wait', (s) => ecsDep(s, { blueGreen: { terminationWaitTime: Duration.minutes(0) } }), /terminationWaitTime is zero.*\[ack: cdk-codedeploy-patterns:noTerminationWait\]/],
];

/** Unresolved tokens where literals are validated: no false errors. */
const TOKENS: Array<[string, (s: Stack) => unknown]> = [
  ['group name from a parameter', (s) => lambdaDep(s, { deploymentGroupName: new CfnParameter(s, 'Name').valueAsString })],
  ['alias name from a parameter', (s) => lambdaDep(s, { aliasName: new CfnParameter(s, 'Alias').valueAsString })],
  ['alarm threshold from a parameter', (s) => lambdaDep(s, { defaultAlarms: { errorsThreshold: new CfnParameter(s, 'T', { type: 'Number' }).valueAsNumber } })],
  ['ECS ports and desired count from parameters', (s) => ecsDep(s, {
    service: {
      desiredCount: new CfnParameter(s, 'Count', { type: 'Number' }).valueAsNumber,
    },
    traffic: {
      productionPort: new CfnParameter(s, 'Prod', { type: 'Number' }).valueAsNumber,
      testPort: new CfnParameter(s, 'Test', { type: 'Number' }).valueAsNumber,
    },
  })],
  ['termination wait from a parameter', (s) => ecsDep(s, { blueGreen: { terminationWaitTime: Duration.minutes(new CfnParameter(s, 'Wait', { type: 'Number' }).valueAsNumber) } })],
  ['tags from imports', (s) => serverDep(s, { autoScalingGroups: undefined, ec2InstanceTags: new codedeploy.InstanceTagSet({ app: [Fn.importValue('AppTag')] }) })],
  ['hook URL from an import', (s) => lambdaDep(s, { hooks: { afterAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url(Fn.importValue('HealthUrl')) }) } })],
  ['sdk call resources from a parameter', (s) => lambdaDep(s, {
    hooks: {
      afterAllowTraffic: LifecycleHook.sdkCall({
        service: 'appconfig',
        action: 'StopDeployment',
        // An action with a resource type (ssm:CancelCommand has none, so only "*" would ever match it).
        resources: [s.formatArn({ service: 'appconfig', resource: 'application', resourceName: `${new CfnParameter(s, 'App').valueAsString}/environment/env/deployment/1` })],
      }),
    },
  })],
];

function expectErrors(errors: string[]): void {
  if (errors.length > 0) {
    throw new Error(errors.join('\n'));
  }
}

const errorCases = Object.entries(ERRORS).flatMap(([group, cases]) => cases.map(([name, build, message]) => [`${group}: ${name}`, build, message] as Case));

describe('synth-time validation corpus', () => {
  test('covers at least 60 bad inputs, as many as the README says', () => {
    expect(errorCases.length).toBeGreaterThanOrEqual(60);
    expect(Object.keys(ERRORS).length).toBeGreaterThanOrEqual(8);
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    expect(/holds\s+(\d+) bad inputs/.exec(readme)?.[1]).toBe(String(errorCases.length));
  });

  test.each(errorCases)('error: %s', (_name, build, message) => {
    expect(() => build(testStack())).toThrow(message);
  });

  test.each(errorCases.filter(([name]) => !/AppSpec/.test(name)))('error names the construct path: %s', (_name, build) => {
    expect(() => build(testStack())).toThrow(/^\[TestStack(\/[^\]]*)?\] invalid configuration:\n {2}- /);
  });

  const templates: Record<string, unknown> = {};

  test.each(WARNINGS)('warning: %s', (name, build, message) => {
    const stack = testStack();
    build(stack);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp(message.source));
    templates[`warning-${name}`] = Template.fromStack(stack).toJSON();
  });

  test.each(TOKENS)('tokens are not judged: %s', (name, build) => {
    const stack = testStack();
    expect(() => build(stack)).not.toThrow();
    expect(Annotations.fromStack(stack).findError('*', Match.anyValue())).toEqual([]);
    templates[`token-${name}`] = Template.fromStack(stack).toJSON();
  });

  test('cfn-lint passes on the template of every valid case (warnings and tokens)', () => {
    expect(Object.keys(templates)).toHaveLength(WARNINGS.length + TOKENS.length);
    const res = cfnLint(templates);
    expect(res.output).toBe('');
    expect(res.exitCode).toBe(0);
  });

  test("every policy of every valid case agrees with AWS's Service Authorization Reference", () => {
    expect(Object.keys(templates)).toHaveLength(WARNINGS.length + TOKENS.length);
    expect(Object.entries(templates).flatMap(([name, t]) => checkTemplate(t as any, name))).toEqual([]);
  });
});
