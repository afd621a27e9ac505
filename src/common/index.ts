export * from './deployment-options';
export * from './agent-version';
export * from './deployment-source';
