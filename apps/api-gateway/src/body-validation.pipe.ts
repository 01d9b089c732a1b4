import { Injectable, UnprocessableEntityException, type PipeTransform, type ArgumentMetadata } from '@nestjs/common';
import { MessageValidationError, validateMessage } from '@app/contracts';
import { errorBody } from '@app/platform';

/**
 * Validates a body against its DTO class with the same rules the consumers apply to broker messages:
 * unknown fields, wrong types and non-objects are 422 with every problem listed.
 */
@Injectable()
export class BodyValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const type = metadata.metatype;
    if (!type || type === Object) return value;
    try {
      return validateMessage(type as new () => object, value);
    } catch (error) {
      if (error instanceof MessageValidationError) {
        throw new UnprocessableEntityException(errorBody(422, 'invalid request body', { problems: error.problems }));
      }
      throw error;
    }
  }
}
