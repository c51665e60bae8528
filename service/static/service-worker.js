/* Keeps the chat page's shell, so it opens with Childline's number when the service is down. */
"use strict";

// Only the pages and what draws them are ever kept: never /api/, so never a conversation.
// The blank quick-exit page is kept too, so quick exit lands there even with no connection.
const SHELL = ["/", "/family", "/exit", "/static/chat.css", "/static/chat.js"];
const CACHE = "rightsline-shell-v1";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((path) => new Request(path, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  // A newer worker drops the shells older ones kept, then looks after the open pages at once.
  event.waitUntil(
    caches
      .keys()
      .then((names) => names.filter((name) => name !== CACHE))
      .then((old) => Promise.all(old.map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  const shell = url.origin === self.location.origin && SHELL.includes(url.pathname);
  // Anything else (the chat API above all) goes to the network untouched and is never kept.
  if (event.request.method !== "GET" || !shell) return;
  event.respondWith(networkFirst(event.request, url.pathname));
});

// The network first, so a working service always gives the newest page; the kept copy
// only when the service cannot be reached.
async function networkFirst(request, path) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === "basic" && !response.redirected) {
      await cache.put(path, response.clone());
    }
    return response;
  } catch (error) {
    const kept = await cache.match(path);
    if (kept) return kept;
    throw error;
  }
}
