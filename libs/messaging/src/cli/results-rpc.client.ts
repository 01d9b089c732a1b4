import { Patterns, type TaskReplayReply } from '@app/contracts';
import type { ClientRMQ } from '@nestjs/microservices';
import { createRmqClient } from '../rmq-transport.factory.js';
import { NestRpcClient, RpcRemoteError, type RpcClient } from '../rpc-client.js';
import type { TaskReopener } from './dlq-commands.js';
import { ResultsRefusedError, ResultsUnreachableError } from './dlq-errors.js';

/**
 * `task.replay.v1` to `results` through the suite's typed RPC client (direct reply-to, a deadline on every
 * call). Loaded only by `replay`: Nest's client is the slow part of the tool's start-up.
 */
export class ResultsRpcClient implements TaskReopener {
  private readonly client: ClientRMQ;
  private readonly rpc: RpcClient;

  constructor(
    url: string,
    queue: string,
    private readonly timeoutMs: number,
  ) {
    this.client = createRmqClient({ url }, queue, false);
    this.rpc = new NestRpcClient(this.client);
  }

  async reopen(taskId: string, reason: string): Promise<TaskReplayReply> {
    try {
      return await this.rpc.call(Patterns.taskReplay, { task_id: taskId, reason }, { timeoutMs: this.timeoutMs });
    } catch (error) {
      if (error instanceof RpcRemoteError) throw new ResultsRefusedError(`results refused ${Patterns.taskReplay} (${error.payload.code}): ${error.message}`);
      const detail = error instanceof Error ? error.message : String(error);
      throw new ResultsUnreachableError(`${detail}: is the results app running? Task ${taskId} was not replayed`);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
