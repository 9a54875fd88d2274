import { InvalidArgumentError, OctconvError, ShapeMismatchError } from '@octconv/core/shape';

/**
 * @internal Runs `fn`; an @octconv error thrown by a lower function is re-thrown as the same
 * kind in the name of `functionName`, the function the user called.
 */
export function inTheNameOf<T>(functionName: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (!OctconvError.isInstance(error) || error.functionName === functionName) throw error;
    const message = error.message.slice(error.functionName.length + 2);
    if (InvalidArgumentError.isInstance(error)) {
      throw new InvalidArgumentError({
        functionName,
        argument: error.argument,
        value: error.value,
        message,
        cause: error,
      });
    }
    if (ShapeMismatchError.isInstance(error))
      throw new ShapeMismatchError({ functionName, message, cause: error });
    throw error;
  }
}
