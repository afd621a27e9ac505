export * from './lambda-deployment';
