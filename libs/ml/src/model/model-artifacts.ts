import * as tf from '@tensorflow/tfjs';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

/**
 * Serialises a layers model in memory. Without tfjs-node there is no `file://` handler, so the registry
 * writes the standard TF.js layers files (model.json + one weights shard) itself.
 */
export async function captureArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler((artifacts) => {
      captured = artifacts;
      return Promise.resolve({ modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) });
    }),
  );
  if (captured === null) throw new Error('model.save produced no artifacts');
  return captured;
}

/** The two files of the TF.js layers format, loadable by `tf.loadLayersModel` over HTTP as well. */
export function artifactsToFiles(artifacts: tf.io.ModelArtifacts): { modelJson: string; weights: Uint8Array } {
  if (artifacts.modelTopology === undefined || artifacts.weightSpecs === undefined || artifacts.weightData === undefined) {
    throw new Error('Model artifacts need a topology, weight specs and weight data');
  }
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs }],
  };
  if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData));
  return { modelJson: JSON.stringify(modelJson), weights };
}

/** Inverse of artifactsToFiles, for `tf.io.fromMemory`. */
export function artifactsFromFiles(modelJson: string, weights: Uint8Array): tf.io.ModelArtifacts {
  const json = JSON.parse(modelJson) as tf.io.ModelJSON;
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  // Copy into a standalone ArrayBuffer: a Node Buffer may be a view into a larger shared pool.
  const weightData = weights.slice().buffer;
  return {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    weightSpecs,
    weightData,
    ...(json.trainingConfig ? { trainingConfig: json.trainingConfig } : {}),
  };
}

export async function layersModelFromArtifacts(artifacts: tf.io.ModelArtifacts): Promise<tf.LayersModel> {
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}
