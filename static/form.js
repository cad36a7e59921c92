// Progressive enhancement of the citizen pages (they work without it):
// offline support through the service worker, and a count of the choices
// where a question allows only a few.
for (const set of document.querySelectorAll("fieldset[data-max]")) {
  const max = Number(set.dataset.max);
  const boxes = [...set.querySelectorAll("input[type=checkbox]")];
  const count = set.querySelector(".count");
  const words = document.documentElement.lang === "en" ? "Chosen" : "Đã chọn";
  const update = () => {
    const chosen = boxes.filter((box) => box.checked).length;
    for (const box of boxes) box.disabled = !box.checked && chosen >= max;
    if (count) count.textContent = `${words} ${chosen}/${max}`;
  };
  set.addEventListener("change", update);
  update();
}

// A kiosk keeps nothing on the tablet: no service worker there.
if ("serviceWorker" in navigator && !document.querySelector("input[name=kiosk]")) {
  navigator.serviceWorker.register("/sw.js").catch(() => {});
  const flush = () => navigator.serviceWorker.controller && navigator.serviceWorker.controller.postMessage("flush");
  addEventListener("online", flush);
  navigator.serviceWorker.addEventListener("message", (event) => {
    const status = document.getElementById("outbox");
    if (status && event.data && event.data.waiting === 0) {
      const en = document.documentElement.lang === "en";
      status.textContent = event.data.refused > 0
        ? en
          ? "The network is back, but the form was not accepted (the survey may have closed or changed). Please open the questionnaire again."
          : "Đã có mạng nhưng phiếu không được nhận (đợt khảo sát có thể đã kết thúc hoặc phiếu đã thay đổi). Vui lòng mở lại phiếu khảo sát."
        : en
          ? "Your answers have been sent. Thank you!"
          : "Phiếu của Ông/Bà đã được gửi. Xin trân trọng cảm ơn!";
    }
  });
  if (navigator.onLine) flush();
}
