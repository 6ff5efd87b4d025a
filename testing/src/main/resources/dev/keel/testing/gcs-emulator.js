// Serves the Firebase Storage emulator's Cloud Storage JSON API (firebase-tools, from npm) on
// 127.0.0.1:PORT without the Firebase CLI around it. The CLI would insist on Java 21 and download a
// security-rules engine at start; the Cloud Storage API (what Keel and Litestream speak) never
// evaluates rules, so this starts the same server with rules turned off, and nothing else.
// Usage: node gcs-emulator.js FIREBASE_TOOLS_DIR PORT
"use strict";
const path = require("path");
const [toolsDir, portText] = process.argv.slice(2);
const lib = path.join(toolsDir, "lib", "emulator", "storage");
const { StorageEmulator } = require(path.join(lib, "index.js"));
const { createApp } = require(path.join(lib, "server.js"));
const { EmulatorRegistry } = require(path.join(toolsDir, "lib", "emulator", "registry.js"));

// The emulator reads a multipart upload's parts as one Content-Type line, a blank line and the data;
// RFC 2046 parts may carry more headers, and the Java client sends Content-Length and
// Content-Transfer-Encoding too, which the emulator answers with 400. Parse the parts properly
// (headers up to the first blank line); everything after the parse is the emulator's own code.
const multipart = require(path.join(lib, "multipart.js"));
multipart.parseObjectUploadMultipartRequest = (contentTypeHeader, body) => {
  const match = /boundary=("?)([^";]+)\1/.exec(contentTypeHeader);
  if (!contentTypeHeader.startsWith("multipart/related") || !match) {
    throw new Error("Bad content type. " + contentTypeHeader);
  }
  const delimiter = Buffer.from("--" + match[2]);
  const parts = [];
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.slice(start, start + 2).toString() === "--") break; // the closing delimiter
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.slice(start + 2, next - 2); // CRLF after the delimiter, CRLF before the next
    const blank = part.indexOf("\r\n\r\n");
    if (blank < 0) throw new Error("Failed to parse multipart request body part. Missing blank line.");
    parts.push(Buffer.from(part.slice(blank + 4)));
    at = next;
  }
  if (parts.length !== 2) throw new Error("Unexpected number of parts in request body");
  return { metadataRaw: parts[0].toString(), dataRaw: parts[1] };
};

const noRules = { start: async () => {}, stop: async () => {}, getRuleset: () => undefined };

class CloudStorageOnly extends StorageEmulator {
  createRulesManager() {
    return noRules;
  }
  async start() {
    const { host, port } = this.getInfo();
    this._app = await createApp(this.args.projectId, this);
    await new Promise((resolve, reject) => {
      const server = this._app.listen(port, host, resolve);
      server.on("error", reject);
    });
  }
}

const emulator = new CloudStorageOnly({ projectId: "demo-keel", host: "127.0.0.1", port: Number(portText), auto_download: false });
// the API builds self links from the registry: register the one instance (this calls start())
EmulatorRegistry.start(emulator)
  .then(() => console.log("gcs emulator listening on 127.0.0.1:" + portText))
  .catch((e) => {
    console.error(e);
    process.exit(1);
  });
