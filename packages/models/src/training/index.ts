export { trainStep } from './train-step';
