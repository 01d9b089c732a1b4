import 'reflect-metadata';
import { ConfigError } from '@app/platform';
import { bootstrap } from './bootstrap.js';

try {
  await bootstrap();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}
