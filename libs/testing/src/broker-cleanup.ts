import amqp from 'amqplib';
import { buildTopology, topologyNames, type TopologyOptions } from '@app/messaging';
import { TEST_AMQP_URL } from './test-names.js';

/** Deletes every queue and exchange a prefix's topology declares. */
export async function deleteTopology(options: TopologyOptions, url = TEST_AMQP_URL): Promise<void> {
  const names = topologyNames(buildTopology(options));
  const connection = await amqp.connect(url);
  try {
    const channel = await connection.createChannel();
    for (const q of names.queues) await channel.deleteQueue(q);
    for (const x of names.exchanges) await channel.deleteExchange(x);
    await channel.close();
  } finally {
    await connection.close();
  }
}
