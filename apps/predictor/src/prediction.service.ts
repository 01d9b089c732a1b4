import { Inject, Injectable } from '@nestjs/common';
import { featureMismatch, OUTCOMES, type OutcomeClass, type Prediction, type PredictionRequestMessage } from '@app/contracts';
import { InjectMetric, Metrics } from '@app/metrics';
import { RpcFailure } from '@app/messaging';
import type { FeatureVector, LoadedModel } from '@app/ml';
import type { Histogram } from 'prom-client';
import { InferenceBatcher } from './inference-batcher.js';
import { ModelAdapter } from './model.adapter.js';
import { PREDICTOR_CONFIG, PredictorConfig } from './predictor.config.js';

export type InferenceSource = 'sync' | 'async';

/**
 * Turns one inference request into a prediction: features (inline or from history), then a model call shared
 * with whatever else arrives at the same moment (dynamic batching), then the answer.
 */
@Injectable()
export class PredictionService {
  private readonly batcher: InferenceBatcher<LoadedModel>;

  constructor(
    private readonly model: ModelAdapter,
    @Inject(PREDICTOR_CONFIG) config: PredictorConfig,
    @InjectMetric(Metrics.inferenceDuration.name) inferenceDuration: Histogram<string>,
    @InjectMetric(Metrics.inferenceBatchSize.name) batchSize: Histogram<string>,
  ) {
    this.batcher = new InferenceBatcher<LoadedModel>(
      { maxSize: config.BATCH_MAX_SIZE, windowMs: config.BATCH_WINDOW_MS },
      (model, rows) => model.predict(rows),
      (size, seconds, interactive) => {
        const source = interactive ? 'sync' : 'async';
        inferenceDuration.observe({ source }, seconds);
        batchSize.observe({ source }, size);
      },
    );
  }

  async predict(request: PredictionRequestMessage, source: InferenceSource): Promise<Prediction> {
    // One model for the whole request, even if a hot swap lands meanwhile.
    const model = this.model.loaded;
    const { features, featuresSource } = this.featuresOf(request, model.featureNames);
    const probabilities = await this.batcher.score(model, features, source === 'sync');
    if (probabilities.length !== 3) throw new Error('model returned no probabilities');
    return this.toPrediction(request.match_id, probabilities, featuresSource, model);
  }

  /**
   * An async batch, one model call (up to BATCH_MAX_SIZE rows): each answer is the prediction or the error of
   * that request alone (e.g. an unknown match), in the order of `requests`.
   */
  async predictMany(requests: readonly PredictionRequestMessage[]): Promise<(Prediction | Error)[]> {
    const model = this.model.loaded;
    const answers: (Prediction | Error)[] = new Array<Prediction | Error>(requests.length);
    const rows: { index: number; features: FeatureVector; featuresSource: Prediction['features_source'] }[] = [];
    requests.forEach((request, index) => {
      try {
        rows.push({ index, ...this.featuresOf(request, model.featureNames) });
      } catch (error) {
        answers[index] = error instanceof Error ? error : new Error(String(error));
      }
    });
    const scored = await this.batcher.scoreMany(model, rows.map((r) => r.features));
    rows.forEach((row, i) => {
      const outcome = scored[i]!;
      const request = requests[row.index]!;
      if (outcome.status === 'rejected') answers[row.index] = outcome.reason instanceof Error ? outcome.reason : new Error(String(outcome.reason));
      else if (outcome.value.length !== 3) answers[row.index] = new Error('model returned no probabilities');
      else answers[row.index] = this.toPrediction(request.match_id, outcome.value, row.featuresSource, model);
    });
    return answers;
  }

  private featuresOf(
    request: PredictionRequestMessage,
    signature: readonly string[],
  ): { features: FeatureVector; featuresSource: Prediction['features_source'] } {
    if (request.features) {
      const { unknown, missing } = featureMismatch(signature, request.features);
      if (unknown.length > 0 || missing.length > 0) {
        throw new RpcFailure('invalid_features', 'features do not match the serving model', { unknown, missing });
      }
      return { features: request.features, featuresSource: 'inline' };
    }
    const features = this.model.featuresFor(request.match_id);
    if (!features) throw new RpcFailure('unknown_match', `match ${request.match_id} is not in the match history; send its features`);
    return { features, featuresSource: 'history' };
  }

  private toPrediction(matchId: number, p: number[], featuresSource: Prediction['features_source'], model: LoadedModel): Prediction {
    const [home = 0, draw = 0, away = 0] = p;
    const predicted = [home, draw, away].indexOf(Math.max(home, draw, away)) as OutcomeClass;
    const meta = model.metadata;
    return {
      match_id: matchId,
      predicted_class: predicted,
      probabilities: { '0': home, '1': draw, '2': away },
      model_version: String(meta.version),
      model_run_id: meta.run_id,
      predicted_outcome: OUTCOMES[predicted],
      model_name: meta.name,
      features_source: featuresSource,
      backend: model.backend,
    };
  }
}
