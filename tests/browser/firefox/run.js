// Loads test pages in headless Firefox and prints what each wrote into <pre id="results">.
//
//   node tests/browser/firefox/run.js <label>=<url> [<label>=<url> ...]
//
// Prints one JSON object on stdout, {"<label>": <the page's results JSON>, ...}, and exits 0;
// on any failure (no Firefox, a page that never finishes) prints the reason on stderr and exits 1.
// tests/tests/browser.rs runs it the way it runs Chromium's --dump-dom, and checks the same
// expectations against the output.
//
// Firefox is Debian's firefox-esr (FIREFOX=/path overrides), driven over WebDriver BiDi by
// puppeteer-core, which downloads no browser. Each page gets its own browser context (a fresh
// cookie jar and preflight cache), like the fresh Chromium profile each page gets there.
"use strict";

const puppeteer = require("puppeteer-core");

// How long a page may take to write its results.
const PAGE_TIMEOUT_MS = 30000;

async function main() {
  const pages = process.argv.slice(2).map((arg) => {
    const eq = arg.indexOf("=");
    if (eq <= 0) throw new Error(`expected <label>=<url>, got ${JSON.stringify(arg)}`);
    return { label: arg.slice(0, eq), url: arg.slice(eq + 1) };
  });
  if (pages.length === 0) throw new Error("no pages given");

  const browser = await puppeteer.launch({
    browser: "firefox",
    protocol: "webDriverBiDi",
    executablePath: process.env.FIREFOX || "/usr/bin/firefox-esr",
    headless: true,
    // No proxy, no telemetry or update traffic: the pages talk to loopback servers only.
    extraPrefsFirefox: {
      "network.proxy.type": 0,
      "network.proxy.allow_hijacking_localhost": false,
      "app.update.enabled": false,
      "datareporting.policy.dataSubmissionEnabled": false,
      "toolkit.telemetry.enabled": false,
    },
  });
  try {
    const results = {};
    // One after the other: the two origins' traffic never interleaves in the API's log, and the
    // machine's cores are shared.
    for (const { label, url } of pages) {
      const context = await browser.createBrowserContext();
      try {
        const page = await context.newPage();
        await page.goto(url, { waitUntil: "load" });
        await page.waitForFunction(
          () => (document.getElementById("results")?.textContent ?? "").trim() !== "",
          { timeout: PAGE_TIMEOUT_MS, polling: 100 },
        );
        const text = await page.$eval("#results", (el) => el.textContent);
        results[label] = JSON.parse(text);
      } finally {
        await context.close();
      }
    }
    process.stdout.write(JSON.stringify(results) + "\n");
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`firefox run failed: ${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
});
