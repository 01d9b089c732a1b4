import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientRMQ } from '@nestjs/microservices';
import { createRmqClient, EventPublisher, RpcClient, type BrokerOptions, type Topology } from '@app/messaging';

/**
 * The gateway's broker clients: sync RPC to predictors (interactive queue), RPC to results, and the
 * confirmed publisher of async tasks (work queue). Connected at boot so no request pays for the handshake.
 */
export class BrokerClients implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BrokerClients.name);
  private readonly predictorClient: ClientRMQ;
  private readonly resultsClient: ClientRMQ;
  private readonly taskClient: ClientRMQ;
  readonly predictor: RpcClient;
  readonly results: RpcClient;
  readonly tasks: EventPublisher;

  constructor(broker: BrokerOptions, topology: Topology) {
    this.predictorClient = createRmqClient(broker, topology.queues.interactive, false);
    this.resultsClient = createRmqClient(broker, topology.queues.resultsRpc, false);
    this.taskClient = createRmqClient(broker, topology.queues.work, true);
    this.predictor = new RpcClient(this.predictorClient);
    this.results = new RpcClient(this.resultsClient);
    this.tasks = new EventPublisher(this.taskClient);
  }

  private all(): ClientRMQ[] {
    return [this.predictorClient, this.resultsClient, this.taskClient];
  }

  async onApplicationBootstrap(): Promise<void> {
    await Promise.all(this.all().map((c) => c.connect()));
    this.logger.log('broker clients connected');
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled(this.all().map((c) => c.close()));
  }
}
