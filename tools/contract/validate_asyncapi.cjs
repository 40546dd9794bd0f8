#!/usr/bin/env node
// Parses an AsyncAPI document with the official parser (@asyncapi/parser, from npm;
// deploy/dev installs it under .dev/node) and prints its diagnostics. Exits 1 when the
// document does not parse or the parser reports an error or a warning.
//
//   node tools/contract/validate_asyncapi.cjs schemas/generated/asyncapi.json [node_modules]
const path = require('node:path');
const { createRequire } = require('node:module');

const [documentPath, modules = path.join(__dirname, '../../.dev/node/node_modules')] =
  process.argv.slice(2);
const load = createRequire(path.join(path.resolve(modules), 'index.js'));
const { Parser, fromFile } = load('@asyncapi/parser');

// The parser's severities: 0 error, 1 warning, 2 information, 3 hint.
const SEVERITY = ['error', 'warning', 'information', 'hint'];

(async () => {
  const { document, diagnostics } = await fromFile(new Parser(), documentPath).parse();
  let failed = !document;
  for (const diagnostic of diagnostics) {
    const severity = SEVERITY[diagnostic.severity] ?? String(diagnostic.severity);
    console.log(`${severity}: ${diagnostic.code}: ${diagnostic.message} at ${diagnostic.path.join('/')}`);
    failed ||= diagnostic.severity <= 1;
  }
  if (document) {
    const messages = document.allMessages().length;
    const channels = document.allChannels().length;
    console.log(`parsed: AsyncAPI ${document.version()}, ${channels} channels, ${messages} messages`);
  }
  process.exit(failed ? 1 : 0);
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
