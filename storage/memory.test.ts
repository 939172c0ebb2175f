import { openMemoryStore } from './memory.js';
import { storageSuite } from './storage.suite.js';

storageSuite('memory', (options) => openMemoryStore(options));
