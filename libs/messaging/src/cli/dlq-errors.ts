// Failures of the dead-letter tool, each with its exit code (no heavy imports: the CLI loads this at once).

/** The broker could not be reached (or dropped the connection): exit code 2. */
export class BrokerUnreachableError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'BrokerUnreachableError';
  }
}

/** `results` did not answer in time (not running, or the broker lost the request): exit code 2. */
export class ResultsUnreachableError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'ResultsUnreachableError';
  }
}

/** `results` answered with an error (e.g. `invalid_message`): exit code 1. */
export class ResultsRefusedError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'ResultsRefusedError';
  }
}

/** A queue the tool needs does not exist (wrong QUEUE_PREFIX, or no app ever declared it): exit code 1. */
export class QueueNotFoundError extends Error {
  readonly exitCode = 1;
  constructor(readonly queue: string) {
    super(`queue ${queue} does not exist (check QUEUE_PREFIX; the apps declare it at boot)`);
    this.name = 'QueueNotFoundError';
  }
}

/** 2 for anything unreachable, 1 for everything else. */
export function exitCodeOf(error: unknown): 1 | 2 {
  return error instanceof BrokerUnreachableError || error instanceof ResultsUnreachableError ? 2 : 1;
}
