export { copyMiniOctNetWeights } from './copy-weights';
export { type MiniOctNetModelOptions, miniOctNetModel } from './mini-oct-net';
