// The citizen pages in headless Chromium at 360 px: the Enter key never
// sends an unfinished questionnaire, Back and Next keep every answer, a
// condition shows its item, faults take the focus, the review sends once,
// and axe-core finds no violation (WCAG 2.0 A/AA, 2.1 AA, best practice)
// on any screen or state. Exits non-zero listing every failure.
//
//   node citizen.mjs BASE_URL
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const base = process.argv[2];
if (!base) {
  console.error("usage: node citizen.mjs BASE_URL");
  process.exit(2);
}
const axeSource = readFileSync(new URL("./node_modules/axe-core/axe.min.js", import.meta.url), "utf8");
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

async function axe(page, label) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"] } }),
  );
  const found = result.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0]?.target}`);
  check(found.length === 0, `axe on ${label}${found.length ? ": " + found.join("; ") : ""}`);
}

const screenOf = (page) => Number(new URL(page.url()).searchParams.get("page") ?? "0");

async function next(page) {
  await Promise.all([page.waitForNavigation(), page.click("p.nav button[value=next]")]);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
try {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "vi-VN", bypassCSP: true });
  const page = await context.newPage();

  // The list of surveys, and a questionnaire's first screen.
  await page.goto(`${base}/`);
  await axe(page, "the list of surveys");
  await page.goto(`${base}/s/construction-permit?unit=hcc-long-xuyen-xd`);
  check((await page.textContent("h2")).startsWith("Phần 1/"), "progress in the heading");
  check((await page.inputValue("#unit")) === "hcc-long-xuyen-xd", "the QR code's service point is chosen");
  await axe(page, "the first screen");

  // Enter on a ticked rating goes to the next screen; nothing is sent.
  await page.click("label[for=A1-4]");
  await page.focus("#A1-4");
  await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
  check(page.url().includes("/r/") && screenOf(page) === 1, `Enter on a radio moved on, to ${page.url()}`);
  const resume = page.url();

  // A fault on this screen: the title says so and the summary has the focus.
  await page.evaluate(() => {
    const input = document.createElement("input");
    input.type = "hidden";
    input.name = "P1";
    input.value = "9";
    document.querySelector("form").append(input);
  });
  await Promise.all([page.waitForNavigation(), page.click("p.nav button[value=next]")]);
  check((await page.title()).startsWith("Lỗi:"), "the title starts with Lỗi:");
  check(await page.evaluate(() => document.activeElement?.id === "errors"), "the error summary has the focus");
  await axe(page, "a screen with a fault");
  await page.goto(resume);

  // Back keeps the earlier screen's answers; Next keeps this one's.
  await page.click("label[for=P1-5]");
  await next(page);
  await Promise.all([page.waitForNavigation(), page.click("p.nav button[value=back]")]);
  check(await page.isChecked("#P1-5"), "Back kept the answer of the screen left");
  await Promise.all([page.waitForNavigation(), page.click("p.nav button[value=back]")]);
  check(await page.isChecked("#A1-4"), "the first screen's answer is kept");
  check((await page.inputValue("#unit")) === "hcc-long-xuyen-xd", "the service point is kept");

  // At most three expectations: a count, and a fourth cannot be ticked.
  await page.goto(resume.replace(/page=\d+/, "page=6"));
  const boxes = await page.$$("#q-EXPECT input[type=checkbox]");
  for (const box of boxes.slice(0, 3)) await box.check();
  check((await page.textContent("#q-EXPECT .count")) === "Đã chọn 3/3", "the choices are counted");
  check(await boxes[3].isDisabled(), "a fourth choice cannot be ticked");
  await boxes[2].uncheck();
  check(!(await boxes[3].isDisabled()), "untick one, and another may be chosen");
  await axe(page, "a screen with limited choices");

  // A condition within a screen: asked only after "late".
  const base5 = resume.replace(/page=\d+/, "page=5");
  await page.goto(base5);
  check(!(await page.isVisible("#q-LATE_APOLOGY")), "the apology question waits for its condition");
  await page.click("label[for=ONTIME-late]");
  check(await page.isVisible("#q-LATE_APOLOGY"), "the apology question follows a late result");
  await axe(page, "a screen with a condition met");

  // The Enter key in a number field, on the health form.
  await page.goto(`${base}/s/health-outpatient?unit=bv-dktt-an-giang`);
  for (let i = 0; i < 12 && !(await page.$("input[type=number]")); i++) await next(page);
  const percent = await page.$("input[type=number]");
  check(percent !== null, "the health form has a percent question");
  if (percent) {
    const at = screenOf(page);
    await percent.fill("70");
    await Promise.all([page.waitForNavigation(), percent.press("Enter")]);
    check(screenOf(page) === at + 1 && !page.url().includes("thanks"), "Enter in the percent field moved on");
    await Promise.all([page.waitForNavigation(), page.click("p.nav button[value=back]")]);
    check((await page.inputValue("input[type=number]")) === "70", "the percent answer is kept");
    await axe(page, "a screen with a number field");
  }

  // To the review, and send once.
  await page.goto(resume);
  for (let i = 0; i < 15 && !(await page.$("button[value=send]")); i++) await next(page);
  check((await page.textContent("main")).includes("4 – Hài lòng"), "the review lists the answers");
  await axe(page, "the review");
  await Promise.all([page.waitForNavigation(), page.click("button[value=send]")]);
  check(page.url().includes("/thanks"), "Send thanks the citizen");
  await axe(page, "the thank-you page");
  await page.goBack();
  await Promise.all([page.waitForNavigation(), page.click("button[value=send]")]);
  check(page.url().includes("already=1"), "sent again from the back button: the first sending stands");

  // English.
  await page.goto(`${base}/s/education?lang=en`);
  await axe(page, "an English screen");
  await context.close();

  // A tablet at a counter: Back shows nothing of the previous citizen.
  const counter = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "vi-VN", bypassCSP: true });
  const tablet = await counter.newPage();
  await tablet.goto(`${base}/kiosk/hcc-long-xuyen-xd/construction-permit?idle=60`);
  await axe(tablet, "the kiosk's first screen");
  await tablet.click("label[for=A1-2]");
  await next(tablet);
  check(!tablet.url().includes("/r/"), "a kiosk screen has no address that resumes it");
  await tablet.goBack();
  check(!(await tablet.isChecked("#A1-2")), "Back on a kiosk shows a blank form");
  await counter.close();

  // No network at the moment of sending: the questionnaire is kept on the
  // phone and sent when the network returns, once.
  const offline = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "vi-VN" });
  const phone = await offline.newPage();
  await phone.goto(`${base}/s/construction-permit?unit=hcc-long-xuyen-xd`);
  await phone.evaluate(() => navigator.serviceWorker.ready);
  await phone.reload();
  check(await phone.evaluate(() => !!navigator.serviceWorker.controller), "the service worker controls the page");
  await phone.click("label[for=A1-5]");
  await next(phone);
  for (let i = 0; i < 15 && !(await phone.$("button[value=send]")); i++) await next(phone);
  const review = phone.url();
  await offline.setOffline(true);
  await phone.click("button[value=send]");
  await phone.waitForSelector("#outbox");
  const kept = await phone.textContent("#outbox");
  // Chromium's offline emulation does not reach the worker's own requests,
  // so Background Sync may deliver the kept form at once: either word shows
  // the worker took the form instead of the browser's error page.
  check(
    kept.includes("đã được lưu trên máy này") || kept.includes("đã được gửi"),
    `sent offline: the service worker took the form (${kept.trim().slice(0, 50)}…)`,
  );
  await offline.setOffline(false);
  await phone.waitForFunction(() => document.getElementById("outbox")?.textContent.includes("đã được gửi"), null, { timeout: 15000 }).catch(() => {});
  check((await phone.textContent("#outbox")).includes("đã được gửi"), "the network back: sent, and said so");
  await phone.goto(review);
  check((await phone.textContent("main")).includes("Không còn câu trả lời đã lưu"), "the sent form's draft is gone");
  await offline.close();
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`${failures.length} browser check(s) failed`);
  process.exit(1);
}
console.log("browser checks passed");
