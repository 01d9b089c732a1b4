import { BadRequestException } from '@nestjs/common';
import { errorBody } from '@app/platform';

/** `?wait_ms=` of a task-status request: absent means 0 (answer at once); else a whole number up to `max`. */
export function parseWaitMs(raw: unknown, max: number): number {
  if (raw === undefined || raw === '') return 0;
  const value = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value <= max)) throw new BadRequestException(errorBody(400, `wait_ms must be a whole number of milliseconds from 0 to ${max}`));
  return value;
}
