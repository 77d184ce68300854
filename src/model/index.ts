export * from './run.js';
export * from './details.js';
export * from './errors.js';
export * from './totals.js';
export * from './validate.js';
export * from './merge.js';
export * from './redact.js';
export * from './make.js';
