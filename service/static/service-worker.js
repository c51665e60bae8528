/* Keeps the chat page's shell, so it opens with Childline's number when the service is down. */
"use strict";

// Only the pages and what draws them are ever kept: never /api/, so never a conversation.
// The blank quick-exit page is kept too, so quick exit lands there even with no connection.
const SHELL = ["/", "/family", "/exit", "/static/chat.css", "/static/chat.js"];
const CACHE = "rightsline-shell-v1";
// Chats a quick exit could not delete because the service was out of reach: their ids alone,
// as empty entries, never a word of them. Each is deleted once the service answers again.
const FORGET = "rightsline-forget-v1";
const FORGET_PATH = "/forget-pending/";

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
      .then((names) => names.filter((name) => name !== CACHE && name !== FORGET))
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
  event.waitUntil(forgetWaiting()); // a page opened: the service may be back
});

self.addEventListener("message", (event) => {
  const id = event.data && event.data.forget;
  if (typeof id !== "string" || !/^[\w-]{1,100}$/.test(id)) return;
  event.waitUntil(
    caches
      .open(FORGET)
      .then((kept) => kept.put(FORGET_PATH + id, new Response("")))
      .then(forgetWaiting),
  );
});

// Deletes every chat waiting to be deleted; one the service cannot be reached for waits on.
async function forgetWaiting() {
  const kept = await caches.open(FORGET);
  for (const request of await kept.keys()) {
    const id = new URL(request.url).pathname.slice(FORGET_PATH.length);
    try {
      const answer = await fetch(`/api/chat/sessions/${id}`, { method: "DELETE" });
      if (answer.ok || answer.status === 404) await kept.delete(request);
    } catch {
      // Still out of reach: tried again when a page is next opened.
    }
  }
}

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
