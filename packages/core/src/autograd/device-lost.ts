import * as tf from '@tensorflow/tfjs-core';
import { UnsupportedBackendError } from '../errors/octconv-error';

/** What a lost WebGPU device said when it was lost. */
interface LostInfo {
  reason: string;
  message: string;
}

interface DeviceLike {
  lost?: Promise<{ reason?: string; message?: string }>;
}

const watched = new WeakSet<object>();
const lost = new WeakMap<object, LostInfo>();

/**
 * @internal Throws UnsupportedBackendError when the active backend's GPU device has been lost
 * (WebGPU: `device.destroy()`, a driver reset, a removed GPU). Work submitted to a lost device
 * fails later with an empty error, or not at all; this makes the next op fail at once, typed,
 * with what to do. The loss is learned from `device.lost`, which settles asynchronously.
 */
export function checkDeviceAlive(functionName: string): void {
  const backend = tf.backend() as { device?: DeviceLike } | undefined;
  const device = backend?.device;
  if (!device || typeof device !== 'object' || !device.lost) return;
  if (!watched.has(device)) {
    watched.add(device);
    device.lost.then(
      (info) =>
        lost.set(device, { reason: info?.reason ?? 'unknown', message: info?.message ?? '' }),
      () => {},
    );
    return;
  }
  const info = lost.get(device);
  if (info) {
    const name = tf.getBackend();
    throw new UnsupportedBackendError({
      functionName,
      backend: name,
      message: `the ${name} device was lost (${info.reason}${info.message ? `: ${info.message}` : ''}); start the backend again (startBackend('${name}') of @octconv/bench re-creates it) and re-create the tensors and models that lived on it`,
    });
  }
}
