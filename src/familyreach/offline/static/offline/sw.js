// The offline app's service worker (served from /staff/offline/sw.js, so its scope is
// /staff/offline/). It keeps the app's shell (the page, its styles and scripts, none holding
// family data) so the page opens without signal. Family data never passes through its cache:
// the API under /staff/api/ is always fetched from the network, and the page keeps what it
// downloads in IndexedDB, encrypted (offline.js).
const SHELL_CACHE = "familyreach-offline-shell";
const DB_NAME = "familyreach-offline";

// The app's page answered with a redirect (to the sign-in page): the session the copy was
// taken in has ended (timed out) or was never fully signed in. The copy and its key go now,
// before the sign-in page shows; changes waiting to send stay sealed (offline.js explains).
function forgetCopy() {
  return new Promise((resolve) => {
    const opening = indexedDB.open(DB_NAME);
    opening.onupgradeneeded = () => opening.transaction.abort(); // nothing kept: make nothing
    opening.onerror = () => resolve();
    opening.onsuccess = () => {
      const db = opening.result;
      if (!db.objectStoreNames.contains("vault")) {
        db.close();
        resolve();
        return;
      }
      const transaction = db.transaction(["keys", "vault", "meta"], "readwrite");
      transaction.objectStore("keys").clear();
      transaction.objectStore("vault").clear();
      const metaStore = transaction.objectStore("meta");
      const reading = metaStore.get("meta");
      reading.onsuccess = () => {
        if (!reading.result) return;
        const { copyToken, keyId, ...rest } = reading.result;
        metaStore.put(rest, "meta");
      };
      transaction.oncomplete = transaction.onerror = transaction.onabort = () => {
        db.close();
        resolve();
      };
    };
  });
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/staff/api/")) return;
  if (request.mode === "navigate") {
    // Network first: online, the worker always gets the live page (or the sign-in page).
    event.respondWith(
      fetch(request).then(
        async (response) => {
          if (response.type === "opaqueredirect" || response.redirected) await forgetCopy();
          return response;
        },
        async () => {
          const cached = await caches.match(url.pathname, { cacheName: SHELL_CACHE });
          return cached || Response.error();
        },
      ),
    );
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(
      caches
        .match(request, { cacheName: SHELL_CACHE, ignoreSearch: true })
        .then((cached) => cached || fetch(request)),
    );
  }
});
