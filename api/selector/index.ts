// Label and field selectors.
export { LabelSelector, parseLabelSelector, labelSelectorFromObject, labelSelectorFromMap } from './label-selector.js';
export type { LabelRequirement, LabelOperator } from './label-selector.js';
export { FieldSelector, parseFieldSelector } from './field-selector.js';
export type { FieldRequirement } from './field-selector.js';
export { SelectorError } from './selector-error.js';
export type { SelectorErrorCode, Parsed } from './selector-error.js';
