// Progressive enhancement of the citizen pages: offline support through the
// service worker (the pages work without this script).
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/sw.js").catch(() => {});
  const flush = () => navigator.serviceWorker.controller && navigator.serviceWorker.controller.postMessage("flush");
  addEventListener("online", flush);
  navigator.serviceWorker.addEventListener("message", (event) => {
    const status = document.getElementById("outbox");
    if (status && event.data && event.data.waiting === 0) {
      status.textContent = document.documentElement.lang === "en"
        ? "Your answers have been sent. Thank you!"
        : "Phiếu của Ông/Bà đã được gửi. Xin trân trọng cảm ơn!";
    }
  });
  if (navigator.onLine) flush();
}
