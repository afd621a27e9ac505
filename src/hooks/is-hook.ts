import type { LifecycleHook } from './lifecycle-hook';

/** Whether a hook was given and is not `LifecycleHook.none()`. */
export function isHook(hook: LifecycleHook | undefined): hook is LifecycleHook {
  return hook !== undefined && !hook._isNone;
}
