// Serve dist/ on loopback for a quick look and for the browser tests: clean URLs like
// Observable's hosting (/a → a.html, /a/ → a/index.html), wasm with its MIME type, and the
// caching a static host gives Framework's content-hashed files (their names change when
// their bytes do), so duckdb-wasm is fetched and compiled once, not on every page.
import {createReadStream, existsSync, statSync} from "node:fs";
import {createServer, type Server} from "node:http";
import {extname, join, normalize, resolve, sep} from "node:path";
import {fileURLToPath} from "node:url";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".parquet": "application/octet-stream",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2"
};

/** The file under `root` a URL path names, or null (never a path outside root). */
export function resolveFile(root: string, urlPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(urlPath.split("?")[0]);
  } catch {
    return null;
  }
  const base = resolve(root);
  const full = normalize(join(base, path));
  if (full !== base && !full.startsWith(base + sep)) return null;
  for (const candidate of [full, join(full, "index.html"), `${full}.html`]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Framework's output folders whose file names carry a hash of their content. */
const HASHED = /^\/_(?:npm|file|import|observablehq)\//;

/** Lets a test replace what a path serves (e.g. a page that throws); undefined serves the file. */
export type Override = (path: string, file: string | null) => string | Buffer | undefined;

export function serve(root: string, port = 0, host = "127.0.0.1", override?: Override): Promise<Server> {
  const server = createServer((req, res) => {
    const file = resolveFile(root, req.url ?? "/");
    const replaced = override?.(req.url ?? "/", file);
    if (replaced !== undefined) {
      res.writeHead(200, {"content-type": TYPES[extname(file ?? ".html")] ?? "application/octet-stream"}).end(replaced);
      return;
    }
    if (!file) {
      res.writeHead(404, {"content-type": "text/plain"}).end("not found");
      return;
    }
    const cache = HASHED.test(req.url ?? "") ? "public, max-age=31536000, immutable" : "no-cache";
    res.writeHead(200, {"content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": cache});
    createReadStream(file).pipe(res);
  });
  return new Promise((done) => server.listen(port, host, () => done(server)));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const port = Number(process.env.PORT ?? 3000);
  const server = await serve("dist", port);
  const address = server.address();
  console.log(`bpfbook: serving dist/ at http://127.0.0.1:${typeof address === "object" && address ? address.port : port}/`);
}
