import { countNewTensors, describeEachBackend } from '@octconv/test-utils';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { MiniOctNet } from './mini-oct-net';

await describeEachBackend('MiniOctNet', () => {
  it('has the seed PyTorch module’s 224,842 parameters under its names', () => {
    const net = new MiniOctNet({ random: 1 });
    expect(net.parameterCount()).toBe(224_842);
    expect([...net.namedParameters().keys()]).toEqual([
      'stem.0.weight',
      'stem.1.weight',
      'stem.1.bias',
      'b1.oct.hh.weight',
      'b1.oct.hl.weight',
      'b1.oct.lh.weight',
      'b1.oct.ll.weight',
      'b1.bn_h.weight',
      'b1.bn_h.bias',
      'b1.bn_l.weight',
      'b1.bn_l.bias',
      'b2.oct.hh.weight',
      'b2.oct.hl.weight',
      'b2.oct.lh.weight',
      'b2.oct.ll.weight',
      'b2.bn_h.weight',
      'b2.bn_h.bias',
      'b2.bn_l.weight',
      'b2.bn_l.bias',
      'fc.weight',
      'fc.bias',
    ]);
    expect([...net.namedBuffers().keys()]).toEqual(
      ['stem.1', 'b1.bn_h', 'b1.bn_l', 'b2.bn_h', 'b2.bn_l'].flatMap((bn) => [
        `${bn}.running_mean`,
        `${bn}.running_var`,
        `${bn}.num_batches_tracked`,
      ]),
    );
    net.dispose();
  });

  it('maps [4, 32, 32, 3] to [4, 10] logits without leaking', async () => {
    const net = new MiniOctNet({ random: 2 });
    const x = tf.randomNormal([4, 32, 32, 3]) as tf.Tensor4D;
    const { result, leaked } = await countNewTensors(() => net.apply(x));
    expect(result.shape).toEqual([4, 10]);
    expect(leaked).toBe(1);
    result.dispose();
    x.dispose();
    net.dispose();
  });
});
