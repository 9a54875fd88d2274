export { KerasOctConv2D, type KerasOctConv2DArgs } from './keras-oct-conv2d';
