export * from './lambda-deployment-props';
export * from './lambda-deployment';
export * from './lambda-app-spec';
