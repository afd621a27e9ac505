export * from './lifecycle-hook-bind';
export * from './lifecycle-hook';
export * from './built-in-hooks';
