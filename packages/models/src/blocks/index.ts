export { OctaveConvBlock, type OctaveConvBlockOptions } from './octave-conv-block';
