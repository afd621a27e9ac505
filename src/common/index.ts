export * from './deployment-options';
export * from './agent-version';
