import { Duration, Fn, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EcsDeployment, EcsDeploymentProps, HttpCheckTarget, LambdaDeployment, LambdaDeploymentProps, LifecycleEvent, LifecycleHook } from '../../src';
import { acknowledge } from '../../src/private/nag';
import { acknowledgements, complianceSuite, testStack } from '../harness';
import { expandAction } from '../iam/reference';
import { acknowledgeTrafficChoices, ecsFixture, hookAt, userFunction } from '../util';

/** Synthesis of the built-in hooks: their functions, configuration, IAM and errors. */

function lambdaDeployment(stack: Stack, props: Partial<LambdaDeploymentProps> = {}): LambdaDeployment {
  return new LambdaDeployment(stack, 'Deployment', { lambdaFunction: userFunction(stack, 'Fn'), ...props });
}

function ecsDeployment(stack: Stack, props: Partial<EcsDeploymentProps> = {}): EcsDeployment {
  const { cluster, taskDefinition } = ecsFixture(stack);
  return new EcsDeployment(stack, 'Deployment', { cluster, taskDefinition, ...props });
}

function alarm(stack: Stack, id: string): cloudwatch.Alarm {
  return new cloudwatch.Alarm(stack, id, {
    metric: new cloudwatch.Metric({ namespace: 'MyApp', metricName: id }),
    threshold: 1,
    evaluationPeriods: 1,
  });
}

/** The hook function's environment configuration, resolved. */
function hookConfig(template: Template, logicalIdPrefix: RegExp): any {
  const functions = template.findResources('AWS::Lambda::Function');
  const [, fn] = Object.entries(functions).find(([id]) => logicalIdPrefix.test(id))!;
  const raw = fn.Properties.Environment.Variables.HOOK_CONFIG;
  if (typeof raw === 'string') {
    return JSON.parse(raw);
  }
  // Fn::Join of JSON text and references: references become "<Ref X>" / "<GetAtt X.Y>".
  const [, parts] = raw['Fn::Join'];
  const text = (parts as any[])
    .map((p) => (typeof p === 'string' ? p : p.Ref ? `<Ref ${p.Ref}>` : `<GetAtt ${p['Fn::GetAtt'].join('.')}>`))
    .join('');
  return JSON.parse(text);
}

/** Every statement in policies attached to roles whose logical ID matches. */
function statementsOf(template: Template, roleId: RegExp): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => roleId.test(r.Ref)))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

/**
 * The statements a check's own settings grant: without the status report to the group (with the
 * read of its deployments an ECS AfterAllowTraffic hook announces with) and the announcement itself.
 */
function checkStatementsOf(template: Template, roleId: RegExp): any[] {
  const actions = (st: any) => [st.Action].flat();
  return statementsOf(template, roleId).filter((st) =>
    !actions(st).includes('codedeploy:PutLifecycleEventHookExecutionStatus') &&
    !(st.Action === 'events:PutEvents' && st.Condition?.StringEquals?.['events:source'] === 'cdk-codedeploy-patterns'));
}

const GROUP_ARN = {
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codedeploy:us-east-1:123456789012:deploymentgroup:', { Ref: Match.anyValue() }, '/', { Ref: Match.anyValue() }]],
};

