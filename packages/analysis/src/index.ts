// The block tables live in @octconv/core/shape (shared with @octconv/models); re-exported here.
export { MOBILENET_V1_BLOCKS, MOBILENET_V2_BLOCKS } from '@octconv/core/shape';
export {
  type Analysis,
  type AnalysisTotals,
  analyze,
  BYTES_PER_ELEMENT,
  type LayerAnalysis,
} from './analyze/analyze';
export {
  type Comparison,
  compare,
  compareOctaveConv,
  type SweepRow,
  sweepAlpha,
} from './analyze/compare';
export {
  describeOctMobileNetV1,
  describeOctMobileNetV2,
  type OctMobileNetDescribeOptions,
} from './describe/mobilenets';
export {
  type DescribeInput,
  describeMiniOctNet,
  describeOctaveConv,
  describeOctResNet,
  type OctResNetVariant,
  RESNET_STAGES,
} from './describe/networks';
export {
  formatCount,
  formatGiga,
  formatLayers,
  formatSweep,
  type TableFormat,
} from './render/table';
