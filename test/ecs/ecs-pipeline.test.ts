import * as ecsSdk from '@aws-sdk/client-ecs';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { DeploymentSource, EcsAppSpec, EcsDeployment, HttpCheckTarget, LifecycleHook } from '../../src';
import { complianceSuite, testStack } from '../harness';
import { checkTemplate } from '../iam/reference';
import { acknowledgeTrafficChoices, ecsFixture } from '../util';

/**
 * Where a value departs from the AWS SDK's model of an operation's input: members the shape does
 * not have, walked through structures, lists and maps of the SDK's own schema objects
 * (`@aws-sdk/client-ecs`'s `RegisterTaskDefinitionRequest$`), which are generated from the ECS API model.
 */
function modelProblems(value: unknown, schema: any, where: string): string[] {
  const s = typeof schema === 'function' ? schema() : Array.isArray(schema) && typeof schema[0] === 'function' ? schema[0]() : schema;
  if (!Array.isArray(s) || value === null || typeof value !== 'object') {
    return [];
  }
  const [kind] = s;
  if (kind === 3) {
    const names: string[] = s[4];
    return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
      const i = names.indexOf(key);
      return i < 0 ? [`${where}.${key} is not a member of ${s[2]} (members: ${names.join(', ')})`] : modelProblems(v, s[5][i], `${where}.${key}`);
    });
  }
  if (kind === 1 && Array.isArray(value)) {
    return value.flatMap((v, i) => modelProblems(v, s[4], `${where}[${i}]`));
  }
  if (kind === 2) {
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => modelProblems(v, s[5], `${where}.${k}`));
  }
  return [];
}

/** The taskdef.json CloudFormation would write: the template string resolved, references as placeholders. */
function rendered(stack: Stack, template: string): any {
  const resolved = stack.resolve(template);
  const text = typeof resolved === 'string' ? resolved : (resolved['Fn::Join'][1] as any[]).map((p) => (typeof p === 'string' ? p : `<${JSON.stringify(p).replace(/"/g, "'")}>`)).join('');
  return JSON.parse(text);
}

function pipelineDeployment(stack: Stack, taskDefinition?: ecs.FargateTaskDefinition) {
  const fixture = ecsFixture(stack);
  return new EcsDeployment(stack, 'Web', {
    cluster: fixture.cluster,
    taskDefinition: taskDefinition ?? fixture.taskDefinition,
    deploymentSource: DeploymentSource.PIPELINE,
    hooks: { afterAllowTestTraffic: LifecycleHook.httpCheck({ target: HttpCheckTarget.testListener(), path: '/health' }) },
  });
}

