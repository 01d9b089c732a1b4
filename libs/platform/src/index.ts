export * from './base.config.js';
export * from './create-http-app.js';
export * from './health.controller.js';
export * from './http-error.filter.js';
export * from './load-config.js';
