/** football-data.co.uk spelling variants of one club, mapped to the spelling used in most seasons. */
const TEAM_ALIASES: Readonly<Record<string, string>> = {
  Middlesboro: 'Middlesbrough', // E0 2002-03 only
};

export function canonicalTeamName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  return TEAM_ALIASES[name] ?? name;
}
