/**
 * Where the dashboard keeps the API key: sessionStorage (gone with the tab), never the URL, so it does not end up
 * in history, bookmarks, referrers or server logs.
 */
const STORAGE_KEY = 'sync-orchestrator.api-key';

export interface KeyStore {
  get(): string | null;
  set(key: string): void;
  clear(): void;
}

export function createKeyStore(storage: Storage = window.sessionStorage): KeyStore {
  return {
    get: () => storage.getItem(STORAGE_KEY),
    set: (key) => storage.setItem(STORAGE_KEY, key),
    clear: () => storage.removeItem(STORAGE_KEY),
  };
}
