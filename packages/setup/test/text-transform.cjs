// Jest transform for `.hcl` files: the module's default export is the file's text,
// as esbuild's `--loader:.hcl=text` does in the bundle.
module.exports = {
  process(sourceText) {
    return { code: `module.exports = { __esModule: true, default: ${JSON.stringify(sourceText)} };` };
  },
};
