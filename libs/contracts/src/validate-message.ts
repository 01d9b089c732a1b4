import 'reflect-metadata';
import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync } from 'class-validator';

export class MessageValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid message: ${problems.join('; ')}`);
    this.name = 'MessageValidationError';
  }
}

/** Turns untrusted JSON into a validated instance of `type`, or throws MessageValidationError. */
export function validateMessage<T extends object>(type: ClassConstructor<T>, payload: unknown): T {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new MessageValidationError(['payload must be a JSON object']);
  }
  const instance = plainToInstance(type, payload);
  const errors = validateSync(instance, { forbidUnknownValues: true, whitelist: true, forbidNonWhitelisted: true });
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
