import { Controller, Get, HttpCode, HttpStatus, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** One dependency readiness depends on (broker connection, model loaded, Redis reachable...). */
export interface ReadinessCheck {
  name: string;
  isReady(): boolean | Promise<boolean>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/** `/health/live`: the process answers. `/health/ready`: every dependency it needs is there (else 503). */
@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  @Get('live')
  @HttpCode(HttpStatus.OK)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: 'ready' | 'not_ready'; checks: Record<string, boolean> }> {
    const results = await Promise.all(
      this.checks.map(async (c) => [c.name, await Promise.resolve(c.isReady()).catch(() => false)] as const),
    );
    const checks = Object.fromEntries(results);
    const ok = results.every(([, up]) => up);
    void reply.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return { status: ok ? 'ready' : 'not_ready', checks };
  }
}
