import 'reflect-metadata';
import { describeBootFailure } from '@app/platform';
import { bootstrap } from './bootstrap.js';

try {
  await bootstrap();
} catch (error) {
  console.error(describeBootFailure(error));
  process.exit(1);
}
