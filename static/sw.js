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
// are still waiting and how many the server refused (a closed wave, a new
// version of the questionnaire): those are not kept, and the page says so.
async function flush() {
  let refused = 0;
  for (const [key, post] of await kept()) {
    let response;
    try {
      response = await fetch(post.url, {
        method: "POST",
        body: post.body,
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        redirect: "manual",
      });
    } catch {
      break; // Still no network: try again later.
    }
    if (response.status >= 500) break; // The server is not ready: later.
    // Recorded (a redirect to the thanks), or refused for good (4xx).
    if (response.type !== "opaqueredirect" && !response.ok) refused += 1;
    await forget(key);
  }
  const waiting = (await kept()).length;
  for (const client of await self.clients.matchAll({ type: "window" })) {
    client.postMessage({ waiting, refused });
  }
}

// A kept blank questionnaire, served with a new response id: two forms
// begun from the same copy are two responses.
async function withFreshId(response) {
  const html = (await response.text()).replace(
    /name="id" value="[0-9a-f-]{36}"/,
    `name="id" value="${self.crypto.randomUUID()}"`,
  );
  return new Response(html, { status: 200, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function offlinePage(lang, kept) {
  const vi = lang !== "en";
  const said = kept
    ? vi
      ? "Câu trả lời của Ông/Bà đã được lưu trên máy này và sẽ tự gửi khi có mạng trở lại. Không cần điền lại; xin để nguyên trang này."
      : "Your answers are kept on this device and will be sent when the network returns. No need to fill them in again; please leave this page open."
    : vi
      ? "Chưa gửi được vì mất mạng. Khi có mạng, bấm nút Quay lại của trình duyệt rồi bấm lại; các câu trả lời trước vẫn được giữ."
      : "Not sent: there is no network. When it returns, go back in the browser and press the button again; earlier answers are kept.";
  const html = `<!DOCTYPE html><html lang="${vi ? "vi" : "en"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${vi ? "Chưa có mạng" : "No network"}</title>
<style>body{font:17px/1.5 system-ui,sans-serif;margin:0 auto;max-width:42rem;padding:1rem;color:#1b1b1b}
.note{border-left:4px solid #0b4f8a;padding:.6rem .9rem;background:#fff}</style></head><body><main>
<h1>${vi ? "Chưa có mạng" : "No network"}</h1>
<p class="note" id="${kept ? "outbox" : "offline"}" role="status">${said}</p>
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
          const form = new URLSearchParams(body);
          // Only a questionnaire being sent is kept: a screen's Next or Back
          // needs the server, and a kiosk keeps nothing on the tablet.
          const sending = (!form.has("go") || form.get("go") === "send") && !form.has("kiosk");
          if (!sending) return offlinePage(form.get("lang"), false);
          await keep({ url: request.url, body });
          if (self.registration.sync) self.registration.sync.register("outbox").catch(() => {});
          return offlinePage(form.get("lang"), true);
        }
      })(),
    );
  } else if (request.method === "GET" && (url.pathname === "/" || /^\/s\/[^/]+$/.test(url.pathname))) {
    // Blank questionnaires only: a screen that resumes a draft carries
    // answers, and a page opened with an invitation code carries the code;
    // neither is kept on the device.
    const keepable = !url.searchParams.has("code");
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          if (response.ok && keepable) (await caches.open(CACHE)).put(request, response.clone());
          return response;
        } catch {
          const cached = keepable && (await caches.match(request));
          return cached ? withFreshId(cached) : offlinePage(url.searchParams.get("lang"), false);
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
