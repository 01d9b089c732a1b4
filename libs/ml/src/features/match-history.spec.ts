import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { matchIdOf } from '../data/match-id.js';
import type { MatchRecord } from '../data/match-record.js';
import { loadMatches } from '../data/matches.loader.js';
import { repoRoot } from '../repo-root.js';
import { createFeatureSet, FEATURE_NAMES } from './feature-set.js';
import { MatchHistory } from './match-history.js';

function match(date: string, homeTeam: string, awayTeam: string, homeGoals: number | null, awayGoals: number | null): MatchRecord {
  const result = homeGoals === null || awayGoals === null ? null : homeGoals > awayGoals ? 'H' : homeGoals < awayGoals ? 'A' : 'D';
  return {
    matchId: matchIdOf('E0', date, homeTeam, awayTeam),
    division: 'E0',
    season: '2023-2024',
    date,
    homeTeam,
    awayTeam,
    homeGoals,
    awayGoals,
    result,
    odds: null,
  };
}

void describe('FEATURE_NAMES', () => {
  void it('lists each feature once, in block order', () => {
    assert.equal(new Set(FEATURE_NAMES).size, FEATURE_NAMES.length);
    assert.deepEqual(createFeatureSet().blocks.flatMap((b) => [...b.names]), [...FEATURE_NAMES]);
    assert.ok(FEATURE_NAMES.length >= 20 && FEATURE_NAMES.length <= 30);
  });
});

void describe('MatchHistory on a hand-made league', () => {
  const games = [
    match('2023-08-12', 'Arsenal', 'Chelsea', 2, 0),
    match('2023-08-12', 'Everton', 'Fulham', 1, 1),
    match('2023-08-19', 'Chelsea', 'Everton', 0, 3),
    match('2023-08-26', 'Arsenal', 'Everton', null, null),
    match('2023-09-02', 'Everton', 'Arsenal', 1, 2),
  ];
  const history = MatchHistory.fromMatches(games.slice().reverse());

  void it('gives first-day matches no form, the same starting ratings and a home advantage', () => {
    const f = history.featuresFor(games[0]!.matchId);
    assert.ok(f);
    assert.equal(f.elo_home, 1500);
    assert.equal(f.elo_away, 1500);
    assert.equal(f.elo_diff, 60);
    assert.equal(f.home_ppg_5, null);
    assert.equal(f.home_rest_days, null);
    assert.equal(f.h2h_home_points_rate, null);
    assert.equal(f.h2h_meetings, 0);
    assert.equal(f.home_prior_matches, 0);
    assert.equal(f.division_tier, 1);
    assert.equal(f.pi_expected_gd, 0);
    assert.equal(f.league_home_win_rate, null);
  });

  void it('rolls form, rest days and head-to-head from earlier dates only', () => {
    const f = history.featuresFor(games[4]!.matchId);
    assert.ok(f);
    // Everton: D 1-1 (home), W 3-0 (away); the 26 Aug fixture was never played.
    assert.equal(f.home_ppg_5, 2);
    assert.equal(f.home_gf_5, 2);
    assert.equal(f.home_ga_5, 0.5);
    assert.equal(f.home_home_ppg_5, 1);
    assert.equal(f.home_season_ppg, 2);
    assert.equal(f.home_rest_days, 14);
    assert.equal(f.home_prior_matches, 2);
    // Arsenal: one home win 2-0, no away match yet.
    assert.equal(f.away_ppg_5, 3);
    assert.equal(f.away_away_ppg_5, null);
    assert.equal(f.away_rest_days, 21);
    // Everton and Arsenal have not met in a played match.
    assert.equal(f.h2h_home_points_rate, null);
    assert.ok(f.elo_home! > 1500 && f.elo_away! > 1500);
    // Pi-ratings move the venue played most: Everton won away, Arsenal won at home.
    assert.ok(f.pi_home_at_home! > 0 && f.pi_away_at_away! > 0);
    // League so far: H, D, A.
    assert.equal(f.league_home_win_rate, 1 / 3);
    assert.equal(f.league_draw_rate, 1 / 3);
  });

  void it('featurises fixtures, lists upcoming matches and answers undefined for unknown ids', () => {
    assert.ok(history.featuresFor(games[3]!.matchId));
    assert.deepEqual(history.upcoming('2023-08-26').map((m) => m.matchId), [games[3]!.matchId, games[4]!.matchId]);
    assert.equal(history.featuresFor(12345), undefined);
    assert.equal(history.get(games[2]!.matchId)?.homeTeam, 'Chelsea');
  });

  void it('scores head-to-head from the current home side, across venues', () => {
    const later = match('2023-09-30', 'Arsenal', 'Everton', 0, 0);
    const f = MatchHistory.fromMatches([...games, later]).featuresFor(later.matchId);
    assert.equal(f?.h2h_home_points_rate, 1); // Arsenal won the one meeting, at Everton.
    assert.equal(f?.h2h_meetings, 1);
  });
});

void describe('MatchHistory on the shipped data', () => {
  let matches: MatchRecord[] = [];
  let full: MatchHistory;
  before(async () => {
    ({ matches } = await loadMatches(join(repoRoot(), 'data', 'football')));
    full = MatchHistory.fromMatches(matches);
  });

  void it('featurises all 26k matches in a few seconds', () => {
    const start = performance.now();
    MatchHistory.fromMatches(matches);
    assert.ok(performance.now() - start < 5000);
  });

  void it('parity: an online history that only knows the past and the day as fixtures gives the training numbers', () => {
    for (const date of ['1998-12-26', '2010-04-03', '2024-04-02']) {
      const past = matches.filter((m) => m.date < date);
      const today = matches
        .filter((m) => m.date === date)
        .map((m) => ({ ...m, homeGoals: null, awayGoals: null, result: null }));
      assert.ok(today.length > 0, `matches on ${date}`);
      const online = MatchHistory.fromMatches([...past, ...today]);
      for (const m of today) assert.deepEqual(online.featuresFor(m.matchId), full.featuresFor(m.matchId));
    }
  });

  void it("point in time: changing a match's result changes neither its own features nor any earlier or same-day match's", () => {
    const target = matches.find((m) => m.date === '2015-01-01' && m.homeTeam === 'Arsenal') ?? matches[20_000]!;
    const flipped = matches.map((m) =>
      m.matchId === target.matchId ? { ...m, homeGoals: 0, awayGoals: 7, result: 'A' as const } : m,
    );
    assert.notEqual(target.result, 'A');
    const altered = MatchHistory.fromMatches(flipped);
    let laterChanged = 0;
    for (const m of matches) {
      const same = JSON.stringify(altered.featuresFor(m.matchId)) === JSON.stringify(full.featuresFor(m.matchId));
      if (m.date <= target.date) assert.ok(same, `${m.date} ${m.homeTeam} v ${m.awayTeam} changed`);
      else if (!same) laterChanged++;
    }
    assert.ok(laterChanged > 0, 'later matches of the same teams do see the change');
  });
});
