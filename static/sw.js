// hailong's service worker: the questionnaire without a network. Pages are
// fetched from the network first and kept for when it is gone. A form sent
// without a network is kept on this device and sent when the network
// returns, with the same response id: sending twice records it once.
const CACHE = "hailong-pages-v1";
const DB = "hailong-outbox";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

function store(mode, work) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore("posts", { autoIncrement: true });
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction("posts", mode);
      const request = work(tx.objectStore("posts"));
      tx.oncomplete = () => resolve(request && request.result);
      tx.onerror = () => reject(tx.error);
    };
  });
}

const keep = (post) => store("readwrite", (posts) => posts.add(post));
const kept = () =>
  store("readonly", (posts) => posts.getAllKeys()).then((keys) =>
    Promise.all(keys.map((key) => store("readonly", (posts) => posts.get(key)).then((post) => [key, post]))),
  );
const forget = (key) => store("readwrite", (posts) => posts.delete(key));

// Sends what was kept, oldest first, then tells every open page how many
// are still waiting.
async function flush() {
  for (const [key, post] of await kept()) {
    try {
      await fetch(post.url, {
        method: "POST",
        body: post.body,
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        redirect: "manual",
      });
      await forget(key);
    } catch {
      break; // Still no network: try again later.
    }
  }
  const waiting = (await kept()).length;
  for (const client of await self.clients.matchAll({ type: "window" })) {
    client.postMessage({ waiting });
  }
}

function offlinePage(lang) {
  const vi = lang !== "en";
  const html = `<!DOCTYPE html><html lang="${vi ? "vi" : "en"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${vi ? "Chưa có mạng" : "No network"}</title>
<style>body{font:17px/1.5 system-ui,sans-serif;margin:0 auto;max-width:42rem;padding:1rem;color:#1b1b1b}
.note{border-left:4px solid #0b4f8a;padding:.6rem .9rem;background:#fff}</style></head><body><main>
<h1>${vi ? "Chưa có mạng" : "No network"}</h1>
<p class="note" id="outbox" role="status">${vi
    ? "Câu trả lời của Ông/Bà đã được lưu trên máy này và sẽ tự gửi khi có mạng trở lại. Không cần điền lại; xin để nguyên trang này."
    : "Your answers are kept on this device and will be sent when the network returns. No need to fill them in again; please leave this page open."}</p>
</main><script src="/form.js"></script></body></html>`;
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && url.pathname.startsWith("/s/")) {
    event.respondWith(
      (async () => {
        const body = await request.clone().text();
        try {
          return await fetch(request);
        } catch {
          await keep({ url: request.url, body });
          if (self.registration.sync) self.registration.sync.register("outbox").catch(() => {});
          return offlinePage(new URLSearchParams(body).get("lang"));
        }
      })(),
    );
  } else if (request.method === "GET" && (url.pathname === "/" || /^\/s\/[^/]+$/.test(url.pathname))) {
    // Blank questionnaires only: a screen that resumes a draft carries
    // answers and is never kept on the device.
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          if (response.ok) (await caches.open(CACHE)).put(request, response.clone());
          return response;
        } catch {
          return (await caches.match(request)) || offlinePage(url.searchParams.get("lang"));
        }
      })(),
    );
  }
});

self.addEventListener("sync", (event) => {
  if (event.tag === "outbox") event.waitUntil(flush());
});

self.addEventListener("message", (event) => {
  if (event.data === "flush") {
    event.waitUntil(flush());
  }
});
