export * from './blocks/index';
export * from './checkpoint/index';
export * from './data/index';
export * from './inference/index';
export * from './layers/index';
export * from './module/index';
export * from './networks/index';
export * from './training/index';
