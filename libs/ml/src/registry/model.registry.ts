import type * as tf from '@tensorflow/tfjs';
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { artifactsToFiles, MODEL_JSON, WEIGHTS_BIN } from '../model/model-artifacts.js';
import type { ModelMetadata, NewModelMetadata } from './model-metadata.js';
import { ModelNotFoundError } from './model-not-found.error.js';
import { assertModelName, MODEL_ALIASES, type ModelAlias, parseModelRef } from './model-ref.js';

export const METADATA_JSON = 'metadata.json';
const ALIASES_JSON = 'aliases.json';

export interface ResolvedModel {
  metadata: ModelMetadata;
  /** The alias the ref named, or null for a numeric ref. */
  alias: string | null;
  /** Absolute folder holding model.json, weights.bin and metadata.json. */
  dir: string;
}

/**
 * MLflow-like registry on the file system: `<root>/<name>/versions/<N>/` plus `<root>/<name>/aliases.json`.
 * Versions are immutable once renamed into place; promotion is only ever an alias change.
 * Serving processes only read, so the folder can live on shared storage.
 */
export class ModelRegistry {
  constructor(readonly root: string) {}

  versionDir(name: string, version: number): string {
    assertModelName(name);
    return join(this.root, name, 'versions', String(version));
  }

  async resolve(ref: string): Promise<ResolvedModel> {
    const { name, selector } = parseModelRef(ref);
    let version: number;
    let alias: string | null = null;
    if (selector.kind === 'version') {
      version = selector.version;
    } else {
      const aliases = await this.aliases(name);
      const target = aliases[selector.alias];
      if (target === undefined) throw new ModelNotFoundError(`Model '${name}' has no alias '${selector.alias}'`);
      version = target;
      alias = selector.alias;
    }
    const dir = this.versionDir(name, version);
    let raw: string;
    try {
      raw = await readFile(join(dir, METADATA_JSON), 'utf8');
    } catch (err) {
      if (isNotFound(err)) throw new ModelNotFoundError(`Model '${name}' has no version ${version}`);
      throw err;
    }
    return { metadata: JSON.parse(raw) as ModelMetadata, alias, dir };
  }

  /** Registered version numbers, ascending. */
  async versions(name: string): Promise<number[]> {
    assertModelName(name);
    let entries: string[];
    try {
      entries = await readdir(join(this.root, name, 'versions'));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    return entries.filter((e) => /^\d+$/.test(e)).map(Number).sort((a, b) => a - b);
  }

  /**
   * Writes the next version. Files go to a temp folder first and are renamed into place, so readers never
   * see half a model; if another writer took the number meanwhile, the rename fails and we take the next.
   */
  async register(name: string, artifacts: tf.io.ModelArtifacts, metadata: NewModelMetadata): Promise<ModelMetadata> {
    assertModelName(name);
    const versionsDir = join(this.root, name, 'versions');
    await mkdir(versionsDir, { recursive: true });
    const tmp = join(versionsDir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(tmp);
    try {
      const { modelJson, weights } = artifactsToFiles(artifacts);
      await writeFile(join(tmp, MODEL_JSON), modelJson);
      await writeFile(join(tmp, WEIGHTS_BIN), weights);
      for (let attempt = 0; attempt < 20; attempt++) {
        const version = ((await this.versions(name)).at(-1) ?? 0) + 1;
        const full: ModelMetadata = { name, version, ...metadata };
        await writeFile(join(tmp, METADATA_JSON), `${JSON.stringify(full, null, 2)}\n`);
        try {
          await rename(tmp, join(versionsDir, String(version)));
          return full;
        } catch (err) {
          if (!isCode(err, 'ENOTEMPTY') && !isCode(err, 'EEXIST')) throw err;
        }
      }
      throw new Error(`Could not allocate a version for '${name}'`);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  async setAlias(name: string, alias: ModelAlias, version: number): Promise<void> {
    if (!MODEL_ALIASES.includes(alias)) throw new Error(`Unknown alias '${alias}'`);
    if (!(await this.versions(name)).includes(version)) {
      throw new ModelNotFoundError(`Model '${name}' has no version ${version}`);
    }
    const aliases = { ...(await this.aliases(name)), [alias]: version };
    const file = join(this.root, name, ALIASES_JSON);
    // Predictors poll this file to hot-swap the champion: write a temp file, flush it, then rename over the old
    // one, so a reader sees the old or the new aliases, never a partial file (nor an empty one after a crash).
    const tmp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
    try {
      const handle = await open(tmp, 'w');
      try {
        await handle.writeFile(`${JSON.stringify(aliases, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tmp, file);
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async aliases(name: string): Promise<Record<string, number>> {
    assertModelName(name);
    try {
      return JSON.parse(await readFile(join(this.root, name, ALIASES_JSON), 'utf8')) as Record<string, number>;
    } catch (err) {
      if (isNotFound(err)) return {};
      throw err;
    }
  }
}

function isCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

function isNotFound(err: unknown): boolean {
  return isCode(err, 'ENOENT');
}
