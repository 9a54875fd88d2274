export * from './compat/index';
export * from './config/index';
export * from './layers';
export * from './networks/index';
export * from './octave/index';
