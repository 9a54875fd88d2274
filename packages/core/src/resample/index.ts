export { downsample } from './downsample';
export { upsample } from './upsample';
