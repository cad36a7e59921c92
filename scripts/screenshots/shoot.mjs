// Signs in to a running hailong and saves screenshots of the department
// dashboard, the Home Affairs overview, the survey waves and the citizen
// pages (a first screen, the kiosk, the privacy page) at phone (360 px) and
// desktop (1280 px) width.
//
//   node shoot.mjs BASE_URL USERNAME PASSWORD OUT_DIR [PERIOD]
import { chromium } from "playwright-core";

const [base, username, password, out, period = "2026-Q3"] = process.argv.slice(2);
if (!out) {
  console.error("usage: node shoot.mjs BASE_URL USERNAME PASSWORD OUT_DIR [PERIOD]");
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  for (const [label, width] of [["phone", 360], ["desktop", 1280]]) {
    const context = await browser.newContext({ viewport: { width, height: 900 }, locale: "vi-VN" });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    await page.fill("#username", username);
    await page.fill("#password", password);
    await Promise.all([page.waitForNavigation(), page.click("button[type=submit]")]);
    const pages = [
      ["overview", `/dashboard?period=${period}`],
      ["department-health", `/dashboard/health?period=${period}`],
      ["waves", "/waves"],
      ["citizen-first-screen", "/s/health-outpatient?unit=bv-dktt-an-giang"],
      ["citizen-kiosk", "/kiosk/bv-dktt-an-giang/health-outpatient"],
      ["citizen-privacy", "/privacy"],
    ];
    for (const [name, path] of pages) {
      await page.goto(`${base}${path}`);
      const file = `${out}/${name}-${label}.png`;
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
    }
    await context.close();
  }
} finally {
  await browser.close();
}
