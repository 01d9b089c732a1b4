/** The broker could not be reached or refused the message; the caller should answer 503, not 500. */
export class BrokerUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokerUnavailableError';
  }

  /** Nest's RMQ client rejects with strings as well as Errors during outages. */
  static from(cause: unknown): BrokerUnavailableError {
    if (cause instanceof BrokerUnavailableError) return cause;
    const text = cause instanceof Error ? cause.message : typeof cause === 'string' ? cause : JSON.stringify(cause);
    return new BrokerUnavailableError(`message broker unavailable: ${text}`);
  }
}
