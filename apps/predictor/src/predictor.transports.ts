/** Transport ids scope each handler to one queue (Nest registers every handler on every server otherwise). */
export const INTERACTIVE_TRANSPORT = Symbol('rmq:ml.interactive');
