/** Every Prometheus metric name in the suite. The first two are the seed's, kept exactly. */
export const MetricNames = {
  predictionRequests: 'prediction_requests_total',
  predictionTimeouts: 'prediction_timeouts_total',
  httpRequestDuration: 'http_request_duration_seconds',
  inferenceDuration: 'inference_duration_seconds',
  inferenceBatchSize: 'inference_batch_size',
  tasksProcessed: 'predictor_tasks_processed_total',
  syncRequestsExpired: 'predictor_sync_requests_expired_total',
  deadLettered: 'dead_lettered_messages_total',
  taskTransitions: 'task_state_transitions_total',
  modelInfo: 'model_info',
  modelReloads: 'model_reloads_total',
  brokerQueueMessages: 'broker_queue_messages',
  brokerQueueConsumers: 'broker_queue_consumers',
  predictorsUp: 'predictors_up',
  taskStatusWaiters: 'task_status_waiters',
  taskStatusReads: 'task_status_reads_total',
} as const;