describe('LifecycleHook.httpCheck', () => {
  test('URL target: a function outside any VPC, configured through its environment, with the defaults', () => {
    const stack = testStack();
    lambdaDeployment(stack, { hooks: { afterAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('https://api.example.com') }) } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'cdk-codedeploy-patterns built-in hook: HTTP check of a URL',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 330,
      MemorySize: 256,
      Environment: { Variables: { HOOK_DEADLINE_MS: '300000', HOOK_CONFIG: Match.anyValue() } },
      VpcConfig: Match.absent(),
    });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    expect(hookConfig(t, hookAt(t, 'AfterAllowTraffic'))).toEqual({
      url: 'https://api.example.com',
      path: '/',
      method: 'GET',
      headers: {},
      expectedStatusCodes: [200],
      attempts: 10,
      intervalMs: 5000,
      backoffRate: 1.5,
      maxIntervalMs: 30000,
      requestTimeoutMs: 5000,
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('every option lands in the configuration', () => {
    const stack = testStack();
    lambdaDeployment(stack, {
      hooks: {
        beforeAllowTraffic: LifecycleHook.httpCheck({
          target: HttpCheckTarget.url('http://internal.example.com:8080'),
          path: '/health?deep=1',
          method: 'POST',
          headers: { 'x-probe': 'yes' },
          body: '{}',
          hostHeader: 'orders.example.com',
          expectedStatusCodes: [200, 204],
          bodyContains: 'healthy',
          bodyMatches: '"version":"\\d+"',
          attempts: 4,
          interval: Duration.seconds(2),
          backoffRate: 2,
          requestTimeout: Duration.seconds(3),
          deadline: Duration.minutes(2),
        }),
      },
    });
    const t = Template.fromStack(stack);
    expect(hookConfig(t, hookAt(t, 'BeforeAllowTraffic'))).toEqual(expect.objectContaining({
      path: '/health?deep=1',
      method: 'POST',
      headers: { 'x-probe': 'yes' },
      body: '{}',
      hostHeader: 'orders.example.com',
      expectedStatusCodes: [200, 204],
      bodyContains: 'healthy',
      bodyMatches: '"version":"\\d+"',
      attempts: 4,
      intervalMs: 2000,
      backoffRate: 2,
      requestTimeoutMs: 3000,
    }));
    t.hasResourceProperties('AWS::Lambda::Function', { Timeout: 150, Environment: { Variables: Match.objectLike({ HOOK_DEADLINE_MS: '120000' }) } });
  });

  test('the test listener of an EcsDeployment: in the VPC, let into the load balancer on the test port, every node by its interfaces', () => {
    const stack = testStack();
    const dep = ecsDeployment(stack, { hooks: { afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener(), path: '/health' }) } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'cdk-codedeploy-patterns built-in hook: HTTP check of the test listener',
      VpcConfig: { SubnetIds: [{ Ref: Match.stringLikeRegexp('VpcPrivateSubnet1') }, { Ref: Match.stringLikeRegexp('VpcPrivateSubnet2') }], SecurityGroupIds: Match.anyValue() },
    });
    const config = hookConfig(t, hookAt(t, 'AfterAllowTestTraffic'));
    expect(config.url).toBeUndefined();
    expect(config.loadBalancer).toEqual({
      fullName: expect.stringMatching(/^<GetAtt DeploymentTrafficLoadBalancer\w+\.LoadBalancerFullName>$/),
      dnsName: expect.stringMatching(/^<GetAtt DeploymentTrafficLoadBalancer\w+\.DNSName>$/),
      port: 8080,
      secure: false,
    });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 8080,
      ToPort: 8080,
      Description: 'AfterAllowTestTraffic HTTP check hook',
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CodeDeployPatternsHooksHttpCheck[0-9a-f]{8}FunctionSecurityGroup'), 'GroupId'] },
    });
    // Lambda's EC2 network-interface actions (no resource-level permissions), acknowledged once with the reason.
    expect(statementsOf(t, hookAt(t, 'AfterAllowTestTraffic'))).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: expect.arrayContaining(['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces']), Resource: '*' }),
      { Action: 'codedeploy:PutLifecycleEventHookExecutionStatus', Effect: 'Allow', Resource: { 'Fn::Join': ['', expect.arrayContaining([':codedeploy:us-east-1:123456789012:deploymentgroup:'])] } },
    ]));
    const awsSolutions = (a: { id: string }) => a.id.startsWith('AwsSolutions-');
    expect(acknowledgements(dep.node.scope!).filter((a) => /\/CodeDeployPatternsHooks\/HttpCheck[0-9a-f]{8}\/Role$/.test(a.path) && awsSolutions(a)).map((a) => a.id)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });

  test('production listener with TLS: port 443 and secure', () => {
    const stack = testStack();
    const { cluster, taskDefinition } = ecsFixture(stack);
    const certificate = { certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' };
    new EcsDeployment(stack, 'Deployment', {
      cluster,
      taskDefinition,
      traffic: {
        certificates: [certificate],
      },
      hooks: {
        afterAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.productionListener(), hostHeader: 'shop.example.com' }),
      },
    });
    const t = Template.fromStack(stack);
    const config = hookConfig(t, hookAt(t, 'AfterAllowTraffic'));
    expect(config.loadBalancer).toEqual(expect.objectContaining({ port: 443, secure: true }));
    expect(config.hostHeader).toBe('shop.example.com');
  });

  test('a URL inside a VPC: in the given subnets', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'AppVpc', { natGateways: 1, maxAzs: 2 });
    lambdaDeployment(stack, {
      hooks: {
        beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://10.0.0.10'), vpc, vpcSubnets: { subnets: [vpc.privateSubnets[1]] } }),
      },
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      VpcConfig: { SubnetIds: [{ Ref: Match.stringLikeRegexp('AppVpcPrivateSubnet2') }], SecurityGroupIds: Match.anyValue() },
    });
  });

  const httpErrors: Array<[string, (stack: Stack) => void, RegExp]> = [
    ['test listener on a Lambda deployment', (s) => lambdaDeployment(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener() }) } }),
      /HttpCheckTarget.testListener\(\) needs the load balancer of an EcsDeployment, but the BeforeAllowTraffic hook is bound to a deployment without one. Use HttpCheckTarget.url/],
    ['test listener turned off', (s) => ecsDeployment(s, { traffic: { testListener: false }, hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener() }) } }),
      /HttpCheckTarget.testListener\(\) was given for BeforeAllowTraffic, but the deployment has no test listener/],
    ['test listener before it serves the replacement', (s) => ecsDeployment(s, { hooks: { afterInstall: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener() }) } }),
      /given for AfterInstall, but the test listener only serves the replacement task set from AfterAllowTestTraffic on/],
    ['vpc with a listener target', (s) => ecsDeployment(s, { hooks: { afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener(), vpc: new ec2.Vpc(s, 'Other') }) } }),
      /vpc is set, but a listener target always runs in the load balancer's VPC/],
    ['TLS listener without hostHeader', (s) => {
      const { cluster, taskDefinition } = ecsFixture(s);
      new EcsDeployment(s, 'Deployment', {
        cluster,
        taskDefinition,
        traffic: {
          certificates: [{ certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc' }],
        },
        hooks: {
          afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener() }),
        },
      });
    }, /HttpCheckTarget.testListener\(\): the test listener uses TLS with your certificate, which cannot cover the load balancer's own DNS name. Set hostHeader/],
    ['vpcSubnets without vpc', (s) => lambdaDeployment(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://a.b'), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } }) } }),
      /vpcSubnets is set without vpc/],
    ['relative URL', (s) => lambdaDeployment(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('example.com/health') }) } }),
      /HttpCheckTarget.url\(\) needs an absolute http:\/\/ or https:\/\/ URL; received "example.com\/health"/],
    ['path without slash', (s) => lambdaDeployment(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://a.b'), path: 'health' }) } }),
      /path must start with "\/"; received "health"/],
    ['unknown method', (s) => lambdaDeployment(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://a.b'), method: 'get' }) } }),
      /method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS; received "get"/],
    ['status code out of range', (s) => lambdaDeployment(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://a.b'), expectedStatusCodes: [200, 700] }) } }),
      /expectedStatusCodes must be HTTP status codes from 100 to 599; received 700/],
    ['no status codes', (s) => lambdaDeployment(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://a.b'), expectedStatusCodes: [] }) } }),
      /expectedStatusCodes is empty, so no answer could pass/],
    ['attempts', (s) => lambdaDeployment(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://a.b'), attempts: 0 }) } }),
      /attempts must be a whole number from 1 to 100; received 0/],
    ['backoff', (s) => lambdaDeployment(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://a.b'), backoffRate: 0.5 }) } }),
      /backoffRate must be from 1 to 10; received 0.5/],
    ['request timeout past the deadline', (s) => lambdaDeployment(s, {
      hooks: {
        beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://a.b'), requestTimeout: Duration.minutes(2), deadline: Duration.minutes(1) }),
      },
    }), /requestTimeout must be from 100 ms up to the deadline \(60000 ms\); received 120000 ms/],
    ['invalid regular expression', (s) => lambdaDeployment(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://a.b'), bodyMatches: '(unclosed' }) } }),
      /bodyMatches is not a valid JavaScript regular expression: .*received "\(unclosed"/],
    ['deadline past the Lambda maximum', (s) => lambdaDeployment(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://a.b'), deadline: Duration.minutes(15) }) } }),
      /deadline must be from 1 second to 14 minutes .*received 15 minutes/],
    ['configuration past 4 KB', (s) => lambdaDeployment(s, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://a.b'), body: 'x'.repeat(4000) }) } }),
      /the BeforeAllowTraffic hook's configuration is \d+ characters; Lambda allows 4 KB of environment variables/],
  ];
  test.each(httpErrors)('error: %s', (_name, build, message) => {
    expect(() => build(testStack())).toThrow(message);
  });

  test('errors name the construct path', () => {
    expect(() => lambdaDeployment(testStack(), { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('http://a.b'), attempts: 0 }) } }))
      .toThrow(/^\[TestStack\/Deployment\] invalid configuration:/);
  });

  test('tokens are not judged', () => {
    const stack = testStack();
    const url = Fn.importValue('OrdersApiUrl');
    const pattern = Fn.importValue('ExpectedBody');
    expect(() =>
      lambdaDeployment(stack, { hooks: { beforeAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url(url), bodyMatches: pattern }) } }),
    ).not.toThrow();
  });
});

describe('LifecycleHook.invokeCheck', () => {
  test('reads the deployment and invokes only versions of the deployed function', () => {
    const stack = testStack();
    const dep = lambdaDeployment(stack, { hooks: { beforeAllowTraffic: LifecycleHook.invokeCheck({ payload: { probe: true }, responseContains: 'ok' }) } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^CodeDeployPatternsHooksInvokeCheck[0-9a-f]{8}Role') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          // Every action on the group in one statement (a shared function lists each group it serves there).
          { Action: ['codedeploy:GetDeployment', 'codedeploy:PutLifecycleEventHookExecutionStatus'], Effect: 'Allow', Resource: GROUP_ARN },
          {
            Action: 'codedeploy:GetApplicationRevision',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':codedeploy:us-east-1:123456789012:application:', { Ref: Match.stringLikeRegexp('CodeDeployPatternsLambdaApplication') }]] },
          },
          { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Fn'), 'Arn'] }, ':*']] } },
        ]),
      },
    });
    // Shared: the function of the deployment's AppSpec, not one named in the configuration.
    expect(hookConfig(t, hookAt(t, 'BeforeAllowTraffic'))).toEqual({
      payload: '{"probe":true}',
      responseContains: 'ok',
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Description: 'cdk-codedeploy-patterns built-in hook: invokes the version being deployed', Timeout: 90 });
    // The service role may invoke the hook; the alias' pre-traffic hook names it.
    t.hasResource('AWS::Lambda::Alias', { UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.objectLike({ BeforeAllowTrafficHook: { Ref: Match.stringLikeRegexp('^CodeDeployPatternsHooksInvokeCheck[0-9a-f]{8}Function') } }) } });
    const acks = acknowledgements(dep.node.scope!).filter((a) => /\/CodeDeployPatternsHooks\/InvokeCheck[0-9a-f]{8}\/Role$/.test(a.path) && a.id.startsWith('AwsSolutions-'));
    expect(acks).toEqual([expect.objectContaining({ id: 'AwsSolutions-IAM5[Resource::<Fn9270CBC0.Arn>:*]', reason: expect.stringMatching(/versions of exactly the deployed function/) })]);
  });

  test('error: on an ECS deployment', () => {
    expect(() => ecsDeployment(testStack(), { hooks: { beforeAllowTraffic: LifecycleHook.invokeCheck() } })).toThrow(
      /LifecycleHook.invokeCheck\(\) invokes the Lambda version being deployed, but the BeforeAllowTraffic hook is bound to a deployment that deploys no Lambda function/,
    );
  });

  test('error: invalid responseMatches', () => {
    expect(() => lambdaDeployment(testStack(), { hooks: { afterAllowTraffic: LifecycleHook.invokeCheck({ responseMatches: '[' }) } })).toThrow(/responseMatches is not a valid JavaScript regular expression/);
  });
});

