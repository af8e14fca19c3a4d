'use strict';
// Starts `resc lsp` for .res files. Highlighting (syntaxes/) works without
// it; the language server needs vscode-languageclient: `npm install` here.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration('resc').get('path') || 'resc';
  client = new LanguageClient('resc', 'resc language server',
    { command, args: ['lsp'] },
    { documentSelector: [{ scheme: 'file', language: 'res' }, { scheme: 'untitled', language: 'res' }] });
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
