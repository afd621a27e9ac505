export * from './codedeploy-service-role';
export * from './agent-instance-profile';
