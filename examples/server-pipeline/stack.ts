import * as path from 'path';
import { CfnElement, Fn, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DeploymentSource, ServerDeployment, ServerPipelineSource, ServerRevision } from '../../src';

/**
 * The in-place web fleet of `server-in-place`, deployed by CodePipeline instead of `cdk deploy`:
 * CDK defines the fleet, the deployment group (with its alarms, rollback and agent) and the
 * pipeline. `cdk deploy` checks and zips the `server-in-place/web` folder and, when it changed,
 * uploads it to the source bucket as `web.zip`; that new object version (or any bundle uploaded
 * there by other means) starts the pipeline, whose CodeDeploy action deploys it. `cdk deploy` never
 * deploys a revision itself, so it never reverts one the pipeline deployed.
 */
export class ServerPipelineStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const vpc = new ec2.Vpc(this, 'Vpc', { availabilityZones: [Fn.select(0, Fn.getAzs()), Fn.select(1, Fn.getAzs())], natGateways: 1 });
    vpc.addFlowLog('FlowLog');
    const instanceRole = new iam.Role(this, 'InstanceRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const fleet = new autoscaling.AutoScalingGroup(this, 'Fleet', {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplate: new ec2.LaunchTemplate(this, 'LaunchTemplate', {
        machineImage: ec2.MachineImage.latestAmazonLinux2023(),
        instanceType: ec2.InstanceType.of(ec2.InstanceClass.T3, ec2.InstanceSize.MICRO),
        role: instanceRole,
        requireImdsv2: true,
        detailedMonitoring: true,
        blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
      }),
      minCapacity: 2,
      maxCapacity: 4,
    });

    // No revision: the pipeline supplies them. The group, its alarm, rollback and the agent are CDK's.
    const web = new ServerDeployment(this, 'Deployment', {
      deploymentSource: DeploymentSource.PIPELINE,
      autoScalingGroups: [fleet],
    });

    const source = new s3.Bucket(this, 'Source', {
      versioned: true, // CodePipeline's S3 source watches object versions
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // The revision folder, checked (appspec.yml and its scripts) and uploaded to the watched key.
    const upload = new ServerPipelineSource(this, 'WebBundle', {
      revision: ServerRevision.fromDirectory(path.join(__dirname, '..', 'server-in-place', 'web')),
      bucket: source,
      key: 'web.zip',
    });
    const bundle = new codepipeline.Artifact('Web');
    const pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineType: codepipeline.PipelineType.V2,
      crossAccountKeys: false, // one account: S3-managed encryption of the artifacts, no KMS key
      stages: [
        { stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Bundle', bucket: upload.bucket, bucketKey: upload.key, output: bundle })] },
        { stageName: 'Deploy', actions: [new actions.CodeDeployServerDeployAction({ actionName: 'InPlace', deploymentGroup: web.deploymentGroup, input: bundle })] },
      ],
    });
    // The instances download the pipeline's revisions, also when Auto Scaling launches one later.
    web.grantReadPipelineArtifacts(pipeline.artifactBucket);

    // Findings on the parts this app builds around the pattern, acknowledged with our reasons.
    Validations.of(source).acknowledge({ id: 'AwsSolutions-S1', reason: 'Example source bucket; log access to a bucket of yours in production.' });
    // aws-cdk-lib's pipeline grants its roles (and, through the CodeDeploy action, the Auto Scaling
    // group's role) read and write with action wildcards on the artifact bucket's generated keys.
    const artifacts = Stack.of(this).getLogicalId(pipeline.artifactBucket.node.defaultChild as CfnElement);
    const s3Wildcards = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map((a) => `AwsSolutions-IAM5[Action::${a}]`);
    const reason = 'aws-cdk-lib\'s CodePipeline grants on its own artifact bucket, whose object keys CodePipeline generates.';
    Validations.of(pipeline).acknowledge(
      { id: 'AwsSolutions-S1', reason: 'Example pipeline\'s artifact bucket; log access to a bucket of yours in production.' },
      { id: `AwsSolutions-IAM5[Resource::<${artifacts}.Arn>/*]`, reason },
      ...s3Wildcards.map((finding) => ({ id: finding, reason })),
    );
    Validations.of(instanceRole).acknowledge(
      ...s3Wildcards.slice(0, 3).map((finding) => ({ id: finding, reason: 'aws-cdk-lib\'s CodeDeployServerDeployAction lets the Auto Scaling group\'s role read the artifact bucket (Get*, List*).' })),
    );
    Validations.of(fleet).acknowledge({ id: 'AwsSolutions-AS3', reason: 'Example fleet; add scaling notifications to a topic of yours in production.' });
  }
}
