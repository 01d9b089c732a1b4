/**
 * One transport id per consumed queue: `@MessagePattern(p, id)` / `@EventPattern(p, id)` binds a handler to
 * that queue's server only (by default Nest registers every handler on every server).
 */
export const RESULTS_DEAD_LETTERS_TRANSPORT = Symbol('results:dead-letters');
