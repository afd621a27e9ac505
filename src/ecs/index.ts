export * from './blue-green-listeners';
export * from './ecs-app-spec';
export * from './ecs-deployment-props';
export * from './ecs-deployment';
