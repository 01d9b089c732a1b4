import { MetricNames } from './metric-names.js';

/** Latency buckets from 0.5 ms to 30 s: sync RPC is sub-millisecond at best and 30 s at the deadline. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface MetricDefinition {
  kind: 'counter' | 'histogram' | 'gauge';
  name: string;
  help: string;
  labelNames: string[];
  buckets?: number[];
}

export const Metrics = {
  predictionRequests: {
    kind: 'counter',
    name: MetricNames.predictionRequests,
    help: 'Prediction requests accepted by the gateway, by source (sync or async).',
    labelNames: ['source'],
  },
  predictionTimeouts: {
    kind: 'counter',
    name: MetricNames.predictionTimeouts,
    help: 'Sync predictions that missed their deadline (answered 504).',
    labelNames: [],
  },
  httpRequestDuration: {
    kind: 'histogram',
    name: MetricNames.httpRequestDuration,
    help: 'HTTP request duration by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: LATENCY_BUCKETS,
  },
  inferenceDuration: {
    kind: 'histogram',
    name: MetricNames.inferenceDuration,
    help: 'Model call duration (feature assembly excluded), by source.',
    labelNames: ['source'],
    buckets: LATENCY_BUCKETS,
  },
  inferenceBatchSize: {
    kind: 'histogram',
    name: MetricNames.inferenceBatchSize,
    help: 'Rows scored per model call.',
    labelNames: ['source'],
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
  },
  tasksProcessed: {
    kind: 'counter',
    name: MetricNames.tasksProcessed,
    help: 'Async task attempts finished by the predictor, by outcome (success, retry, failure).',
    labelNames: ['outcome'],
  },
  syncRequestsExpired: {
    kind: 'counter',
    name: MetricNames.syncRequestsExpired,
    help: 'Sync requests dropped unscored because their deadline had passed.',
    labelNames: [],
  },
  deadLettered: {
    kind: 'counter',
    name: MetricNames.deadLettered,
    help: 'Messages sent to the dead-letter exchange, by reason.',
    labelNames: ['reason'],
  },
  taskTransitions: {
    kind: 'counter',
    name: MetricNames.taskTransitions,
    help: 'Task state changes written by results, by new state; ignored ones (stale or duplicate) by "ignored".',
    labelNames: ['to'],
  },
  modelReloads: {
    kind: 'counter',
    name: MetricNames.modelReloads,
    help: 'Hot swaps of the served model after a registry change, by outcome (success, failure).',
    labelNames: ['outcome'],
  },
  modelInfo: {
    kind: 'gauge',
    name: MetricNames.modelInfo,
    help: 'The model a predictor serves (value 1), with its version, alias and TF.js backend as labels.',
    labelNames: ['name', 'version', 'alias', 'run_id', 'backend'],
  },
  brokerQueueMessages: {
    kind: 'gauge',
    name: MetricNames.brokerQueueMessages,
    help: 'Messages ready in each queue of the topology, by logical queue name (without QUEUE_PREFIX), as the gateway last read them.',
    labelNames: ['queue'],
  },
  brokerQueueConsumers: {
    kind: 'gauge',
    name: MetricNames.brokerQueueConsumers,
    help: 'Consumers attached to each queue of the topology, by logical queue name (without QUEUE_PREFIX).',
    labelNames: ['queue'],
  },
  predictorsUp: {
    kind: 'gauge',
    name: MetricNames.predictorsUp,
    help: 'Predictor processes whose heartbeat the gateway has heard within three of their intervals.',
    labelNames: [],
  },
  taskStatusWaiters: {
    kind: 'gauge',
    name: MetricNames.taskStatusWaiters,
    help: 'Task-status long-polls (GET /monitoring/task_status/{id}?wait_ms=) this gateway is holding open.',
    labelNames: [],
  },
  taskStatusReads: {
    kind: 'counter',
    name: MetricNames.taskStatusReads,
    help: 'Task reads behind GET /monitoring/task_status/{id}, by source: the gateway view cache (ADR 0011) or the results status RPC.',
    labelNames: ['source'],
  },
} as const satisfies Record<string, MetricDefinition>;
