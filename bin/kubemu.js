#!/usr/bin/env -S node --max-semi-space-size=64
// The installed `kubemu` command: the compiled CLI (built by `npm run build`, run on install by `prepare`).
import '../dist/cli/main.js';
