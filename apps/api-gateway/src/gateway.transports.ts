/** Injection tokens of the gateway's broker clients (one Nest RMQ client per target queue). */
export const PREDICTOR_RPC = Symbol('PREDICTOR_RPC');
export const RESULTS_RPC = Symbol('RESULTS_RPC');
export const TASK_PUBLISHER = Symbol('TASK_PUBLISHER');
