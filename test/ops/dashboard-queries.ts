/** One query of one Grafana panel, as the ops check runs it against Prometheus. */
export interface PanelQuery {
  panel: string;
  refId: string;
  expr: string;
}

interface GrafanaPanel {
  title?: string;
  targets?: { refId?: string; expr?: unknown }[];
  panels?: GrafanaPanel[];
}

/** Every Prometheus expression of a dashboard, rows' nested panels included; panels without targets are skipped. */
export function dashboardQueries(dashboard: { panels?: GrafanaPanel[] }): PanelQuery[] {
  const walk = (panels: GrafanaPanel[] = []): PanelQuery[] =>
    panels.flatMap((panel) => [
      ...(panel.targets ?? [])
        .filter((t): t is { refId?: string; expr: string } => typeof t.expr === 'string' && t.expr.trim() !== '')
        .map((t) => ({ panel: panel.title ?? '(untitled)', refId: t.refId ?? '?', expr: t.expr })),
      ...walk(panel.panels),
    ]);
  return walk(dashboard.panels);
}

/**
 * Grafana's built-in interval variables as a 15 s scrape interval makes them: $__rate_interval is
 * max(4 × scrape interval, $__interval + scrape interval) = 1m, which also covers the whole load of the check.
 */
export const GRAFANA_BUILTINS: Readonly<Record<string, string>> = {
  __rate_interval: '1m',
  __interval: '15s',
  __interval_ms: '15000',
  __range: '5m',
  __range_s: '300',
  __range_ms: '300000',
};

/** Replaces `$name`, `${name}` / `${name:format}` and `[[name]]`; an unknown variable is an error, never left in. */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>> = GRAFANA_BUILTINS): string {
  return expr.replace(/\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]/g, (match, braced?: string, bare?: string, old?: string) => {
    const name = braced ?? bare ?? old ?? '';
    const value = values[name];
    if (value === undefined) throw new Error(`unknown Grafana variable ${match} in: ${expr}`);
    return value;
  });
}
