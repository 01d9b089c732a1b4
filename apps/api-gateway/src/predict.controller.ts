import { Controller, Get, NotFoundException, Param, UnprocessableEntityException } from '@nestjs/common';
import { errorBody } from '@app/platform';
import { BatchPredictionsRepository } from './batch-predictions.repository.js';
import { MatchesRepository, type UpcomingMatch } from './matches.repository.js';
import { ModelInfoService, type ModelInfoView } from './model-info.service.js';
import { toPrecomputedPrediction, type PrecomputedPrediction } from './precomputed-prediction.js';

/** The read-only prediction routes; the three a prediction goes through are `PredictionRoutes` (ADR 0013). */
@Controller('predict')
export class PredictController {
  constructor(
    private readonly batch: BatchPredictionsRepository,
    private readonly matches: MatchesRepository,
    private readonly modelInfo: ModelInfoService,
  ) {}

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
