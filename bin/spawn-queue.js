#!/usr/bin/env node
'use strict';
// The CLI (cli/main.ts), run through tsx's require hook: no build step.
require('tsx/cjs');
require('../cli/main.ts')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
