/** LangSeg's building blocks, composed from graph ops. */
export { descriptorScores, l2Normalize } from './descriptor-head.js';
export type { DescriptorHeadOptions, DescriptorHeadScores } from './descriptor-head.js';
export { linear, layerNorm, multiHeadAttention, transformerBlock } from './transformer.js';
export type { AttentionBlockOptions, TransformerBlockOptions } from './transformer.js';
export { checkLabels, downsampleLabels, genLoss, msLoss, segLoss, totalLoss, tripletLoss, tripletSamplePositions } from './losses.js';
export type { LossTerms, TripletOptions } from './losses.js';
