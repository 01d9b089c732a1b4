import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { AmqpConnectionManager } from 'amqp-connection-manager';
import { connectBroker, DirectRpcClient, EventPublisher, type BrokerOptions, type RpcClient, type Topology } from '@app/messaging';

/**
 * The gateway's broker clients: sync RPC to predictors (interactive queue), RPC to results, and the
 * confirmed publisher of async tasks (work queue). Connected at boot so no request pays for the handshake.
 *
 * All three are channels on one shared connection. The two RPC clients are `DirectRpcClient`s: a sync request's
 * round trip costs the gateway about half the CPU it did through Nest's ClientRMQ. The task publisher is an
 * `EventPublisher` on a confirm channel (persistent publishes, each awaited until confirmed; ADR 0013).
 */
export class BrokerClients implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BrokerClients.name);
  private readonly rpcConnection: AmqpConnectionManager;
  private readonly predictorRpc: DirectRpcClient;
  private readonly resultsRpc: DirectRpcClient;
  readonly tasks: EventPublisher;

  constructor(
    broker: BrokerOptions,
    topology: Topology,
    private readonly connectTimeoutMs: number,
  ) {
    this.rpcConnection = connectBroker(broker);
    this.predictorRpc = new DirectRpcClient(this.rpcConnection, topology.queues.interactive);
    this.resultsRpc = new DirectRpcClient(this.rpcConnection, topology.queues.resultsRpc);
    this.tasks = EventPublisher.on(this.rpcConnection, topology.queues.work);
  }

  get predictor(): RpcClient {
    return this.predictorRpc;
  }

  get results(): RpcClient {
    return this.resultsRpc;
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all([this.predictorRpc.ready(this.connectTimeoutMs), this.resultsRpc.ready(this.connectTimeoutMs), this.tasks.ready(this.connectTimeoutMs)]);
    this.logger.log('broker clients connected');
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.predictorRpc.close(), this.resultsRpc.close(), this.tasks.close()]);
    await this.rpcConnection.close().catch(() => undefined);
  }
}
