import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The accepted API keys, kept only as SHA-256 digests. A presented key is hashed and compared with every
 * accepted digest with `timingSafeEqual`, never stopping early, so the time taken tells neither how much of
 * a key was right nor which key matched.
 */
export class ApiKeySet {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  /** Parses `API_KEYS`-style text: comma-separated, blanks around commas ignored, empty entries dropped. */
  static parse(text: string): string[] {
    return text
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k.length > 0);
  }

  get enabled(): boolean {
    return this.digests.length > 0;
  }

  /** Index of the matching key (a stable, non-secret client id), or -1. */
  match(presented: string | undefined): number {
    const candidate = digest(presented ?? '');
    let found = -1;
    for (let i = 0; i < this.digests.length; i++) {
      const equal = timingSafeEqual(candidate, this.digests[i]!);
      if (equal && found < 0) found = i;
    }
    return presented === undefined || presented === '' ? -1 : found;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
