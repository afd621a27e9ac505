export * from './lifecycle-hook';
export * from './built-in-hooks';
