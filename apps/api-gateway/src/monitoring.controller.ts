import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import type { TaskView } from '@app/contracts';
import { errorBody } from '@app/platform';
import { InferenceService } from './inference.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Controller('monitoring')
export class MonitoringController {
  constructor(private readonly inference: InferenceService) {}

  /** 404 for an unknown or expired task: never "pending" for something nobody is working on. */
  @Get('task_status/:task_id')
  async taskStatus(@Param('task_id') taskId: string): Promise<TaskView> {
    const notFound = () => new NotFoundException(errorBody(404, `unknown or expired task: ${taskId.slice(0, 64)}`));
    if (!UUID.test(taskId)) throw notFound();
    const task = await this.inference.status(taskId.toLowerCase());
    if (!task) throw notFound();
    return task;
  }
}
