/**
 * The readers' building blocks for `@octconv/models` (assignment into modules, its saves and
 * tests). Not a stable API: use the package's main entry.
 *
 * @packageDocumentation
 */
export * from './bytes';
export * from './numpy';
export * from './pickle';
export * from './read';
export * from './safetensors';
export * from './sniff';
export * from './torch-pth';
export * from './zip';
