import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CodeDeployChecks } from '../src';

/**
 * Runs cdk-nag's AwsSolutions pack and our CodeDeployChecks over the whole app and writes the unacknowledged findings to
 * `<outdir>/nag-report.json`, which `npx projen examples` summarizes.
 *
 * With aws-cdk-lib >= 2.258 you can use the plugin style instead:
 * `Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new CodeDeployChecks(app))`.
 */
export function writeNagReport(app: App): void {
  const findings = [new AwsSolutionsChecks(), new CodeDeployChecks()].flatMap((pack) =>
    pack.validateScope(app).violations.flatMap((v) =>
      v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath, description: v.description })),
    ),
  );
  fs.mkdirSync(app.outdir, { recursive: true });
  fs.writeFileSync(path.join(app.outdir, 'nag-report.json'), JSON.stringify({ packs: ['AwsSolutions', 'CodeDeploy'], findings }, null, 2));
}
