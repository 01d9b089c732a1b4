import { parse, stringify } from 'yaml';

interface ScrapeConfig {
  job_name: string;
  [key: string]: unknown;
}

interface PrometheusConfig {
  global?: Record<string, unknown>;
  rule_files?: string[];
  scrape_configs?: ScrapeConfig[];
  [key: string]: unknown;
}

/**
 * The shipped prometheus.yml made runnable against local processes: same jobs and rule files, targets
 * replaced by `targets` (job → host:port list), jobs in `drop` removed, scrapes and evaluations every second,
 * no Alertmanager. Throws when a shipped job has no local target or a local target names no shipped job,
 * so the check cannot drift from the shipped file.
 */
export function testScrapeConfig(shippedYaml: string, targets: Readonly<Record<string, string[]>>, drop: readonly string[] = []): string {
  const config = parse(shippedYaml) as PrometheusConfig;
  const jobs = (config.scrape_configs ?? []).map((c) => c.job_name);
  for (const job of Object.keys(targets)) {
    if (!jobs.includes(job)) throw new Error(`no job "${job}" in the shipped config (jobs: ${jobs.join(', ')})`);
  }
  const scrapeConfigs = (config.scrape_configs ?? [])
    .filter((c) => !drop.includes(c.job_name))
    .map((c) => {
      const local = targets[c.job_name];
      if (!local) throw new Error(`shipped job "${c.job_name}" has no local target`);
      const kept = Object.fromEntries(Object.entries(c).filter(([key]) => key !== 'static_configs' && !key.endsWith('_sd_configs')));
      return { ...kept, static_configs: [{ targets: local }] };
    });
  const { alerting: _alerting, ...rest } = config;
  return stringify({
    ...rest,
    global: { ...config.global, scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    scrape_configs: scrapeConfigs,
  });
}
