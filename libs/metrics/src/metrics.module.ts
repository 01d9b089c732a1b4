import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
  PrometheusModule,
} from '@willsoto/nestjs-prometheus';
import type { MetricDefinition } from './metric-definitions.js';

function providerFor(def: MetricDefinition): Provider {
  const base = { name: def.name, help: def.help, labelNames: def.labelNames };
  switch (def.kind) {
    case 'counter':
      return makeCounterProvider(base);
    case 'gauge':
      return makeGaugeProvider(base);
    case 'histogram':
      return makeHistogramProvider({ ...base, ...(def.buckets ? { buckets: def.buckets } : {}) });
  }
}

/** `GET /metrics` with process metrics labelled by app, plus the given metrics injectable via @InjectMetric. */
@Module({})
export class MetricsModule {
  static forApp(app: string, metrics: readonly MetricDefinition[]): DynamicModule {
    const providers = metrics.map(providerFor);
    return {
      module: MetricsModule,
      global: true,
      imports: [
        PrometheusModule.register({
          path: '/metrics',
          defaultLabels: { app },
          defaultMetrics: { enabled: true },
        }),
      ],
      providers,
      exports: providers,
    };
  }
}
