export * from './lambda-deployment-props';
export * from './lambda-deployment';
