/**
 * Keeps secrets out of logs and error messages. Configuration errors name the variable and show its value
 * (a typo is easier to see than to describe), so values that may carry a secret are masked first.
 */

/** Variables whose whole value is a secret. */
const SECRET_SUFFIXES = ['_KEY', '_KEYS', '_SECRET', '_TOKEN', '_PASSWORD'];

/**
 * `scheme://user:password@host` and `scheme://token@host`: everything between `//` and the last `@` of the
 * word, so a password with an unescaped `@` or `/` is masked whole (at worst a path is masked too).
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s'"]*)@/gi;

/** The value as it may be shown for variable `name`: secrets hidden, URL passwords masked. */
export function maskConfigValue(name: string, value: string): string {
  const upper = name.toUpperCase();
  if (SECRET_SUFFIXES.some((s) => upper.endsWith(s))) return value === '' ? '' : `<hidden, ${value.length} characters>`;
  if (upper.endsWith('_URL')) return redactUrlCredentials(value);
  return value;
}

/**
 * Masks the password (or a user-only token) of every URL in `text`: `amqp://guest:s3cret@host` becomes
 * `amqp://guest:***@host`, `https://tok@host` becomes `https://***@host`. Also for free text (error
 * messages, inspected objects) that may embed a connection URL.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    return colon < 0 ? `${scheme}***@` : `${scheme}${userinfo.slice(0, colon)}:***@`;
  });
}
