export {
  type ImageDataset,
  SHAPE_TEXTURE_CLASSES,
  type ShapesAndTexturesOptions,
  shapesAndTextures,
} from './shapes-and-textures';
