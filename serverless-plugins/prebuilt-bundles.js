'use strict';

const path = require('node:path');

/**
 * Stands in for serverless-esbuild under `npm start`: the local stack bundles every function once,
 * into a directory of its own (SPAWN_QUEUE_BUNDLES_DIR), and this plugin points serverless offline at
 * it. Packaging keeps using serverless-esbuild (its `.esbuild/` build), so a `serverless package`
 * beside a running stack never replaces what that stack loads, and no bundler with its incremental
 * builds stays in memory. serverless.yml names this plugin only when SPAWN_QUEUE_BUNDLER says so.
 */
class PrebuiltBundles {
  constructor(serverless) {
    this.hooks = {
      initialize: () => {
        const dir = process.env.SPAWN_QUEUE_BUNDLES_DIR;
        if (!dir) {
          throw new serverless.classes.Error(
            'SPAWN_QUEUE_BUNDLES_DIR must name the directory of the bundles',
          );
        }
        const service = serverless.service;
        service.custom = service.custom || {};
        service.custom['serverless-offline'] = {
          ...(service.custom['serverless-offline'] || {}),
          location: path.relative(serverless.config.servicePath, dir),
        };
      },
    };
  }
}

module.exports = PrebuiltBundles;
