import { Global, Injectable, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { BrokerTopology } from './broker-topology.js';
import { MessageSettler } from './message-settler.js';
import type { BrokerOptions } from './rmq-transport.factory.js';
import { SettleMessageInterceptor } from './settle-message.interceptor.js';
import { buildTopology, type TopologyOptions } from './topology.js';

export const BROKER_OPTIONS = Symbol('BROKER_OPTIONS');

/** Closes the management connection last, after Nest has stopped the consumers. */
@Injectable()
class BrokerTopologyLifecycle implements OnApplicationShutdown {
  constructor(private readonly broker: BrokerTopology) {}
  async onApplicationShutdown(): Promise<void> {
    await this.broker.close();
  }
}

/** The broker topology, the settle helper and its interceptor, for one app. */
@Global()
@Module({})
export class MessagingModule {
  static forRoot(broker: BrokerOptions, topology: TopologyOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: BROKER_OPTIONS, useValue: broker },
        { provide: BrokerTopology, useFactory: () => new BrokerTopology(broker, buildTopology(topology)) },
        MessageSettler,
        SettleMessageInterceptor,
        BrokerTopologyLifecycle,
      ],
      exports: [BROKER_OPTIONS, BrokerTopology, MessageSettler, SettleMessageInterceptor],
    };
  }
}
