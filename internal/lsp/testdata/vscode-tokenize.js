// Tokenizes files with VS Code's TextMate engine (vscode-textmate on
// vscode-oniguruma, found through NODE_PATH) and prints, for each file,
// the scopes of each byte, space-separated, the grammar's own scope left
// out: what grammar_vscode_test.go compares with resc's Go engine.
// Usage: node vscode-tokenize.js GRAMMAR.json FILE...
'use strict';
const fs = require('fs');
const path = require('path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
const onigLib = oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength)).then(() => ({
  createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
  createOnigString: (s) => new oniguruma.OnigString(s),
}));
const [grammarPath, ...files] = process.argv.slice(2);
const registry = new vsctm.Registry({
  onigLib,
  loadGrammar: async () => vsctm.parseRawGrammar(fs.readFileSync(grammarPath, 'utf8'), grammarPath),
});

registry.loadGrammar('source.res').then((grammar) => {
  const out = {};
  for (const file of files) {
    const bytes = [];
    let state = vsctm.INITIAL;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      const r = grammar.tokenizeLine(line, state);
      for (const t of r.tokens) {
        const scopes = t.scopes.filter((s) => s !== 'source.res').join(' ');
        const n = Buffer.byteLength(line.slice(t.startIndex, t.endIndex), 'utf8');
        for (let i = 0; i < n; i++) bytes.push(scopes);
      }
      bytes.push(''); // the newline
      state = r.ruleStack;
    }
    out[file] = bytes.slice(0, fs.statSync(file).size);
  }
  process.stdout.write(JSON.stringify(out));
});
