import { configReference } from './reference.js';

process.stdout.write(configReference());
