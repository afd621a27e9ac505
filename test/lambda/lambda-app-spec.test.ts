import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as YAML from 'yaml';
import { LambdaAppSpec, LambdaAppSpecProps } from '../../src';
import { targetVersion } from '../../src/hooks/handlers/invoke-check.lambda';
import { testStack } from '../harness';
import { userFunction } from '../util';

/**
 * LambdaAppSpec against the user guide's Lambda AppSpec reference ("AppSpec 'resources' section
 * for AWS Lambda deployments", "List of lifecycle event hooks for an AWS Lambda deployment" and the
 * templates of "Add an AppSpec file for an AWS Lambda deployment"), restated here as a checker:
 * one function under Resources with Type AWS::Lambda::Function and the four string properties
 * Name, Alias, CurrentVersion and TargetVersion (versions valid positive integers), hooks only
 * BeforeAllowTraffic and AfterAllowTraffic, each one function.
 */
function guideProblems(doc: any): string[] {
  const problems: string[] = [];
  if (String(doc.version) !== '0' && String(doc.version) !== '0.0') {
    problems.push(`version ${doc.version}`);
  }
  const resources = doc.Resources;
  if (!Array.isArray(resources) || resources.length !== 1 || Object.keys(resources[0]).length !== 1) {
    return [...problems, 'Resources must hold exactly one function'];
  }
  const entry: any = Object.values(resources[0])[0];
  if (entry.Type !== 'AWS::Lambda::Function') {
    problems.push(`Type ${entry.Type}`);
  }
  for (const key of ['Name', 'Alias', 'CurrentVersion', 'TargetVersion']) {
    if (typeof entry.Properties?.[key] !== 'string' || entry.Properties[key] === '') {
      problems.push(`${key} must be a non-empty string`);
    }
  }
  for (const key of ['CurrentVersion', 'TargetVersion']) {
    if (!/^[1-9][0-9]*$/.test(String(entry.Properties?.[key]))) {
      problems.push(`${key} must be a valid positive integer`);
    }
  }
  for (const hook of doc.Hooks ?? []) {
    const [event, fn] = Object.entries(hook)[0];
    if (!['BeforeAllowTraffic', 'AfterAllowTraffic'].includes(event) || Object.keys(hook).length !== 1 || typeof fn !== 'string') {
      problems.push(`hook ${JSON.stringify(hook)}`);
    }
  }
  return problems;
}

const BASE: LambdaAppSpecProps = { functionName: 'orders', aliasName: 'live', currentVersion: '3', targetVersion: '4' };

