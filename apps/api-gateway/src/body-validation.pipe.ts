import { Injectable, UnprocessableEntityException, type PipeTransform, type ArgumentMetadata } from '@nestjs/common';
import { MessageValidationError, PredictRequestDto, validateMessage, validatePredictRequest } from '@app/contracts';
import { errorBody } from '@app/platform';

/**
 * Validates a body against its DTO class with the same rules the consumers apply to broker messages:
 * unknown fields, wrong types and non-objects are 422 with every problem listed.
 * `validateMessage` also refuses deep nesting and prototype keys, and reports any validator crash as a
 * validation error, so a body can never cause a 500.
 */
@Injectable()
export class BodyValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const type = metadata.metatype;
    if (!type || type === Object) return value;
    try {
      // The prediction body, on every predict request, has a fast path that answers exactly as validateMessage.
      return type === PredictRequestDto ? validatePredictRequest(value) : validateMessage(type as new () => object, value);
    } catch (error) {
      if (error instanceof MessageValidationError) throw invalid(error.problems);
      throw error;
    }
  }
}

function invalid(problems: string[]): UnprocessableEntityException {
  return new UnprocessableEntityException(errorBody(422, 'invalid request body', { problems }));
}
