import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { validateAliasName } from './lambda-deployment-rules';
import { appSpecJson, appSpecYaml } from '../private/appspec-render';

/** The hooks of a Lambda AppSpec: the functions CodeDeploy invokes before and after the traffic shift. */
export interface LambdaAppSpecHooks {
  /**
   * Runs before traffic shifts to the target version (`BeforeAllowTraffic`).
   *
   * @default - no hook
   */
  readonly beforeAllowTraffic?: lambda.IFunction;

  /**
   * Runs after all traffic has shifted (`AfterAllowTraffic`).
   *
   * @default - no hook
   */
  readonly afterAllowTraffic?: lambda.IFunction;
}

/** Construction properties for `LambdaAppSpec`. */
export interface LambdaAppSpecProps {
  /** Name of the Lambda function whose alias CodeDeploy shifts. */
  readonly functionName: string;

  /** Name of the alias. */
  readonly aliasName: string;

  /** The version the alias points to now: a published version number, e.g. `"3"`. */
  readonly currentVersion: string;

  /** The version to shift the alias' traffic to: a published version number, e.g. `"4"`. */
  readonly targetVersion: string;

  /**
   * The hook functions.
   *
   * @default - no hooks
   */
  readonly hooks?: LambdaAppSpecHooks;

  /**
   * Key of the function's entry in the `Resources` section (a label; CodeDeploy reads the properties).
   *
   * @default - the function name
   */
  readonly resourceName?: string;
}

/**
 * The AppSpec of an AWS Lambda deployment: which alias of which function shifts from which version
 * to which, and the hook functions. For a deployment you create yourself (a pipeline, the CLI,
 * `DeploymentRevision.fromAppSpecContent`); `LambdaDeployment` needs none, because CloudFormation
 * writes it from the alias.
 *
 * Rendered as the user guide's Lambda AppSpec templates write it: PascalCase keys, one function,
 * `BeforeAllowTraffic` and `AfterAllowTraffic` hooks. The version is the string `0.0` in JSON (a
 * JSON number 0.0 would be written as 0).
 */
export class LambdaAppSpec {
  /** The validation errors of these properties (empty when valid). Unresolved tokens are not checked. */
  public static validate(props: LambdaAppSpecProps): string[] {
    return validateLambdaAppSpec(props);
  }

  constructor(public readonly props: LambdaAppSpecProps) {
    const errors = validateLambdaAppSpec(props);
    if (errors.length > 0) {
      throw new Error(`Invalid Lambda AppSpec:\n  - ${errors.join('\n  - ')}`);
    }
  }

  /** The AppSpec document as an object (tokens left in place). */
  public toObject(): any {
    const p = this.props;
    const doc: Record<string, unknown> = {
      version: '0.0',
      Resources: [{
        [p.resourceName ?? p.functionName]: {
          Type: 'AWS::Lambda::Function',
          Properties: { Name: p.functionName, Alias: p.aliasName, CurrentVersion: p.currentVersion, TargetVersion: p.targetVersion },
        },
      }],
    };
    const hooks = [
      ...(p.hooks?.beforeAllowTraffic ? [{ BeforeAllowTraffic: p.hooks.beforeAllowTraffic.functionName }] : []),
      ...(p.hooks?.afterAllowTraffic ? [{ AfterAllowTraffic: p.hooks.afterAllowTraffic.functionName }] : []),
    ];
    if (hooks.length > 0) {
      doc.Hooks = hooks;
    }
    return doc;
  }

  /**
   * The AppSpec as JSON. With a scope, tokens (function name, versions ...) resolve at deployment
   * time; without one the content must be fully known.
   */
  public toJson(scope?: IConstruct): string {
    return appSpecJson(this.toObject(), scope);
  }

  /**
   * The AppSpec as YAML, `version: 0.0` first; strings a YAML 1.1 reader could retype (such as the
   * version numbers) are quoted. Tokens stay embedded and resolve at deployment time when the
   * string is used in a template.
   */
  public toYaml(): string {
    return appSpecYaml(this.toObject());
  }
}

function validateLambdaAppSpec(p: LambdaAppSpecProps): string[] {
  const errors: string[] = [];
  const literal = (v: string) => !Token.isUnresolved(v);
  if (literal(p.functionName) && !/^[a-zA-Z0-9_-]{1,64}$/.test(p.functionName)) {
    errors.push(`functionName must be a function name (1-64 letters, digits, "-" or "_"); received "${p.functionName}".`);
  }
  if (literal(p.aliasName)) {
    errors.push(...validateAliasName(p.aliasName));
  }
  for (const [prop, value] of [['currentVersion', p.currentVersion], ['targetVersion', p.targetVersion]] as const) {
    if (literal(value) && !/^[1-9][0-9]*$/.test(value)) {
      errors.push(`${prop} must be a published version number, a positive whole number as a string such as "3" (CodeDeploy cannot shift to or from $LATEST); received "${value}".`);
    }
  }
  if (literal(p.currentVersion) && literal(p.targetVersion) && p.currentVersion === p.targetVersion) {
    errors.push(`currentVersion and targetVersion are both "${p.currentVersion}": there is no traffic to shift. Publish a new version and make it the targetVersion.`);
  }
  if (p.resourceName !== undefined && literal(p.resourceName) && p.resourceName.trim() === '') {
    errors.push('resourceName is empty; omit it to use the function name.');
  }
  return errors;
}
