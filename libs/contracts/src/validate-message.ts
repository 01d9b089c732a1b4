import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';
import { payloadShapeProblem } from './payload-shape.js';

export class MessageValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid message: ${problems.join('; ')}`);
    this.name = 'MessageValidationError';
  }
}

/**
 * Turns untrusted JSON into a validated instance of `type`, or throws MessageValidationError — and only that:
 * the result is a pure function of the payload, so anything the transformer or validator throws on is the
 * payload's fault too. (A consumer requeues other errors as transient; a payload can never be transient.)
 */
export function validateMessage<T extends object>(type: ClassConstructor<T>, payload: unknown): T {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new MessageValidationError(['payload must be a JSON object']);
  }
  const shapeProblem = payloadShapeProblem(payload);
  if (shapeProblem) throw new MessageValidationError([shapeProblem]);
  let instance: T;
  let errors: ReturnType<typeof validateSync>;
  try {
    instance = plainToInstance(type, payload);
    errors = validateSync(instance, { forbidUnknownValues: true, whitelist: true, forbidNonWhitelisted: true });
  } catch (error) {
    throw new MessageValidationError([`payload could not be validated: ${error instanceof Error ? error.name : 'error'}`]);
  }
  if (errors.length > 0) {
    throw new MessageValidationError(flatten(errors));
  }
  return instance;
}

type NestedError = { property: string; constraints?: Record<string, string>; children?: NestedError[] };

function flatten(errors: NestedError[], path = ''): string[] {
  return errors.flatMap((e) => {
    const at = path ? `${path}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((c) => (c.startsWith(e.property) ? `${path ? path + '.' : ''}${c}` : `${at}: ${c}`));
    return [...own, ...flatten(e.children ?? [], at)];
  });
}