describe('LifecycleHook.alarmCheck', () => {
  test('DescribeAlarms on exactly the given alarms; observation window and its default deadline', () => {
    const stack = testStack();
    const a = alarm(stack, 'Latency');
    const b = alarm(stack, 'Errors');
    lambdaDeployment(stack, {
      hooks: {
        afterAllowTraffic: LifecycleHook.alarmCheck([a, b], {
          observeFor: Duration.minutes(3),
          interval: Duration.seconds(20),
          failOnInsufficientData: true,
        }),
      },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^CodeDeployPatternsHooksAlarmCheck[0-9a-f]{8}Role') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^Latency'), 'Arn'] }, { 'Fn::GetAtt': [Match.stringLikeRegexp('^Errors'), 'Arn'] }] },
        ]),
      },
    });
    expect(hookConfig(t, hookAt(t, 'AfterAllowTraffic'))).toEqual({
      alarmNames: [expect.stringMatching(/^<Ref Latency\w+>$/), expect.stringMatching(/^<Ref Errors\w+>$/)],
      observeMs: 180000,
      intervalMs: 20000,
      failOnInsufficientData: true,
    });
    // Default deadline: the window plus 2 minutes; the Lambda timeout 30 s more.
    t.hasResourceProperties('AWS::Lambda::Function', { Timeout: 330, Environment: { Variables: Match.objectLike({ HOOK_DEADLINE_MS: '300000' }) } });
  });

  test('one check by default', () => {
    const stack = testStack();
    lambdaDeployment(stack, { hooks: { beforeAllowTraffic: LifecycleHook.alarmCheck([alarm(stack, 'A')]) } });
    const t = Template.fromStack(stack);
    expect(hookConfig(t, hookAt(t, 'BeforeAllowTraffic'))).toEqual(expect.objectContaining({ observeMs: 0, intervalMs: 30000, failOnInsufficientData: false }));
    t.hasResourceProperties('AWS::Lambda::Function', { Timeout: 150 });
  });

  test.each([
    ['no alarms', () => [], {}, /alarmCheck takes 1 to 100 alarms .*received 0/],
    ['observation too long', (s: Stack) => [alarm(s, 'A')], { observeFor: Duration.minutes(20) }, /observeFor is at most 13 minutes .*received 20 minutes/],
    ['interval too short', (s: Stack) => [alarm(s, 'A')], { interval: Duration.seconds(5) }, /interval is at least 10 seconds .*received 5 seconds/],
  ] as const)('error: %s', (_name, alarms, options, message) => {
    const stack = testStack();
    expect(() => lambdaDeployment(stack, { hooks: { beforeAllowTraffic: LifecycleHook.alarmCheck(alarms(stack), options) } })).toThrow(message);
  });
});

