import { UnprocessableEntityException } from '@nestjs/common';
import { MessageValidationError, validatePredictRequest, type PredictRequestDto } from '@app/contracts';
import { errorBody } from '@app/platform';

/**
 * A prediction request body, validated with the same rules the consumers apply to broker messages (the fast
 * path `validatePredictRequest`, which answers exactly as `validateMessage`): unknown fields, wrong types and
 * non-objects are 422 with every problem listed. Deep nesting and prototype keys are refused too, and a
 * validator crash is reported as a validation error, so a body can never cause a 500.
 */
export function validPredictBody(body: unknown): PredictRequestDto {
  try {
    return validatePredictRequest(body);
  } catch (error) {
    if (error instanceof MessageValidationError) throw new UnprocessableEntityException(errorBody(422, 'invalid request body', { problems: error.problems }));
    throw error;
  }
}
