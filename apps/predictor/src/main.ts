import 'reflect-metadata';
import { exitOnBootFailure } from '@app/platform';
import { bootstrap } from './bootstrap.js';

try {
  await bootstrap();
} catch (error) {
  exitOnBootFailure('predictor', error);
}
