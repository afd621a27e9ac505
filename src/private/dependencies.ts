import { Aspects, CfnResource, IAspect, Lazy, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Makes `from` wait for every resource of `to`, without the DependsOn entries CloudFormation
 * already enforces: resources that `references` (values in `from`'s template, such as a name or
 * an ID of `to`) resolve to a Ref or GetAtt of are left out, since a redundant DependsOn is a
 * cfn-lint finding (W3005) in every user's template. Decided at synth (an aspect), when logical
 * IDs and physical names are final: a name the user gave renders as a literal, not a Ref, and
 * then the explicit dependency is kept.
 */
export function dependOn(from: IConstruct, to: IConstruct, references: unknown[] = []): void {
  if (Stack.of(from) !== Stack.of(to)) {
    from.node.addDependency(to); // across stacks: a stack dependency
    return;
  }
  Aspects.of(from).add(new DependOn(from, to, references));
}

class DependOn implements IAspect {
  private done = false;
  constructor(private readonly from: IConstruct, private readonly to: IConstruct, private readonly references: unknown[]) {}

  public visit(node: IConstruct): void {
    if (node !== this.from || this.done) {
      return;
    }
    this.done = true;
    const stack = Stack.of(this.from);
    const fromResource = primaryResource(this.from);
    if (!fromResource) {
      this.from.node.addDependency(this.to);
      return;
    }
    const referenced = new Set<string>();
    const resolved = JSON.stringify(stack.resolve(this.references));
    for (const m of resolved.matchAll(/\{"Ref":"([^"]+)"\}|\{"Fn::GetAtt":\["([^"]+)"/g)) {
      referenced.add(m[1] ?? m[2]);
    }
    for (const target of this.to.node.findAll()) {
      const isOther = target instanceof CfnResource && Stack.of(target) === stack && target !== fromResource;
      if (isOther && !referenced.has(stack.resolve(target.logicalId))) {
        fromResource.addDependency(target);
      }
    }
  }
}

/** The CloudFormation resource a construct stands for (following default children). */
function primaryResource(c: IConstruct): CfnResource | undefined {
  let node: IConstruct | undefined = c;
  while (node && !(node instanceof CfnResource)) {
    node = node.node.defaultChild;
  }
  return node;
}

/**
 * Drops the DependsOn entries of `resource` that its own properties (or property overrides)
 * already enforce with a Ref or GetAtt: aws-cdk-lib adds some (an ECS service waits for whatever
 * forwards to its target group, which the ECS engine also references), and a redundant DependsOn
 * is a cfn-lint finding (W3005) in every user's template. Decided when the template is rendered,
 * after aws-cdk-lib turned construct dependencies into resource ones.
 */
export function dropEnforcedDependencies(resource: CfnResource): void {
  const stack = Stack.of(resource);
  resource.addOverride('DependsOn', Lazy.uncachedList({
    produce: () => {
      const values = { properties: (resource as any).cfnProperties, overrides: (resource as any).rawOverrides?.Properties };
      const referenced = new Set<string>();
      for (const m of JSON.stringify(stack.resolve(values)).matchAll(/\{"Ref":"([^"]+)"\}|\{"Fn::GetAtt":\["([^"]+)"/g)) {
        referenced.add(m[1] ?? m[2]);
      }
      const ids = resource.obtainDependencies()
        .filter((d): d is CfnResource => d instanceof CfnResource && Stack.of(d) === stack)
        .map((d) => stack.resolve(d.logicalId) as string)
        .filter((id) => !referenced.has(id));
      return ids.length > 0 ? [...new Set(ids)].sort() : undefined;
    },
  }));
}
