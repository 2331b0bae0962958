import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The production server (aiohttp) serves dist/ at "/" with an SPA fallback,
// so assets must use absolute paths (base "/") to load from deep routes such
// as /interviews/42. In `npm run dev`, /api is proxied to the Python server.
export default defineConfig({
  base: "/",
  plugins: [react()],
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
