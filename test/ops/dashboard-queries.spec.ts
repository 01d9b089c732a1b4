import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dashboardQueries, substituteVariables } from './dashboard-queries.js';

describe('dashboard queries', () => {
  it('collects every target with an expression, inside rows too, and skips panels without one', () => {
    const queries = dashboardQueries({
      panels: [
        { title: 'a', targets: [{ refId: 'A', expr: 'up' }, { refId: 'B', expr: ' ' }] },
        { title: 'text panel' },
        { title: 'row', panels: [{ title: 'nested', targets: [{ refId: 'A', expr: 'sum(x)' }, { refId: 'B' }] }] },
      ],
    });
    assert.deepEqual(queries, [
      { panel: 'a', refId: 'A', expr: 'up' },
      { panel: 'nested', refId: 'A', expr: 'sum(x)' },
    ]);
  });

  it('substitutes the three variable syntaxes and refuses unknown variables', () => {
    const values = { __rate_interval: '1m', job: 'predictor' };
    assert.equal(substituteVariables('rate(x[$__rate_interval])', values), 'rate(x[1m])');
    assert.equal(substituteVariables('rate(x[${__rate_interval}])', values), 'rate(x[1m])');
    assert.equal(substituteVariables('up{job="${job:raw}"}', values), 'up{job="predictor"}');
    assert.equal(substituteVariables('up{job="[[job]]"}', values), 'up{job="predictor"}');
    assert.throws(() => substituteVariables('rate(x[$__nope])', values), /unknown Grafana variable \$__nope/);
  });
});
