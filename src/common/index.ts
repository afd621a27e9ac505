export * from './deployment-options';
