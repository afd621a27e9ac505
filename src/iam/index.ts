export * from './codedeploy-service-role';
