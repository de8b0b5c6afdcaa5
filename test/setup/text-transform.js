/** Loads a text asset (the dashboard page) as a string, as esbuild's `text` loader does in the bundle. */
module.exports = {
  process(source) {
    return { code: `module.exports = ${JSON.stringify(source)};` };
  },
};
