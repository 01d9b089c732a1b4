import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { loadMatches, MatchHistory, type MatchRecord } from '@app/ml';
import { GATEWAY_CONFIG, GatewayConfig } from './gateway.config.js';

export interface UpcomingMatch {
  match_id: number;
  home_team: string;
  away_team: string;
  match_date: string;
  division: string;
}

/** Upcoming matches: fixtures and, for the shipped demo data, matches on or after AS_OF_DATE. */
@Injectable()
export class MatchesRepository implements OnModuleInit {
  private readonly logger = new Logger(MatchesRepository.name);
  private upcoming: UpcomingMatch[] = [];

  constructor(@Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig) {}

  async onModuleInit(): Promise<void> {
    const { matches } = await loadMatches(this.config.MATCH_DATA_DIR);
    this.upcoming = MatchHistory.fromMatches(matches).upcoming(this.config.AS_OF_DATE).map(toUpcoming);
    this.logger.log(`${this.upcoming.length} upcoming matches as of ${this.config.AS_OF_DATE}`);
  }

  list(): UpcomingMatch[] {
    return this.upcoming;
  }
}

function toUpcoming(m: MatchRecord): UpcomingMatch {
  return { match_id: m.matchId, home_team: m.homeTeam, away_team: m.awayTeam, match_date: m.date, division: m.division };
}
