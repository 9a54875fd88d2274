import * as tf from '@tensorflow/tfjs-core';
import { formatValue } from '../errors/format-value';
import { InvalidArgumentError, ShapeMismatchError } from '../errors/octconv-error';
import { checkRecord } from '../shape/check-record';
import { halfSize } from '../shape/conv-geometry';
import { checkTensor4D } from '../tensor/check-tensor';

/**
 * An octave feature map: two NHWC tensors kept separate end to end.
 * `high` is `[batch, height, width, highChannels]`; `low` is
 * `[batch, ceil(height / 2), ceil(width / 2), lowChannels]`. A band with no channels is `null`,
 * never a zero-sized tensor.
 */
export interface OctaveTensor {
  high: tf.Tensor4D | null;
  low: tf.Tensor4D | null;
}

/** What {@link checkOctaveTensor} learned about a valid octave tensor. */
export interface OctaveTensorInfo {
  batch: number;
  /** Nominal `[height, width]` of the high band (twice the low band's when `high` is null). */
  size: [number, number];
  channels: { high: number; low: number };
}

/**
 * Validates both bands of an octave tensor and their relation (batch, `low = ceil(high / 2)`),
 * naming `functionName`; creates nothing.
 */
export function checkOctaveTensor(
  functionName: string,
  argument: string,
  x: unknown,
): OctaveTensorInfo {
  if (x instanceof tf.Tensor) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      value: x,
      message: `${argument} must be an octave tensor { high, low }, got ${formatValue(x)}; split a plain feature map with octaveSplit first`,
    });
  }
  const { high, low } = checkRecord(functionName, argument, x, ['high', 'low'], 'band');
  if (high == null && low == null) {
    throw new InvalidArgumentError({
      functionName,
      argument,
      value: x,
      message: `${argument}.high and ${argument}.low are both null; an octave tensor needs at least one band`,
    });
  }
  const highBand = high == null ? null : checkTensor4D(functionName, `${argument}.high`, high);
  const lowBand = low == null ? null : checkTensor4D(functionName, `${argument}.low`, low);
  if (highBand && lowBand) {
    const [hb, hh, hw] = highBand.shape;
    const [lb, lh, lw] = lowBand.shape;
    if (hb !== lb) {
      throw new ShapeMismatchError({
        functionName,
        message: `${argument}.high has batch ${hb} but ${argument}.low has batch ${lb}`,
      });
    }
    if (lh !== halfSize(hh) || lw !== halfSize(hw)) {
      throw new ShapeMismatchError({
        functionName,
        message: `${argument}.low is ${lh}×${lw} but must be ceil(h/2)×ceil(w/2) = ${halfSize(hh)}×${halfSize(hw)} of the ${hh}×${hw} high band`,
      });
    }
  }
  const batch = (highBand ?? lowBand)!.shape[0];
  const size: [number, number] = highBand
    ? [highBand.shape[1], highBand.shape[2]]
    : [2 * lowBand!.shape[1], 2 * lowBand!.shape[2]];
  return {
    batch,
    size,
    channels: { high: highBand?.shape[3] ?? 0, low: lowBand?.shape[3] ?? 0 },
  };
}

/**
 * `tf.tidy` for functions returning an octave tensor: tidy keeps the returned bands and
 * accepts null bands at run time; only its TensorContainer type forbids them.
 */
export function tidyOctave(fn: () => OctaveTensor): OctaveTensor {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as OctaveTensor;
}