describe('LifecycleHook.sdkCall', () => {
  const appConfigDeployments = (stack: Stack) => stack.formatArn({ service: 'appconfig', resource: 'application', resourceName: 'abc1234/environment/env5678/deployment/*' });

  test('AppConfig StopDeployment: the action on exactly the given resources, parameters in the configuration', () => {
    const stack = testStack();
    lambdaDeployment(stack, {
      hooks: {
        afterAllowTraffic: LifecycleHook.sdkCall({
          service: 'appconfig',
          action: 'StopDeployment',
          parameters: { ApplicationId: 'abc1234', EnvironmentId: 'env5678', DeploymentNumber: 3 },
          resources: [appConfigDeployments(stack)],
          acceptedErrors: ['BadRequestException'],
        }),
      },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^CodeDeployPatternsHooksSdkCall[0-9a-f]{8}Role') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: 'appconfig:StopDeployment',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':appconfig:us-east-1:123456789012:application/abc1234/environment/env5678/deployment/*']] },
          },
        ]),
      },
    });
    expect(hookConfig(t, hookAt(t, 'AfterAllowTraffic'))).toEqual({
      service: 'appconfig',
      action: 'StopDeployment',
      parameters: { ApplicationId: 'abc1234', EnvironmentId: 'env5678', DeploymentNumber: 3 },
      acceptedErrors: ['BadRequestException'],
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Description: 'cdk-codedeploy-patterns built-in hook: appconfig:StopDeployment', Timeout: 90 });
  });

  test('AppFlow CancelFlowExecutions and SSM CancelCommand: statements as given, iamAction override', () => {
    const stack = testStack();
    const flow = stack.formatArn({ service: 'appflow', resource: 'flow', resourceName: 'nightly-sync' });
    const { cluster, taskDefinition } = ecsFixture(stack);
    new EcsDeployment(stack, 'Deployment', {
      cluster,
      taskDefinition,
      hooks: {
        beforeInstall: LifecycleHook.sdkCall({ service: 'appflow', action: 'CancelFlowExecutions', parameters: { flowName: 'nightly-sync' }, resources: [flow] }),
        afterAllowTraffic: LifecycleHook.sdkCall({
          service: 'ssm',
          action: 'CancelCommand',
          parameters: { CommandId: '25173b39-c88d-4459-ba3d-8704aEXAMPLE' },
          policyStatements: [new iam.PolicyStatement({ actions: ['ssm:CancelCommand'], resources: ['*'] })],
        }),
        afterInstall: LifecycleHook.sdkCall({ service: 'cloudwatch-logs', action: 'PutRetentionPolicy', iamAction: 'logs:PutRetentionPolicy', resources: ['arn:aws:logs:us-east-1:123456789012:log-group:x'] }),
      },
    });
    const t = Template.fromStack(stack);
    const action = (role: RegExp) => checkStatementsOf(t, role).map((s) => s.Action).filter((a) => !String(a).startsWith('logs:Create'));
    expect(action(hookAt(t, 'BeforeInstall'))).toEqual(['appflow:CancelFlowExecutions']);
    expect(action(hookAt(t, 'AfterAllowTraffic'))).toEqual(['ssm:CancelCommand']);
    expect(action(hookAt(t, 'AfterInstall'))).toEqual(['logs:PutRetentionPolicy']);
  });

  test.each([
    // Services whose SDK v3 package name is not their IAM prefix (the prefixes exist in the Service Authorization Reference).
    ['sfn', 'StopExecution', 'states:StopExecution'],
    ['cloudwatch-logs', 'PutRetentionPolicy', 'logs:PutRetentionPolicy'],
    ['elastic-load-balancing-v2', 'ModifyRule', 'elasticloadbalancing:ModifyRule'],
    ['eventbridge', 'DisableRule', 'events:DisableRule'],
    ['cognito-identity-provider', 'AdminDisableUser', 'cognito-idp:AdminDisableUser'],
    ['auto-scaling', 'SuspendProcesses', 'autoscaling:SuspendProcesses'],
    ['appconfig', 'StopDeployment', 'appconfig:StopDeployment'],
  ])('sdkCall %s:%s is granted as %s (the IAM prefix, not the package name)', (service, action, iamAction) => {
    const stack = testStack();
    const { cluster, taskDefinition } = ecsFixture(stack);
    new EcsDeployment(stack, 'Deployment', { cluster, taskDefinition, hooks: { afterAllowTraffic: LifecycleHook.sdkCall({ service, action, resources: ['*'] }) } });
    const t = Template.fromStack(stack);
    const actions = checkStatementsOf(t, hookAt(t, 'AfterAllowTraffic')).map((s) => s.Action).filter((a) => typeof a === 'string');
    expect(actions).toEqual([iamAction]);
    expect(expandAction(iamAction)).toEqual([iamAction]);
  });

  test.each([
    ['no permission given', { service: 'ssm', action: 'CancelCommand' }, /sdkCall ssm:CancelCommand needs resources \(the ARNs the call may act on\) or policyStatements/],
    ['package name with the prefix', { service: '@aws-sdk/client-ssm', action: 'CancelCommand', resources: ['*'] }, /service must be the name of an AWS SDK v3 client package without "@aws-sdk\/client-" .*received "@aws-sdk\/client-ssm"/],
    ['camel-case action', { service: 'ssm', action: 'cancelCommand', resources: ['*'] }, /action must be an API action name like "StopDeployment" .*received "cancelCommand"/],
    ['malformed iamAction', { service: 'ssm', action: 'CancelCommand', iamAction: 'CancelCommand', resources: ['*'] }, /iamAction must look like "<service prefix>:<Action>"; received "CancelCommand"/],
  ])('error: %s', (_name, options, message) => {
    expect(() => lambdaDeployment(testStack(), { hooks: { afterAllowTraffic: LifecycleHook.sdkCall(options as any) } })).toThrow(message);
  });
});

describe('one function per stack for the same check (sharedFunction)', () => {
  function lambdaDeployments(stack: Stack, count: number, hooks: (i: number) => LambdaDeploymentProps['hooks']): LambdaDeployment[] {
    return Array.from({ length: count }, (_, i) => new LambdaDeployment(stack, `Deployment${i}`, { lambdaFunction: userFunction(stack, `Fn${i}`), hooks: hooks(i) }));
  }
  const functionIds = (t: Template, kind: string) => Object.keys(t.findResources('AWS::Lambda::Function')).filter((id) => id.startsWith(`CodeDeployPatternsHooks${kind}`));

  test('three deployments with the same invokeCheck: one function whose grants list each group, application and deployed function once', () => {
    const stack = testStack();
    lambdaDeployments(stack, 3, () => ({ beforeAllowTraffic: LifecycleHook.invokeCheck({ payload: { probe: true } }) }));
    const t = Template.fromStack(stack);
    expect(functionIds(t, 'InvokeCheck')).toHaveLength(1);
    const statements = statementsOf(t, /^CodeDeployPatternsHooksInvokeCheck[0-9a-f]{8}Role/);
    const resourcesOf = (action: string) => {
      const found = statements.filter((st) => st.Action === action);
      expect(found).toHaveLength(1);
      return ([] as any[]).concat(found[0].Resource);
    };
    const groupStatements = statements.filter((st) => Array.isArray(st.Action) && st.Action.includes('codedeploy:PutLifecycleEventHookExecutionStatus'));
    expect(groupStatements).toEqual([expect.objectContaining({ Action: ['codedeploy:GetDeployment', 'codedeploy:PutLifecycleEventHookExecutionStatus'] })]);
    expect(groupStatements[0].Resource.map((r: any) => r['Fn::Join'][1][5].Ref)).toEqual([
      expect.stringMatching(/^Deployment0DeploymentGroup/), expect.stringMatching(/^Deployment1DeploymentGroup/), expect.stringMatching(/^Deployment2DeploymentGroup/),
    ]);
    // The three groups share the stack's application.
    expect(resourcesOf('codedeploy:GetApplicationRevision')).toHaveLength(1);
    expect(resourcesOf('lambda:InvokeFunction').map((r) => r['Fn::Join'][1][0]['Fn::GetAtt'][0])).toEqual([
      expect.stringMatching(/^Fn0/), expect.stringMatching(/^Fn1/), expect.stringMatching(/^Fn2/),
    ]);
    // Every alias names the same hook; the default post-traffic checks share one function too.
    const aliases = Object.values(t.findResources('AWS::Lambda::Alias'));
    expect(new Set(aliases.map((a) => a.UpdatePolicy.CodeDeployLambdaAliasUpdate.BeforeAllowTrafficHook.Ref)).size).toBe(1);
    expect(new Set(aliases.map((a) => a.UpdatePolicy.CodeDeployLambdaAliasUpdate.AfterAllowTrafficHook.Ref)).size).toBe(1);
    expect(functionIds(t, 'AlarmCheck')).toHaveLength(1);
  });

  test('different settings: a function each; the same settings again: the first one', () => {
    const stack = testStack();
    lambdaDeployments(stack, 3, (i) => ({ beforeAllowTraffic: LifecycleHook.invokeCheck({ payload: { probe: i === 2 ? 0 : i } }) }));
    const t = Template.fromStack(stack);
    expect(functionIds(t, 'InvokeCheck')).toHaveLength(2);
    const refs = Object.values(t.findResources('AWS::Lambda::Alias')).map((a) => a.UpdatePolicy.CodeDeployLambdaAliasUpdate.BeforeAllowTrafficHook.Ref);
    expect(refs[2]).toBe(refs[0]);
    expect(refs[1]).not.toBe(refs[0]);
  });

  test('sharedFunction: false: a function, role and log group of the hook\'s own, which also checks the AppSpec deploys its function', () => {
    const stack = testStack();
    lambdaDeployments(stack, 2, () => ({
      beforeAllowTraffic: LifecycleHook.invokeCheck({ sharedFunction: false }),
      afterAllowTraffic: LifecycleHook.none(),
    }));
    const t = Template.fromStack(stack);
    expect(functionIds(t, '')).toEqual([]);
    const hooks = Object.keys(t.findResources('AWS::Lambda::Function')).filter((id) => /BeforeAllowTrafficHook/.test(id));
    expect(hooks).toEqual([expect.stringMatching(/^Deployment0BeforeAllowTrafficHook[0-9A-F]{8}$/), expect.stringMatching(/^Deployment1BeforeAllowTrafficHook[0-9A-F]{8}$/)]);
    for (const i of [0, 1]) {
      expect(Object.keys(t.findResources('AWS::Logs::LogGroup')).filter((id) => id.startsWith(`Deployment${i}BeforeAllowTrafficHookLogs`))).toHaveLength(1);
      expect(statementsOf(t, new RegExp(`^Deployment${i}BeforeAllowTrafficHookRole`)).filter((st) => st.Action === 'lambda:InvokeFunction')).toEqual([
        expect.objectContaining({ Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^Fn${i}`)), 'Arn'] }, ':*']] } }),
      ]);
    }
    t.hasResourceProperties('AWS::Lambda::Function', { Description: 'cdk-codedeploy-patterns BeforeAllowTraffic hook: invokes the version being deployed' });
    const configs = hooks.map((id) => hookConfig(t, new RegExp(`^${id}$`)));
    expect(configs.map((c) => c.functionName)).toEqual([expect.stringMatching(/^<Ref Fn0\w+>$/), expect.stringMatching(/^<Ref Fn1\w+>$/)]);
  });

  test('the default post-traffic hook reads the group\'s alarms when it runs, and may read each alarm of each group, also ones added later', () => {
    const stack = testStack();
    const [first, second] = lambdaDeployments(stack, 2, () => undefined);
    first.addAlarm(alarm(stack, 'Late'));
    const t = Template.fromStack(stack);
    const prefix = hookAt(t, 'AfterAllowTraffic');
    expect(prefix.source).toMatch(/CodeDeployPatternsHooksAlarmCheck[0-9a-f]{8}/);
    expect(hookConfig(t, prefix)).toEqual({ observeMs: 60000, intervalMs: 30000, failOnInsufficientData: false });
    const statements = statementsOf(t, prefix);
    const groups = statements.find((st) =>
      JSON.stringify(st.Action) === JSON.stringify(['codedeploy:GetDeployment', 'codedeploy:GetDeploymentGroup', 'codedeploy:PutLifecycleEventHookExecutionStatus']));
    expect(groups.Resource).toHaveLength(2);
    const alarms = statements.find((st) => st.Action === 'cloudwatch:DescribeAlarms').Resource.map((r: any) => r['Fn::GetAtt'][0]);
    expect(alarms).toEqual([
      expect.stringMatching(/^Deployment0ErrorsAlarm/), expect.stringMatching(/^Deployment0ThrottlesAlarm/),
      expect.stringMatching(/^Deployment1ErrorsAlarm/), expect.stringMatching(/^Deployment1ThrottlesAlarm/),
      expect.stringMatching(/^Late/),
    ]);
    expect(second.alarms).toHaveLength(2);
  });

  test('deploymentGroupAlarmCheck bound outside a pattern may read the alarms in its bind options', () => {
    const stack = testStack();
    const a = alarm(stack, 'Given');
    const fn = LifecycleHook.deploymentGroupAlarmCheck().bind(stack, {
      deploymentGroupArn: 'arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:app/group',
      serviceRole: new iam.Role(stack, 'ServiceRole', { assumedBy: new iam.ServicePrincipal('codedeploy.amazonaws.com') }),
      lifecycleEvent: LifecycleEvent.AFTER_ALLOW_TRAFFIC,
      alarms: [a],
    }).hookFunction;
    expect(fn.node.path).toMatch(/CodeDeployPatternsHooks\/AlarmCheck[0-9a-f]{8}\/Function$/);
    const statements = statementsOf(Template.fromStack(stack), /^CodeDeployPatternsHooksAlarmCheck[0-9a-f]{8}Role/);
    expect(statements).toEqual(expect.arrayContaining([
      { Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Given/), 'Arn'] } },
    ]));
  });
});

describe('service role and hooks', () => {
  test('the service role may invoke exactly each built-in hook function', () => {
    const stack = testStack();
    lambdaDeployment(stack, {
      hooks: {
        beforeAllowTraffic: LifecycleHook.invokeCheck(),
        afterAllowTraffic: LifecycleHook.alarmCheck([alarm(stack, 'A')]),
      },
    });
    const t = Template.fromStack(stack);
    const invokes = statementsOf(t, /ServiceRole/).filter((s) => s.Action === 'lambda:InvokeFunction').map((s) => JSON.stringify(s.Resource));
    expect(invokes).toHaveLength(2);
    expect(invokes.join()).toMatch(/HooksInvokeCheck[0-9a-f]{8}Function.*HooksAlarmCheck[0-9a-f]{8}Function/);
  });

  test('the ECS deployment trigger waits for the hook roles', () => {
    const stack = testStack();
    ecsDeployment(stack, { hooks: { afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener() }) } });
    const t = Template.fromStack(stack);
    const [trigger] = Object.values(t.findResources('Custom::CodeDeployDeployment'));
    expect(trigger.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^CodeDeployPatternsHooksHttpCheck[0-9a-f]{8}Role/)]));
  });
});

complianceSuite({
  'httpCheck URL (Lambda)': (stack) => {
    lambdaDeployment(stack, { hooks: { afterAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.url('https://api.example.com'), path: '/health' }) } });
  },
  'httpCheck test listener (ECS)': (stack) => {
    ecsDeployment(stack, {
      hooks: {
        afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener(), path: '/health' }),
        afterAllowTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.productionListener() }),
      },
    });
    acknowledgeTrafficChoices(stack);
  },
  'invokeCheck and alarmCheck (Lambda)': (stack) => {
    lambdaDeployment(stack, { hooks: { beforeAllowTraffic: LifecycleHook.invokeCheck({ payload: { probe: true } }), afterAllowTraffic: LifecycleHook.alarmCheck([alarm(stack, 'A')], { observeFor: Duration.minutes(2) }) } });
  },
  'sdkCall AppConfig, AppFlow, SSM (ECS)': (stack) => {
    ecsDeployment(stack, {
      hooks: {
        beforeInstall: LifecycleHook.sdkCall({
          service: 'appconfig',
          action: 'StopDeployment',
          parameters: { ApplicationId: 'abc1234', EnvironmentId: 'env5678', DeploymentNumber: 3 },
          resources: [stack.formatArn({ service: 'appconfig', resource: 'application', resourceName: 'abc1234/environment/env5678/deployment/3' })],
        }),
        afterInstall: LifecycleHook.sdkCall({
          service: 'appflow',
          action: 'CancelFlowExecutions',
          parameters: { flowName: 'nightly-sync' },
          resources: [stack.formatArn({ service: 'appflow', resource: 'flow', resourceName: 'nightly-sync' })],
        }),
        afterAllowTraffic: LifecycleHook.sdkCall({
          service: 'ssm',
          action: 'CancelCommand',
          parameters: { CommandId: '25173b39-c88d-4459-ba3d-8704aEXAMPLE' },
          // The Service Authorization Reference lists no resource type for ssm:CancelCommand: "*" is the only grant that matches.
          resources: ['*'],
        }),
      },
    });
    // The user's choice of call, so the user's acknowledgement (the library does not hide it).
    const hookRole = stack.node.findAll().find((c) =>
      c instanceof iam.Role && c.node.path.includes('/CodeDeployPatternsHooks/') &&
      JSON.stringify(stack.resolve((c.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined)?.document)).includes('ssm:CancelCommand'))!;
    acknowledge(hookRole, 'AwsSolutions-IAM5[Resource::*]', 'Test fixture: ssm:CancelCommand has no resource-level permissions.');
    acknowledgeTrafficChoices(stack);
  },
});
