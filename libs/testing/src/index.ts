export * from './broker-cleanup.js';
export * from './redis-cleanup.js';
export * from './test-names.js';
export * from './wait-for.js';
export * from './app-process.js';
export * from './queue-stats.js';
export * from './nest-wire.client.js';
export * from './private-broker.js';
