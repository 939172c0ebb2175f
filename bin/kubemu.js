#!/usr/bin/env node
// The installed `kubemu` command: the compiled CLI (built by `npm run build`, run on install by `prepare`).
import '../dist/cli/main.js';
