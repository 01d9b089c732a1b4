import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Ready and unacknowledged message counts of a queue, from `rabbitmqctl` (AMQP's queue.declare-ok reports
 * ready messages only, so a forgotten ack is invisible to it). Needs the broker on this machine.
 */
export async function queueStats(queue: string, node?: string): Promise<{ ready: number; unacked: number }> {
  const nodeArgs = node ? ['-n', node] : [];
  const { stdout } = await run('rabbitmqctl', [...nodeArgs, '-q', 'list_queues', 'name', 'messages_ready', 'messages_unacknowledged', '--no-table-headers']);
  const row = stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((cols) => cols[0] === queue);
  if (!row) throw new Error(`queue ${queue} not found`);
  return { ready: Number(row[1]), unacked: Number(row[2]) };
}
