export { checkTensor, checkTensor4D } from './check-tensor';
