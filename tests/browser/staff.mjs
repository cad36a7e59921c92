// The staff pages in headless Chromium at 360 px and at 1280 px, signed in
// as each role: axe-core finds no violation (WCAG 2.0 A/AA, 2.1 AA, 2.2 AA
// target sizes, best practice), nothing is wider than the screen, chart
// labels are drawn at 12 px or more, form controls are 16 px or more (no
// zoom on focus on phones) and every table that scrolls says so and can be
// reached with the keyboard. Exits non-zero listing every failure.
//
//   node staff.mjs BASE_URL PASSWORD
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const [base, password] = process.argv.slice(2);
if (!base || !password) {
  console.error("usage: node staff.mjs BASE_URL PASSWORD");
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
    axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa", "best-practice"] },
    }),
  );
  const found = result.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0]?.target}`);
  check(found.length === 0, `axe on ${label}${found.length ? ": " + found.join("; ") : ""}`);
}

/// What a phone shows: nothing wider than the screen, readable chart
/// labels, controls that do not make the phone zoom, scroll boxes marked.
async function layout(page, label) {
  const found = await page.evaluate(() => {
    const faults = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width + 1) {
      const wide = [...document.querySelectorAll("body *")].find(
        (e) => !e.closest(".scroll") && e.getBoundingClientRect().right > width + 1,
      );
      faults.push(`page wider than the screen (${document.documentElement.scrollWidth} > ${width}) at ${wide?.tagName}.${wide?.className}`);
    }
    for (const text of document.querySelectorAll("svg text")) {
      const scale = text.getScreenCTM()?.a ?? 1;
      const size = parseFloat(getComputedStyle(text).fontSize) * scale;
      if (size < 11.95) {
        faults.push(`chart label "${text.textContent}" drawn at ${size.toFixed(1)} px`);
        break;
      }
    }
    for (const control of document.querySelectorAll("main input:not([type=hidden]), main select, main textarea, main button")) {
      const size = parseFloat(getComputedStyle(control).fontSize);
      if (size < 16) {
        faults.push(`control ${control.tagName}#${control.id || control.name} at ${size} px`);
        break;
      }
    }
    for (const box of document.querySelectorAll(".scroll")) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (box.getAttribute("tabindex") !== "0") faults.push("a scrolling table not reachable by keyboard");
        const cue = box.previousElementSibling;
        if (!cue?.classList.contains("cue") || getComputedStyle(cue).display === "none") {
          faults.push("a scrolling table without a visible cue");
        }
      }
    }
    const header = document.querySelector("header");
    if (header && header.scrollWidth > header.clientWidth + 1) faults.push("the header is wider than the screen");
    return faults;
  });
  check(found.length === 0, `layout of ${label}${found.length ? ": " + found.join("; ") : ""}`);
}

async function signIn(context, username) {
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill("#username", username);
  await page.fill("#password", password);
  await Promise.all([page.waitForNavigation(), page.click("main button[type=submit]")]);
  check(!page.url().includes("/login"), `${username} signs in`);
  return page;
}

// Periods and dates relative to today, as the server sees them.
const now = new Date();
const iso = (d) => d.toISOString().slice(0, 10);
const quarterBack = (back) => {
  const index = now.getUTCFullYear() * 4 + Math.floor(now.getUTCMonth() / 3) - back;
  return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
};
const lastQuarter = quarterBack(1);
const yearAgo = quarterBack(5);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"],
});
try {
  // Pages with state worth seeing are set up once, on a wide screen.
  const setup = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "vi-VN" });
  const health = await signIn(setup, "browser-health");
  // The service files the simulated comments in its first minutes.
  let item = null;
  for (let tries = 0; !item && tries < 60; tries++) {
    if (tries) await new Promise((resolve) => setTimeout(resolve, 500));
    await health.goto(`${base}/feedback/health`);
    const link = await health.$("ul.items a");
    item = link && (await link.getAttribute("href"));
  }
  check(Boolean(item), "a feedback item is listed");
  if (!item) throw new Error("no feedback item to open: were the simulated comments filed?");
  await health.goto(`${base}/waves`);
  await health.fill("#name", "Đợt thử");
  await health.fill("#opens", iso(now));
  await health.fill("#closes", iso(new Date(now.getTime() + 30 * 86400000)));
  await Promise.all([health.waitForNavigation(), health.click("main form button[type=submit]")]);
  const wave = new URL(health.url()).pathname;
  check(/^\/waves\/[\w-]+$/.test(wave), `a wave is created (${wave})`);
  await setup.close();

  const pages = {
    "browser-home": ["/dashboard", `/dashboard?period=${yearAgo}`, `/dashboard/construction?period=${lastQuarter}`,
                     "/feedback", "/waves", "/glossary", `/report?period=${lastQuarter}`, "/results", "/results/health"],
    "browser-health": [`/dashboard/health?period=${lastQuarter}`, "/feedback/health", item, "/waves", wave,
                       `/dashboard/health?period=${lastQuarter}&lang=en`, "/posters/health", "/dashboard/education"],
    "browser-admin": ["/admin/users", "/admin/audit", "/admin/audit?actor=browser-health"],
  };
  for (const width of [360, 1280]) {
    const context = await browser.newContext({ viewport: { width, height: 800 }, locale: "vi-VN" });
    const anonymous = await context.newPage();
    await anonymous.goto(`${base}/login`);
    await axe(anonymous, `the sign-in page at ${width} px`);
    if (width === 360) await layout(anonymous, "the sign-in page at 360 px");
    await anonymous.close();
    for (const [user, paths] of Object.entries(pages)) {
      const page = await signIn(context, user);
      for (const path of paths) {
        const response = await page.goto(`${base}${path}`);
        // Another department's dashboard: the refusal page is a staff page too.
        const expected = path === "/dashboard/education" ? 403 : 200;
        check(response.status() === expected, `${user} opens ${path} (${response.status()})`);
        await axe(page, `${path} as ${user} at ${width} px`);
        if (width === 360) await layout(page, `${path} at 360 px`);
      }
      if (user === "browser-admin" && width === 360) {
        // The confirmation asked before an account is disabled.
        await page.goto(`${base}/admin/users`);
        const disable = page.locator("form[action*='browser-spare/disable'] button");
        await Promise.all([page.waitForNavigation(), disable.click()]);
        await axe(page, "the confirmation of disabling an account");
        await layout(page, "the confirmation at 360 px");
      }
      await page.close();
    }
    await context.close();
  }
} finally {
  await browser.close();
}
if (failures.length) {
  console.error(`\n${failures.length} failure(s):\n- ${failures.join("\n- ")}`);
  process.exit(1);
}
console.log("\nstaff pages: every check passed");