describe('EcsDeployment with deploymentSource PIPELINE', () => {
  test('no trigger: CloudFormation creates the service with the first task definition and deploys nothing later; the group, alarms and hooks stay', () => {
    const stack = testStack();
    const dep = pipelineDeployment(stack);
    const t = Template.fromStack(stack);
    expect(dep.trigger).toBeUndefined();
    expect(dep.deploymentSource).toBe(DeploymentSource.PIPELINE);
    t.resourceCountIs('Custom::CodeDeployDeployment', 0);
    t.hasResourceProperties('AWS::ECS::Service', { DeploymentController: { Type: 'CODE_DEPLOY' }, TaskDefinition: Match.anyValue() });
    t.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: Match.objectLike({ Enabled: true }),
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
    });
    t.hasResourceProperties('AWS::Lambda::Function', { Description: 'cdk-codedeploy-patterns built-in hook: HTTP check of the test listener' });
    expect(checkTemplate(t.toJSON())).toEqual([]);
  });

  test('appSpec: the <TASK_DEFINITION> placeholder the CodeDeploy-to-ECS action fills in, the container, and the hooks', () => {
    const stack = testStack();
    const dep = pipelineDeployment(stack);
    const doc = stack.resolve(dep.appSpec!.toObject());
    expect(doc.Resources[0].TargetService.Properties).toMatchObject({
      TaskDefinition: EcsAppSpec.TASK_DEFINITION_PLACEHOLDER,
      LoadBalancerInfo: { ContainerName: 'web', ContainerPort: 8080 },
    });
    expect(EcsAppSpec.TASK_DEFINITION_PLACEHOLDER).toBe('<TASK_DEFINITION>');
    expect(doc.Hooks).toEqual([{ AfterAllowTestTraffic: { 'Fn::GetAtt': [expect.stringMatching(/HttpCheck/), 'Arn'] } }]);
    // The action replaces the placeholder text; in YAML it is a plain scalar.
    expect(dep.appSpec!.toYaml()).toMatch(/\n {8}TaskDefinition: <TASK_DEFINITION>\n/);
  });

  test('taskDefinitionTemplate: RegisterTaskDefinition input with the image placeholder, every member in the SDK\'s model', () => {
    const stack = testStack();
    const fixture = ecsFixture(stack);
    const td = new ecs.FargateTaskDefinition(stack, 'RichTaskDef', {
      cpu: 512,
      memoryLimitMiB: 1024,
      ephemeralStorageGiB: 30,
      runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.ARM64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
      proxyConfiguration: new ecs.AppMeshProxyConfiguration({
        containerName: 'envoy',
        properties: { appPorts: [8080], proxyEgressPort: 15001, proxyIngressPort: 15000, ignoredUID: 1337, egressIgnoredIPs: ['169.254.170.2'] },
      }),
    });
    const fileSystem = new efs.FileSystem(stack, 'Files', { vpc: fixture.vpc });
    td.addVolume({ name: 'files', efsVolumeConfiguration: { fileSystemId: fileSystem.fileSystemId, transitEncryption: 'ENABLED' } });
    const secret = new secretsmanager.Secret(stack, 'Secret');
    const web = td.addContainer('web', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      portMappings: [{ containerPort: 8080 }],
      environment: { MODE: 'prod' },
      secrets: { TOKEN: ecs.Secret.fromSecretsManager(secret) },
      healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost:8080/ || exit 1'], interval: Duration.seconds(30) },
      dockerLabels: { Team: 'checkout' },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'web' }),
      linuxParameters: new ecs.LinuxParameters(stack, 'Linux', { initProcessEnabled: true }),
    });
    web.addMountPoints({ sourceVolume: 'files', containerPath: '/data', readOnly: true });
    web.addUlimits({ name: ecs.UlimitName.NOFILE, softLimit: 1024, hardLimit: 4096 });
    td.addContainer('envoy', { image: ecs.ContainerImage.fromRegistry('public.ecr.aws/appmesh/aws-appmesh-envoy:v1'), essential: true, user: '1337' });

    const dep = new EcsDeployment(stack, 'Rich', { cluster: fixture.cluster, taskDefinition: td, containerName: 'web', deploymentSource: DeploymentSource.PIPELINE });
    const taskdef = rendered(stack, dep.taskDefinitionTemplate());
    expect(modelProblems(taskdef, ecsSdk.RegisterTaskDefinitionRequest$, 'taskdef')).toEqual([]);
    expect(taskdef.containerDefinitions.find((c: any) => c.name === 'web').image).toBe('<IMAGE1_NAME>');
    expect(taskdef.containerDefinitions.find((c: any) => c.name === 'envoy').image).toBe('public.ecr.aws/appmesh/aws-appmesh-envoy:v1');
    expect(taskdef).toMatchObject({
      cpu: '512',
      memory: '1024',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      ephemeralStorage: { sizeInGiB: 30 },
      proxyConfiguration: { type: 'APPMESH', containerName: 'envoy', properties: expect.arrayContaining([{ name: 'ProxyIngressPort', value: '15000' }]) },
      volumes: [{ name: 'files', efsVolumeConfiguration: expect.objectContaining({ fileSystemId: expect.stringContaining('Files'), transitEncryption: 'ENABLED' }) }],
    });
    // References resolve when the stack deploys.
    expect(taskdef.executionRoleArn).toMatch(/^<\{'Fn::GetAtt':\['RichTaskDefExecutionRole[0-9A-F]+','Arn'\]\}>$/);
    expect(rendered(stack, dep.taskDefinitionTemplate('IMAGE')).containerDefinitions[0].image).toBe('<IMAGE>');
    expect(() => dep.taskDefinitionTemplate('<IMAGE>')).toThrow(/imagePlaceholder must be 1-64 letters, digits, "_" or "-" .*received "<IMAGE>"/);
  });

  test('the model check can fail: the CloudFormation names the template renames are not members of the API', () => {
    const problems = modelProblems(
      { family: 'f', containerDefinitions: [], proxyConfiguration: { type: 'APPMESH', containerName: 'envoy', proxyConfigurationProperties: [] }, volumes: [{ name: 'v', efsVolumeConfiguration: { filesystemId: 'fs-1' } }] },
      ecsSdk.RegisterTaskDefinitionRequest$,
      'taskdef',
    );
    expect(problems).toEqual([
      expect.stringMatching(/^taskdef.proxyConfiguration.proxyConfigurationProperties is not a member of ProxyConfiguration/),
      expect.stringMatching(/^taskdef.volumes\[0\].efsVolumeConfiguration.filesystemId is not a member of EFSVolumeConfiguration/),
    ]);
  });

  test('the deployment group is what CodePipeline\'s CodeDeploy-to-ECS action takes', () => {
    const stack = testStack();
    const dep = pipelineDeployment(stack);
    const source = new codepipeline.Artifact('Source');
    const image = new codepipeline.Artifact('Image');
    const sources = new s3.Bucket(stack, 'Sources', { versioned: true });
    new codepipeline.Pipeline(stack, 'Pipeline', {
      crossAccountKeys: false,
      stages: [
        {
          stageName: 'Source',
          actions: [
            new actions.S3SourceAction({ actionName: 'Files', bucket: sources, bucketKey: 'deploy.zip', output: source }),
            new actions.S3SourceAction({ actionName: 'ImageDetail', bucket: sources, bucketKey: 'image.zip', output: image }),
          ],
        },
        {
          stageName: 'Deploy',
          actions: [new actions.CodeDeployEcsDeployAction({
            actionName: 'BlueGreen',
            deploymentGroup: dep.deploymentGroup!,
            appSpecTemplateInput: source,
            taskDefinitionTemplateInput: source,
            containerImageInputs: [{ input: image, taskDefinitionPlaceholder: 'IMAGE1_NAME' }],
          })],
        },
      ],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Stages: Match.arrayWith([Match.objectLike({
        Name: 'Deploy',
        Actions: [Match.objectLike({ ActionTypeId: Match.objectLike({ Provider: 'CodeDeployToECS' }), Configuration: Match.objectLike({ DeploymentGroupName: { Ref: Match.stringLikeRegexp('WebDeploymentGroup') } }) })],
      })]),
    });
  });

  test.each<[string, object, RegExp]>([
    ['deploymentTimeout', { deploymentTimeout: Duration.minutes(20) }, /deploymentTimeout applies to the deployments cdk deploy starts, and deploymentSource is PIPELINE/],
    ['waitForTermination', { blueGreen: { waitForTermination: true } }, /blueGreen.waitForTermination applies to the deployments cdk deploy starts/],
  ])('error: %s with PIPELINE', (_name, props, message) => {
    const stack = testStack();
    const { cluster, taskDefinition } = ecsFixture(stack);
    expect(() => new EcsDeployment(stack, 'Web', { cluster, taskDefinition, deploymentSource: DeploymentSource.PIPELINE, ...props })).toThrow(message);
  });

  complianceSuite({
    'pipeline mode': (stack) => {
      pipelineDeployment(stack);
      acknowledgeTrafficChoices(stack);
    },
  }, { allPacks: true });
});
