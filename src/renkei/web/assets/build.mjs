// Copy the browser builds of the third-party libraries into ../static/vendor.
// Run `npm ci && npm run build` here after changing a version in package.json, then commit
// the copied files: the server and CI serve them as they are and never run npm.
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "static", "vendor");
const files = [
  // MapLibre GL JS 5.x, UMD (6.x ships ES modules only), in its CSP build: the worker is a
  // file of its own instead of a blob: URL, so the pages' Content-Security-Policy stays strict.
  ["maplibre-gl/dist/maplibre-gl-csp.js", "maplibre-gl-csp.js"],
  ["maplibre-gl/dist/maplibre-gl-csp-worker.js", "maplibre-gl-csp-worker.js"],
  ["maplibre-gl/dist/maplibre-gl.css", "maplibre-gl.css"],
  ["maplibre-gl/LICENSE.txt", "maplibre-gl-LICENSE.txt"],
];

mkdirSync(vendor, { recursive: true });
for (const [from, to] of files) {
  copyFileSync(join(here, "node_modules", from), join(vendor, to));
}
const version = JSON.parse(
  readFileSync(join(here, "node_modules", "maplibre-gl", "package.json"), "utf8"),
).version;
console.log(`copied maplibre-gl ${version} into ${vendor}`);
