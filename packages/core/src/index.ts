export * from './octave/index';
export * from './octave-conv/index';
export * from './resample/index';
export * from './shape/index';
