export * from './common';
export * from './iam';
export * from './hooks';
export * from './lambda';
export * from './ecs';
export * from './trigger';
export * from './server';
export * from './nag';
