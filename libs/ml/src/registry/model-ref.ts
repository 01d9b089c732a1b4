/** The one model this project serves. */
export const MODEL_NAME = 'match-outcome';

/** What serving loads unless told otherwise: promotion is moving this alias. */
export const DEFAULT_MODEL_REF = `${MODEL_NAME}@champion`;

export type ModelAlias = 'champion' | 'candidate';

export const MODEL_ALIASES: readonly ModelAlias[] = ['champion', 'candidate'];

export type ModelSelector = { kind: 'alias'; alias: string } | { kind: 'version'; version: number };

export interface ModelRef {
  name: string;
  selector: ModelSelector;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Model names become folder names: keep them to a safe character set. */
export function assertModelName(name: string): void {
  if (!NAME.test(name) || name.includes('..')) throw new Error(`Invalid model name '${name}'`);
}

/** `name@champion`, `name@3`, or `name` (= `name@champion`). */
export function parseModelRef(ref: string): ModelRef {
  const at = ref.indexOf('@');
  const name = at === -1 ? ref : ref.slice(0, at);
  const tag = at === -1 ? 'champion' : ref.slice(at + 1);
  assertModelName(name);
  if (/^\d+$/.test(tag)) {
    const version = Number(tag);
    if (version < 1) throw new Error(`Invalid model version in '${ref}'`);
    return { name, selector: { kind: 'version', version } };
  }
  if (!/^[a-z][a-z0-9_-]*$/.test(tag)) throw new Error(`Invalid model alias in '${ref}'`);
  return { name, selector: { kind: 'alias', alias: tag } };
}
