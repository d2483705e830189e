import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** Where `npm run dev:client` sends /graphql (HTTP and graphql-ws); the API's default port. */
const API_TARGET = 'http://localhost:8000';

// Run with the client folder as root (`vite client`, `vite build client`): paths below are relative to it.
export default defineConfig({
  base: '/dashboard/',
  plugins: [react()],
  server: {
    port: 3000,
    strictPort: true,
    proxy: {
      '/graphql': { target: API_TARGET, ws: true, changeOrigin: true },
    },
  },
  preview: { port: 3000, strictPort: true },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
});
