import { cpSync, existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// Excalidraw loads its fonts from window.EXCALIDRAW_ASSET_PATH (set in Whiteboard.jsx) and
// only falls back to a CDN when they are missing: ship them with the build, so the room
// works with no internet.
const EXCALIDRAW_FONTS = resolve("node_modules/@excalidraw/excalidraw/dist/prod/fonts");
const ASSET_DIR = "excalidraw-assets";
const CDN_FALLBACK = "https://esm.sh/";
// `https://esm.sh/${pkg}@${version}/dist/prod/`, the template literal in Excalidraw's bundle.
const CDN_FALLBACK_URL = /`https:\/\/esm\.sh\/\$\{.*?\}\/dist\/prod\/`/;

function excalidrawAssets() {
  let outDir = "dist";
  return {
    name: "excalidraw-assets",
    configResolved(config) {
      outDir = config.build.outDir;
    },
    configureServer(server) {
      server.middlewares.use(`/${ASSET_DIR}/fonts`, (req, res, next) => {
        const file = resolve(EXCALIDRAW_FONTS, `.${decodeURIComponent(req.url.split("?")[0])}`);
        if (!file.startsWith(EXCALIDRAW_FONTS) || !existsSync(file)) return next();
        res.setHeader("Content-Type", "font/woff2");
        res.end(readFileSync(file));
      });
    },
    // Excalidraw lists a CDN (esm.sh) after our copy of every font. The page's CSP blocks it,
    // but each blocked font is an error in the console: point the fallback at our copy too.
    transform(code, id) {
      if (!id.includes("@excalidraw/excalidraw/dist/prod/") || !code.includes(CDN_FALLBACK)) return null;
      const patched = code.replace(CDN_FALLBACK_URL, `window.location.origin+"/${ASSET_DIR}/"`);
      if (patched === code) this.error("Excalidraw's font fallback URL changed: update vite.config.js");
      return { code: patched, map: null };
    },
    closeBundle() {
      cpSync(EXCALIDRAW_FONTS, resolve(outDir, ASSET_DIR, "fonts"), { recursive: true });
    },
  };
}

// The production server (aiohttp) serves dist/ at "/" with an SPA fallback,
// so assets must use absolute paths (base "/") to load from deep routes such
// as /interviews/42. In `npm run dev`, /api is proxied to the Python server.
export default defineConfig({
  base: "/",
  plugins: [react(), excalidrawAssets()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": {
        target: process.env.API_URL || "http://127.0.0.1:8080",
        changeOrigin: false,
      },
    },
  },
});
