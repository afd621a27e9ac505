import { Stack, Token, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { psychSafeYaml } from './psych-yaml';

/**
 * The JSON of a Lambda or ECS AppSpec document. With a scope, tokens resolve at deployment time
 * (`Stack.toJsonString`); without one the content must be fully known.
 */
export function appSpecJson(doc: unknown, scope?: IConstruct): string {
  if (scope) {
    return Stack.of(scope).toJsonString(doc);
  }
  const json = JSON.stringify(doc);
  if (Token.isUnresolved(json)) {
    throw new Error('This AppSpec contains unresolved tokens; pass a construct scope to toJson() so they resolve at deployment time.');
  }
  return json;
}

/**
 * The YAML of a Lambda or ECS AppSpec document: `version: 0.0` first (the document's own
 * `version` key is dropped), every string quoted where a YAML parser could read it as something
 * else. Tokens stay embedded and resolve at deployment time when the string is used in a template;
 * number tokens are rendered unquoted so they resolve to numbers.
 */
export function appSpecYaml(doc: Record<string, unknown>): string {
  const { version, ...rest } = doc;
  void version;
  const numberTokens = new Set<string>();
  const prepare = (v: unknown): unknown => {
    if (typeof v === 'number' && Token.isUnresolved(v)) {
      const s = Tokenization.stringifyNumber(v);
      numberTokens.add(s);
      return s;
    }
    if (Array.isArray(v)) {
      return v.map(prepare);
    }
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, prepare(x)]));
    }
    return v;
  };
  return `version: 0.0\n${psychSafeYaml(prepare(rest), numberTokens)}`;
}
