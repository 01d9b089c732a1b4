const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

export interface DecodedText {
  text: string;
  encoding: 'utf-8' | 'latin1';
}

/**
 * football-data.co.uk files are mostly UTF-8, but some (2004-05) carry raw Latin-1 bytes such as 0xA0.
 * Strict UTF-8 first, Latin-1 as the fallback (it decodes every byte); a leading BOM is dropped either way.
 */
export function decodeText(bytes: Uint8Array): DecodedText {
  let text: string;
  let encoding: DecodedText['encoding'];
  try {
    text = utf8.decode(bytes);
    encoding = 'utf-8';
  } catch {
    text = latin1.decode(bytes);
    encoding = 'latin1';
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { text, encoding };
}
