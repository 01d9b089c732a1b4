import { Body, Controller, Get, Headers, HttpCode, HttpStatus, NotFoundException, Param, Post, UnprocessableEntityException, BadRequestException } from '@nestjs/common';
import { PredictRequestDto, type Prediction } from '@app/contracts';
import { errorBody } from '@app/platform';
import { BatchPredictionsRepository } from './batch-predictions.repository.js';
import { BodyValidationPipe } from './body-validation.pipe.js';
import { InferenceService, type TaskSubmission } from './inference.service.js';
import { MatchesRepository, type UpcomingMatch } from './matches.repository.js';
import { ModelInfoService, type ModelInfoView } from './model-info.service.js';
import { toPrecomputedPrediction, type PrecomputedPrediction } from './precomputed-prediction.js';
import { CorrelationId } from './correlation-id.hook.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

@Controller('predict')
export class PredictController {
  constructor(
    private readonly inference: InferenceService,
    private readonly batch: BatchPredictionsRepository,
    private readonly matches: MatchesRepository,
    private readonly modelInfo: ModelInfoService,
  ) {}

  /** Sync: waits for a predictor, at most SYNC_TIMEOUT_MS, then 504. */
  @Post()
  @HttpCode(HttpStatus.OK)
  predict(@Body(BodyValidationPipe) body: PredictRequestDto, @CorrelationId() correlationId: string | undefined): Promise<Prediction> {
    return this.inference.predictNow(body, correlationId);
  }

  /** Async: 202 with a task id once the task message is safely on the broker. */
  @Post('async')
  @HttpCode(HttpStatus.ACCEPTED)
  submit(
    @Body(BodyValidationPipe) body: PredictRequestDto,
    @CorrelationId() correlationId: string | undefined,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<TaskSubmission> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw new BadRequestException(errorBody(400, 'Idempotency-Key must be 1-200 printable ASCII characters'));
    }
    return this.inference.submit(body, idempotencyKey, correlationId);
  }

  @Get('matches')
  upcoming(): UpcomingMatch[] {
    return this.matches.list();
  }

  @Get('model/info')
  model(): Promise<ModelInfoView> {
    return this.modelInfo.describe();
  }

  /** Precomputed by the batch-inference job. */
  @Get(':match_id')
  async precomputed(@Param('match_id') raw: string): Promise<PrecomputedPrediction> {
    const matchId = /^[1-9]\d{0,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(matchId)) throw new UnprocessableEntityException(errorBody(422, 'match_id must be a positive integer'));
    const row = await this.batch.find(matchId);
    if (!row) throw new NotFoundException(errorBody(404, `no precomputed prediction for match ${matchId}`));
    return toPrecomputedPrediction(row);
  }
}
