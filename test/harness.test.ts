import * as iam from 'aws-cdk-lib/aws-iam';
import { cfnLint, literalAwsArns, nagFindings, testStack } from './harness';

/** The harness must be able to fail: each check is shown catching what it exists to catch. */
describe('quality harness', () => {
  test('cfn-lint reports an unknown property and a bad resource type, and passes a valid template', () => {
    const bad = { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { NoSuchProperty: 1 } }, X: { Type: 'AWS::Nope::Thing' } } };
    const good = { Resources: { Q: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 30 } } } };
    const badResult = cfnLint({ bad });
    expect(badResult.exitCode).not.toBe(0);
    expect(badResult.output).toMatch(/E3002|E3006/);
    expect(cfnLint({ good })).toEqual({ exitCode: 0, output: '' });
  });

  test('cdk-nag reports an AWS managed policy on a role', () => {
    const stack = testStack();
    new iam.Role(stack, 'R', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')],
    });
    expect(nagFindings(stack).join('\n')).toMatch(/AwsSolutions-IAM4\[Policy::arn:<AWS::Partition>:iam::aws:policy\/AdministratorAccess\]/);
  });

  test('the partition check finds a literal arn:aws:', () => {
    expect(literalAwsArns({ a: 'arn:aws:s3:::bucket', b: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }]] } })).toEqual(['arn:aws:s3:::bucket']);
  });
});
