export * from './lifecycle-hook';
