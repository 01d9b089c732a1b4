// Raw reference worker: a bare amqplib consumer that scores each request with the same model as the
// predictor (loadModel + LoadedModel.predict, one row per call) and answers on the caller's reply-to.
// Env: AMQP_URL, RAW_QUEUE, RAW_PREFETCH (64).
import { join } from 'node:path';
import amqp from 'amqplib';
import { loadModel, repoRoot, type FeatureVector } from '@app/ml';

async function main(): Promise<void> {
  const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  const queue = process.env.RAW_QUEUE ?? 'bench.raw.rpc';
  const model = await loadModel(join(repoRoot(), 'models'), 'match-outcome@champion');
  const connection = await amqp.connect(url, { noDelay: true });
  const channel = await connection.createChannel();
  await channel.assertQueue(queue, { durable: false, autoDelete: true });
  await channel.prefetch(Number(process.env.RAW_PREFETCH ?? 64));
  await channel.consume(queue, (msg) => {
    if (!msg) return;
    let reply: unknown;
    try {
      const { features } = JSON.parse(msg.content.toString()) as { features: FeatureVector };
      const [p] = model.predict([features]);
      reply = { probabilities: p };
    } catch (error) {
      reply = { error: error instanceof Error ? error.message : String(error) };
    }
    channel.sendToQueue(msg.properties.replyTo as string, Buffer.from(JSON.stringify(reply)), { correlationId: msg.properties.correlationId as string });
    channel.ack(msg);
  });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    connection.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
