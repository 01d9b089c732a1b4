import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { buildMlp } from '../model/mlp.js';
import { captureArtifacts } from '../model/model-artifacts.js';
import { fixtureMetadata } from '../testing/model-fixture.js';
import { initTfBackend } from '../tf/tf-backend.js';
import type * as tf from '@tensorflow/tfjs';
import { ModelNotFoundError } from './model-not-found.error.js';
import { parseModelRef } from './model-ref.js';
import { ModelRegistry } from './model.registry.js';

const SIGNATURE = [
  { name: 'a', mean: 0, std: 1 },
  { name: 'b', mean: 0, std: 1 },
];

void describe('parseModelRef', () => {
  void it('reads alias, version and bare-name refs', () => {
    assert.deepEqual(parseModelRef('match-outcome@champion'), { name: 'match-outcome', selector: { kind: 'alias', alias: 'champion' } });
    assert.deepEqual(parseModelRef('match-outcome@3'), { name: 'match-outcome', selector: { kind: 'version', version: 3 } });
    assert.deepEqual(parseModelRef('match-outcome'), parseModelRef('match-outcome@champion'));
  });

  void it('refuses names that could escape the registry folder and malformed tags', () => {
    assert.throws(() => parseModelRef('../etc@1'), /Invalid model name/);
    assert.throws(() => parseModelRef('a/b'), /Invalid model name/);
    assert.throws(() => parseModelRef('m@0'), /Invalid model version/);
    assert.throws(() => parseModelRef('m@Champ!'), /Invalid model alias/);
  });
});

void describe('ModelRegistry', () => {
  let root = '';
  let artifacts: tf.io.ModelArtifacts;
  before(async () => {
    await initTfBackend();
    root = await mkdtemp(join(tmpdir(), 'ml-registry-'));
    const model = buildMlp(2, { hidden: [4], l2: 0, seed: 1 });
    artifacts = await captureArtifacts(model);
    model.dispose();
  });
  after(async () => rm(root, { recursive: true, force: true }));

  void it('numbers versions, writes the TF.js layers files and leaves no temp folders', async () => {
    const registry = new ModelRegistry(root);
    assert.deepEqual(await registry.versions('m'), []);
    const v1 = await registry.register('m', artifacts, fixtureMetadata(SIGNATURE, 'run-1'));
    const v2 = await registry.register('m', artifacts, fixtureMetadata(SIGNATURE, 'run-2'));
    assert.equal(v1.version, 1);
    assert.equal(v2.version, 2);
    assert.equal(v2.name, 'm');
    assert.deepEqual(await registry.versions('m'), [1, 2]);
    assert.deepEqual((await readdir(join(root, 'm', 'versions'))).sort(), ['1', '2']);
    assert.deepEqual((await readdir(registry.versionDir('m', 2))).sort(), ['metadata.json', 'model.json', 'weights.bin']);
    const modelJson = JSON.parse(await readFile(join(registry.versionDir('m', 1), 'model.json'), 'utf8')) as {
      format: string;
      weightsManifest: { paths: string[] }[];
    };
    assert.equal(modelJson.format, 'layers-model');
    assert.deepEqual(modelJson.weightsManifest[0]?.paths, ['weights.bin']);
  });

  void it('gives concurrent registrations distinct versions', async () => {
    const registry = new ModelRegistry(root);
    const results = await Promise.all([1, 2, 3].map((i) => registry.register('concurrent', artifacts, fixtureMetadata(SIGNATURE, `r${i}`))));
    assert.deepEqual(results.map((m) => m.version).sort(), [1, 2, 3]);
    const runIds = await Promise.all(results.map(async (m) => (await registry.resolve(`concurrent@${m.version}`)).metadata.run_id));
    assert.deepEqual(runIds, results.map((m) => m.run_id));
  });

  void it('moves aliases and resolves every ref form', async () => {
    const registry = new ModelRegistry(root);
    await assert.rejects(registry.resolve('m'), ModelNotFoundError);
    await registry.setAlias('m', 'champion', 1);
    await registry.setAlias('m', 'candidate', 2);
    assert.deepEqual(await registry.aliases('m'), { champion: 1, candidate: 2 });

    const champion = await registry.resolve('m');
    assert.equal(champion.metadata.version, 1);
    assert.equal(champion.alias, 'champion');
    assert.equal(champion.dir, registry.versionDir('m', 1));
    assert.equal((await registry.resolve('m@candidate')).metadata.run_id, 'run-2');
    const byNumber = await registry.resolve('m@2');
    assert.equal(byNumber.alias, null);
    assert.equal(byNumber.metadata.version, 2);

    await registry.setAlias('m', 'champion', 2); // promotion
    assert.equal((await registry.resolve('m@champion')).metadata.version, 2);
    assert.deepEqual(await registry.aliases('m'), { champion: 2, candidate: 2 });
  });

  void it('refuses aliases to missing versions and reports missing models', async () => {
    const registry = new ModelRegistry(root);
    await assert.rejects(registry.setAlias('m', 'champion', 9), ModelNotFoundError);
    await assert.rejects(registry.resolve('m@9'), ModelNotFoundError);
    await assert.rejects(registry.resolve('nothing@champion'), ModelNotFoundError);
    assert.deepEqual(await registry.aliases('nothing'), {});
  });
});

describe('ModelRegistry.setAlias with a predictor polling aliases.json', () => {
  let root = '';
  before(async () => {
    await initTfBackend();
    root = await mkdtemp(join(tmpdir(), 'ml-alias-poll-'));
  });
  after(async () => rm(root, { recursive: true, force: true }));

  it('never exposes a partial file while the champion moves back and forth, and leaves no temp files', async () => {
    const registry = new ModelRegistry(root);
    const model = buildMlp(2, { hidden: [2], l2: 0, seed: 1 });
    const artifacts = await captureArtifacts(model);
    model.dispose();
    await registry.register('m', artifacts, fixtureMetadata(SIGNATURE, 'a'));
    await registry.register('m', artifacts, fixtureMetadata(SIGNATURE, 'b'));
    await registry.setAlias('m', 'champion', 1);
    const file = join(root, 'm', 'aliases.json');
    let done = false;
    const seen = new Set<number>();
    const failures: unknown[] = [];
    const poll = async (): Promise<void> => {
      while (!done) {
        try {
          seen.add((JSON.parse(await readFile(file, 'utf8')) as { champion: number }).champion);
        } catch (err) {
          failures.push(err);
        }
      }
    };
    const pollers = [poll(), poll()];
    for (let i = 0; i < 60; i++) await registry.setAlias('m', 'champion', (i % 2) + 1);
    done = true;
    await Promise.all(pollers);
    assert.deepEqual(failures, []);
    assert.deepEqual([...seen].sort(), [1, 2]);
    assert.deepEqual((await readdir(join(root, 'm'))).sort(), ['aliases.json', 'versions']);
  });
});
