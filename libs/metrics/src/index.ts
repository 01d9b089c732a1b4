export * from './http-metrics.hook.js';
export * from './metric-definitions.js';
export * from './metric-names.js';
export * from './metrics.module.js';
export { InjectMetric } from '@willsoto/nestjs-prometheus';
