import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { EcsDeployment, HttpCheckTarget, LambdaDeployment, LifecycleHook, ServerBlueGreenDeployment, ServerDeployment, ServerLoadBalancer, ServerRevision } from '../src';
import { TEST_ENV } from './harness';
import { blueGreenFixture, ecsFixture, serverFixture, userFunction } from './util';
import { EMERGENCY_CONTEXT, MAX_EMERGENCY_HOURS, parseEmergency } from '../src/private/emergency';

const WEB = path.join(__dirname, '..', 'examples', 'server-in-place', 'web');
const HOUR = 3600_000;

/** An ISO time `hours` from now. */
function inHours(hours: number): string {
  return new Date(Date.now() + hours * HOUR).toISOString().replace(/\.\d+Z$/, 'Z');
}

/** A stack in an app with the emergency switch set to `value` (none when undefined). */
function stackWith(value?: string, id: string = 'Shop'): Stack {
  const context: Record<string, string> = { 'aws:cdk:disable-creation-stack-traces': 'true' };
  if (value !== undefined) {
    context[EMERGENCY_CONTEXT] = value;
  }
  return new Stack(new App({ context }), id, { env: TEST_ENV });
}

function lambdaIn(stack: Stack, id: string = 'Checkout'): LambdaDeployment {
  const smokeTest = userFunction(stack, `${id}SmokeTest`);
  return new LambdaDeployment(stack, id, {
    lambdaFunction: userFunction(stack, `${id}Fn`),
    hooks: { beforeAllowTraffic: LifecycleHook.fromFunction(smokeTest) },
  });
}

