export * from './server-app-spec-props';
export * from './server-app-spec';
export * from './server-revision';
export * from './codedeploy-agent';
export * from './server-deployment-props';
export * from './server-deployment';
export * from './server-pipeline-source';
export * from './server-blue-green-deployment';
