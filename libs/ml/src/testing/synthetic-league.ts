import { createPrng } from '../training/prng.js';

export const SYNTHETIC_TEAMS = ['Arsenal', 'Burnley', 'Chelsea', 'Everton', 'Fulham', 'Luton'] as const;

/**
 * One season of a six-team double round robin as a football-data.co.uk CSV (with Pinnacle closing odds), one
 * round a week from 12 August. Deterministic for a seed, so tests can build small leagues without shipped data.
 */
export function syntheticSeasonCsv(startYear: number, seed: number): string {
  const random = createPrng(seed);
  const teams = [...SYNTHETIC_TEAMS];
  const rounds: [string, string][][] = [];
  // Circle method: the first team stays, the rest rotate.
  for (let r = 0; r < teams.length - 1; r++) {
    const order = [teams[0]!, ...rotate(teams.slice(1), r)];
    const pairs: [string, string][] = [];
    for (let i = 0; i < order.length / 2; i++) pairs.push([order[i]!, order[order.length - 1 - i]!]);
    rounds.push(pairs);
  }
  const all = [...rounds, ...rounds.map((pairs) => pairs.map(([h, a]): [string, string] => [a, h]))];
  const lines = ['Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR,PSCH,PSCD,PSCA'];
  all.forEach((pairs, round) => {
    const date = new Date(Date.UTC(startYear, 7, 12 + 7 * round));
    const dd = String(date.getUTCDate()).padStart(2, '0');
    const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
    for (const [home, away] of pairs) {
      const hg = Math.floor(random() * 4);
      const ag = Math.floor(random() * 3);
      const ftr = hg > ag ? 'H' : hg < ag ? 'A' : 'D';
      const odds = [1.5 + random() * 2.5, 3 + random(), 2 + random() * 4].map((o) => o.toFixed(2));
      lines.push(`E0,${dd}/${mm}/${date.getUTCFullYear()},${home},${away},${hg},${ag},${ftr},${odds.join(',')}`);
    }
  });
  return `${lines.join('\n')}\n`;
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const k = by % items.length;
  return [...items.slice(items.length - k), ...items.slice(0, items.length - k)];
}
