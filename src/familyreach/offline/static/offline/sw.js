// The offline app's service worker (served from /staff/offline/sw.js, so its scope is
// /staff/offline/). It keeps the app's shell (the page, its styles and scripts, none holding
// family data) so the page opens without signal. Family data never passes through its cache:
// the API under /staff/api/ is always fetched from the network, and the page keeps what it
// downloads in IndexedDB, encrypted (offline.js).
const SHELL_CACHE = "familyreach-offline-shell";

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
      fetch(request).catch(async () => {
        const cached = await caches.match(url.pathname, { cacheName: SHELL_CACHE });
        return cached || Response.error();
      }),
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
