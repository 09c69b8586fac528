// An https server on 127.0.0.1 with a self-signed certificate made for it: fetches from a
// child process trust it through NODE_EXTRA_CA_CERTS=certFile.
import {execFileSync} from "node:child_process";
import {readFileSync} from "node:fs";
import type {IncomingMessage, ServerResponse} from "node:http";
import {createServer, type Server} from "node:https";
import {join} from "node:path";
import {tempDir} from "./helpers.js";

export interface Loopback {
  server: Server;
  origin: string;
  certFile: string;
}

export async function httpsLoopback(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Loopback> {
  const dir = tempDir("cert");
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"),
    "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"], {stdio: "ignore"});
  const server = createServer({key: readFileSync(join(dir, "key.pem")), cert: readFileSync(join(dir, "cert.pem"))}, handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {server, origin: `https://127.0.0.1:${(server.address() as {port: number}).port}`, certFile: join(dir, "cert.pem")};
}
