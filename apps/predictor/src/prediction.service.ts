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
    const features = this.featuresOf(request, model.featureNames);
    const probabilities = await this.batcher.score(model, features, source === 'sync');
    if (probabilities.length !== 3) throw new Error('model returned no probabilities');
    return this.toPrediction(request, probabilities, model);
  }

  /**
   * An async batch, one model call (up to BATCH_MAX_SIZE rows): each answer is the prediction or the error of
   * that request alone (e.g. an unknown match), in the order of `requests`.
   */
  async predictMany(requests: readonly PredictionRequestMessage[]): Promise<(Prediction | Error)[]> {
    const model = this.model.loaded;
    const answers = new Array<Prediction | Error>(requests.length);
    // The scorable requests' rows and where each came from: parallel lists, nothing allocated per request.
    const rows: FeatureVector[] = [];
    const scorable: number[] = [];
    for (let index = 0; index < requests.length; index++) {
      try {
        rows.push(this.featuresOf(requests[index]!, model.featureNames));
        scorable.push(index);
      } catch (error) {
        answers[index] = error instanceof Error ? error : new Error(String(error));
      }
    }
    const scored = await this.batcher.scoreMany(model, rows);
    for (let i = 0; i < scorable.length; i++) {
      const index = scorable[i]!;
      const outcome = scored[i]!;
      if (outcome.status === 'rejected') answers[index] = outcome.reason instanceof Error ? outcome.reason : new Error(String(outcome.reason));
      else if (outcome.value.length !== 3) answers[index] = new Error('model returned no probabilities');
      else answers[index] = this.toPrediction(requests[index]!, outcome.value, model);
    }
    return answers;
  }

  /** The request's own features when it sends them (they must fit the model), else the match history's. */
  private featuresOf(request: PredictionRequestMessage, signature: readonly string[]): FeatureVector {
    if (request.features) {
      const { unknown, missing } = featureMismatch(signature, request.features);
      if (unknown.length > 0 || missing.length > 0) {
        throw new RpcFailure('invalid_features', 'features do not match the serving model', { unknown, missing });
      }
      return request.features;
    }
    const features = this.model.featuresFor(request.match_id);
    if (!features) throw new RpcFailure('unknown_match', `match ${request.match_id} is not in the match history; send its features`);
    return features;
  }

  private toPrediction(request: PredictionRequestMessage, p: number[], model: LoadedModel): Prediction {
    const [home = 0, draw = 0, away = 0] = p;
    const predicted = [home, draw, away].indexOf(Math.max(home, draw, away)) as OutcomeClass;
    const meta = model.metadata;
    return {
      match_id: request.match_id,
      predicted_class: predicted,
      probabilities: { '0': home, '1': draw, '2': away },
      model_version: String(meta.version),
      model_run_id: meta.run_id,
      predicted_outcome: OUTCOMES[predicted],
      model_name: meta.name,
      // Where featuresOf took them from.
      features_source: request.features ? 'inline' : 'history',
      backend: model.backend,
    };
  }
}
