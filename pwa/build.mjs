// Build the phone app into dist/: bundle + minify + hash (esbuild), icons (generated,
// no download), index.html, the web manifest, and the service worker (workbox-build).
//
//   node build.mjs [--out DIR] [--db-version N] [--tag TEXT]
//
// --db-version and --tag exist for the upgrade test (tests/e2e/test_upgrade.py): it
// builds a second version with a bumped IndexedDB version into the served folder.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { join, dirname, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { generateSW } from "workbox-build";
import { makeIcon } from "./tools/icons.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const out = arg("--out", join(here, "dist"));
const dbVersion = Number(arg("--db-version", "0")) || null;
const tag = arg("--tag", "");

const THEME = "#003d73";
const hash = (data) => createHash("sha256").update(data).digest("hex").slice(0, 10);

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "assets"), { recursive: true });
mkdirSync(join(out, "icons"), { recursive: true });

// 1. JavaScript and CSS, bundled and minified; the file name carries a content hash.
const define = { __BUILD_TAG__: JSON.stringify(tag) };
if (dbVersion) define.__DB_VERSION_OVERRIDE__ = String(dbVersion);
else define.__DB_VERSION_OVERRIDE__ = "0";
const result = await build({
  entryPoints: [join(here, "src/main.js"), join(here, "src/app.css")],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2020"],
  write: false,
  outdir: join(out, "assets"),
  define,
  legalComments: "none",
  logLevel: "warning",
});
const files = {};
for (const file of result.outputFiles) {
  const ext = file.path.endsWith(".css") ? "css" : "js";
  const name = `app-${hash(file.contents)}.${ext}`;
  writeFileSync(join(out, "assets", name), file.contents);
  files[ext] = `/assets/${name}`;
}

// 2. Icons: 192/512 "any" and a full-bleed maskable 512.
const icons = [
  ["icon-192.png", 192, false],
  ["icon-512.png", 512, false],
  ["icon-maskable-512.png", 512, true],
];
for (const [name, size, maskable] of icons) writeFileSync(join(out, "icons", name), makeIcon(size, maskable));

// 3. Manifest.
const manifest = {
  id: "/",
  name: "Brobygger",
  short_name: "Brobygger",
  description: "Fremskudt stofbehandling i felten – virker også uden netværk.",
  lang: "da",
  dir: "ltr",
  start_url: "/",
  scope: "/",
  display: "standalone",
  orientation: "portrait",
  background_color: "#ffffff",
  theme_color: THEME,
  icons: [
    { src: "/icons/icon-192.png", sizes: "192x192", type: "image/png", purpose: "any" },
    { src: "/icons/icon-512.png", sizes: "512x512", type: "image/png", purpose: "any" },
    { src: "/icons/icon-maskable-512.png", sizes: "512x512", type: "image/png", purpose: "maskable" },
  ],
};
writeFileSync(join(out, "manifest.webmanifest"), JSON.stringify(manifest, null, 2) + "\n");

// 4. The app shell. No inline script or style (strict CSP).
const html = `<!doctype html>
<html lang="da">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="theme-color" content="${THEME}">
<meta name="description" content="Brobygger – fremskudt stofbehandling i felten">
<title>Brobygger</title>
<link rel="manifest" href="/manifest.webmanifest">
<link rel="icon" type="image/png" href="/icons/icon-192.png">
<link rel="apple-touch-icon" href="/icons/icon-192.png">
<link rel="stylesheet" href="${files.css}">
<script type="module" src="${files.js}"></script>
</head>
<body>
<div id="app"><main class="boot" id="main"><h1>Brobygger</h1><p>Indlæser …</p></main></div>
<noscript><p>Brobygger kræver JavaScript.</p></noscript>
</body>
</html>
`;
writeFileSync(join(out, "index.html"), html);

// 5. Service worker: precache the hashed shell, fall back to it for navigations,
// never cache /api/ (NetworkOnly). The runtime is inlined: one self-contained sw.js.
const sw = await generateSW({
  swDest: join(out, "sw.js"),
  globDirectory: out,
  globPatterns: ["index.html", "assets/*.{js,css}", "icons/*.png", "manifest.webmanifest"],
  inlineWorkboxRuntime: true,
  mode: "production",
  sourcemap: false,
  cacheId: "brobygger",
  cleanupOutdatedCaches: true,
  clientsClaim: true,
  skipWaiting: false, // the app asks the waiting worker to take over (message SKIP_WAITING)
  navigateFallback: "/index.html",
  // The office (/kontor/) is server-rendered pages, never the app shell.
  navigateFallbackDenylist: [/^\/api\//, /^\/healthz/, /^\/kontor(\/|$)/],
  dontCacheBustURLsMatching: /\/assets\/app-[0-9a-f]{10}\./,
  runtimeCaching: [{ urlPattern: ({ url }) => url.pathname.startsWith("/api/"), handler: "NetworkOnly" }],
});
for (const warning of sw.warnings) console.warn(warning);

// 6. build-info.json: a hash of the sources, so a pure-Python test can tell that a
// committed build is stale ("run make pwa") without node. Same recipe in
// tests/e2e/test_pwa_build.py: sha256 over "<posix path>\0<bytes>\0" in path order.
function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}
const sources = [...listFiles(join(here, "src")), ...listFiles(join(here, "tools")), join(here, "build.mjs"), join(here, "package.json")]
  .filter((p) => /\.(m?js|css|json)$/.test(p))
  .map((p) => [relative(here, p).split(sep).join("/"), p])
  .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const digest = createHash("sha256");
for (const [name, path] of sources) {
  digest.update(name + "\0");
  digest.update(readFileSync(path));
  digest.update("\0");
}
writeFileSync(join(out, "build-info.json"), JSON.stringify({ sources_sha256: digest.digest("hex"), tag: tag || null, db_version: dbVersion }, null, 2) + "\n");

const listing = readdirSync(join(out, "assets")).join(", ");
console.log(`built ${out}: ${listing}; sw precaches ${sw.count} files (${sw.size} bytes)${tag ? `; tag ${tag}` : ""}`);
