import * as tf from '@tensorflow/tfjs';

export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface TfBackendOptions {
  /** Skip faster backends, e.g. 'cpu' for bit-reproducible tests. Only the first call's options count. */
  prefer?: TfBackendName;
}

const ORDER: readonly TfBackendName[] = ['tensorflow', 'wasm', 'cpu'];

let selected: Promise<TfBackendName> | null = null;

/**
 * Picks the fastest available TF.js backend once per process: native `@tensorflow/tfjs-node` when installed
 * (an optional dependency), else WebAssembly, else plain JS CPU. Later calls return the same answer.
 */
export function initTfBackend(options: TfBackendOptions = {}): Promise<TfBackendName> {
  selected ??= select(options.prefer ?? 'tensorflow');
  return selected;
}

/** The backend TF.js is running on now (after initTfBackend). */
export function currentTfBackend(): string {
  return tf.getBackend();
}

async function select(prefer: TfBackendName): Promise<TfBackendName> {
  for (const name of ORDER.slice(ORDER.indexOf(prefer))) {
    if (await tryBackend(name)) return name;
  }
  throw new Error('No TF.js backend could be initialised');
}

async function tryBackend(name: TfBackendName): Promise<boolean> {
  try {
    if (name === 'tensorflow') {
      // A variable specifier keeps the type checker (and bundlers) from requiring the optional package.
      const nativeModule = '@tensorflow/tfjs-node';
      await import(nativeModule);
    } else if (name === 'wasm') {
      await import('@tensorflow/tfjs-backend-wasm');
    }
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return tf.getBackend() === name;
  } catch {
    return false;
  }
}
