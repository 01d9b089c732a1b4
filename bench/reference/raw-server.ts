// Raw reference HTTP front: a bare Fastify route doing one amqplib RPC (direct reply-to, noDelay) per request.
// Env: AMQP_URL, RAW_QUEUE, RAW_PORT.
import { randomUUID } from 'node:crypto';
import amqp from 'amqplib';
import Fastify from 'fastify';
import { PREDICT_BODY_SCHEMA, type PredictBody } from '../predict-body.schema.js';

async function main(): Promise<void> {
  const url = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
  const queue = process.env.RAW_QUEUE ?? 'bench.raw.rpc';
  const port = Number(process.env.RAW_PORT ?? 18_080);
  const connection = await amqp.connect(url, { noDelay: true });
  const channel = await connection.createChannel();
  const pending = new Map<string, (body: Buffer) => void>();
  await channel.consume(
    'amq.rabbitmq.reply-to',
    (msg) => {
      if (!msg) return;
      const id = msg.properties.correlationId as string;
      pending.get(id)?.(msg.content);
      pending.delete(id);
    },
    { noAck: true },
  );
  const app = Fastify({ logger: false });
  app.post(
    '/predict/',
    { schema: PREDICT_BODY_SCHEMA },
    async (request, reply) => {
      const body = request.body as PredictBody;
      const id = randomUUID();
      const answer = await new Promise<Buffer>((resolve) => {
        pending.set(id, resolve);
        channel.sendToQueue(queue, Buffer.from(JSON.stringify(body)), { replyTo: 'amq.rabbitmq.reply-to', correlationId: id, expiration: '30000' });
      });
      const parsed = JSON.parse(answer.toString()) as { probabilities?: number[]; error?: string };
      if (!parsed.probabilities) return reply.code(422).send(parsed);
      return { match_id: body.match_id, probabilities: parsed.probabilities };
    },
  );
  await app.listen({ host: '127.0.0.1', port });
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    app.close().then(
      () => connection.close(),
      () => undefined,
    ).then(
      () => process.exit(0),
      () => process.exit(0),
    );
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
