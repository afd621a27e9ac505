export * from './deployment-trigger';
