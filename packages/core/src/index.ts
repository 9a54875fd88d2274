export * from './nn/index';
export * from './octave/index';
export * from './octave-conv/index';
export * from './resample/index';
export * from './shape/index';
export * from './tensor/index';