describe('LambdaAppSpec', () => {
  test('the guide\'s structure, as JSON and as YAML read by YAML 1.1 and 1.2 parsers', () => {
    const stack = testStack();
    const spec = new LambdaAppSpec({
      ...BASE,
      hooks: {
        beforeAllowTraffic: lambda.Function.fromFunctionArn(stack, 'Pre', 'arn:aws:lambda:us-east-1:123456789012:function:pre-hook'),
        afterAllowTraffic: lambda.Function.fromFunctionArn(stack, 'Post', 'arn:aws:lambda:us-east-1:123456789012:function:post-hook'),
      },
    });
    const json = JSON.parse(spec.toJson());
    expect(json).toEqual({
      version: '0.0',
      Resources: [{ orders: { Type: 'AWS::Lambda::Function', Properties: { Name: 'orders', Alias: 'live', CurrentVersion: '3', TargetVersion: '4' } } }],
      Hooks: [{ BeforeAllowTraffic: 'pre-hook' }, { AfterAllowTraffic: 'post-hook' }],
    });
    expect(guideProblems(json)).toEqual([]);
    const yaml = spec.toYaml();
    expect(yaml.startsWith('version: 0.0\n')).toBe(true);
    for (const version of ['1.1', '1.2'] as const) {
      const read = YAML.parse(yaml, { version });
      expect(guideProblems(read)).toEqual([]);
      // The versions stay strings: a YAML 1.1 reader would read an unquoted 3 as a number.
      expect(Object.values<any>(read.Resources[0])[0].Properties.CurrentVersion).toBe('3');
    }
  });

  test('the checker rejects what the guide rules out (so the test above can fail)', () => {
    expect(guideProblems({ version: '0.0', Resources: [] })).toEqual(['Resources must hold exactly one function']);
    expect(guideProblems({
      version: '0.0',
      Resources: [{ f: { Type: 'AWS::Lambda::Function', Properties: { Name: 'f', Alias: 'live', CurrentVersion: '$LATEST', TargetVersion: 4 } } }],
      Hooks: [{ BeforeInstall: 'x' }],
    })).toEqual(['TargetVersion must be a non-empty string', 'CurrentVersion must be a valid positive integer', 'hook {"BeforeInstall":"x"}']);
  });

  test('no hooks: no Hooks section; resourceName labels the entry', () => {
    const json = JSON.parse(new LambdaAppSpec({ ...BASE, resourceName: 'OrdersFunction' }).toJson());
    expect(json.Hooks).toBeUndefined();
    expect(Object.keys(json.Resources[0])).toEqual(['OrdersFunction']);
  });

  test('tokens (a function of the stack, its versions) resolve at deployment time through toJson(scope)', () => {
    const stack = testStack();
    const fn = userFunction(stack, 'Fn');
    const spec = new LambdaAppSpec({ functionName: fn.functionName, aliasName: 'live', currentVersion: '1', targetVersion: fn.currentVersion.version, resourceName: 'Target' });
    const rendered = Stack.of(stack).resolve(spec.toJson(stack));
    expect(JSON.stringify(rendered)).toMatch(/Fn::Join/);
    expect(JSON.stringify(rendered)).toMatch(/"Ref":"Fn[A-F0-9]+"/);
    expect(() => spec.toJson()).toThrow(/contains unresolved tokens; pass a construct scope to toJson\(\)/);
    // YAML keeps the tokens in the string; used in a template they resolve like the JSON's.
    expect(JSON.stringify(Stack.of(stack).resolve(spec.toYaml()))).toMatch(/"Ref":"Fn[A-F0-9]+"/);
  });

  test.each<[string, Partial<LambdaAppSpecProps>, RegExp]>([
    ['$LATEST as the target', { targetVersion: '$LATEST' }, /targetVersion must be a published version number, .*received "\$LATEST"/],
    ['version 0', { currentVersion: '0' }, /currentVersion must be a published version number, .*received "0"/],
    ['the same version twice', { currentVersion: '4', targetVersion: '4' }, /currentVersion and targetVersion are both "4": there is no traffic to shift/],
    ['an ARN as the function name', { functionName: 'arn:aws:lambda:us-east-1:123456789012:function:orders' }, /functionName must be a function name .*received "arn:aws:lambda/],
    ['an alias that is a number', { aliasName: '7' }, /aliasName must be 1-128 letters, digits, "-" or "_" and not only digits .*received "7"/],
    ['an empty resource name', { resourceName: ' ' }, /resourceName is empty; omit it to use the function name/],
  ])('error: %s', (_name, override, message) => {
    expect(() => new LambdaAppSpec({ ...BASE, ...override })).toThrow(message);
    expect(LambdaAppSpec.validate({ ...BASE, ...override }).join('\n')).toMatch(message);
  });
});

test('the built-in invokeCheck hook finds the target version in a LambdaAppSpec, as JSON and as YAML', () => {
  const spec = new LambdaAppSpec({ ...BASE, resourceName: 'Target' });
  for (const content of [spec.toJson(), spec.toYaml()]) {
    const revision = { revisionType: 'AppSpecContent', appSpecContent: { content } };
    expect(targetVersion(revision, 'orders')).toEqual({ functionName: 'orders', version: '4' });
    expect(targetVersion(revision)).toEqual({ functionName: 'orders', version: '4' });
  }
});
