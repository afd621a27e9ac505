export * from './codedeploy-checks';