describe('the emergency switch', () => {
  describe('its value', () => {
    const now = Date.parse('2026-12-02T00:00:00Z');
    test('reason, expiry within the limit and an optional construct path', () => {
      expect(parseEmergency('reason=INC-4711 checkout down;expires=2026-12-02T03:00:00Z', now)).toEqual({
        emergency: { reason: 'INC-4711 checkout down', expires: new Date('2026-12-02T03:00:00Z'), only: undefined },
        errors: [],
      });
      expect(parseEmergency(' reason = INC-4711 hotfix ; expires=2026-12-02T03:00Z ; only=/Shop/Checkout/ ', now).emergency)
        .toEqual({ reason: 'INC-4711 hotfix', expires: new Date('2026-12-02T03:00:00Z'), only: '/Shop/Checkout/' });
    });

    test.each<[string, unknown, RegExp]>([
      ['no reason', 'expires=2026-12-02T03:00:00Z', /needs a reason of at least 8 characters .*; received ""/],
      ['a short reason', 'reason=fix;expires=2026-12-02T03:00:00Z', /needs a reason of at least 8 characters .*; received "fix"/],
      ['no expiry', 'reason=INC-4711 checkout down', /needs expires=<UTC time> such as 2026-12-02T03:00:00Z; received none/],
      ['a local time', 'reason=INC-4711 checkout down;expires=2026-12-02T03:00:00+01:00', /needs expires=<UTC time>.*; received "2026-12-02T03:00:00\+01:00"/],
      ['an expired switch', 'reason=INC-4711 checkout down;expires=2026-12-01T23:00:00Z',
        /expired at 2026-12-01T23:00:00.000Z \(now 2026-12-02T00:00:00.000Z\): remove it from the context \(cdk.json, cdk.context.json or -c\)/],
      ['an expiry too far ahead', `reason=INC-4711 checkout down;expires=2026-12-02T${String(MAX_EMERGENCY_HOURS + 1).padStart(2, '0')}:00:00Z`,
        /more than 12 hours from now .*: set an earlier time/],
      ['an unknown field', 'reason=INC-4711 checkout down;expires=2026-12-02T03:00:00Z;force', /"force" is not reason=\.\.\., expires=\.\.\. or only=\.\.\./],
      ['an empty path', 'reason=INC-4711 checkout down;expires=2026-12-02T03:00:00Z;only=/', /only= names no construct path/],
      ['not a string', true, /must be a string; received true/],
    ])('rejects %s, saying how to write it', (_name, value, message) => {
      const res = parseEmergency(value, now);
      expect(res.emergency).toBeUndefined();
      expect(res.errors.join('\n')).toMatch(message);
      expect(res.errors.join('\n')).toMatch(/Give cdk-codedeploy-patterns:emergency as 'reason=.*;expires=.*' .*or remove it\./);
    });

    test('a switch left in the context fails every synth once it has expired, naming the pattern', () => {
      const stack = stackWith(`reason=INC-4711 checkout down;expires=${inHours(-1)}`);
      expect(() => lambdaIn(stack)).toThrow(/\[Shop\/Checkout\] invalid configuration:\n {2}- cdk-codedeploy-patterns:emergency expired at .*remove it from the context/);
    });
  });

  describe('LambdaDeployment', () => {
    test('all at once, no hooks, alarms ignored but kept, the group tagged, a warning that cannot be acknowledged', () => {
      const stack = stackWith(`reason=INC-4711 checkout down;expires=${inHours(2)}`);
      const dep = lambdaIn(stack);
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
        AlarmConfiguration: { Enabled: false, Alarms: Match.arrayWith([{ Name: { Ref: Match.stringLikeRegexp('CheckoutErrorsAlarm') } }]) },
        Tags: [{ Key: EMERGENCY_CONTEXT, Value: Match.stringLikeRegexp('^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}.000Z INC-4711 checkout down$') }],
      });
      t.hasResource('AWS::Lambda::Alias', { UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.not(Match.objectLike({ BeforeAllowTrafficHook: Match.anyValue() })) } });
      t.hasResource('AWS::Lambda::Alias', { UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.not(Match.objectLike({ AfterAllowTrafficHook: Match.anyValue() })) } });
      // Not even the default after-traffic alarm check is created.
      expect(JSON.stringify(t.toJSON())).not.toContain('built-in hook');
      expect(dep.alarms.length).toBe(2);
      const warnings = Annotations.fromStack(stack).findWarning('/Shop/Checkout', Match.stringLikeRegexp('EMERGENCY DEPLOYMENT'));
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0].entry.data)).toMatch(/until .*Z: "INC-4711 checkout down"\. This pattern deploys all at once, runs no lifecycle hooks and ignores its alarms; remove the context value/);
      // addWarning, not addWarningV2: no acknowledgement ID, so it cannot be silenced.
      expect(String(warnings[0].entry.data)).not.toMatch(/\[ack: /);
    });

    test('without the switch the same app deploys as configured', () => {
      const stack = stackWith(undefined);
      lambdaIn(stack);
      const t = Template.fromStack(stack);
      t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
        DeploymentConfigName: 'CodeDeployDefault.LambdaCanary10Percent5Minutes',
        AlarmConfiguration: Match.objectLike({ Enabled: true }),
        Tags: Match.absent(),
      });
      t.hasResource('AWS::Lambda::Alias', { UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.objectLike({ BeforeAllowTrafficHook: Match.anyValue() }) } });
      Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('EMERGENCY'));
    });

    test('only= limits the switch to the patterns at or below a construct path', () => {
      const stack = stackWith(`reason=INC-4711 checkout down;expires=${inHours(1)};only=Shop/Checkout`);
      lambdaIn(stack, 'Checkout');
      lambdaIn(stack, 'CheckoutV2'); // a sibling whose name starts the same is not below the path
      const t = Template.fromStack(stack);
      const configs = Object.values(t.findResources('AWS::CodeDeploy::DeploymentGroup')).map((g: any) => g.Properties.DeploymentConfigName).sort();
      expect(configs).toEqual(['CodeDeployDefault.LambdaAllAtOnce', 'CodeDeployDefault.LambdaCanary10Percent5Minutes']);
    });
  });

  test('EcsDeployment: all at once, an AppSpec without hooks, the deployment described as an emergency', () => {
    const build = (value?: string) => {
      const stack = stackWith(value);
      const { cluster, taskDefinition } = ecsFixture(stack);
      new EcsDeployment(stack, 'Payments', {
        cluster,
        taskDefinition,
        hooks: { afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener(), path: '/health' }) },
      });
      return stack;
    };
    const normal = Object.values(Template.fromStack(build()).findResources('Custom::CodeDeployDeployment'))[0] as any;
    expect(JSON.stringify(normal.Properties.AppSpecContent)).toContain('AfterAllowTestTraffic');
    const stack = build(`reason=INC-4711 payments down;expires=${inHours(1)}`);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.ECSAllAtOnce',
      AlarmConfiguration: Match.objectLike({ Enabled: false }),
    });
    const trigger = Object.values(t.findResources('Custom::CodeDeployDeployment'))[0] as any;
    expect(trigger.Properties.Description).toMatch(/^EMERGENCY until \d{4}-.*Z: INC-4711 payments down$/);
    expect(JSON.stringify(trigger.Properties.AppSpecContent)).not.toContain('Hooks');
    Annotations.fromStack(stack).hasWarning('/Shop/Payments', Match.stringLikeRegexp('EMERGENCY DEPLOYMENT'));
  });

  test('ServerDeployment: every instance at once, the deployment described as an emergency', () => {
    const stack = stackWith(`reason=INC-4711 web tier hotfix;expires=${inHours(1)}`);
    const fixture = serverFixture(stack);
    new ServerDeployment(stack, 'Web', { revision: ServerRevision.fromDirectory(WEB), autoScalingGroups: [fixture.asg] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.AllAtOnce',
      AlarmConfiguration: Match.objectLike({ Enabled: false }),
    });
    t.hasResourceProperties('Custom::CodeDeployDeployment', { Description: Match.stringLikeRegexp('^EMERGENCY until .*: INC-4711 web tier hotfix$') });
  });

  describe('ServerBlueGreenDeployment', () => {
    const build = (value?: string) => {
      const stack = stackWith(value);
      const fixture = blueGreenFixture(stack);
      new ServerBlueGreenDeployment(stack, 'Web', {
        revision: ServerRevision.fromDirectory(WEB),
        vpc: fixture.vpc,
        launchTemplate: fixture.launchTemplate,
        loadBalancers: [ServerLoadBalancer.application(fixture.targetGroup)],
      });
      return stack;
    };

    test('every instance of the new fleet at once, alarms listed but ignored, the deployment described as an emergency, a warning', () => {
      const stack = build(`reason=INC-4711 web tier hotfix;expires=${inHours(1)}`);
      const t = Template.fromStack(stack);
      t.hasResourceProperties('Custom::CodeDeployServerBlueGreenGroup', {
        DeploymentConfigName: 'CodeDeployDefault.AllAtOnce',
        IgnoreAlarms: 'true',
        AlarmNames: Match.arrayWith([{ Ref: Match.stringLikeRegexp('WebUnhealthyHosts') }]),
      });
      t.hasResourceProperties('Custom::CodeDeployDeployment', {
        Description: Match.stringLikeRegexp('^EMERGENCY until .*: INC-4711 web tier hotfix$'),
      });
      const warnings = Annotations.fromStack(stack).findWarning('/Shop/Web', Match.stringLikeRegexp('EMERGENCY DEPLOYMENT'));
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0].entry.data)).toMatch(/This pattern deploys to every instance of the new fleet at once and ignores its alarms; remove the context value/);
    });

    test('without the switch: half at a time, alarms heeded', () => {
      const t = Template.fromStack(build());
      t.hasResourceProperties('Custom::CodeDeployServerBlueGreenGroup', { DeploymentConfigName: 'CodeDeployDefault.HalfAtATime', IgnoreAlarms: 'false' });
      t.hasResourceProperties('Custom::CodeDeployDeployment', { Description: 'cdk deploy of Shop/Web' });
    });

    test('an expired switch fails the synth of an app with only this pattern', () => {
      expect(() => build(`reason=INC-4711 web tier hotfix;expires=${inHours(-1)}`)).toThrow(/\[Shop\/Web\] invalid configuration:\n {2}- cdk-codedeploy-patterns:emergency expired at /);
    });
  });
});
